/* adit-status-summary.c — see adit-status-summary.h.
 *
 * Every runner of the store's tunnels is watched for its state and its number of open
 * connections only: those change when a person would see a difference, while the byte
 * counters of a busy tunnel move several times a second and are none of the tray's business.
 * A change schedules one recount; the recount runs at the earliest 250 ms after the last
 * emission, so a burst of changes becomes one "changed", and a recount that comes out the
 * same as what was told emits nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-status-summary.h"

/* The least time between two "changed" emissions. */
#define MIN_INTERVAL_MS 250

typedef struct
{
  AditSummaryState state;
  char *text;
  GPtrArray *items;   /* AditStatusItem */
  gboolean counting_down;   /* "Reconnecting in 8 seconds" must tick */
} Snapshot;

struct _AditStatusSummary
{
  GObject parent_instance;

  AditManager *manager;
  GPtrArray *runners;     /* AditRunner, one per tunnel of the store, watched */
  Snapshot shown;         /* what the last emission told */
  gint64 last_emission;   /* monotonic µs */
  guint recount_source;
  gboolean ticking;       /* recount_source is the countdown's next tick */
};

G_DEFINE_FINAL_TYPE (AditStatusSummary, adit_status_summary, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
status_item_free (gpointer data)
{
  AditStatusItem *item = data;

  g_free (item->uuid);
  g_free (item->name);
  g_free (item->label);
  g_free (item);
}

static gboolean
status_item_equal (const AditStatusItem *a,
                   const AditStatusItem *b)
{
  return a->active == b->active
         && a->reconnecting == b->reconnecting
         && g_strcmp0 (a->uuid, b->uuid) == 0
         && g_strcmp0 (a->name, b->name) == 0
         && g_strcmp0 (a->label, b->label) == 0;
}

static void
snapshot_clear (Snapshot *snapshot)
{
  g_clear_pointer (&snapshot->text, g_free);
  g_clear_pointer (&snapshot->items, g_ptr_array_unref);
}

static gboolean
snapshot_equal (const Snapshot *a,
                const Snapshot *b)
{
  if (a->state != b->state || g_strcmp0 (a->text, b->text) != 0
      || a->items->len != b->items->len)
    return FALSE;

  for (guint i = 0; i < a->items->len; i++)
    if (!status_item_equal (g_ptr_array_index (a->items, i), g_ptr_array_index (b->items, i)))
      return FALSE;

  return TRUE;
}

/* Failed, waiting for the person, or reconnecting after a loss. */
static gboolean
state_is_problem (AditConnectionState state)
{
  return state == ADIT_CONNECTION_STATE_FAILED || state == ADIT_CONNECTION_STATE_WAITING ||
         state == ADIT_CONNECTION_STATE_RECONNECTING;
}

static AditStatusItem *
describe_tunnel (AditRunner *runner)
{
  AditTunnel *tunnel = adit_runner_get_tunnel (runner);
  AditStatusItem *item = g_new0 (AditStatusItem, 1);

  item->uuid = g_strdup (adit_tunnel_get_uuid (tunnel));
  item->name = g_strdup (adit_tunnel_get_display_name (tunnel));
  item->active = adit_runner_is_active (runner);
  item->reconnecting = adit_runner_get_state (runner) == ADIT_CONNECTION_STATE_RECONNECTING;

  if (adit_runner_get_state (runner) == ADIT_CONNECTION_STATE_CONNECTED)
    {
      guint open = adit_runner_get_open_connections (runner);

      /* Translators: a tunnel in the tray's menu: its name, then how many programs use it. */
      item->label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — %u connection",
                                                  "%s — %u connections", open),
                                     item->name, open);
    }
  else
    {
      g_autofree char *phrase = adit_runner_describe_state (runner);

      /* Translators: a tunnel in the tray's menu: its name, then "Off", "Login refused"… */
      item->label = g_strdup_printf (_("%s — %s"), item->name, phrase);
    }

  return item;
}

static char *
describe_all (guint n_connected,
              guint n_connections)
{
  g_autofree char *tunnels = NULL;
  g_autofree char *connections = NULL;

  if (n_connected == 0)
    return g_strdup (_("No tunnels connected"));

  /* Translators: the first half of "2 tunnels connected, 5 connections". */
  tunnels = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u tunnel connected",
                                          "%u tunnels connected", n_connected),
                             n_connected);
  /* Translators: the second half of "2 tunnels connected, 5 connections". */
  connections = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u connection",
                                              "%u connections", n_connections),
                                 n_connections);
  /* Translators: joins "2 tunnels connected" and "5 connections". */
  return g_strdup_printf (_("%s, %s"), tunnels, connections);
}

static void
snapshot_take (AditStatusSummary *self,
               Snapshot          *snapshot)
{
  guint n_connected = 0;
  guint n_connections = 0;
  gboolean problem = FALSE;
  gboolean counting_down = FALSE;

  snapshot->items = g_ptr_array_new_with_free_func (status_item_free);

  for (guint i = 0; i < self->runners->len; i++)
    {
      AditRunner *runner = g_ptr_array_index (self->runners, i);
      AditConnectionState state = adit_runner_get_state (runner);

      /* A state this code does not know counts as not connected. */
      if (state == ADIT_CONNECTION_STATE_CONNECTED)
        {
          n_connected++;
          n_connections += adit_runner_get_open_connections (runner);
        }
      problem |= state_is_problem (state);
      counting_down |= adit_runner_get_retry_time (runner) != 0;
      g_ptr_array_add (snapshot->items, describe_tunnel (runner));
    }

  snapshot->text = describe_all (n_connected, n_connections);
  snapshot->counting_down = counting_down;
  if (problem)
    snapshot->state = ADIT_SUMMARY_STATE_PROBLEM;
  else if (n_connected > 0)
    snapshot->state = ADIT_SUMMARY_STATE_CONNECTED;
  else
    snapshot->state = ADIT_SUMMARY_STATE_IDLE;
}

static gboolean
recount_cb (gpointer user_data)
{
  AditStatusSummary *self = user_data;
  Snapshot now = { 0 };

  self->recount_source = 0;

  snapshot_take (self, &now);
  /* A countdown is shown: look again in a second. */
  self->ticking = now.counting_down;
  if (now.counting_down)
    {
      self->recount_source = g_timeout_add_seconds (1, recount_cb, self);
      g_source_set_name_by_id (self->recount_source, "[adit] status summary countdown");
    }

  if (snapshot_equal (&now, &self->shown))
    {
      snapshot_clear (&now);
      return G_SOURCE_REMOVE;
    }

  snapshot_clear (&self->shown);
  self->shown = now;
  self->last_emission = g_get_monotonic_time ();
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);

  return G_SOURCE_REMOVE;
}

static void
schedule_recount (AditStatusSummary *self)
{
  gint64 due = self->last_emission + MIN_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
  gint64 now = g_get_monotonic_time ();

  /* A real change does not wait for the countdown's tick, which may be a second off. */
  if (self->recount_source != 0 && !self->ticking)
    return;

  g_clear_handle_id (&self->recount_source, g_source_remove);
  self->ticking = FALSE;
  self->recount_source = g_timeout_add (due > now ? (due - now) / G_TIME_SPAN_MILLISECOND : 0,
                                        recount_cb, self);
  g_source_set_name_by_id (self->recount_source, "[adit] status summary recount");
}

static void
unwatch_runners (AditStatusSummary *self)
{
  for (guint i = 0; i < self->runners->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->runners, i), self);
  g_ptr_array_set_size (self->runners, 0);
}

/* Tunnels were added, removed or edited: watch the runners of the store as it is now. */
static void
watch_runners (AditStatusSummary *self)
{
  GListModel *tunnels = G_LIST_MODEL (adit_manager_get_store (self->manager));

  unwatch_runners (self);
  for (guint i = 0; i < g_list_model_get_n_items (tunnels); i++)
    {
      g_autoptr(AditTunnel) tunnel = g_list_model_get_item (tunnels, i);
      AditRunner *runner = adit_manager_get_runner (self->manager, tunnel);

      g_signal_connect_swapped (runner, "notify::state", G_CALLBACK (schedule_recount), self);
      g_signal_connect_swapped (runner, "notify::open-connections",
                                G_CALLBACK (schedule_recount), self);
      g_signal_connect_swapped (runner, "notify::retry-time",
                                G_CALLBACK (schedule_recount), self);
      g_ptr_array_add (self->runners, g_object_ref (runner));
    }
}

static void
tunnels_changed_cb (GListModel        *tunnels,
                    guint              position,
                    guint              removed,
                    guint              added,
                    AditStatusSummary *self)
{
  watch_runners (self);
  schedule_recount (self);
}

AditManager *
adit_status_summary_get_manager (AditStatusSummary *self)
{
  g_return_val_if_fail (ADIT_IS_STATUS_SUMMARY (self), NULL);
  return self->manager;
}

const char *
adit_status_summary_get_text (AditStatusSummary *self)
{
  g_return_val_if_fail (ADIT_IS_STATUS_SUMMARY (self), NULL);
  return self->shown.text;
}

AditSummaryState
adit_status_summary_get_state (AditStatusSummary *self)
{
  g_return_val_if_fail (ADIT_IS_STATUS_SUMMARY (self), ADIT_SUMMARY_STATE_IDLE);
  return self->shown.state;
}

GPtrArray *
adit_status_summary_get_items (AditStatusSummary *self)
{
  g_return_val_if_fail (ADIT_IS_STATUS_SUMMARY (self), NULL);
  return self->shown.items;
}

static void
adit_status_summary_dispose (GObject *object)
{
  AditStatusSummary *self = ADIT_STATUS_SUMMARY (object);

  g_clear_handle_id (&self->recount_source, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (adit_manager_get_store (self->manager), self);
  unwatch_runners (self);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (adit_status_summary_parent_class)->dispose (object);
}

static void
adit_status_summary_finalize (GObject *object)
{
  AditStatusSummary *self = ADIT_STATUS_SUMMARY (object);

  snapshot_clear (&self->shown);
  g_ptr_array_unref (self->runners);

  G_OBJECT_CLASS (adit_status_summary_parent_class)->finalize (object);
}

static void
adit_status_summary_class_init (AditStatusSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = adit_status_summary_dispose;
  object_class->finalize = adit_status_summary_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
adit_status_summary_init (AditStatusSummary *self)
{
  self->runners = g_ptr_array_new_with_free_func (g_object_unref);
}

AditStatusSummary *
adit_status_summary_new (AditManager *manager)
{
  AditStatusSummary *self;

  g_return_val_if_fail (ADIT_IS_MANAGER (manager), NULL);

  self = g_object_new (ADIT_TYPE_STATUS_SUMMARY, NULL);
  self->manager = g_object_ref (manager);
  g_signal_connect_object (adit_manager_get_store (manager), "items-changed",
                           G_CALLBACK (tunnels_changed_cb), self, 0);
  watch_runners (self);
  snapshot_take (self, &self->shown);

  return self;
}
