/* adit-fd-source.c — see adit-fd-source.h.
 *
 * The wanted conditions change all the time (a socket is read only while the SSH window is
 * open, written only while data waits), so they are recomputed in prepare() instead of
 * re-creating sources. No timers: an idle descriptor causes no wake-up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-fd-source.h"

typedef struct
{
  GSource                   source;
  gpointer                  tag;
  GIOCondition              wanted;
  AditFdSourceWantFunc      want;
  AditFdSourceDispatchFunc  dispatch;
  gpointer                  user_data;
} AditFdSource;

/* Errors and hang-ups are always reported by poll(); ask for them explicitly so that a
 * source that wants nothing else still learns that its peer is gone. */
#define ALWAYS (G_IO_ERR | G_IO_HUP | G_IO_NVAL)

static gboolean
adit_fd_source_prepare (GSource *source,
                        int     *timeout)
{
  AditFdSource *self = (AditFdSource *)source;
  GIOCondition wanted = self->want (self->user_data);

  *timeout = -1;

  if (wanted != self->wanted)
    {
      /* A source that wants nothing polls for nothing, not even hang-ups: a paused
       * client must not spin on a half-closed socket. */
      g_source_modify_unix_fd (source, self->tag, wanted ? wanted | ALWAYS : 0);
      self->wanted = wanted;
    }

  return FALSE;
}

static gboolean
adit_fd_source_check (GSource *source)
{
  AditFdSource *self = (AditFdSource *)source;

  return g_source_query_unix_fd (source, self->tag) != 0;
}

static gboolean
adit_fd_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  AditFdSource *self = (AditFdSource *)source;
  GIOCondition revents = g_source_query_unix_fd (source, self->tag);

  return self->dispatch (revents, self->user_data);
}

static GSourceFuncs adit_fd_source_funcs = {
  .prepare = adit_fd_source_prepare,
  .check = adit_fd_source_check,
  .dispatch = adit_fd_source_dispatch,
};

GSource *
adit_fd_source_new (int                      fd,
                    AditFdSourceWantFunc     want,
                    AditFdSourceDispatchFunc dispatch,
                    gpointer                 user_data)
{
  AditFdSource *self;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (want != NULL, NULL);
  g_return_val_if_fail (dispatch != NULL, NULL);

  self = (AditFdSource *)g_source_new (&adit_fd_source_funcs, sizeof *self);
  self->want = want;
  self->dispatch = dispatch;
  self->user_data = user_data;
  self->wanted = 0;
  self->tag = g_source_add_unix_fd ((GSource *)self, fd, 0);
  g_source_set_static_name ((GSource *)self, "[adit] fd");

  return (GSource *)self;
}
