/* adit-known-hosts.h — private: is this the right server? OpenSSH known_hosts files, the
 * tunnel's policy, and the question for a server seen for the first time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libssh/libssh.h>

#include "adit-question.h"
#include "adit-tunnel.h"
#include "adit-known-hosts-forget.h"

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

G_END_DECLS
