/* adit-forwarder.h — private: the local side of a tunnel, owned by its worker thread. The
 * listeners, the accepted clients, and per client a direct-tcpip channel with a two-way pump.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libssh/libssh.h>

#include "adit-stats.h"
#include "adit-tunnel.h"

G_BEGIN_DECLS

typedef struct _AditForwarder AditForwarder;

typedef struct
{
  /* A client connected or went away; @error says why a channel could not be opened. */
  void (*client_event)  (gpointer      user_data,
                         gboolean      opened,
                         const char   *peer,
                         guint         open_connections,
                         const GError *error);
  /* Counters changed; the worker decides when to report them. */
  void (*stats_changed) (gpointer      user_data);
  /* A listener is bound ("127.0.0.1:1100"). */
  void (*listening)     (gpointer      user_data,
                         const char   *address);
} AditForwarderCallbacks;

AditForwarder *adit_forwarder_new            (AditTunnel                   *tunnel,
                                              const AditForwarderCallbacks *callbacks,
                                              gpointer                      user_data);
/* Binds every forward's listeners on the thread-default main context. Clients that connect
 * before a session is attached wait (up to ADIT_CLIENT_WAIT_SECONDS) instead of being
 * refused. */
gboolean       adit_forwarder_listen         (AditForwarder  *self,
                                              GError        **error);
/* The session is ready: waiting and future clients get channels. NULL detaches it: every
 * channel and its client are dropped; listeners and clients still waiting stay. */
void           adit_forwarder_attach_session (AditForwarder  *self,
                                              ssh_session     session);
/* Closes every client, waiting or not (the tunnel ends). */
void           adit_forwarder_close_clients  (AditForwarder  *self);
/* Call after libssh processed incoming packets: advances channel opens, sends the data that
 * came in, closes what ended. */
void           adit_forwarder_after_dispatch (AditForwarder  *self);
const AditStats *adit_forwarder_get_stats    (AditForwarder  *self);
void           adit_forwarder_free           (AditForwarder  *self);

#define ADIT_CLIENT_WAIT_SECONDS 15

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditForwarder, adit_forwarder_free)

G_END_DECLS
