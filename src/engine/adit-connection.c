/* adit-connection.c — the owning thread's side of a running tunnel: state, stats and the
 * signals the app and the CLI follow. The work happens in AditWorker, on its own thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "adit-connection.h"
#include "adit-worker.h"

struct _AditConnection
{
  GObject              parent_instance;
  AditTunnel          *tunnel;
  GMainContext        *owner_context;
  AditWorker          *worker;
  AditConnectionState  state;
  gint64               retry_time;
  GError              *error;
  GError              *last_client_error;
  AditQuestion        *question;   /* the open one, if any */
  AditStats            stats;
  char                *saved_password;     /* from the keyring, wiped in finalize */
  char                *saved_passphrase;
};

G_DEFINE_FINAL_TYPE (AditConnection, adit_connection, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (AditConnectionState, adit_connection_state,
  G_DEFINE_ENUM_VALUE (ADIT_CONNECTION_STATE_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (ADIT_CONNECTION_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (ADIT_CONNECTION_STATE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (ADIT_CONNECTION_STATE_CONNECTED, "connected"),
  G_DEFINE_ENUM_VALUE (ADIT_CONNECTION_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (ADIT_CONNECTION_STATE_RECONNECTING, "reconnecting"))

enum {
  PROP_0,
  PROP_TUNNEL,
  PROP_STATE,
  PROP_RETRY_TIME,
  N_PROPS
};

enum {
  SIGNAL_QUESTION,
  SIGNAL_LISTENING,
  SIGNAL_CLIENT_OPENED,
  SIGNAL_CLIENT_CLOSED,
  SIGNAL_STATS_CHANGED,
  SIGNAL_STOPPED,
  SIGNAL_SECRET_ACCEPTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
adit_connection_finalize (GObject *object)
{
  AditConnection *self = ADIT_CONNECTION (object);

  /* The worker holds a reference until it has stopped, so it is gone by now. */
  g_assert (self->worker == NULL);

  g_clear_object (&self->question);
  g_clear_object (&self->tunnel);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_clear_error (&self->error);
  g_clear_error (&self->last_client_error);
  adit_secret_free (g_steal_pointer (&self->saved_password));
  adit_secret_free (g_steal_pointer (&self->saved_passphrase));

  G_OBJECT_CLASS (adit_connection_parent_class)->finalize (object);
}

static void
adit_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AditConnection *self = ADIT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_TUNNEL:
      g_value_set_object (value, self->tunnel);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_RETRY_TIME:
      g_value_set_int64 (value, self->retry_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
adit_connection_class_init (AditConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = adit_connection_finalize;
  object_class->get_property = adit_connection_get_property;

  properties[PROP_TUNNEL] =
    g_param_spec_object ("tunnel", NULL, NULL, ADIT_TYPE_TUNNEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, ADIT_TYPE_CONNECTION_STATE,
                       ADIT_CONNECTION_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_TIME] =
    g_param_spec_int64 ("retry-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_QUESTION] =
    g_signal_new ("question", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, ADIT_TYPE_QUESTION);
  signals[SIGNAL_LISTENING] =
    g_signal_new ("listening", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_CLIENT_OPENED] =
    g_signal_new ("client-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  signals[SIGNAL_CLIENT_CLOSED] =
    g_signal_new ("client-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_ERROR);
  signals[SIGNAL_STATS_CHANGED] =
    g_signal_new ("stats-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A secret the person typed for this kind of question was accepted: worth remembering. */
  signals[SIGNAL_SECRET_ACCEPTED] =
    g_signal_new ("secret-accepted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, ADIT_TYPE_QUESTION_KIND);
}

static void
adit_connection_init (AditConnection *self)
{
}

AditConnection *
adit_connection_new (AditTunnel *tunnel)
{
  AditConnection *self;

  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), NULL);

  self = g_object_new (ADIT_TYPE_CONNECTION, NULL);
  /* A copy: editing the saved tunnel must not change a running one under the worker. */
  self->tunnel = adit_tunnel_copy (tunnel);
  self->owner_context = g_main_context_ref_thread_default ();

  return self;
}

AditTunnel *
adit_connection_get_tunnel (AditConnection *self)
{
  g_return_val_if_fail (ADIT_IS_CONNECTION (self), NULL);
  return self->tunnel;
}

static void
set_state (AditConnection      *self,
           AditConnectionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
adit_connection_start (AditConnection *self)
{
  g_return_if_fail (ADIT_IS_CONNECTION (self));
  g_return_if_fail (self->worker == NULL);

  g_clear_error (&self->error);
  g_clear_error (&self->last_client_error);
  self->retry_time = 0;
  memset (&self->stats, 0, sizeof self->stats);

  self->worker = adit_worker_start (self, self->tunnel, self->saved_password,
                                    self->saved_passphrase, self->owner_context);
  set_state (self, ADIT_CONNECTION_STATE_CONNECTING);
}

void
adit_connection_set_saved_secret (AditConnection   *self,
                                  AditQuestionKind  kind,
                                  const char       *secret)
{
  char **field;

  g_return_if_fail (ADIT_IS_CONNECTION (self));
  g_return_if_fail (kind == ADIT_QUESTION_PASSWORD || kind == ADIT_QUESTION_PASSPHRASE);

  field = kind == ADIT_QUESTION_PASSWORD ? &self->saved_password : &self->saved_passphrase;
  adit_secret_free (g_steal_pointer (field));
  *field = g_strdup (secret);
}

void
adit_connection_stop (AditConnection *self)
{
  g_return_if_fail (ADIT_IS_CONNECTION (self));

  if (self->worker != NULL)
    adit_worker_stop (self->worker);
}

AditConnectionState
adit_connection_get_state (AditConnection *self)
{
  g_return_val_if_fail (ADIT_IS_CONNECTION (self), ADIT_CONNECTION_STATE_DISCONNECTED);
  return self->state;
}

gboolean
adit_connection_is_running (AditConnection *self)
{
  g_return_val_if_fail (ADIT_IS_CONNECTION (self), FALSE);
  return self->worker != NULL;
}

const GError *
adit_connection_get_error (AditConnection *self)
{
  g_return_val_if_fail (ADIT_IS_CONNECTION (self), NULL);
  return self->error;
}

gint64
adit_connection_get_retry_time (AditConnection *self)
{
  g_return_val_if_fail (ADIT_IS_CONNECTION (self), 0);
  return self->retry_time;
}

guint
adit_connection_get_retry_seconds (AditConnection *self)
{
  gint64 left;

  g_return_val_if_fail (ADIT_IS_CONNECTION (self), 0);

  left = self->retry_time - g_get_monotonic_time ();
  if (self->retry_time == 0 || left <= 0)
    return 0;
  return (guint)((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

void
adit_connection_retry_now (AditConnection *self)
{
  g_return_if_fail (ADIT_IS_CONNECTION (self));

  if (self->worker != NULL)
    adit_worker_retry_now (self->worker);
}

const GError *
adit_connection_get_last_client_error (AditConnection *self)
{
  g_return_val_if_fail (ADIT_IS_CONNECTION (self), NULL);
  return self->last_client_error;
}

void
adit_connection_get_stats (AditConnection *self,
                           AditStats      *stats)
{
  g_return_if_fail (ADIT_IS_CONNECTION (self));
  g_return_if_fail (stats != NULL);
  *stats = self->stats;
}

/* A question nobody can answer any more (the tunnel failed or was stopped meanwhile) is
 * cancelled, so that a dialog showing it closes. */
static void
withdraw_question (AditConnection *self)
{
  g_autoptr(AditQuestion) question = g_steal_pointer (&self->question);

  if (question != NULL && !adit_question_is_done (question))
    adit_question_cancel (question);
}

void
adit_connection_report_state (AditConnection      *self,
                              AditConnectionState  state,
                              const GError        *error,
                              gint64               retry_time)
{
  if (state != ADIT_CONNECTION_STATE_WAITING)
    withdraw_question (self);

  if (error != NULL)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
    }
  else if (state == ADIT_CONNECTION_STATE_CONNECTED)
    g_clear_error (&self->error);   /* back after a lost session */

  g_object_freeze_notify (G_OBJECT (self));
  if (self->retry_time != retry_time)
    {
      self->retry_time = retry_time;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_TIME]);
    }
  set_state (self, state);
  g_object_thaw_notify (G_OBJECT (self));
}

void
adit_connection_report_question (AditConnection *self,
                                 AditQuestion   *question)
{
  g_set_object (&self->question, question);
  g_signal_emit (self, signals[SIGNAL_QUESTION], 0, question);
}

void
adit_connection_report_listening (AditConnection *self,
                                  const char     *address)
{
  g_signal_emit (self, signals[SIGNAL_LISTENING], 0, address);
}

void
adit_connection_report_client (AditConnection *self,
                               gboolean        opened,
                               const char     *peer,
                               guint           open_connections,
                               const GError   *error)
{
  if (error != NULL)
    {
      g_clear_error (&self->last_client_error);
      self->last_client_error = g_error_copy (error);
    }

  if (opened)
    g_signal_emit (self, signals[SIGNAL_CLIENT_OPENED], 0, peer, open_connections);
  else
    g_signal_emit (self, signals[SIGNAL_CLIENT_CLOSED], 0, peer, open_connections, error);
}

void
adit_connection_report_stats (AditConnection  *self,
                              const AditStats *stats)
{
  self->stats = *stats;
  g_signal_emit (self, signals[SIGNAL_STATS_CHANGED], 0);
}

void
adit_connection_report_secret_accepted (AditConnection   *self,
                                        AditQuestionKind  kind)
{
  g_signal_emit (self, signals[SIGNAL_SECRET_ACCEPTED], 0, kind);
}

void
adit_connection_report_stopped (AditConnection *self)
{
  withdraw_question (self);
  adit_worker_join (self->worker);
  g_clear_pointer (&self->worker, adit_worker_unref);

  if (self->state != ADIT_CONNECTION_STATE_FAILED)
    {
      /* Stopped while reconnecting: why the session was lost is no longer the news. */
      g_clear_error (&self->error);
      set_state (self, ADIT_CONNECTION_STATE_DISCONNECTED);
    }

  g_signal_emit (self, signals[SIGNAL_STOPPED], 0);
}
