/* adit-manager.c — see adit-manager.h.
 *
 * Runners are keyed by the tunnel's uuid. When the store replaces a tunnel object (an edit
 * saved as a new object), the same runner follows the new object the next time it is asked
 * for, restarting if it was running.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-manager.h"
#include "adit-network-watch.h"

struct _AditManager
{
  GObject parent_instance;

  AditStore *store;
  GHashTable *runners;   /* uuid → AditRunner */
  AditNetworkWatch *network_watch;
};

G_DEFINE_FINAL_TYPE (AditManager, adit_manager, G_TYPE_OBJECT)

enum {
  SIGNAL_QUESTION,
  SIGNAL_FAILED,
  SIGNAL_DROPPED,
  SIGNAL_RECOVERED,
  N_SIGNALS
};

/* Set from "dropped" until the runner is connected again or ends. */
#define DROPPED_KEY "adit-manager-dropped"

static guint signals[N_SIGNALS];

static void
runner_question_cb (AditRunner  *runner,
                    GParamSpec  *pspec,
                    AditManager *self)
{
  AditQuestion *question = adit_runner_get_question (runner);

  if (question != NULL)
    g_signal_emit (self, signals[SIGNAL_QUESTION], 0, runner, question);
}

static void
runner_state_cb (AditRunner  *runner,
                 GParamSpec  *pspec,
                 AditManager *self)
{
  AditConnectionState state = adit_runner_get_state (runner);
  gboolean dropped = g_object_get_data (G_OBJECT (runner), DROPPED_KEY) != NULL;

  /* The engine only reconnects a session that was up: the first RECONNECTING is the drop
   * (a question while reconnecting goes WAITING and back, and is not a second one). */
  if (state == ADIT_CONNECTION_STATE_RECONNECTING && !dropped)
    {
      g_object_set_data (G_OBJECT (runner), DROPPED_KEY, GINT_TO_POINTER (TRUE));
      g_signal_emit (self, signals[SIGNAL_DROPPED], 0, runner, adit_runner_get_error (runner));
      return;
    }

  if (state == ADIT_CONNECTION_STATE_CONNECTED || !adit_runner_is_active (runner))
    g_object_set_data (G_OBJECT (runner), DROPPED_KEY, NULL);

  if (state == ADIT_CONNECTION_STATE_FAILED)
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, runner, adit_runner_get_error (runner));
  else if (dropped && (state == ADIT_CONNECTION_STATE_CONNECTED ||
                       state == ADIT_CONNECTION_STATE_DISCONNECTED))
    g_signal_emit (self, signals[SIGNAL_RECOVERED], 0, runner);
}

/* Sessions may have died quietly, and tunnels waiting to reconnect may get through now. */
static void
network_changed_cb (AditNetworkWatch *watch,
                    AditManager      *self)
{
  GHashTableIter iter;
  gpointer runner;

  g_hash_table_iter_init (&iter, self->runners);
  while (g_hash_table_iter_next (&iter, NULL, &runner))
    adit_runner_retry_now (runner);
}

static void
forget_runner (gpointer data)
{
  AditRunner *runner = data;

  g_signal_handlers_disconnect_matched (runner, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        runner_question_cb, NULL);
  g_signal_handlers_disconnect_matched (runner, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        runner_state_cb, NULL);
  adit_runner_stop (runner);
  g_object_unref (runner);
}

AditRunner *
adit_manager_get_runner (AditManager *self,
                         AditTunnel  *tunnel)
{
  AditRunner *runner;

  g_return_val_if_fail (ADIT_IS_MANAGER (self), NULL);
  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), NULL);

  runner = g_hash_table_lookup (self->runners, adit_tunnel_get_uuid (tunnel));
  if (runner != NULL)
    {
      adit_runner_set_tunnel (runner, tunnel);
      return runner;
    }

  runner = adit_runner_new (tunnel);
  g_signal_connect (runner, "notify::question", G_CALLBACK (runner_question_cb), self);
  g_signal_connect (runner, "notify::state", G_CALLBACK (runner_state_cb), self);
  g_hash_table_insert (self->runners, g_strdup (adit_tunnel_get_uuid (tunnel)), runner);

  return runner;
}

void
adit_manager_start_autostart (AditManager *self)
{
  GListModel *tunnels;

  g_return_if_fail (ADIT_IS_MANAGER (self));

  tunnels = G_LIST_MODEL (self->store);
  for (guint i = 0; i < g_list_model_get_n_items (tunnels); i++)
    {
      g_autoptr(AditTunnel) tunnel = g_list_model_get_item (tunnels, i);

      if (adit_tunnel_get_autostart (tunnel))
        adit_runner_start (adit_manager_get_runner (self, tunnel));
    }
}

void
adit_manager_drop (AditManager *self,
                   AditTunnel  *tunnel)
{
  g_return_if_fail (ADIT_IS_MANAGER (self));
  g_return_if_fail (ADIT_IS_TUNNEL (tunnel));

  g_hash_table_remove (self->runners, adit_tunnel_get_uuid (tunnel));
}

guint
adit_manager_count_active (AditManager *self)
{
  GHashTableIter iter;
  gpointer runner;
  guint count = 0;

  g_return_val_if_fail (ADIT_IS_MANAGER (self), 0);

  g_hash_table_iter_init (&iter, self->runners);
  while (g_hash_table_iter_next (&iter, NULL, &runner))
    count += adit_runner_is_active (runner);

  return count;
}

void
adit_manager_stop_all (AditManager *self)
{
  GHashTableIter iter;
  gpointer runner;

  g_return_if_fail (ADIT_IS_MANAGER (self));

  g_hash_table_iter_init (&iter, self->runners);
  while (g_hash_table_iter_next (&iter, NULL, &runner))
    adit_runner_stop (runner);
}

AditTunnel *
adit_manager_find_tunnel (AditManager *self,
                          const char  *name_or_uuid)
{
  GListModel *tunnels;
  g_autofree char *wanted = NULL;
  AditTunnel *same_case = NULL;
  AditTunnel *any_case = NULL;
  AditTunnel *by_uuid;

  g_return_val_if_fail (ADIT_IS_MANAGER (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);

  /* The uuid first, then the name as shown, then the name in any case. */
  by_uuid = adit_store_lookup (self->store, name_or_uuid);
  if (by_uuid != NULL)
    return by_uuid;

  tunnels = G_LIST_MODEL (self->store);
  wanted = g_utf8_casefold (name_or_uuid, -1);
  for (guint i = 0; i < g_list_model_get_n_items (tunnels) && same_case == NULL; i++)
    {
      g_autoptr(AditTunnel) tunnel = g_list_model_get_item (tunnels, i);
      const char *name = adit_tunnel_get_name (tunnel);

      if (name == NULL)
        continue;
      if (g_str_equal (name, name_or_uuid))
        same_case = tunnel;
      else if (any_case == NULL)
        {
          g_autofree char *folded = g_utf8_casefold (name, -1);

          if (g_str_equal (folded, wanted))
            any_case = tunnel;
        }
    }

  return same_case != NULL ? same_case : any_case;
}

AditStore *
adit_manager_get_store (AditManager *self)
{
  g_return_val_if_fail (ADIT_IS_MANAGER (self), NULL);
  return self->store;
}

static void
adit_manager_dispose (GObject *object)
{
  AditManager *self = ADIT_MANAGER (object);

  g_clear_pointer (&self->runners, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->network_watch);

  G_OBJECT_CLASS (adit_manager_parent_class)->dispose (object);
}

static void
adit_manager_class_init (AditManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = adit_manager_dispose;

  signals[SIGNAL_QUESTION] =
    g_signal_new ("question", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, ADIT_TYPE_RUNNER, ADIT_TYPE_QUESTION);
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, ADIT_TYPE_RUNNER, G_TYPE_ERROR);
  signals[SIGNAL_DROPPED] =
    g_signal_new ("dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, ADIT_TYPE_RUNNER, G_TYPE_ERROR);
  signals[SIGNAL_RECOVERED] =
    g_signal_new ("recovered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, ADIT_TYPE_RUNNER);
}

static void
adit_manager_init (AditManager *self)
{
  self->runners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, forget_runner);
  self->network_watch = adit_network_watch_new ();
  g_signal_connect (self->network_watch, "changed", G_CALLBACK (network_changed_cb), self);
}

AditManager *
adit_manager_new (AditStore *store)
{
  AditManager *self;

  g_return_val_if_fail (ADIT_IS_STORE (store), NULL);

  self = g_object_new (ADIT_TYPE_MANAGER, NULL);
  self->store = g_object_ref (store);

  return self;
}
