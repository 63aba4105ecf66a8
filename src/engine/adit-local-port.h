/* adit-local-port.h — what the tunnel editor can say about a local port as the person types
 * it: whether it is free, which program holds it, and which port to offer instead.
 *
 * Everything here is quick and never waits on the network: a bind to the port that is closed
 * at once, and a look through /proc. A bind address that is a host name (not "localhost")
 * is not resolved: such a port counts as free, and connecting will tell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The port administrators move a service below 1024 to: 110 → 1100, 143 → 1430; 80 → 8080,
 * 22 → 8022. Ports from 1024 up are returned as they are. */
guint16   adit_suggest_unprivileged_port       (guint16      port);

/* TRUE when this process could listen on @port at @bind_address right now, binding the way a
 * tunnel does (SO_REUSEADDR). NULL or "localhost": 127.0.0.1 and ::1 (::1 only counts where
 * this computer has IPv6); "*": every address. */
gboolean  adit_local_port_is_free              (const char  *bind_address,
                                                guint16      port);

/* The name of the program listening on TCP @port ("thunderbird"), made fit to show; NULL
 * when nothing listens or it cannot be told (another user's program, a sandbox). */
char     *adit_local_port_owner                (guint16      port);

/* The first port from MAX (@wanted, 1024) on that adit_local_port_is_free () says is free,
 * trying 200 of them; 0 when none is. */
guint16   adit_local_port_suggest_free         (const char  *bind_address,
                                                guint16      wanted);

/* TRUE when a tunnel can listen on @port at @bind_address. Otherwise a sentence for the
 * editor, and in @suggestion (when given) a free port to offer instead, or 0:
 *  - ADIT_ERROR_PRIVILEGED_PORT: below 1024, which this process may not open;
 *  - ADIT_ERROR_PORT_IN_USE: another program listens there (named when it can be told);
 *  - ADIT_ERROR_BIND_FAILED: anything else, such as an address this computer does not have.
 * @suggestion is 0 on success. */
gboolean  adit_local_port_check                (const char  *bind_address,
                                                guint16      port,
                                                guint16     *suggestion,
                                                GError     **error);

G_END_DECLS
