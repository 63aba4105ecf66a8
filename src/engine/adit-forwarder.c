/* adit-forwarder.c — see adit-forwarder.h.
 *
 * The pump, per client (PERFORMANCE.md has the measurements behind each choice):
 *  - upload: the local socket is read, 256 KiB at a time, only while the channel's window is
 *    open and the session's outgoing data is under a cap; each chunk goes to one
 *    ssh_channel_write() because every call ends in a flush;
 *  - download: libssh's channel data callback sends straight from libssh's buffer to the
 *    local socket and takes only what the socket accepted; the rest stays in libssh, which
 *    holds the window back, and is drained when the socket becomes writable again. Packets
 *    (32 KiB each) are gathered into sends of DOWN_BATCH, and what is left at the end of a
 *    wake-up goes out in the pass that follows it.
 * Callbacks can run inside any libssh call, so a client that ends is only marked dead there
 * and freed later from an idle source ("reap").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <libssh/callbacks.h>

#include "adit-error.h"
#include "adit-fd-source.h"
#include "adit-local-port.h"
#include "adit-local-port-private.h"
#include "adit-source.h"
#include "adit-forwarder.h"

#define IO_CHUNK           (256 * 1024)
/* One send per 32 KiB packet woke the local program for each, and the context switches that
 * followed were twice ssh -L's per GiB. libssh's channel buffer gathers the packets anyway, so
 * batching copies nothing more, except what a wake-up leaves (read out at its end). */
#define DOWN_BATCH         (256 * 1024)
/* The smallest buffer for what is read out of libssh at the end of a wake-up. */
#define DOWN_BUF_MIN       (16 * 1024)
#define LISTEN_BACKLOG     4096
/* How much may wait in libssh's outgoing buffer before clients stop being read. */
#define SESSION_OUT_CAP    (1024 * 1024)

/* RFC 4254 §5.1 reason codes for a refused channel. */
#define OPEN_ADMINISTRATIVELY_PROHIBITED 1
#define OPEN_CONNECT_FAILED              2

typedef enum
{
  CLIENT_WAITING,   /* accepted, no session yet */
  CLIENT_OPENING,   /* channel open sent, no answer yet */
  CLIENT_OPEN,
  CLIENT_DEAD,      /* to be freed by reap */
} ClientState;

typedef struct
{
  AditForwarder     *forwarder;
  const AditForward *forward;
  GSocket           *socket;
  GSource           *source;
  GSource           *pause_source;
} Listener;

typedef struct
{
  GList                               link;
  AditForwarder                      *forwarder;
  const AditForward                  *forward;
  GSocket                            *socket;
  int                                 fd;
  char                               *peer;
  guint16                             peer_port;
  GSource                            *source;
  ssh_channel                         channel;
  struct ssh_channel_callbacks_struct callbacks;
  ClientState                         state;
  gint64                              wait_deadline;
  /* download: bytes libssh holds for this client, and what was read but not yet sent */
  gsize                               pending;
  guint8                             *down_buf;
  gsize                               down_size;
  gsize                               down_off;
  gsize                               down_len;
  gboolean                            down_blocked; /* the local socket is full */
  /* upload: what ssh_channel_write() did not take (rekeying, window) */
  guint8                             *up_buf;
  gsize                               up_off;
  gsize                               up_len;
  gboolean                            local_eof;    /* the local program stopped sending */
  gboolean                            eof_sent;     /* … and the server was told */
  gboolean                            remote_eof;   /* the server stopped sending */
  gboolean                            local_shut;   /* … and the local program was told */
  GError                             *error;
} Client;

struct _AditForwarder
{
  AditTunnel             *tunnel;
  AditForwarderCallbacks  callbacks;
  gpointer                user_data;
  GPtrArray              *listeners;
  GQueue                  clients;
  ssh_session             session;
  guint8                 *io_buf;
  gsize                   queued_out;
  AditStats               stats;
  GSource                *reap_source;
  GSource                *pass_source;
  GSource                *wait_source;
};

static void client_start_channel (Client *client);

static void
stats_changed (AditForwarder *self)
{
  self->callbacks.stats_changed (self->user_data);
}

static gboolean
reap_cb (gpointer user_data);
static gboolean
pass_cb (gpointer user_data);

/* libssh handles packets inside many of its calls (a write during a key re-exchange, a
 * keep-alive, a pending channel open): what they brought (an open confirmation, an EOF) is
 * looked at by a pass over the clients, soon, from an idle source. */
static void
schedule_pass (AditForwarder *self)
{
  if (self->pass_source != NULL)
    return;

  self->pass_source = adit_source_start (g_idle_source_new (), pass_cb,
                                     self, "[adit] clients pass");
}

static void
schedule_reap (AditForwarder *self)
{
  if (self->reap_source != NULL)
    return;

  /* Before other work: a dead client holds a descriptor and maybe a channel. */
  self->reap_source = g_idle_source_new ();
  g_source_set_priority (self->reap_source, G_PRIORITY_HIGH);
  adit_source_start (self->reap_source, reap_cb, self, "[adit] reap clients");
}

static void
client_kill (Client *client,
             GError *error)
{
  if (client->state == CLIENT_DEAD)
    {
      g_clear_error (&error);
      return;
    }

  client->state = CLIENT_DEAD;
  client->error = error;
  schedule_reap (client->forwarder);
}

static gboolean
client_flushed (Client *client)
{
  return client->pending == 0 && client->down_off == client->down_len;
}

/* Ends the client once both directions are finished and everything was delivered. */
static void
client_check_done (Client *client)
{
  if (client->state != CLIENT_OPEN)
    return;

  if (client->remote_eof && client_flushed (client) && !client->local_shut)
    {
      shutdown (client->fd, SHUT_WR);
      client->local_shut = TRUE;
    }

  if (client->local_eof && client->up_off == client->up_len && !client->eof_sent)
    {
      client->eof_sent = TRUE;
      if (ssh_channel_send_eof (client->channel) == SSH_ERROR)
        {
          client_kill (client, NULL);
          return;
        }
    }

  if (client->local_shut && client->eof_sent)
    client_kill (client, NULL);
}

static gboolean
send_error_is_fatal (void)
{
  return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

static void
client_channel_opened (Client *client)
{
  client->state = CLIENT_OPEN;
}

/* Sends @len bytes to the local program; returns how many it took. */
static gsize
client_send_down (Client     *client,
                  const void *data,
                  gsize       len)
{
  AditForwarder *self = client->forwarder;
  ssize_t sent = send (client->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

  if (sent < 0)
    {
      if (send_error_is_fatal ())
        client_kill (client, NULL);
      sent = 0;
    }
  if ((gsize)sent < len)
    client->down_blocked = TRUE;
  if (sent > 0)
    {
      self->stats.bytes_received += sent;
      stats_changed (self);
    }

  return sent;
}

/* Downloads: called by libssh with everything it holds for this channel; what is not taken
 * stays there, in order, and comes again with the next packet. */
static int
client_data_cb (ssh_session  session,
                ssh_channel  channel,
                void        *data,
                uint32_t     len,
                int          is_stderr,
                void        *user_data)
{
  Client *client = user_data;
  gsize sent;

  /* Data can arrive in the same read as the open confirmation, before
   * ssh_channel_open_forward() was called again to collect it: the channel is open. */
  if (client->state == CLIENT_OPENING)
    client_channel_opened (client);

  if (client->state != CLIENT_OPEN)
    return len;   /* nobody to give it to */

  client->pending = len;

  /* Keep the order (what was read out of libssh goes first), and wait for a full socket. */
  if (client->down_off != client->down_len || client->down_blocked)
    return 0;

  /* Less than a batch: more may come in this wake-up; the pass after it sends the rest. */
  if (len < DOWN_BATCH)
    {
      schedule_pass (client->forwarder);
      return 0;
    }

  sent = client_send_down (client, data, len);
  if (client->state == CLIENT_DEAD)
    return len;

  client->pending = len - sent;
  return sent;
}

static void
client_eof_cb (ssh_session session,
               ssh_channel channel,
               void       *user_data)
{
  Client *client = user_data;

  client->remote_eof = TRUE;
  schedule_pass (client->forwarder);
}

static void
client_close_cb (ssh_session session,
                 ssh_channel channel,
                 void       *user_data)
{
  Client *client = user_data;

  client->remote_eof = TRUE;
  /* The server closed without waiting for our EOF: nothing more can be sent. */
  client->local_eof = TRUE;
  client->eof_sent = TRUE;
  client->up_off = client->up_len = 0;
  schedule_pass (client->forwarder);
}

/* Drains what libssh holds for this client into the local socket, until it is full. */
static void
client_flush_down (Client *client)
{
  while (!client->down_blocked && client->state == CLIENT_OPEN)
    {
      if (client->down_off == client->down_len)
        {
          gsize want = client->pending;
          int got;

          if (want == 0)
            break;
          /* Everything libssh holds, at once: libssh 0.10 re-opens the window after any read
           * without counting what it still buffers, so reading part of it would let a slow
           * program's backlog grow without bound. What libssh holds is bounded by the window,
           * and nothing more is read until this is sent. */
          if (client->down_size < want)
            {
              g_free (client->down_buf);
              client->down_size = MAX (want, DOWN_BUF_MIN);
              client->down_buf = g_malloc (client->down_size);
            }
          /* Not ssh_channel_read_nonblocking(): in libssh 0.11 it first takes in whatever
           * packets wait on the socket, so the end of a stream could arrive in the middle of
           * this read, its data past what was counted. With data buffered, a read with no
           * timeout takes in nothing. */
          got = ssh_channel_read_timeout (client->channel, client->down_buf, want, 0, 0);
          if (got <= 0)
            {
              client->pending = 0;
              break;
            }
          client->pending -= got;
          client->down_off = 0;
          client->down_len = got;
        }

      client->down_off += client_send_down (client, client->down_buf + client->down_off,
                                            client->down_len - client->down_off);
    }
}

static gboolean
session_congested (AditForwarder *self)
{
  if (!(ssh_get_poll_flags (self->session) & SSH_WRITE_PENDING))
    self->queued_out = 0;

  return self->queued_out >= SESSION_OUT_CAP;
}

/* Hands data read from the local socket to the channel; keeps what it did not take
 * (during a key re-exchange libssh takes nothing). */
static void
client_write_channel (Client       *client,
                      const guint8 *data,
                      gsize         len)
{
  AditForwarder *self = client->forwarder;
  int written = ssh_channel_write (client->channel, data, len);

  if (written == SSH_ERROR)
    {
      client_kill (client, NULL);
      return;
    }

  self->queued_out += written;
  if ((gsize)written < len)
    {
      if (client->up_buf == NULL)
        client->up_buf = g_malloc (IO_CHUNK);
      memcpy (client->up_buf, data + written, len - written);
      client->up_off = 0;
      client->up_len = len - written;
      g_debug ("channel took %d of %zu bytes; keeping the rest", written, len);
    }
}

/* Sends what an earlier write left behind, as far as the window allows. */
static void
client_flush_up (Client *client)
{
  AditForwarder *self = client->forwarder;

  while (client->up_off < client->up_len)
    {
      gsize window = ssh_channel_window_size (client->channel);
      gsize want = MIN (client->up_len - client->up_off, window);
      int written;

      if (want == 0)
        return;

      written = ssh_channel_write (client->channel, client->up_buf + client->up_off, want);
      if (written == SSH_ERROR)
        {
          client_kill (client, NULL);
          return;
        }
      self->queued_out += written;
      client->up_off += written;
      if ((gsize)written < want)
        return;
    }

  client->up_off = client->up_len = 0;
}

/* Uploads: one large read, capped by the window, into one ssh_channel_write(). */
static void
client_pump_up (Client *client)
{
  AditForwarder *self = client->forwarder;
  gsize want = MIN (IO_CHUNK, ssh_channel_window_size (client->channel));
  ssize_t got;

  /* The wake-up may be older than what happened since (the server closed, a leftover
   * appeared): the same conditions as client_want_cb(). */
  if (client->state != CLIENT_OPEN || client->local_eof || client->up_off != client->up_len ||
      want == 0)
    return;

  got = recv (client->fd, self->io_buf, want, 0);
  if (got < 0)
    {
      if (send_error_is_fatal ())
        client_kill (client, NULL);
      return;
    }

  if (got == 0)
    {
      client->local_eof = TRUE;
      return;
    }

  self->stats.bytes_sent += got;
  stats_changed (self);
  client_write_channel (client, self->io_buf, got);
}

static GIOCondition
client_want_cb (gpointer user_data)
{
  Client *client = user_data;
  AditForwarder *self = client->forwarder;
  GIOCondition wanted = 0;

  if (client->state != CLIENT_OPEN)
    return 0;

  if (!client->local_eof && client->up_off == client->up_len &&
      ssh_channel_window_size (client->channel) > 0 && !session_congested (self))
    wanted |= G_IO_IN;

  /* Otherwise what waits is sent by the pass after this wake-up. */
  if (client->down_blocked)
    wanted |= G_IO_OUT;

  return wanted;
}

static gboolean
client_dispatch_cb (GIOCondition revents,
                    gpointer     user_data)
{
  Client *client = user_data;

  if (client->state != CLIENT_OPEN)
    return G_SOURCE_CONTINUE;

  if (revents & (G_IO_OUT | G_IO_ERR | G_IO_HUP))
    {
      client->down_blocked = FALSE;
      client_flush_down (client);
    }

  if (client->state == CLIENT_OPEN && (revents & (G_IO_IN | G_IO_ERR | G_IO_HUP)))
    client_pump_up (client);

  if (revents & G_IO_NVAL)
    client_kill (client, NULL);

  client_check_done (client);
  /* Writes may have handled packets for other clients. */
  schedule_pass (client->forwarder);

  return G_SOURCE_CONTINUE;
}

static GError *
channel_open_error (AditForwarder *self,
                    Client        *client)
{
  const char *detail = ssh_get_error (self->session);
  const char *found = strstr (detail, "error (");
  guint reason = 0;
  const char *server = adit_tunnel_get_host (self->tunnel);

  if (found != NULL)
    sscanf (found, "error (%u)", &reason);

  if (reason == OPEN_ADMINISTRATIVELY_PROHIBITED)
    return g_error_new (ADIT_ERROR, ADIT_ERROR_FORWARDING_REFUSED,
                        _("%s does not allow tunnels (its administrator has turned off TCP "
                          "forwarding). Ask the administrator to allow it."), server);

  if (reason == OPEN_CONNECT_FAILED)
    return g_error_new (ADIT_ERROR, ADIT_ERROR_TARGET_UNREACHABLE,
                        _("%s could not connect on to %s port %u. Check the remote host and "
                          "port, and that the service there is running."),
                        server, client->forward->host, client->forward->host_port);

  return g_error_new (ADIT_ERROR, ADIT_ERROR_TARGET_UNREACHABLE,
                      _("%s did not open the connection to %s port %u (%s)."),
                      server, client->forward->host, client->forward->host_port, detail);
}

static void
client_advance_open (Client *client)
{
  AditForwarder *self = client->forwarder;
  int rc = ssh_channel_open_forward (client->channel, client->forward->host,
                                     client->forward->host_port, "127.0.0.1",
                                     client->peer_port);

  if (rc == SSH_OK)
    client_channel_opened (client);
  else if (rc == SSH_ERROR)
    {
      self->stats.failed_connections++;
      stats_changed (self);
      client_kill (client, channel_open_error (self, client));
    }
}

static void
client_start_channel (Client *client)
{
  AditForwarder *self = client->forwarder;

  g_assert (self->session != NULL);

  client->channel = ssh_channel_new (self->session);
  if (client->channel == NULL)
    {
      client_kill (client, g_error_new (ADIT_ERROR, ADIT_ERROR_CONNECTION_LOST,
                                        _("The connection to the server is not usable.")));
      return;
    }

  client->callbacks.userdata = client;
  client->callbacks.channel_data_function = client_data_cb;
  client->callbacks.channel_eof_function = client_eof_cb;
  client->callbacks.channel_close_function = client_close_cb;
  ssh_callbacks_init (&client->callbacks);
  ssh_set_channel_callbacks (client->channel, &client->callbacks);

  client->state = CLIENT_OPENING;
  client_advance_open (client);
}

static void
client_free (Client *client)
{
  adit_source_clear (&client->source);
  if (client->channel != NULL)
    {
      ssh_remove_channel_callbacks (client->channel, &client->callbacks);
      /* Sends a close when the channel is open; libssh frees it once the server agrees. */
      ssh_channel_free (client->channel);
    }
  g_clear_object (&client->socket);
  g_clear_error (&client->error);
  g_free (client->down_buf);
  g_free (client->up_buf);
  g_free (client->peer);
  g_free (client);
}

/* Frees the dead clients, telling the owner about each. */
static void
reap (AditForwarder *self)
{
  GList *l = self->clients.head;

  while (l != NULL)
    {
      Client *client = l->data;
      GList *next = l->next;

      if (client->state == CLIENT_DEAD)
        {
          g_queue_unlink (&self->clients, &client->link);
          self->stats.open_connections--;
          stats_changed (self);
          self->callbacks.client_event (self->user_data, FALSE, client->peer,
                                        self->stats.open_connections, client->error);
          client_free (client);
        }
      l = next;
    }
}

static gboolean
reap_cb (gpointer user_data)
{
  AditForwarder *self = user_data;

  g_clear_pointer (&self->reap_source, g_source_unref);
  reap (self);
  return G_SOURCE_REMOVE;
}

static gboolean
pass_cb (gpointer user_data)
{
  AditForwarder *self = user_data;

  g_clear_pointer (&self->pass_source, g_source_unref);
  adit_forwarder_after_dispatch (self);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  AditForwarder *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean any_waiting = FALSE;

  for (GList *l = self->clients.head; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (client->state != CLIENT_WAITING)
        continue;

      if (now >= client->wait_deadline)
        client_kill (client, g_error_new (ADIT_ERROR, ADIT_ERROR_TIMED_OUT,
                                          _("The connection to %s was not ready in time, so "
                                            "a program's connection was closed."),
                                          adit_tunnel_get_host (self->tunnel)));
      else
        any_waiting = TRUE;
    }

  if (any_waiting)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->wait_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
accept_client (Listener *listener,
               GSocket  *socket)
{
  AditForwarder *self = listener->forwarder;
  g_autoptr(GSocketAddress) address = g_socket_get_remote_address (socket, NULL);
  Client *client = g_new0 (Client, 1);
  int one = 1;

  client->link.data = client;
  client->forwarder = self;
  client->forward = listener->forward;
  client->socket = socket;
  client->fd = g_socket_get_fd (socket);
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));

      client->peer_port = g_inet_socket_address_get_port (inet);
      client->peer = g_strdup_printf ("%s:%u", ip, client->peer_port);
    }
  else
    client->peer = g_strdup ("?");

  g_socket_set_blocking (socket, FALSE);
  setsockopt (client->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  client->source = adit_source_start (adit_fd_source_new (client->fd, client_want_cb,
                                                          client_dispatch_cb, client),
                                      NULL, NULL, "[adit] client");

  g_queue_push_tail_link (&self->clients, &client->link);
  self->stats.open_connections++;
  self->stats.total_connections++;
  stats_changed (self);
  self->callbacks.client_event (self->user_data, TRUE, client->peer,
                                self->stats.open_connections, NULL);

  if (self->session != NULL)
    {
      client_start_channel (client);
      return;
    }

  client->state = CLIENT_WAITING;
  client->wait_deadline = g_get_monotonic_time () + ADIT_CLIENT_WAIT_SECONDS * G_USEC_PER_SEC;
  if (self->wait_source == NULL)
    {
      self->wait_source = adit_source_start (g_timeout_source_new_seconds (1), wait_timeout_cb,
                                         self, "[adit] waiting clients");
    }
}

static gboolean listener_accept_cb (GSocket      *socket,
                                    GIOCondition  condition,
                                    gpointer      user_data);

static void
listener_watch (Listener *listener)
{
  listener->source = adit_source_start (g_socket_create_source (listener->socket, G_IO_IN, NULL),
                                        G_SOURCE_FUNC (listener_accept_cb), listener,
                                        "[adit] listener");
}

static gboolean
listener_resume_cb (gpointer user_data)
{
  Listener *listener = user_data;

  g_clear_pointer (&listener->pause_source, g_source_unref);
  listener_watch (listener);
  return G_SOURCE_REMOVE;
}

static gboolean
listener_accept_cb (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  Listener *listener = user_data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocket *accepted = g_socket_accept (socket, NULL, &error);

      if (accepted != NULL)
        {
          accept_client (listener, accepted);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;

      /* Out of descriptors, most likely: the connection stays queued and the socket stays
       * readable, so rest a second instead of spinning. */
      g_debug ("accept: %s", error->message);
      g_clear_pointer (&listener->source, g_source_unref);
      listener->pause_source = adit_source_start (g_timeout_source_new_seconds (1),
                                                  listener_resume_cb, listener,
                                                  "[adit] listener pause");
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
listener_free (gpointer data)
{
  Listener *listener = data;

  adit_source_clear (&listener->source);
  adit_source_clear (&listener->pause_source);
  if (listener->socket != NULL)
    g_socket_close (listener->socket, NULL);
  g_clear_object (&listener->socket);
  g_free (listener);
}

static GError *
bind_error (const AditForward *forward,
            const char        *address,
            GError            *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) &&
      forward->bind_port < 1024)
    return _adit_local_port_privileged_error (forward->bind_port,
                                              adit_suggest_unprivileged_port (forward->bind_port));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    return _adit_local_port_in_use_error (forward->bind_port, NULL, 0);

  return _adit_local_port_bind_error (forward->bind_port, address, error->message);
}

static gboolean
listen_on (AditForwarder      *self,
           const AditForward  *forward,
           GInetAddress       *inet,
           GError            **error)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, forward->bind_port);
  g_autofree char *ip = g_inet_address_to_string (inet);
  g_autofree char *shown = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocket) socket = NULL;
  Listener *listener;

  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &local_error);
  /* GLib's default backlog of 10 drops the SYNs of a burst of connections, which then wait
   * a second or more to retry; the kernel caps this at net.core.somaxconn. */
  if (socket != NULL)
    g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, &local_error) ||
      !g_socket_listen (socket, &local_error))
    {
      g_propagate_error (error, bind_error (forward, ip, local_error));
      return FALSE;
    }

  g_socket_set_blocking (socket, FALSE);

  listener = g_new0 (Listener, 1);
  listener->forwarder = self;
  listener->forward = forward;
  listener->socket = g_steal_pointer (&socket);
  listener_watch (listener);
  g_ptr_array_add (self->listeners, listener);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    shown = g_strdup_printf ("[%s]:%u", ip, forward->bind_port);
  else
    shown = g_strdup_printf ("%s:%u", ip, forward->bind_port);
  self->callbacks.listening (self->user_data, shown);

  return TRUE;
}

static gboolean
listen_forward (AditForwarder      *self,
                const AditForward  *forward,
                GError            **error)
{
  const char *bind = forward->bind_address;

  if (adit_forward_is_local_only (forward) &&
      (bind == NULL || g_strcmp0 (bind, "localhost") == 0))
    {
      g_autoptr(GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GError) v6_error = NULL;

      if (!listen_on (self, forward, v4, error))
        return FALSE;
      /* A machine without IPv6 still gets its tunnel; a port taken on ::1 is a real clash. */
      if (!listen_on (self, forward, v6, &v6_error) &&
          (g_error_matches (v6_error, ADIT_ERROR, ADIT_ERROR_PORT_IN_USE) ||
           g_error_matches (v6_error, ADIT_ERROR, ADIT_ERROR_PRIVILEGED_PORT)))
        {
          g_propagate_error (error, g_steal_pointer (&v6_error));
          return FALSE;
        }
      return TRUE;
    }

  if (g_strcmp0 (bind, "*") == 0)
    {
      g_autoptr(GInetAddress) any6 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GInetAddress) any4 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GError) v6_error = NULL;

      /* GLib makes IPv6 sockets dual-stack, so [::] serves IPv4 too. */
      if (listen_on (self, forward, any6, &v6_error))
        return TRUE;
      return listen_on (self, forward, any4, error);
    }

  {
    g_autoptr(GResolver) resolver = g_resolver_get_default ();
    g_autolist(GInetAddress) addresses = NULL;
    g_autoptr(GError) local_error = NULL;

    addresses = g_resolver_lookup_by_name (resolver, bind, NULL, &local_error);
    if (addresses == NULL)
      {
        g_set_error (error, ADIT_ERROR, ADIT_ERROR_BIND_FAILED,
                     _("“%s” is not an address of this computer, so Adit cannot listen "
                       "there."), bind);
        return FALSE;
      }
    for (GList *l = addresses; l != NULL; l = l->next)
      if (!listen_on (self, forward, l->data, error))
        return FALSE;
  }

  return TRUE;
}

AditForwarder *
adit_forwarder_new (AditTunnel                   *tunnel,
                    const AditForwarderCallbacks *callbacks,
                    gpointer                      user_data)
{
  AditForwarder *self = g_new0 (AditForwarder, 1);

  self->tunnel = g_object_ref (tunnel);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->listeners = g_ptr_array_new_with_free_func (listener_free);
  self->io_buf = g_malloc (IO_CHUNK);
  g_queue_init (&self->clients);

  return self;
}

gboolean
adit_forwarder_listen (AditForwarder  *self,
                       GError        **error)
{
  GPtrArray *forwards = adit_tunnel_get_forwards (self->tunnel);

  for (guint i = 0; i < forwards->len; i++)
    if (!listen_forward (self, g_ptr_array_index (forwards, i), error))
      {
        g_ptr_array_set_size (self->listeners, 0);
        return FALSE;
      }

  return TRUE;
}

/* Kills the clients @all says (every one, or those past waiting), reporting each. */
static void
drop_clients (AditForwarder *self,
              gboolean       all)
{
  /* Channels die with their session; free them while it still exists. */
  for (GList *l = self->clients.head; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (!all && client->state == CLIENT_WAITING)
        continue;

      if (client->channel != NULL)
        {
          ssh_remove_channel_callbacks (client->channel, &client->callbacks);
          ssh_channel_free (client->channel);
          client->channel = NULL;
        }
      client_kill (client, NULL);
    }
  /* Now, not later: the owner's counts must say what is left open once this returns. */
  adit_source_clear (&self->reap_source);
  adit_source_clear (&self->pass_source);
  reap (self);
}

void
adit_forwarder_close_clients (AditForwarder *self)
{
  drop_clients (self, TRUE);
}

void
adit_forwarder_attach_session (AditForwarder *self,
                               ssh_session    session)
{
  if (session == NULL)
    {
      /* Clients still waiting for a session wait on for the next one. */
      drop_clients (self, FALSE);
      self->session = NULL;
      return;
    }

  self->session = session;
  for (GList *l = self->clients.head; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (client->state == CLIENT_WAITING)
        client_start_channel (client);
    }
}

void
adit_forwarder_after_dispatch (AditForwarder *self)
{
  if (self->session == NULL)
    return;

  /* This is the pass: what arrives during it schedules another. */
  adit_source_clear (&self->pass_source);

  for (GList *l = self->clients.head; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (client->state == CLIENT_OPENING)
        client_advance_open (client);

      if (client->state == CLIENT_OPEN)
        {
          client_flush_up (client);
          client_flush_down (client);
          client_check_done (client);
        }
    }
}

const AditStats *
adit_forwarder_get_stats (AditForwarder *self)
{
  return &self->stats;
}

void
adit_forwarder_free (AditForwarder *self)
{
  GList *link;

  if (self == NULL)
    return;

  g_ptr_array_unref (self->listeners);
  /* The links live inside the clients: pop links, never g_queue_pop_head(). */
  while ((link = g_queue_pop_head_link (&self->clients)) != NULL)
    client_free (link->data);
  adit_source_clear (&self->reap_source);
  adit_source_clear (&self->pass_source);
  adit_source_clear (&self->wait_source);
  g_object_unref (self->tunnel);
  g_free (self->io_buf);
  g_free (self);
}
