/* adit-worker.h — private: the thread side of an AditConnection. It owns the ssh_session,
 * the listeners, the clients and their channels; nothing else touches them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-connection.h"

G_BEGIN_DECLS

typedef struct _AditWorker AditWorker;

/* Starts the thread. Reports reach @connection on @owner_context through the
 * adit_connection_report_*() functions below. */
AditWorker *adit_worker_start  (AditConnection *connection,
                                AditTunnel     *tunnel,
                                const char     *saved_password,
                                const char     *saved_passphrase,
                                GMainContext   *owner_context);
/* From the owning thread: reconnect at once if waiting to; check the server still answers if
 * connected (the network changed, the computer woke). */
void        adit_worker_retry_now (AditWorker  *worker);
/* From the owning thread: ask the worker to disconnect and end. */
void        adit_worker_stop   (AditWorker     *worker);
/* From the owning thread, after "stopped": waits for the thread's last instructions (its
 * thread-local state, OpenSSL's among it, is freed as it exits). */
void        adit_worker_join   (AditWorker     *worker);
AditWorker *adit_worker_ref    (AditWorker     *worker);
void        adit_worker_unref  (AditWorker     *worker);

/* Called on the owning thread by the worker's messages (see adit-connection.c). */
void adit_connection_report_state    (AditConnection      *self,
                                      AditConnectionState  state,
                                      const GError        *error,
                                      gint64               retry_time);
void adit_connection_report_question (AditConnection      *self,
                                      AditQuestion        *question);
void adit_connection_report_listening (AditConnection     *self,
                                      const char          *address);
void adit_connection_report_client   (AditConnection      *self,
                                      gboolean             opened,
                                      const char          *peer,
                                      guint                open_connections,
                                      const GError        *error);
void adit_connection_report_stats    (AditConnection      *self,
                                      const AditStats     *stats);
void adit_connection_report_secret_accepted (AditConnection   *self,
                                             AditQuestionKind  kind);
void adit_connection_report_stopped  (AditConnection      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditWorker, adit_worker_unref)

G_END_DECLS
