/* adit-known-hosts-forget.h — forgetting a server's remembered identity: the deliberate step
 * after Adit refused a changed host key. Public (the app's tunnel menu uses it); the checking
 * itself is in adit-known-hosts.h, which needs libssh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-tunnel.h"

G_BEGIN_DECLS

/* The deliberate way forward after a "server identity changed" refusal: removes every entry
 * for the tunnel's server (its host name, or "[host]:port" for a port other than 22; hashed
 * entries too) from the user file, atomically and keeping the file's mode. Other lines stay
 * byte for byte; @cert-authority and @revoked lines are never removed. A missing file has
 * nothing to forget: TRUE, 0 removed. ~/.ssh/known_hosts is never changed, even when the
 * tunnel names it as its own file (ADIT_ERROR_KNOWN_HOSTS, with a sentence that says how).
 * Blocking (it waits for the disk): the main thread uses the _async version. */
gboolean            adit_known_hosts_forget      (AditTunnel     *tunnel,
                                                  guint          *n_removed,
                                                  GError        **error);
/* The same in a worker thread, on a copy of @tunnel taken now. */
void                adit_known_hosts_forget_async  (AditTunnel          *tunnel,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean            adit_known_hosts_forget_finish (GAsyncResult        *result,
                                                    guint               *n_removed,
                                                    GError             **error);
/* TRUE when ~/.ssh/known_hosts has an entry that applies to the tunnel's server (patterns and
 * hashed entries included), so the app can say the old identity is in the person's own SSH
 * settings, which Adit does not change. */
gboolean            adit_known_hosts_in_global_file (AditTunnel  *tunnel);

G_END_DECLS
