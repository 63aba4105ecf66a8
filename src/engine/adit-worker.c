/* adit-worker.c — see adit-worker.h.
 *
 * One thread per running tunnel, with its own GMainContext. The session is a small state
 * machine driven by a GSource on the SSH socket: each phase calls its non-blocking libssh
 * function again whenever the socket is ready, until it says done. A question for the
 * person pauses the machine (the source then waits for nothing) until the answer arrives
 * as a message. Reports travel to the owning thread as messages too; no locks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libssh/libssh.h>
#include <libssh/server.h>   /* ssh_send_keepalive() lives here, client or not */

#include "adit-auth.h"
#include "adit-error.h"
#include "adit-fd-source.h"
#include "adit-source.h"
#include "adit-forwarder.h"
#include "adit-known-hosts.h"
#include "adit-worker.h"

/* Counters reach the owning thread at most this often. */
#define STATS_INTERVAL_MS 250

/* After the network changed or the computer woke, a server that does not answer a
 * keep-alive within this long is taken as gone. */
#define PROBE_SECONDS 5

/* Reconnecting waits longer after each failed try, up to this long. */
#define RETRY_MAX_MS (60 * 1000)

/* A session wake-up that brought this much is part of a transfer (see ack_promptly ()). */
#define BULK_WAKEUP_BYTES (64 * 1024)

typedef enum
{
  PHASE_START,
  PHASE_TCP_CONNECT,
  PHASE_HANDSHAKE,
  PHASE_AUTH,
  PHASE_FORWARDING,
  PHASE_RETRY_WAIT,   /* the session was lost; the next try is scheduled */
  PHASE_ENDED,
} Phase;

struct _AditWorker
{
  /* Set once, then read-only from both threads. */
  AditConnection *connection;   /* strong; dropped by the final "stopped" report */
  GMainContext   *owner_context;
  GMainContext   *context;
  AditTunnel     *tunnel;
  /* Only the worker thread touches the rest. */
  char           *saved_password;     /* from the keyring, or typed and accepted: reused when */
  char           *saved_passphrase;   /* reconnecting, wiped when the worker ends */

  GMainLoop      *loop;
  GThread        *thread;
  Phase           phase;
  gboolean        paused;       /* a question is open */
  guint           question_serial;
  AditQuestionKind asked_kind;
  gboolean        asked_secret; /* the open question asks for one hidden answer */
  char           *typed_password;    /* the last one typed, kept until the login says */
  char           *typed_passphrase;  /* whether it worked */
  GCancellable   *cancellable;
  guint           connect_serial;
  gboolean        was_connected;  /* forwarding worked once: a lost session is retried */
  guint           retries;        /* failed tries since the session was lost */
  GSource        *retry_source;
  gboolean        early_retry_used;  /* a client's arrival already cut this wait short */
  GSource        *probe_source;
  guint64         probe_packets;
  GSource        *timeout_source;
  ssh_session     session;
  int             session_fd;
  struct stat     session_fd_stat;
  ssh_event       event;
  GSource        *session_source;
  GSource        *keepalive_source;
  GSource        *stats_source;
  struct ssh_counter_struct received;  /* libssh counts every packet it reads */
  guint64         received_bytes;      /* … as of the last session wake-up */
  gboolean        bulk;                /* the last session wake-up was part of a transfer */
  guint64         received_packets;    /* … as of the last keep-alive check */
  gint64          last_received;
  guint           unanswered_keepalives;
  AditAuth       *auth;
  AditForwarder  *forwarder;
};

static void worker_step   (AditWorker *self);
static void start_timeout (AditWorker *self);
static void retry_start   (AditWorker *self);

/* ---- messages to the owning thread ---- */

typedef enum
{
  REPORT_STATE,
  REPORT_QUESTION,
  REPORT_LISTENING,
  REPORT_CLIENT,
  REPORT_STATS,
  REPORT_SECRET_ACCEPTED,
  REPORT_STOPPED,
} ReportKind;

typedef struct
{
  ReportKind           kind;
  AditConnection      *connection;
  AditConnectionState  state;
  gint64               retry_time;
  GError              *error;
  AditQuestion        *question;
  char                *text;
  gboolean             opened;
  guint                count;
  AditStats            stats;
} Report;

static void
report_free (gpointer data)
{
  Report *report = data;

  g_clear_object (&report->connection);
  g_clear_error (&report->error);
  g_clear_object (&report->question);
  g_free (report->text);
  g_free (report);
}

static gboolean
report_deliver_cb (gpointer data)
{
  Report *report = data;
  AditConnection *connection = report->connection;

  switch (report->kind)
    {
    case REPORT_STATE:
      adit_connection_report_state (connection, report->state, report->error,
                                    report->retry_time);
      break;
    case REPORT_QUESTION:
      adit_connection_report_question (connection, report->question);
      break;
    case REPORT_LISTENING:
      adit_connection_report_listening (connection, report->text);
      break;
    case REPORT_CLIENT:
      adit_connection_report_client (connection, report->opened, report->text, report->count,
                                     report->error);
      break;
    case REPORT_STATS:
      adit_connection_report_stats (connection, &report->stats);
      break;
    case REPORT_SECRET_ACCEPTED:
      adit_connection_report_secret_accepted (connection, report->count);
      break;
    case REPORT_STOPPED:
      adit_connection_report_stopped (connection);
      break;
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

static Report *
report_new (AditWorker *self,
            ReportKind  kind)
{
  Report *report = g_new0 (Report, 1);

  report->kind = kind;
  report->connection = g_object_ref (self->connection);
  return report;
}

/* Always through a source, never g_main_context_invoke(): that calls directly when it can
 * acquire the context, which for the global default context can happen on this thread. */
static void
post_to (GMainContext *context,
         GSourceFunc   func,
         gpointer      data,
         GDestroyNotify destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[adit] message");
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
report_send (AditWorker *self,
             Report     *report)
{
  post_to (self->owner_context, report_deliver_cb, report, report_free);
}

static void
report_state_full (AditWorker          *self,
                   AditConnectionState  state,
                   const GError        *error,
                   gint64               retry_time)
{
  Report *report = report_new (self, REPORT_STATE);

  report->state = state;
  report->error = error ? g_error_copy (error) : NULL;
  report->retry_time = retry_time;
  report_send (self, report);
}

static void
report_state (AditWorker          *self,
              AditConnectionState  state,
              const GError        *error)
{
  report_state_full (self, state, error, 0);
}

/* Connecting for the first time, or again after the session was lost. */
static void
report_connecting (AditWorker *self)
{
  report_state (self, self->was_connected ? ADIT_CONNECTION_STATE_RECONNECTING
                                          : ADIT_CONNECTION_STATE_CONNECTING, NULL);
}

static void
report_stats_now (AditWorker *self)
{
  Report *report = report_new (self, REPORT_STATS);

  report->stats = *adit_forwarder_get_stats (self->forwarder);
  report_send (self, report);
}

static gboolean
stats_timeout_cb (gpointer user_data)
{
  AditWorker *self = user_data;

  g_clear_pointer (&self->stats_source, g_source_unref);
  report_stats_now (self);
  return G_SOURCE_REMOVE;
}

/* ---- forwarder callbacks ---- */

static void
forwarder_client_event_cb (gpointer      user_data,
                           gboolean      opened,
                           const char   *peer,
                           guint         open_connections,
                           const GError *error)
{
  AditWorker *self = user_data;
  Report *report = report_new (self, REPORT_CLIENT);

  report->opened = opened;
  report->text = g_strdup (peer);
  report->count = open_connections;
  report->error = error ? g_error_copy (error) : NULL;
  report_send (self, report);

  /* A program wants the tunnel now: try at once, but only once per wait, so that a program
   * that keeps knocking does not undo the back-off. */
  if (opened && self->phase == PHASE_RETRY_WAIT && !self->early_retry_used)
    {
      self->early_retry_used = TRUE;
      retry_start (self);
    }
}

static void
forwarder_stats_changed_cb (gpointer user_data)
{
  AditWorker *self = user_data;

  /* Once ending, the last counts go out with the final report instead. */
  if (self->stats_source != NULL || self->phase == PHASE_ENDED)
    return;

  self->stats_source = adit_source_start (g_timeout_source_new (STATS_INTERVAL_MS), stats_timeout_cb,
                                     self, "[adit] stats");
}

static void
forwarder_listening_cb (gpointer    user_data,
                        const char *address)
{
  AditWorker *self = user_data;
  Report *report = report_new (self, REPORT_LISTENING);

  report->text = g_strdup (address);
  report_send (self, report);
}

static const AditForwarderCallbacks forwarder_callbacks = {
  .client_event = forwarder_client_event_cb,
  .stats_changed = forwarder_stats_changed_cb,
  .listening = forwarder_listening_cb,
};

/* ---- ending ---- */

static void retry_schedule (AditWorker *self, const GError *error);

/* Closes the session and whatever belongs to it: its channels (the clients using them are
 * closed), timers and socket. The forwarder's listeners and waiting clients stay. */
static void
session_close (AditWorker *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->connect_serial++;
  self->paused = FALSE;
  self->question_serial++;   /* an answer still on its way is for a session that is gone */
  adit_source_clear (&self->timeout_source);
  adit_source_clear (&self->keepalive_source);
  adit_source_clear (&self->probe_source);
  adit_source_clear (&self->session_source);
  adit_source_clear (&self->retry_source);

  if (self->forwarder != NULL)
    adit_forwarder_attach_session (self->forwarder, NULL);
  g_clear_pointer (&self->auth, adit_auth_free);
  adit_secret_free (g_steal_pointer (&self->typed_password));
  adit_secret_free (g_steal_pointer (&self->typed_passphrase));

  if (self->event != NULL)
    {
      ssh_event_remove_session (self->event, self->session);
      g_clear_pointer (&self->event, ssh_event_free);
    }
  if (self->session != NULL)
    {
      struct stat now;

      if (ssh_is_connected (self->session))
        ssh_disconnect (self->session);
      g_clear_pointer (&self->session, ssh_free);

      /* A descriptor given with SSH_OPTIONS_FD is closed by libssh on some paths and not on
       * others (and they differ between 0.10 and 0.11). Close it only if this number still
       * names our socket: another thread may already have been given the number again. */
      if (fstat (self->session_fd, &now) == 0 &&
          now.st_dev == self->session_fd_stat.st_dev &&
          now.st_ino == self->session_fd_stat.st_ino)
        close (self->session_fd);
      self->session_fd = -1;
    }
}

/* Closes every channel, socket and listener; the thread then ends. */
static void
worker_end (AditWorker   *self,
            const GError *error)
{
  if (self->phase == PHASE_ENDED)
    return;

  self->phase = PHASE_ENDED;
  adit_source_clear (&self->stats_source);
  session_close (self);
  if (self->forwarder != NULL)
    {
      adit_forwarder_close_clients (self->forwarder);
      report_stats_now (self);
    }
  g_clear_pointer (&self->forwarder, adit_forwarder_free);

  if (error != NULL)
    report_state (self, ADIT_CONNECTION_STATE_FAILED, error);

  g_main_loop_quit (self->loop);
}

/* What a new try can mend: the server or the network went away for a while. Not what needs
 * the person: a refused login, a changed identity, a cancelled question. */
static gboolean
is_worth_retrying (AditWorker   *self,
                   const GError *error)
{
  static const int passing[] = {
    ADIT_ERROR_CONNECTION_LOST, ADIT_ERROR_KEEPALIVE_TIMEOUT, ADIT_ERROR_HOST_NOT_FOUND,
    ADIT_ERROR_CONNECTION_REFUSED, ADIT_ERROR_TIMED_OUT, ADIT_ERROR_CONNECT_FAILED,
    ADIT_ERROR_PROTOCOL,
  };

  if (!self->was_connected || !adit_tunnel_get_reconnect (self->tunnel) ||
      error->domain != ADIT_ERROR)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (passing); i++)
    if (error->code == passing[i])
      return TRUE;

  return FALSE;
}

static void
worker_fail (AditWorker *self,
             GError     *error)
{
  g_debug ("%s: %s", adit_tunnel_get_host (self->tunnel), error->message);
  if (self->phase != PHASE_ENDED && is_worth_retrying (self, error))
    retry_schedule (self, error);
  else
    worker_end (self, error);
  g_error_free (error);
}

static const char *
session_detail (AditWorker *self)
{
  return self->session ? ssh_get_error (self->session) : "";
}

/* ---- questions ---- */

/* An answer carries no reference: it is only ever dispatched by the worker's own loop, which
 * keeps the worker alive, and is dropped unread when the ended worker's context goes. */
typedef struct
{
  AditWorker *worker;
  guint       serial;
  gboolean    accepted;
  char      **answers;
} Answer;

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  adit_secret_strv_free (answer->answers);
  g_free (answer);
}

/* A password or passphrase the person typed is kept, so that reconnecting later does not ask
 * again; only once the login says it worked (see keep_accepted_secrets ()). */
static void
keep_typed_secret (AditWorker         *self,
                   const char * const *answers)
{
  char **slot;

  if (!self->asked_secret || answers == NULL || answers[0] == NULL || answers[1] != NULL)
    return;

  slot = self->asked_kind == ADIT_QUESTION_PASSPHRASE ? &self->typed_passphrase
                                                      : &self->typed_password;
  /* A server's own prompts may ask for a password and then a one-time code, each as one
   * hidden answer: the first is the password; a code is worthless the next time. */
  if (self->asked_kind == ADIT_QUESTION_KEYBOARD_INTERACTIVE && *slot != NULL)
    return;
  adit_secret_free (g_steal_pointer (slot));
  *slot = g_strdup (answers[0]);
}

static void
keep_accepted_secrets (AditWorker *self)
{
  guint accepted = adit_auth_get_accepted (self->auth);
  guint password_kinds = 1u << ADIT_QUESTION_PASSWORD | 1u << ADIT_QUESTION_KEYBOARD_INTERACTIVE;

  if ((accepted & password_kinds) && self->typed_password != NULL)
    {
      adit_secret_free (self->saved_password);
      self->saved_password = g_steal_pointer (&self->typed_password);
    }
  if ((accepted & 1u << ADIT_QUESTION_PASSPHRASE) && self->typed_passphrase != NULL)
    {
      adit_secret_free (self->saved_passphrase);
      self->saved_passphrase = g_steal_pointer (&self->typed_passphrase);
    }
  adit_secret_free (g_steal_pointer (&self->typed_password));
  adit_secret_free (g_steal_pointer (&self->typed_passphrase));
}

static gboolean
answer_deliver_cb (gpointer data)
{
  Answer *answer = data;
  AditWorker *self = answer->worker;

  if (self->phase == PHASE_ENDED || !self->paused || answer->serial != self->question_serial)
    return G_SOURCE_REMOVE;

  self->paused = FALSE;
  start_timeout (self);
  report_connecting (self);

  if (!answer->accepted)
    {
      worker_fail (self, g_error_new (ADIT_ERROR, ADIT_ERROR_CANCELLED,
                                      _("Connecting to %s was cancelled."),
                                      adit_tunnel_get_host (self->tunnel)));
      return G_SOURCE_REMOVE;
    }

  if (self->phase == PHASE_HANDSHAKE)
    {
      g_autoptr(GError) error = NULL;

      /* The only question during the handshake: trust this server. */
      if (!adit_known_hosts_remember (self->session, &error))
        {
          worker_fail (self, g_steal_pointer (&error));
          return G_SOURCE_REMOVE;
        }
      self->phase = PHASE_AUTH;
    }
  else
    {
      keep_typed_secret (self, (const char * const *)answer->answers);
      adit_auth_set_answers (self->auth, (const char * const *)answer->answers);
    }

  worker_step (self);
  return G_SOURCE_REMOVE;
}

/* Runs on the owning thread, when the person answered (or the question was dropped). */
static void
question_reply_cb (AditQuestion *question,
                   gboolean      accepted,
                   char        **answers,
                   gpointer      user_data)
{
  AditWorker *self = user_data;
  Answer *answer = g_new0 (Answer, 1);

  answer->worker = self;
  answer->serial = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (question), "adit-serial"));
  answer->accepted = accepted;
  answer->answers = answers;
  post_to (self->context, answer_deliver_cb, answer, answer_free);
}

static void
worker_ask (AditWorker   *self,
            AditQuestion *question)
{
  Report *report = report_new (self, REPORT_QUESTION);

  self->paused = TRUE;
  self->question_serial++;
  self->asked_kind = adit_question_get_kind (question);
  /* One hidden prompt: a password, whatever the kind of question. */
  self->asked_secret = adit_question_get_n_prompts (question) == 1 &&
                       !adit_question_get_prompt_echo (question, 0);
  adit_source_clear (&self->timeout_source);
  g_object_set_data (G_OBJECT (question), "adit-serial",
                     GUINT_TO_POINTER (self->question_serial));
  report_state (self, ADIT_CONNECTION_STATE_WAITING, NULL);
  report->question = question;
  report_send (self, report);
}

/* ---- keep-alive ---- */

/* Asks the server for a sign of life; any packet that comes back counts. */
static void
send_keepalive (AditWorker *self)
{
  /* A reply to an earlier keep-alive is only collected by the next call, which then sends
   * nothing; a second call makes sure a new request goes out. */
  ssh_send_keepalive (self->session);
  ssh_send_keepalive (self->session);
  /* Those calls handle whatever packets had arrived. */
  adit_forwarder_after_dispatch (self->forwarder);
}

static gboolean
keepalive_cb (gpointer user_data)
{
  AditWorker *self = user_data;
  guint interval = adit_tunnel_get_alive_interval (self->tunnel);
  gint64 silent_ms;
  guint silent;

  /* Packets may have been read inside any libssh call (the reply to a keep-alive is often
   * read inside the next ssh_send_keepalive()), not only when the socket woke us: ask
   * libssh's own count. */
  if (self->received.in_packets != self->received_packets)
    {
      self->received_packets = self->received.in_packets;
      self->last_received = g_get_monotonic_time ();
      self->unanswered_keepalives = 0;
    }
  silent_ms = (g_get_monotonic_time () - self->last_received) / 1000;
  silent = (silent_ms + 500) / 1000;

  /* Something came in lately: the server is alive (a little slack for the timer's own). */
  if (silent_ms + 100 < (gint64)interval * 1000)
    return G_SOURCE_CONTINUE;

  if (self->unanswered_keepalives >= adit_tunnel_get_alive_count_max (self->tunnel))
    {
      worker_fail (self, g_error_new (ADIT_ERROR, ADIT_ERROR_KEEPALIVE_TIMEOUT,
                                      _("%s stopped answering for %u seconds, so the "
                                        "connection was closed."),
                                      adit_tunnel_get_host (self->tunnel), (guint)silent));
      return G_SOURCE_REMOVE;
    }

  send_keepalive (self);
  self->unanswered_keepalives++;

  return G_SOURCE_CONTINUE;
}

/* ---- the session socket ---- */

static GIOCondition
session_want_cb (gpointer user_data)
{
  AditWorker *self = user_data;
  GIOCondition wanted;

  if (self->paused || self->session == NULL)
    return 0;

  wanted = G_IO_IN;
  if (ssh_get_poll_flags (self->session) & SSH_WRITE_PENDING)
    wanted |= G_IO_OUT;

  return wanted;
}

static void
session_lost (AditWorker *self)
{
  worker_fail (self, g_error_new (ADIT_ERROR, ADIT_ERROR_CONNECTION_LOST,
                                  _("The connection to %s was lost (%s)."),
                                  adit_tunnel_get_host (self->tunnel), session_detail (self)));
}

static void
forwarding_dispatch (AditWorker *self)
{
  /* libssh reads its socket a few KiB per call: take several bites per wake-up, but
   * give the clients a turn regularly. */
  for (guint i = 0; i < 32; i++)
    {
      int rc = ssh_event_dopoll (self->event, 0);

      if (rc == SSH_ERROR || !ssh_is_connected (self->session))
        {
          session_lost (self);
          return;
        }
      if (rc == SSH_AGAIN)
        break;
    }

  adit_forwarder_after_dispatch (self->forwarder);

  if (!ssh_is_connected (self->session))
    session_lost (self);
}

/* OpenSSH's sshd leaves Nagle's algorithm on for sessions without a terminal, so its small
 * packets (an open confirmation, then the first bytes of a server's greeting) wait for our
 * ACK, which Linux delays up to 40 ms: 44 ms to a POP3 greeting where 0.4 ms would do.
 * TCP_QUICKACK sends ACKs at once; the kernel clears it by itself, so it is set again
 * around each read. Not during a transfer: full segments are ACKed at once anyway, and the
 * forced ACKs were 4 % of a download's CPU. */
static void
ack_promptly (AditWorker *self)
{
  int one = 1;

  setsockopt (self->session_fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

static gboolean
session_dispatch_cb (GIOCondition revents,
                     gpointer     user_data)
{
  AditWorker *self = user_data;

  if ((revents & G_IO_IN) && !self->bulk)
    ack_promptly (self);

  if (self->phase == PHASE_FORWARDING)
    forwarding_dispatch (self);
  else
    worker_step (self);

  if (self->session == NULL)
    return G_SOURCE_REMOVE;   /* ended, or lost and closed */

  /* libssh counts only while forwarding: before that, no wake-up is part of a transfer. */
  self->bulk = self->received.in_bytes - self->received_bytes >= BULK_WAKEUP_BYTES;
  self->received_bytes = self->received.in_bytes;
  if ((revents & G_IO_IN) && !self->bulk)
    ack_promptly (self);

  return G_SOURCE_CONTINUE;
}

/* ---- phases ---- */

static void
enter_forwarding (AditWorker *self)
{
  guint interval = adit_tunnel_get_alive_interval (self->tunnel);

  adit_source_clear (&self->timeout_source);
  g_clear_pointer (&self->auth, adit_auth_free);

  self->event = ssh_event_new ();
  ssh_event_add_session (self->event, self->session);
  ssh_set_counters (self->session, NULL, &self->received);
  self->received_packets = self->received.in_packets;
  self->phase = PHASE_FORWARDING;
  self->was_connected = TRUE;
  self->retries = 0;
  self->early_retry_used = FALSE;
  self->last_received = g_get_monotonic_time ();
  self->unanswered_keepalives = 0;

  if (interval > 0)
    {
      self->keepalive_source = adit_source_start (g_timeout_source_new (interval * 1000),
                                                  keepalive_cb, self, "[adit] keep-alive");
    }

  report_state (self, ADIT_CONNECTION_STATE_CONNECTED, NULL);
  adit_forwarder_attach_session (self->forwarder, self->session);
  adit_forwarder_after_dispatch (self->forwarder);
}

static void
step_handshake (AditWorker *self)
{
  g_autoptr(GError) error = NULL;
  AditQuestion *question;
  int rc = ssh_connect (self->session);

  if (rc == SSH_AGAIN)
    return;
  if (rc != SSH_OK)
    {
      worker_fail (self, g_error_new (ADIT_ERROR, ADIT_ERROR_PROTOCOL,
                                      _("Adit could not set up a secure connection with %s "
                                        "(%s)."),
                                      adit_tunnel_get_host (self->tunnel),
                                      session_detail (self)));
      return;
    }

  switch (adit_known_hosts_check (self->session, self->tunnel, &question, &error))
    {
    case ADIT_HOST_KEY_TRUSTED:
      self->phase = PHASE_AUTH;
      worker_step (self);
      break;
    case ADIT_HOST_KEY_ASK:
      g_assert (question != NULL);
      adit_question_set_reply (question, question_reply_cb, adit_worker_ref (self),
                               (GDestroyNotify)adit_worker_unref);
      worker_ask (self, question);
      break;
    case ADIT_HOST_KEY_REFUSED:
    default:
      worker_fail (self, g_steal_pointer (&error));
      break;
    }
}

/* Before "connected", so the owner can save what worked as the tunnel comes up. */
static void
report_secrets_accepted (AditWorker *self)
{
  guint accepted = adit_auth_get_accepted (self->auth);

  for (guint kind = 0; accepted >> kind != 0; kind++)
    {
      if (accepted & (1u << kind))
        {
          Report *report = report_new (self, REPORT_SECRET_ACCEPTED);

          report->count = kind;
          report_send (self, report);
        }
    }
}

static void
step_auth (AditWorker *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AditQuestion) question = NULL;

  if (self->auth == NULL)
    self->auth = adit_auth_new (self->session, self->tunnel, self->saved_password,
                                self->saved_passphrase);

  switch (adit_auth_step (self->auth, &question, &error))
    {
    case ADIT_AUTH_AGAIN:
      break;
    case ADIT_AUTH_ASK:
      adit_question_set_reply (question, question_reply_cb, adit_worker_ref (self),
                               (GDestroyNotify)adit_worker_unref);
      worker_ask (self, g_steal_pointer (&question));
      break;
    case ADIT_AUTH_DONE:
      report_secrets_accepted (self);
      keep_accepted_secrets (self);
      enter_forwarding (self);
      break;
    case ADIT_AUTH_FAILED:
    default:
      worker_fail (self, g_steal_pointer (&error));
      break;
    }
}

static void
worker_step (AditWorker *self)
{
  if (self->paused)
    return;

  switch (self->phase)
    {
    case PHASE_HANDSHAKE:
      step_handshake (self);
      break;
    case PHASE_AUTH:
      step_auth (self);
      break;
    case PHASE_START:
    case PHASE_TCP_CONNECT:
    case PHASE_FORWARDING:
    case PHASE_ENDED:
    default:
      break;
    }
}

static gboolean
start_session (AditWorker  *self,
               int          fd,
               GError     **error)
{
  g_autofree char *known_hosts = adit_known_hosts_user_path (self->tunnel);
  g_autofree char *global_hosts = adit_known_hosts_global_path ();
  const char *user = adit_tunnel_get_user (self->tunnel);
  unsigned int port = adit_tunnel_get_port (self->tunnel);
  int one = 1;
  int no = 0;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  self->session = ssh_new ();
  self->session_fd = fd;
  fstat (fd, &self->session_fd_stat);
  if (self->session == NULL)
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_FAILED, _("Out of memory."));
      return FALSE;
    }

  /* Adit's own settings only: ~/.ssh/config could name a ProxyCommand or a different host,
   * and what the person sees must be what is used. */
  ssh_options_set (self->session, SSH_OPTIONS_PROCESS_CONFIG, &no);
  ssh_options_set (self->session, SSH_OPTIONS_HOST, adit_tunnel_get_host (self->tunnel));
  ssh_options_set (self->session, SSH_OPTIONS_PORT, &port);
  ssh_options_set (self->session, SSH_OPTIONS_USER, user ? user : g_get_user_name ());
  ssh_options_set (self->session, SSH_OPTIONS_KNOWNHOSTS, known_hosts);
  ssh_options_set (self->session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, global_hosts);
  ssh_options_set (self->session, SSH_OPTIONS_NODELAY, &one);
  ssh_options_set (self->session, SSH_OPTIONS_FD, &fd);   /* closed in worker_end() */
  ssh_set_blocking (self->session, 0);

  self->phase = PHASE_HANDSHAKE;
  self->session_source = adit_source_start (adit_fd_source_new (fd, session_want_cb,
                                                                session_dispatch_cb, self),
                                            NULL, NULL, "[adit] ssh session");

  return TRUE;
}

static GError *
connect_error (AditWorker   *self,
               const GError *error)
{
  const char *host = adit_tunnel_get_host (self->tunnel);
  guint port = adit_tunnel_get_port (self->tunnel);

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (ADIT_ERROR, ADIT_ERROR_HOST_NOT_FOUND,
                        _("Adit cannot find a server called %s. Check the name for typing "
                          "mistakes, and that this computer is online."), host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (ADIT_ERROR, ADIT_ERROR_CONNECTION_REFUSED,
                        _("%s refused the connection on port %u. Check the port number, or "
                          "ask its administrator whether SSH runs there."), host, port);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new (ADIT_ERROR, ADIT_ERROR_TIMED_OUT,
                        _("%s did not answer within %u seconds. It may be switched off, or "
                          "a firewall may be in the way."),
                        host, adit_tunnel_get_connect_timeout (self->tunnel));

  return g_error_new (ADIT_ERROR, ADIT_ERROR_CONNECT_FAILED,
                      _("Adit cannot reach %s (%s)."), host, error->message);
}

/* A try to reach the server: its result is dropped when the worker has moved on since. */
typedef struct
{
  AditWorker *worker;
  guint       serial;
} ConnectTry;

static void
tcp_connected_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autofree ConnectTry *try = user_data;
  AditWorker *self = try->worker;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  int fd;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result, &error);

  if (self->phase == PHASE_ENDED || try->serial != self->connect_serial)
    return;

  if (connection == NULL)
    {
      worker_fail (self, connect_error (self, error));
      return;
    }

  /* libssh owns its own descriptor; GIO closes the original with the connection. */
  fd = fcntl (g_socket_get_fd (g_socket_connection_get_socket (connection)), F_DUPFD_CLOEXEC, 3);
  if (fd < 0 || !start_session (self, fd, &error))
    {
      if (error == NULL)
        g_set_error (&error, ADIT_ERROR, ADIT_ERROR_FAILED, "%s", g_strerror (errno));
      worker_fail (self, g_steal_pointer (&error));
      return;
    }

  worker_step (self);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  AditWorker *self = user_data;
  GError timed_out = { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, (char *)"" };

  g_clear_pointer (&self->timeout_source, g_source_unref);
  worker_fail (self, connect_error (self, &timed_out));

  return G_SOURCE_REMOVE;
}

/* The server gets ConnectTimeout seconds for each stretch of waiting on it before the
 * tunnel is up; time a person spends on a question does not count. */
static void
start_timeout (AditWorker *self)
{
  guint timeout = adit_tunnel_get_connect_timeout (self->tunnel);

  adit_source_clear (&self->timeout_source);
  if (timeout == 0)
    return;

  self->timeout_source = adit_source_start (g_timeout_source_new_seconds (timeout), connect_timeout_cb,
                                     self, "[adit] connect timeout");
}

static void
connect_to_server (AditWorker *self)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  ConnectTry *try = g_new0 (ConnectTry, 1);

  try->worker = self;
  try->serial = self->connect_serial;
  start_timeout (self);

  /* GSocketClient resolves asynchronously and tries every address it gets. */
  self->phase = PHASE_TCP_CONNECT;
  g_socket_client_connect_to_host_async (client, adit_tunnel_get_host (self->tunnel),
                                         adit_tunnel_get_port (self->tunnel),
                                         self->cancellable, tcp_connected_cb, try);
}

/* ---- reconnecting ---- */

/* The first try within a second, then twice as long each time up to a minute; at random
 * within the upper half, so that tunnels (and laptops) do not all knock at once. */
static guint
retry_delay_ms (guint retries)
{
  guint ceiling;

  if (retries == 0)
    return g_random_int_range (200, 1000);

  ceiling = MIN ((guint64)1000 << MIN (retries, 10u), RETRY_MAX_MS);
  return g_random_int_range (ceiling / 2, ceiling + 1);
}

static void
retry_start (AditWorker *self)
{
  adit_source_clear (&self->retry_source);
  report_connecting (self);
  connect_to_server (self);
}

static gboolean
retry_timeout_cb (gpointer user_data)
{
  AditWorker *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  self->early_retry_used = FALSE;
  retry_start (self);
  return G_SOURCE_REMOVE;
}

/* The listeners stay bound; clients that come meanwhile wait for the next session. */
static void
retry_schedule (AditWorker   *self,
                const GError *error)
{
  guint delay = retry_delay_ms (self->retries++);

  session_close (self);
  self->phase = PHASE_RETRY_WAIT;
  report_stats_now (self);
  report_state_full (self, ADIT_CONNECTION_STATE_RECONNECTING, error,
                     g_get_monotonic_time () + (gint64)delay * 1000);
  self->retry_source = adit_source_start (g_timeout_source_new (delay), retry_timeout_cb, self,
                                          "[adit] reconnect");
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  AditWorker *self = user_data;

  g_clear_pointer (&self->probe_source, g_source_unref);
  if (self->received.in_packets != self->probe_packets)
    return G_SOURCE_REMOVE;

  worker_fail (self, g_error_new (ADIT_ERROR, ADIT_ERROR_KEEPALIVE_TIMEOUT,
                                  _("%s stopped answering after the network changed, so the "
                                    "connection was closed."),
                                  adit_tunnel_get_host (self->tunnel)));
  return G_SOURCE_REMOVE;
}

/* After the network changed or the computer woke, the session may be dead without anything
 * having told us: ask the server, and give it a few seconds. */
static void
probe_session (AditWorker *self)
{
  /* From this moment: an earlier check may have been answered before the network went. */
  adit_source_clear (&self->probe_source);
  self->probe_packets = self->received.in_packets;
  self->probe_source = adit_source_start (g_timeout_source_new_seconds (PROBE_SECONDS),
                                          probe_timeout_cb, self, "[adit] probe");
  send_keepalive (self);
}

static gboolean
retry_now_cb (gpointer user_data)
{
  AditWorker *self = user_data;

  if (self->phase == PHASE_RETRY_WAIT)
    retry_start (self);
  else if (self->phase == PHASE_FORWARDING)
    probe_session (self);

  return G_SOURCE_REMOVE;
}

static void
worker_begin (AditWorker *self)
{
  g_autoptr(GError) error = NULL;

  report_state (self, ADIT_CONNECTION_STATE_CONNECTING, NULL);

  self->forwarder = adit_forwarder_new (self->tunnel, &forwarder_callbacks, self);
  if (!adit_forwarder_listen (self->forwarder, &error))
    {
      worker_fail (self, g_steal_pointer (&error));
      return;
    }

  connect_to_server (self);
}

static gboolean
stop_cb (gpointer user_data)
{
  AditWorker *self = user_data;

  worker_end (self, NULL);
  return G_SOURCE_REMOVE;
}

static gpointer
worker_thread (gpointer data)
{
  AditWorker *self = data;
  GMainContext *owner_context;
  Report *report;

  g_main_context_push_thread_default (self->context);

  worker_begin (self);
  if (self->phase != PHASE_ENDED)
    g_main_loop_run (self->loop);

  /* Let GIO finish what it started (a cancelled connect reports back once). */
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);

  g_main_context_pop_thread_default (self->context);

  /* The last word: after it, nothing of this thread holds the connection, so the owner may
   * finalize it as soon as "stopped" arrives. */
  owner_context = g_main_context_ref (self->owner_context);
  report = report_new (self, REPORT_STOPPED);
  g_clear_object (&self->connection);
  adit_worker_unref (self);
  post_to (owner_context, report_deliver_cb, report, report_free);
  g_main_context_unref (owner_context);
  return NULL;
}

static void
worker_finalize (gpointer data)
{
  AditWorker *self = data;

  g_clear_pointer (&self->thread, g_thread_unref);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->tunnel);
  adit_secret_free (g_steal_pointer (&self->saved_password));
  adit_secret_free (g_steal_pointer (&self->saved_passphrase));
  adit_secret_free (g_steal_pointer (&self->typed_password));
  adit_secret_free (g_steal_pointer (&self->typed_passphrase));
  g_clear_object (&self->connection);
}

AditWorker *
adit_worker_ref (AditWorker *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
adit_worker_unref (AditWorker *self)
{
  g_atomic_rc_box_release_full (self, worker_finalize);
}

AditWorker *
adit_worker_start (AditConnection *connection,
                   AditTunnel     *tunnel,
                   const char     *saved_password,
                   const char     *saved_passphrase,
                   GMainContext   *owner_context)
{
  AditWorker *self = g_atomic_rc_box_new0 (AditWorker);

  self->connection = g_object_ref (connection);
  self->owner_context = g_main_context_ref (owner_context);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->tunnel = g_object_ref (tunnel);
  self->saved_password = g_strdup (saved_password);
  self->saved_passphrase = g_strdup (saved_passphrase);
  self->cancellable = g_cancellable_new ();
  self->session_fd = -1;

  /* One reference for the connection (returned), one for the thread. */
  adit_worker_ref (self);
  self->thread = g_thread_new ("adit-worker", worker_thread, self);

  return self;
}

void
adit_worker_join (AditWorker *self)
{
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
}

void
adit_worker_retry_now (AditWorker *self)
{
  /* No reference, as for stop. */
  post_to (self->context, retry_now_cb, self, NULL);
}

void
adit_worker_stop (AditWorker *self)
{
  /* No reference (see Answer): the connection holds one until "stopped". */
  post_to (self->context, stop_cb, self, NULL);
}
