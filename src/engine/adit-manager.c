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

struct _AditManager
{
  GObject parent_instance;

  AditStore *store;
  GHashTable *runners;   /* uuid → AditRunner */
};

G_DEFINE_FINAL_TYPE (AditManager, adit_manager, G_TYPE_OBJECT)

enum {
  SIGNAL_QUESTION,
  SIGNAL_FAILED,
  N_SIGNALS
};

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
  if (adit_runner_get_state (runner) == ADIT_CONNECTION_STATE_FAILED)
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, runner, adit_runner_get_error (runner));
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
}

static void
adit_manager_init (AditManager *self)
{
  self->runners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, forget_runner);
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
