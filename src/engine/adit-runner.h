/* adit-runner.h — one saved tunnel as the window sees it: switched on or off, its state, the
 * question it waits on, live counters and half a minute of throughput history. It looks up saved
 * secrets before connecting and saves what the person asked to remember once it worked.
 * Main thread only; the network work happens in AditConnection's worker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-connection.h"
#include "adit-tunnel.h"

G_BEGIN_DECLS

/* Seconds of throughput history kept for the row's graph. */
#define ADIT_RUNNER_HISTORY 30

#define ADIT_TYPE_RUNNER (adit_runner_get_type ())
G_DECLARE_FINAL_TYPE (AditRunner, adit_runner, ADIT, RUNNER, GObject)

/* Properties: "tunnel", "state" (AditConnectionState; CONNECTING also while the keyring is
 * read), "error" (the last failure, kept until the next start; while RECONNECTING, why the
 * session was lost), "question" (the open one or NULL), "open-connections", "retry-time". Signals: "stats-changed" (the counters or the history moved),
 * "client-failed" (GError: one local connection could not be served), "keyring-failed"
 * (GError: a secret could not be saved). */
AditRunner          *adit_runner_new                  (AditTunnel    *tunnel);
AditTunnel          *adit_runner_get_tunnel           (AditRunner    *self);

/* The saved tunnel was replaced (edited): a running one restarts with it. */
void                 adit_runner_set_tunnel           (AditRunner    *self,
                                                       AditTunnel    *tunnel);
void                 adit_runner_start                (AditRunner    *self);
void                 adit_runner_stop                 (AditRunner    *self);
/* Stops and starts again with the tunnel as it is now (after the person edited it). */
void                 adit_runner_restart              (AditRunner    *self);
/* Started and not yet stopped or failed. */
gboolean             adit_runner_is_active            (AditRunner    *self);
/* Reconnecting: try now. Connected: check the server still answers (see
 * adit_connection_retry_now()). */
void                 adit_runner_retry_now            (AditRunner    *self);
/* This run was connected at least once: a failure now was not the person's doing. */
gboolean             adit_runner_get_was_connected    (AditRunner    *self);
/* While reconnecting: when the next try starts (g_get_monotonic_time()), or 0 while one is
 * under way; and the same as whole seconds from now, rounded up. */
gint64               adit_runner_get_retry_time       (AditRunner    *self);
guint                adit_runner_get_retry_seconds    (AditRunner    *self);

AditConnectionState  adit_runner_get_state            (AditRunner    *self);
const GError        *adit_runner_get_error            (AditRunner    *self);
const GError        *adit_runner_get_last_client_error (AditRunner   *self);
AditQuestion        *adit_runner_get_question         (AditRunner    *self);
guint                adit_runner_get_open_connections (AditRunner    *self);
void                 adit_runner_get_stats            (AditRunner    *self,
                                                       AditStats     *stats);
/* Bytes per second, both directions together, oldest first; ADIT_RUNNER_HISTORY values. */
const double        *adit_runner_get_history          (AditRunner    *self);

/* Answers the open question. With @remember, a password or passphrase is saved to the
 * keyring once the server (or the key file) accepted it, and not before. */
void                 adit_runner_answer               (AditRunner         *self,
                                                       AditQuestion       *question,
                                                       const char * const *answers,
                                                       gboolean            remember);

/* A short phrase for a row: "Off", "Connecting…", "Connected", "Waiting for you",
 * "Reconnecting in 8 s", or the reason of a failure ("Login refused", "Server
 * unreachable"…). */
char                *adit_runner_describe_state       (AditRunner    *self);

G_END_DECLS
