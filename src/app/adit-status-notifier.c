/* adit-status-notifier.c — see adit-status-notifier.h.
 *
 * A StatusNotifierItem is an object on the session bus that hosts read; the watcher only
 * tells hosts where it is. Watchers come and go (the AppIndicator extension is turned on,
 * Plasma restarts), so the item registers again each time one appears. Hosts re-read a
 * property when they get its New… signal: those are sent only for what really changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-dbus-interface.h"
#include "adit-dbus-menu.h"
#include "adit-status-notifier.h"

#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define ITEM_PATH "/StatusNotifierItem"
#define MENU_PATH "/MenuBar"
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"

struct _AditStatusNotifier
{
  GObject parent_instance;

  GDBusConnection *connection;
  AditStatusSummary *summary;
  AditDBusMenu *menu;
  char *app_id;
  guint registration_id;
  guint watch_id;
  GCancellable *cancellable;

  /* What hosts were last told, so that they are signalled only about real changes. */
  char *told_text;
  AditSummaryState told_state;
};

G_DEFINE_FINAL_TYPE (AditStatusNotifier, adit_status_notifier, G_TYPE_OBJECT)

enum {
  SIGNAL_ACTIVATE,
  SIGNAL_QUIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- what the icon shows ---- */

static const char *
status_of (AditSummaryState state)
{
  switch (state)
    {
    case ADIT_SUMMARY_STATE_CONNECTED:
      return "Active";
    case ADIT_SUMMARY_STATE_PROBLEM:
      return "NeedsAttention";
    case ADIT_SUMMARY_STATE_IDLE:
    default:
      return "Passive";
    }
}

static char *
icon_name_of (AditStatusNotifier *self,
              AditSummaryState    state)
{
  const char *look;

  switch (state)
    {
    case ADIT_SUMMARY_STATE_CONNECTED:
      look = "connected";
      break;
    case ADIT_SUMMARY_STATE_PROBLEM:
      look = "problem";
      break;
    case ADIT_SUMMARY_STATE_IDLE:
    default:
      look = "idle";
      break;
    }

  return g_strdup_printf ("%s-%s-symbolic", self->app_id, look);
}

static GVariant *
tool_tip (AditStatusNotifier *self)
{
  g_autofree char *icon_name = icon_name_of (self, adit_status_summary_get_state (self->summary));

  return g_variant_new ("(s@a(iiay)ss)", icon_name,
                        g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0),
                        _("Adit"), adit_status_summary_get_text (self->summary));
}

static char *
title (AditStatusNotifier *self)
{
  /* Translators: the tray icon's title; %s is "2 tunnels connected, 5 connections". */
  return g_strdup_printf (_("Adit — %s"), adit_status_summary_get_text (self->summary));
}

/* ---- D-Bus ---- */

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  AditStatusNotifier *self = user_data;

  /* A middle click, the menu key and the wheel do nothing; the host shows the menu itself
   * (ItemIsMenu is false and Menu is set). */
  g_dbus_method_invocation_return_value (invocation, NULL);
  if (g_str_equal (method_name, "Activate"))
    g_signal_emit (self, signals[SIGNAL_ACTIVATE], 0);
}

static GVariant *
get_property_cb (GDBusConnection  *connection,
                 const char       *sender,
                 const char       *object_path,
                 const char       *interface_name,
                 const char       *property_name,
                 GError          **error,
                 gpointer          user_data)
{
  AditStatusNotifier *self = user_data;
  AditSummaryState state = adit_status_summary_get_state (self->summary);

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (self->app_id);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_take_string (title (self));
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (status_of (state));
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_take_string (icon_name_of (self, state));
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_take_string (icon_name_of (self, ADIT_SUMMARY_STATE_PROBLEM));
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_string (ICONDIR);
  if (g_str_equal (property_name, "ToolTip"))
    return tool_tip (self);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (adit_dbus_menu_get_object_path (self->menu));

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s",
               property_name);
  return NULL;
}

static const GDBusInterfaceVTable item_vtable = {
  .method_call = method_call_cb,
  .get_property = get_property_cb,
};

static void
emit_item_signal (AditStatusNotifier *self,
                  const char         *name,
                  GVariant           *parameters)
{
  adit_dbus_interface_emit (self->connection, ITEM_PATH, ITEM_INTERFACE, name, parameters);
}

static void
summary_changed_cb (AditStatusNotifier *self)
{
  const char *text = adit_status_summary_get_text (self->summary);
  AditSummaryState state = adit_status_summary_get_state (self->summary);
  gboolean text_changed = g_strcmp0 (text, self->told_text) != 0;
  gboolean state_changed = state != self->told_state;

  if (text_changed)
    {
      g_free (self->told_text);
      self->told_text = g_strdup (text);
      emit_item_signal (self, "NewTitle", NULL);
    }
  if (state_changed)
    {
      self->told_state = state;
      emit_item_signal (self, "NewIcon", NULL);
      emit_item_signal (self, "NewStatus", g_variant_new ("(s)", status_of (state)));
    }
  /* The tooltip shows both the sentence and the icon. */
  if (text_changed || state_changed)
    emit_item_signal (self, "NewToolTip", NULL);
}

/* ---- the watcher ---- */

static void
registered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The StatusNotifierWatcher did not take the tray icon: %s", error->message);
}

static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *name_owner,
                     gpointer         user_data)
{
  AditStatusNotifier *self = user_data;

  g_dbus_connection_call (connection, name_owner, WATCHER_PATH, WATCHER_NAME,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", g_dbus_connection_get_unique_name (connection)),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          registered_cb, NULL);
}

/* ---- GObject ---- */

AditStatusSummary *
adit_status_notifier_get_summary (AditStatusNotifier *self)
{
  g_return_val_if_fail (ADIT_IS_STATUS_NOTIFIER (self), NULL);
  return self->summary;
}

static void
adit_status_notifier_dispose (GObject *object)
{
  AditStatusNotifier *self = ADIT_STATUS_NOTIFIER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->registration_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration_id);
      self->registration_id = 0;
    }
  if (self->summary != NULL)
    g_signal_handlers_disconnect_by_data (self->summary, self);
  if (self->menu != NULL)
    g_signal_handlers_disconnect_by_data (self->menu, self);
  g_clear_object (&self->menu);
  g_clear_object (&self->summary);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (adit_status_notifier_parent_class)->dispose (object);
}

static void
adit_status_notifier_finalize (GObject *object)
{
  AditStatusNotifier *self = ADIT_STATUS_NOTIFIER (object);

  g_clear_object (&self->cancellable);
  g_free (self->app_id);
  g_free (self->told_text);

  G_OBJECT_CLASS (adit_status_notifier_parent_class)->finalize (object);
}

static void
adit_status_notifier_class_init (AditStatusNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = adit_status_notifier_dispose;
  object_class->finalize = adit_status_notifier_finalize;

  signals[SIGNAL_ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_QUIT] =
    g_signal_new ("quit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
adit_status_notifier_init (AditStatusNotifier *self)
{
  self->cancellable = g_cancellable_new ();
}

static void
menu_chosen_cb (AditStatusNotifier *self,
                AditDBusMenuItem    item)
{
  g_signal_emit (self, signals[item == ADIT_DBUS_MENU_ITEM_QUIT ? SIGNAL_QUIT : SIGNAL_ACTIVATE],
                 0);
}

AditStatusNotifier *
adit_status_notifier_new (GDBusConnection    *connection,
                          AditStatusSummary  *summary,
                          const char         *app_id,
                          GActionGroup       *actions,
                          GError            **error)
{
  g_autoptr(AditStatusNotifier) self = NULL;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (ADIT_IS_STATUS_SUMMARY (summary), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ADIT_TYPE_STATUS_NOTIFIER, NULL);
  self->connection = g_object_ref (connection);
  self->summary = g_object_ref (summary);
  self->app_id = g_strdup (app_id);
  self->told_text = g_strdup (adit_status_summary_get_text (summary));
  self->told_state = adit_status_summary_get_state (summary);

  self->menu = adit_dbus_menu_new (connection, MENU_PATH, summary, actions, error);
  if (self->menu == NULL)
    return NULL;
  g_signal_connect_swapped (self->menu, "chosen", G_CALLBACK (menu_chosen_cb), self);

  self->registration_id =
    g_dbus_connection_register_object (connection, ITEM_PATH,
                                       adit_dbus_interface_lookup (ITEM_INTERFACE),
                                       &item_vtable, self, NULL, error);
  if (self->registration_id == 0)
    return NULL;

  g_signal_connect_swapped (summary, "changed", G_CALLBACK (summary_changed_cb), self);
  self->watch_id = g_bus_watch_name_on_connection (connection, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared_cb, NULL, self, NULL);

  return g_steal_pointer (&self);
}
