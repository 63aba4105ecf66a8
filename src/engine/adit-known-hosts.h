/* adit-known-hosts.h — private: is this the right server? OpenSSH known_hosts files, the
 * tunnel's policy, and the question for a server seen for the first time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libssh/libssh.h>

#include "adit-question.h"
#include "adit-tunnel.h"

G_BEGIN_DECLS

typedef enum
{
  ADIT_HOST_KEY_TRUSTED,   /* known, or new and the policy accepts new keys (remembered) */
  ADIT_HOST_KEY_ASK,       /* new: ask the person (the question is returned) */
  ADIT_HOST_KEY_REFUSED,   /* changed, or new under a strict policy (the error says why) */
} AditHostKeyVerdict;

/* The file Adit writes: the tunnel's UserKnownHostsFile, or
 * $XDG_DATA_HOME/adit/known_hosts. */
char               *adit_known_hosts_user_path   (AditTunnel    *tunnel);
/* Read as well, never written: the person's ~/.ssh/known_hosts. */
char               *adit_known_hosts_global_path (void);

/* After the key exchange. */
AditHostKeyVerdict  adit_known_hosts_check       (ssh_session     session,
                                                  AditTunnel     *tunnel,
                                                  AditQuestion  **question,
                                                  GError        **error);
/* Saves the server's key to the user file (the person trusted it). */
gboolean            adit_known_hosts_remember    (ssh_session     session,
                                                  GError        **error);

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
