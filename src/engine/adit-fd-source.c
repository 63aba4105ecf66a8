/* adit-fd-source.c — see adit-fd-source.h.
 *
 * The wanted conditions change all the time (a socket is read only while the SSH window is
 * open, written only while data waits), so they are recomputed in prepare() instead of
 * re-creating sources. No timers: an idle descriptor causes no wake-up.
 *
 * A plain GPollFD whose events are set in prepare(): GLib copies them into its poll array
 * right after, so a change costs nothing (g_source_modify_unix_fd() wakes the context each
 * time: an eventfd write and an extra loop turn, thousands per GiB). A source that wants
 * nothing takes its descriptor out of the poll set altogether: poll() reports hang-ups even
 * for no events, and a paused client whose program went away must not spin.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-fd-source.h"

typedef struct
{
  GSource                   source;
  GPollFD                   pollfd;
  gboolean                  polled;   /* pollfd is in the poll set */
  AditFdSourceWantFunc      want;
  AditFdSourceDispatchFunc  dispatch;
  gpointer                  user_data;
} AditFdSource;

/* Reported by poll() anyway; named so that what is asked for reads as what is handled. */
#define ALWAYS (G_IO_ERR | G_IO_HUP | G_IO_NVAL)

static gboolean
adit_fd_source_prepare (GSource *source,
                        int     *timeout)
{
  AditFdSource *self = (AditFdSource *)source;
  GIOCondition wanted = self->want (self->user_data);

  *timeout = -1;
  self->pollfd.events = wanted | ALWAYS;
  self->pollfd.revents = 0;

  if (wanted != 0 && !self->polled)
    g_source_add_poll (source, &self->pollfd);
  else if (wanted == 0 && self->polled)
    g_source_remove_poll (source, &self->pollfd);
  self->polled = wanted != 0;

  return FALSE;
}

static gboolean
adit_fd_source_check (GSource *source)
{
  AditFdSource *self = (AditFdSource *)source;

  return self->pollfd.revents != 0;
}

static gboolean
adit_fd_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  AditFdSource *self = (AditFdSource *)source;
  GIOCondition revents = self->pollfd.revents;

  self->pollfd.revents = 0;
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
  self->pollfd.fd = fd;

  return (GSource *)self;
}
