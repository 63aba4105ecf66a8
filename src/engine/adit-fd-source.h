/* adit-fd-source.h — a GSource around one file descriptor whose wanted conditions are asked
 * for again before every poll: the libssh session socket and each forwarded client socket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the conditions to wait for now (0: none, the source sleeps). */
typedef GIOCondition (*AditFdSourceWantFunc)     (gpointer     user_data);
/* Called with what the descriptor reported; return G_SOURCE_REMOVE to stop. */
typedef gboolean     (*AditFdSourceDispatchFunc) (GIOCondition revents,
                                                  gpointer     user_data);

GSource *adit_fd_source_new (int                      fd,
                             AditFdSourceWantFunc     want,
                             AditFdSourceDispatchFunc dispatch,
                             gpointer                 user_data);

G_END_DECLS
