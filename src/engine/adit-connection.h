/* adit-connection.h — one running tunnel: an SSH session and its local forwards, driven by a
 * worker thread with its own GMainContext.
 *
 * Everything here is called on, and every signal is emitted on, the thread whose
 * thread-default main context was current at adit_connection_new() (the "owning" thread,
 * the UI's main thread in the app). Nothing here blocks on the network or on a person.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-question.h"
#include "adit-stats.h"
#include "adit-tunnel.h"

G_BEGIN_DECLS

typedef enum
{
  ADIT_CONNECTION_STATE_DISCONNECTED, /* not started, or stopped by the person */
  ADIT_CONNECTION_STATE_CONNECTING,   /* reaching the server, checking it, logging in */
  ADIT_CONNECTION_STATE_WAITING,      /* a question is open */
  ADIT_CONNECTION_STATE_CONNECTED,    /* forwarding */
  ADIT_CONNECTION_STATE_FAILED,       /* ended by an error (see adit_connection_get_error()) */
  ADIT_CONNECTION_STATE_RECONNECTING, /* the session was lost; the listeners stay, and the
                                       * next try is at adit_connection_get_retry_time() */
} AditConnectionState;

#define ADIT_TYPE_CONNECTION_STATE (adit_connection_state_get_type ())
GType adit_connection_state_get_type (void) G_GNUC_CONST;

#define ADIT_TYPE_CONNECTION (adit_connection_get_type ())
G_DECLARE_FINAL_TYPE (AditConnection, adit_connection, ADIT, CONNECTION, GObject)

/* Signals (all on the owning thread):
 *   "question"       (AditQuestion *q)  — answer it, now or later; unanswered = cancelled
 *   "listening"      (const char *address) — a listener is bound, e.g. "127.0.0.1:1100"
 *   "client-opened"  (const char *peer, guint open_connections)
 *   "client-closed"  (const char *peer, guint open_connections, GError *error or NULL) —
 *                    with an error when the server refused or could not open that connection
 *                    (the tunnel stays up)
 *   "stats-changed"  () — at most four times a second while traffic flows
 *   "stopped"        () — the worker has ended; every socket, listener and channel is closed
 * The "state" property is notified on every change, "retry-time" when it moves. */

AditConnection      *adit_connection_new        (AditTunnel     *tunnel);
AditTunnel          *adit_connection_get_tunnel (AditConnection *self);
/* A password or key passphrase from the keyring, tried once before the person is asked.
 * Set before adit_connection_start (); kind is ADIT_QUESTION_PASSWORD or _PASSPHRASE. */
void                 adit_connection_set_saved_secret (AditConnection   *self,
                                                       AditQuestionKind  kind,
                                                       const char       *secret);
void                 adit_connection_start      (AditConnection *self);
/* Disconnects cleanly; "stopped" follows. Safe to call in any state, more than once. */
void                 adit_connection_stop       (AditConnection *self);
AditConnectionState  adit_connection_get_state  (AditConnection *self);
gboolean             adit_connection_is_running (AditConnection *self);
/* The error that ended the connection (state FAILED) or lost the session (RECONNECTING),
 * else NULL. */
const GError        *adit_connection_get_error  (AditConnection *self);
/* While RECONNECTING: when the next try starts, in g_get_monotonic_time() microseconds, or 0
 * while a try is under way. */
gint64               adit_connection_get_retry_time (AditConnection *self);
/* The same as whole seconds from now, rounded up; 0 while a try is under way. */
guint                adit_connection_get_retry_seconds (AditConnection *self);
/* While RECONNECTING: try now instead of waiting. While CONNECTED: check that the server
 * still answers, and reconnect if it does not (call it when the network changed or the
 * computer woke up). Otherwise nothing. */
void                 adit_connection_retry_now  (AditConnection *self);
/* The last error of a single forwarded connection (e.g. the server could not reach the
 * target), or NULL. */
const GError        *adit_connection_get_last_client_error (AditConnection *self);
void                 adit_connection_get_stats  (AditConnection *self,
                                                 AditStats      *stats);

G_END_DECLS
