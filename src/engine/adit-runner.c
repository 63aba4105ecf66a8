/* adit-runner.c — see adit-runner.h.
 *
 * A run goes: keyring lookups (password, then passphrase) → AditConnection → "stopped". Each
 * run has its own GCancellable, so a lookup that finishes after the person pressed Stop (or
 * Start again) is dropped. A secret the person asked to remember stays in memory, wiped
 * afterwards, only until the connection says whether it was accepted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "adit-error.h"
#include "adit-runner.h"
#include "adit-secrets.h"

struct _AditRunner
{
  GObject parent_instance;

  AditTunnel *tunnel;
  AditConnection *connection;
  GCancellable *cancellable;       /* the current run's keyring lookups */
  AditConnectionState state;
  GError *error;
  GError *last_client_error;
  AditQuestion *question;
  AditStats stats;

  char *saved_password;            /* read from the keyring for this run */
  char *remember[ADIT_SECRET_PASSPHRASE + 1];   /* typed, "Remember" ticked, not yet accepted */

  double history[ADIT_RUNNER_HISTORY];
  guint64 history_last_bytes;
  guint history_source;
  gboolean restart_pending;
  gboolean was_connected;          /* this run was up at least once */
};

G_DEFINE_FINAL_TYPE (AditRunner, adit_runner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TUNNEL,
  PROP_STATE,
  PROP_ERROR,
  PROP_QUESTION,
  PROP_OPEN_CONNECTIONS,
  PROP_RETRY_TIME,
  N_PROPS
};

enum {
  SIGNAL_STATS_CHANGED,
  SIGNAL_CLIENT_FAILED,
  SIGNAL_KEYRING_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
forget_remembered (AditRunner *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->remember); i++)
    adit_secret_free (g_steal_pointer (&self->remember[i]));
  adit_secret_free (g_steal_pointer (&self->saved_password));
}

static void
set_state (AditRunner          *self,
           AditConnectionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_question (AditRunner   *self,
              AditQuestion *question)
{
  if (g_set_object (&self->question, question))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUESTION]);
}

/* ---- throughput history ---- */

static gboolean
history_tick_cb (gpointer user_data)
{
  AditRunner *self = user_data;
  guint64 bytes = self->stats.bytes_sent + self->stats.bytes_received;

  memmove (self->history, self->history + 1, sizeof self->history - sizeof self->history[0]);
  self->history[ADIT_RUNNER_HISTORY - 1] = (double)(bytes - self->history_last_bytes);
  self->history_last_bytes = bytes;
  g_signal_emit (self, signals[SIGNAL_STATS_CHANGED], 0);

  return G_SOURCE_CONTINUE;
}

static void
history_reset (AditRunner *self)
{
  g_clear_handle_id (&self->history_source, g_source_remove);
  memset (self->history, 0, sizeof self->history);
  self->history_last_bytes = 0;
}

/* ---- the connection's reports ---- */

static gboolean
same_error (const GError *a,
            const GError *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return a->domain == b->domain && a->code == b->code && g_str_equal (a->message, b->message);
}

static void
connection_retry_time_cb (AditConnection *connection,
                          GParamSpec     *pspec,
                          AditRunner     *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_TIME]);
}

static void
connection_state_cb (AditConnection *connection,
                     GParamSpec     *pspec,
                     AditRunner     *self)
{
  AditConnectionState state = adit_connection_get_state (connection);

  /* One tick a second while connected: an idle tunnel costs nothing more than that. */
  if (state == ADIT_CONNECTION_STATE_CONNECTED && self->history_source == 0)
    self->history_source = g_timeout_add_seconds (1, history_tick_cb, self);

  if (state == ADIT_CONNECTION_STATE_CONNECTED)
    self->was_connected = TRUE;

  /* Why it failed, or why the session was lost while it comes back; nothing once it is. */
  if (!same_error (adit_connection_get_error (connection), self->error))
    {
      const GError *error = adit_connection_get_error (connection);

      g_clear_error (&self->error);
      self->error = error ? g_error_copy (error) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }

  set_state (self, state);
}

static void
question_done_cb (AditQuestion *question,
                  GParamSpec   *pspec,
                  AditRunner   *self)
{
  g_signal_handlers_disconnect_by_func (question, question_done_cb, self);
  if (self->question == question)
    set_question (self, NULL);
}

static void
connection_question_cb (AditConnection *connection,
                        AditQuestion   *question,
                        AditRunner     *self)
{
  g_signal_connect_object (question, "notify::done", G_CALLBACK (question_done_cb), self, 0);
  set_question (self, question);
}

static void
connection_stats_cb (AditConnection *connection,
                     AditRunner     *self)
{
  guint open = self->stats.open_connections;

  adit_connection_get_stats (connection, &self->stats);
  if (open != self->stats.open_connections)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_CONNECTIONS]);
  g_signal_emit (self, signals[SIGNAL_STATS_CHANGED], 0);
}

static void
connection_client_closed_cb (AditConnection *connection,
                             const char     *peer,
                             guint           open,
                             const GError   *error,
                             AditRunner     *self)
{
  if (error == NULL)
    return;

  g_clear_error (&self->last_client_error);
  self->last_client_error = g_error_copy (error);
  g_signal_emit (self, signals[SIGNAL_CLIENT_FAILED], 0, error);
}

static void
secret_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AditRunner) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!adit_secrets_store_finish (result, &error))
    g_signal_emit (self, signals[SIGNAL_KEYRING_FAILED], 0, error);
}

static void
connection_secret_accepted_cb (AditConnection   *connection,
                               AditQuestionKind  kind,
                               AditRunner       *self)
{
  AditSecretKind secret_kind = kind == ADIT_QUESTION_PASSPHRASE ? ADIT_SECRET_PASSPHRASE
                                                                : ADIT_SECRET_PASSWORD;
  g_autofree char *secret = g_steal_pointer (&self->remember[secret_kind]);

  if (secret == NULL)
    return;

  adit_secrets_store_async (self->tunnel, secret_kind, secret, NULL, secret_stored_cb,
                            g_object_ref (self));
  explicit_bzero (secret, strlen (secret));
}

static void
connection_stopped_cb (AditConnection *connection,
                       AditRunner     *self)
{
  AditConnectionState state = adit_connection_get_state (connection);

  g_signal_handlers_disconnect_by_data (connection, self);
  g_clear_object (&self->connection);
  history_reset (self);
  forget_remembered (self);
  set_question (self, NULL);

  if (self->stats.open_connections != 0)
    {
      self->stats.open_connections = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_CONNECTIONS]);
    }
  g_signal_emit (self, signals[SIGNAL_STATS_CHANGED], 0);

  set_state (self, state);

  if (self->restart_pending)
    {
      self->restart_pending = FALSE;
      adit_runner_start (self);
    }
}

/* ---- starting: the keyring first ---- */

static void
connect_now (AditRunner *self,
             char       *saved_passphrase)
{
  self->connection = adit_connection_new (self->tunnel);
  g_signal_connect (self->connection, "notify::state", G_CALLBACK (connection_state_cb), self);
  g_signal_connect (self->connection, "notify::retry-time",
                    G_CALLBACK (connection_retry_time_cb), self);
  g_signal_connect (self->connection, "question", G_CALLBACK (connection_question_cb), self);
  g_signal_connect (self->connection, "stats-changed", G_CALLBACK (connection_stats_cb), self);
  g_signal_connect (self->connection, "client-closed",
                    G_CALLBACK (connection_client_closed_cb), self);
  g_signal_connect (self->connection, "secret-accepted",
                    G_CALLBACK (connection_secret_accepted_cb), self);
  g_signal_connect (self->connection, "stopped", G_CALLBACK (connection_stopped_cb), self);

  if (self->saved_password != NULL)
    adit_connection_set_saved_secret (self->connection, ADIT_QUESTION_PASSWORD,
                                      self->saved_password);
  if (saved_passphrase != NULL)
    adit_connection_set_saved_secret (self->connection, ADIT_QUESTION_PASSPHRASE,
                                      saved_passphrase);
  adit_secret_free (g_steal_pointer (&self->saved_password));

  adit_connection_start (self->connection);
}

/* A keyring that cannot be reached is not a reason to stay off: the person is asked. */
static char *
lookup_finish_quietly (GAsyncResult *result,
                       gboolean     *cancelled)
{
  g_autoptr(GError) error = NULL;
  char *secret = adit_secrets_lookup_finish (result, &error);

  *cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (error != NULL && !*cancelled)
    g_debug ("No saved secret: %s", error->message);

  return secret;
}

static void
passphrase_found_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(AditRunner) self = user_data;
  gboolean cancelled;
  char *passphrase = lookup_finish_quietly (result, &cancelled);

  if (!cancelled)
    connect_now (self, passphrase);
  adit_secret_free (passphrase);
}

static void
password_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AditRunner) self = user_data;
  gboolean cancelled;
  char *password = lookup_finish_quietly (result, &cancelled);

  if (cancelled)
    {
      adit_secret_free (password);
      return;
    }

  self->saved_password = password;
  adit_secrets_lookup_async (self->tunnel, ADIT_SECRET_PASSPHRASE, self->cancellable,
                             passphrase_found_cb, g_object_ref (self));
}

void
adit_runner_start (AditRunner *self)
{
  g_return_if_fail (ADIT_IS_RUNNER (self));

  if (adit_runner_is_active (self))
    return;

  g_clear_error (&self->error);
  g_clear_error (&self->last_client_error);
  memset (&self->stats, 0, sizeof self->stats);
  self->was_connected = FALSE;
  history_reset (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  set_state (self, ADIT_CONNECTION_STATE_CONNECTING);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  adit_secrets_lookup_async (self->tunnel, ADIT_SECRET_PASSWORD, self->cancellable,
                             password_found_cb, g_object_ref (self));
}

void
adit_runner_stop (AditRunner *self)
{
  g_return_if_fail (ADIT_IS_RUNNER (self));

  g_cancellable_cancel (self->cancellable);
  self->restart_pending = FALSE;

  if (self->connection != NULL)
    {
      /* The state follows when the worker has closed everything ("stopped"). */
      adit_connection_stop (self->connection);
      return;
    }

  forget_remembered (self);
  if (self->state != ADIT_CONNECTION_STATE_FAILED)
    set_state (self, ADIT_CONNECTION_STATE_DISCONNECTED);
}

void
adit_runner_restart (AditRunner *self)
{
  g_return_if_fail (ADIT_IS_RUNNER (self));

  if (self->connection == NULL)
    {
      adit_runner_stop (self);
      adit_runner_start (self);
      return;
    }

  /* Started again once the old connection closed its listeners (connection_stopped_cb). */
  self->restart_pending = TRUE;
  adit_connection_stop (self->connection);
}

void
adit_runner_set_tunnel (AditRunner *self,
                        AditTunnel *tunnel)
{
  g_return_if_fail (ADIT_IS_RUNNER (self));
  g_return_if_fail (ADIT_IS_TUNNEL (tunnel));

  if (!g_set_object (&self->tunnel, tunnel))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TUNNEL]);
  /* A running tunnel picks up its new settings; its listeners close before it reopens. */
  if (adit_runner_is_active (self))
    adit_runner_restart (self);
}

gboolean
adit_runner_is_active (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), FALSE);

  return self->state != ADIT_CONNECTION_STATE_DISCONNECTED
         && self->state != ADIT_CONNECTION_STATE_FAILED;
}

void
adit_runner_answer (AditRunner         *self,
                    AditQuestion       *question,
                    const char * const *answers,
                    gboolean            remember)
{
  AditQuestionKind kind;

  g_return_if_fail (ADIT_IS_RUNNER (self));
  g_return_if_fail (ADIT_IS_QUESTION (question));

  kind = adit_question_get_kind (question);

  /* Only a single secret is worth remembering: a password (also when the server asks for
   * it as its only hidden prompt) or a key's passphrase. */
  if (remember && answers != NULL && answers[0] != NULL && answers[1] == NULL
      && kind != ADIT_QUESTION_HOST_KEY && !adit_question_get_prompt_echo (question, 0))
    {
      AditSecretKind secret_kind = kind == ADIT_QUESTION_PASSPHRASE ? ADIT_SECRET_PASSPHRASE
                                                                    : ADIT_SECRET_PASSWORD;

      adit_secret_free (self->remember[secret_kind]);
      self->remember[secret_kind] = g_strdup (answers[0]);
    }

  adit_question_answer (question, answers);
}

void
adit_runner_retry_now (AditRunner *self)
{
  g_return_if_fail (ADIT_IS_RUNNER (self));

  if (self->connection != NULL)
    adit_connection_retry_now (self->connection);
}

/* ---- getters ---- */

gboolean
adit_runner_get_was_connected (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), FALSE);
  return self->was_connected;
}

gint64
adit_runner_get_retry_time (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), 0);

  if (self->state != ADIT_CONNECTION_STATE_RECONNECTING || self->connection == NULL)
    return 0;
  return adit_connection_get_retry_time (self->connection);
}

guint
adit_runner_get_retry_seconds (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), 0);

  if (self->state != ADIT_CONNECTION_STATE_RECONNECTING || self->connection == NULL)
    return 0;
  return adit_connection_get_retry_seconds (self->connection);
}

AditTunnel *
adit_runner_get_tunnel (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), NULL);
  return self->tunnel;
}

AditConnectionState
adit_runner_get_state (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), ADIT_CONNECTION_STATE_DISCONNECTED);
  return self->state;
}

const GError *
adit_runner_get_error (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), NULL);
  return self->error;
}

const GError *
adit_runner_get_last_client_error (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), NULL);
  return self->last_client_error;
}

AditQuestion *
adit_runner_get_question (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), NULL);
  return self->question;
}

guint
adit_runner_get_open_connections (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), 0);
  return self->stats.open_connections;
}

void
adit_runner_get_stats (AditRunner *self,
                       AditStats  *stats)
{
  g_return_if_fail (ADIT_IS_RUNNER (self));
  *stats = self->stats;
}

const double *
adit_runner_get_history (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), NULL);
  return self->history;
}

static const char *
failure_phrase (const GError *error)
{
  if (error == NULL || error->domain != ADIT_ERROR)
    return _("Stopped by an error");

  switch (error->code)
    {
    case ADIT_ERROR_PRIVILEGED_PORT:
      return _("Port needs administrator rights");
    case ADIT_ERROR_PORT_IN_USE:
      return _("Port already in use");
    case ADIT_ERROR_BIND_FAILED:
      return _("Could not open the local port");
    case ADIT_ERROR_HOST_NOT_FOUND:
      return _("Server not found");
    case ADIT_ERROR_CONNECTION_REFUSED:
    case ADIT_ERROR_TIMED_OUT:
    case ADIT_ERROR_CONNECT_FAILED:
      return _("Server unreachable");
    case ADIT_ERROR_HOST_KEY_CHANGED:
      return _("Server identity changed");
    case ADIT_ERROR_HOST_KEY_UNKNOWN:
    case ADIT_ERROR_HOST_KEY_REJECTED:
      return _("Server not trusted");
    case ADIT_ERROR_AUTH_FAILED:
      return _("Login refused");
    case ADIT_ERROR_KEY_FILE:
      return _("Key file problem");
    case ADIT_ERROR_CANCELLED:
      return _("Cancelled");
    case ADIT_ERROR_CONNECTION_LOST:
    case ADIT_ERROR_KEEPALIVE_TIMEOUT:
      return _("Connection lost");
    default:
      return _("Stopped by an error");
    }
}

char *
adit_runner_describe_state (AditRunner *self)
{
  g_return_val_if_fail (ADIT_IS_RUNNER (self), NULL);

  switch (self->state)
    {
    case ADIT_CONNECTION_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case ADIT_CONNECTION_STATE_WAITING:
      return g_strdup (_("Waiting for you"));
    case ADIT_CONNECTION_STATE_CONNECTED:
      return g_strdup (_("Connected"));
    case ADIT_CONNECTION_STATE_FAILED:
      return g_strdup (failure_phrase (self->error));
    case ADIT_CONNECTION_STATE_RECONNECTING:
      {
        guint seconds = adit_runner_get_retry_seconds (self);

        if (seconds == 0)
          return g_strdup (_("Reconnecting…"));
        /* Translators: the tunnel lost its connection and tries again in that many seconds;
         * keep it short ("s" for seconds), it shares a row with other things. */
        return g_strdup_printf (ngettext ("Reconnecting in %u s", "Reconnecting in %u s",
                                          seconds), seconds);
      }
    case ADIT_CONNECTION_STATE_DISCONNECTED:
    default:
      return g_strdup (_("Off"));
    }
}

/* ---- GObject ---- */

static void
adit_runner_dispose (GObject *object)
{
  AditRunner *self = ADIT_RUNNER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL)
    {
      /* The connection finishes closing on its own; its reports no longer reach us. */
      g_signal_handlers_disconnect_by_data (self->connection, self);
      adit_connection_stop (self->connection);
      g_clear_object (&self->connection);
    }
  history_reset (self);
  forget_remembered (self);

  G_OBJECT_CLASS (adit_runner_parent_class)->dispose (object);
}

static void
adit_runner_finalize (GObject *object)
{
  AditRunner *self = ADIT_RUNNER (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->question);
  g_clear_object (&self->tunnel);
  g_clear_error (&self->error);
  g_clear_error (&self->last_client_error);

  G_OBJECT_CLASS (adit_runner_parent_class)->finalize (object);
}

static void
adit_runner_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  AditRunner *self = ADIT_RUNNER (object);

  switch (prop_id)
    {
    case PROP_TUNNEL:
      g_value_set_object (value, self->tunnel);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_QUESTION:
      g_value_set_object (value, self->question);
      break;
    case PROP_OPEN_CONNECTIONS:
      g_value_set_uint (value, self->stats.open_connections);
      break;
    case PROP_RETRY_TIME:
      g_value_set_int64 (value, adit_runner_get_retry_time (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
adit_runner_class_init (AditRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = adit_runner_dispose;
  object_class->finalize = adit_runner_finalize;
  object_class->get_property = adit_runner_get_property;

  properties[PROP_TUNNEL] =
    g_param_spec_object ("tunnel", NULL, NULL, ADIT_TYPE_TUNNEL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, ADIT_TYPE_CONNECTION_STATE,
                       ADIT_CONNECTION_STATE_DISCONNECTED, flags);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_QUESTION] =
    g_param_spec_object ("question", NULL, NULL, ADIT_TYPE_QUESTION, flags);
  properties[PROP_OPEN_CONNECTIONS] =
    g_param_spec_uint ("open-connections", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_RETRY_TIME] =
    g_param_spec_int64 ("retry-time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_STATS_CHANGED] =
    g_signal_new ("stats-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CLIENT_FAILED] =
    g_signal_new ("client-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_KEYRING_FAILED] =
    g_signal_new ("keyring-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
adit_runner_init (AditRunner *self)
{
}

AditRunner *
adit_runner_new (AditTunnel *tunnel)
{
  AditRunner *self;

  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), NULL);

  self = g_object_new (ADIT_TYPE_RUNNER, NULL);
  self->tunnel = g_object_ref (tunnel);

  return self;
}
