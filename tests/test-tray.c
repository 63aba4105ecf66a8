/* test-tray.c — the tray icon as a desktop panel sees it, on a private D-Bus: the test plays
 * the StatusNotifierWatcher and the host that draws the icon and its menu, on a connection of
 * its own, and reads and clicks only through D-Bus. A real tunnel through a throwaway sshd
 * shows that the tooltip and the menu follow real connections, and that traffic alone does
 * not flood the bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "adit-engine.h"
#include "adit-status-notifier.h"
#include "adit-test-fixtures.h"

#define WAIT_SECONDS 30
/* How soon a change in open connections must show in the tooltip and the menu. */
#define FOLLOW_SECONDS 2
/* How soon a lost server must show. */
#define LOSS_SECONDS 5
/* How far off the next try must be when "Retry Now" is clicked, so that the click, not the
 * engine's own try, is what brings the tunnel back. */
#define RETRY_AHEAD_SECONDS 5

#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define ITEM_PATH "/StatusNotifierItem"
#define MENU_INTERFACE "com.canonical.dbusmenu"
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"

static const char watcher_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierWatcher'>"
  "    <method name='RegisterStatusNotifierItem'>"
  "      <arg name='service' type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static GTestDBus *test_bus;

typedef struct
{
  char *config_dir;
  AditStore *store;
  AditManager *manager;
  AditStatusSummary *summary;
  AditStatusNotifier *notifier;
  AditTestSshd *sshd;
  AditTestEcho *echo;

  GDBusConnection *app_bus;    /* Adit's connection: the icon and its menu live here */
  GDBusConnection *host_bus;   /* the desktop's: the watcher and the panel */

  /* the watcher */
  GDBusNodeInfo *watcher_info;
  guint watcher_object;
  guint watcher_owner;         /* g_bus_own_name id, 0 when the name is not wanted */
  guint watcher_watch;
  gboolean watcher_on_bus;
  guint registrations;
  char *registered_service;
  char *registered_sender;

  /* the panel */
  guint item_signals;
  guint menu_signals;
  guint new_tool_tips;
  char *last_status;           /* from NewStatus */
  guint layout_updates;
  guint property_updates;      /* ItemsPropertiesUpdated */

  /* the app */
  guint activated;
  guint quit;
  GSimpleActionGroup *actions;  /* app.connect, app.disconnect, app.retry */
  char *last_action;            /* "connect uuid" */
} Fixture;

/* ---- waiting ---- */

typedef gboolean (*Condition) (Fixture *fixture, gconstpointer data);

/* Runs the main loop until @condition holds, for at most @seconds. */
static gboolean
wait_until (Fixture       *fixture,
            Condition      condition,
            gconstpointer  data,
            guint          seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!condition (fixture, data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

static void
spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* ---- the panel's side: calls over its own connection ---- */

typedef struct
{
  GVariant *reply;
  GError *error;
  gboolean done;
} Reply;

static void
reply_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Reply *reply = user_data;

  reply->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                &reply->error);
  reply->done = TRUE;
}

/* A call that lets the main loop run meanwhile: Adit answers from the same thread. */
static GVariant *
call (Fixture            *fixture,
      const char         *path,
      const char         *interface,
      const char         *method,
      GVariant           *parameters,
      const GVariantType *reply_type,
      GError            **error)
{
  Reply reply = { 0 };

  g_dbus_connection_call (fixture->host_bus, g_dbus_connection_get_unique_name (fixture->app_bus),
                          path, interface, method, parameters, reply_type,
                          G_DBUS_CALL_FLAGS_NONE, WAIT_SECONDS * 1000, NULL, reply_cb, &reply);
  while (!reply.done)
    g_main_context_iteration (NULL, TRUE);

  if (reply.error != NULL)
    g_propagate_error (error, reply.error);
  return reply.reply;
}

static GVariant *
call_or_fail (Fixture            *fixture,
              const char         *path,
              const char         *interface,
              const char         *method,
              GVariant           *parameters,
              const GVariantType *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = call (fixture, path, interface, method, parameters, reply_type, &error);

  g_assert_no_error (error);
  return reply;
}

static GVariant *
item_property (Fixture    *fixture,
               const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  GVariant *value;

  reply = call_or_fail (fixture, ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                        g_variant_new ("(ss)", ITEM_INTERFACE, name), G_VARIANT_TYPE ("(v)"));
  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
item_string (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GVariant) value = item_property (fixture, name);

  return g_variant_dup_string (value, NULL);
}

/* The sentence under the tooltip's title. */
static char *
tool_tip_text (Fixture *fixture)
{
  g_autoptr(GVariant) tool_tip = item_property (fixture, "ToolTip");
  char *text;

  g_assert_cmpstr (g_variant_get_type_string (tool_tip), ==, "(sa(iiay)ss)");
  g_variant_get_child (tool_tip, 3, "s", &text);
  return text;
}

/* Where the host finds the menu: the item's Menu property. */
static char *
menu_path (Fixture *fixture)
{
  g_autoptr(GVariant) path = item_property (fixture, "Menu");

  return g_variant_dup_string (path, NULL);
}

/* The root's children as (ia{sv}av) variants. */
static GVariant *
menu_layout (Fixture *fixture)
{
  g_autofree char *path = menu_path (fixture);
  g_autoptr(GVariant) reply = NULL;
  GVariant *layout;
  guint revision;

  reply = call_or_fail (fixture, path, MENU_INTERFACE, "GetLayout",
                        g_variant_new ("(ii@as)", 0, -1, g_variant_new_strv (NULL, 0)),
                        G_VARIANT_TYPE ("(u(ia{sv}av))"));
  g_variant_get (reply, "(u@(ia{sv}av))", &revision, &layout);
  return layout;
}

typedef struct
{
  gint32 id;
  char *label;          /* "---" for a separator */
  char *toggle_type;
  gint32 toggle_state;
} MenuItem;

static void
menu_item_clear (gpointer data)
{
  MenuItem *item = data;

  g_free (item->label);
  g_free (item->toggle_type);
}

static GArray *
menu_items (Fixture *fixture)
{
  g_autoptr(GVariant) layout = menu_layout (fixture);
  g_autoptr(GVariant) children = g_variant_get_child_value (layout, 2);
  GArray *items = g_array_new (FALSE, TRUE, sizeof (MenuItem));

  g_array_set_clear_func (items, menu_item_clear);
  for (gsize i = 0; i < g_variant_n_children (children); i++)
    {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (children, i);
      g_autoptr(GVariant) child = g_variant_get_variant (boxed);
      g_autoptr(GVariant) properties = g_variant_get_child_value (child, 1);
      MenuItem item = { 0 };
      const char *type = NULL;

      g_variant_get_child (child, 0, "i", &item.id);
      if (g_variant_lookup (properties, "type", "&s", &type) && g_str_equal (type, "separator"))
        item.label = g_strdup ("---");
      else
        g_assert_true (g_variant_lookup (properties, "label", "s", &item.label));
      g_variant_lookup (properties, "toggle-type", "s", &item.toggle_type);
      g_variant_lookup (properties, "toggle-state", "i", &item.toggle_state);
      g_array_append_val (items, item);
    }
  return items;
}

static char *
menu_labels (Fixture *fixture)
{
  g_autoptr(GArray) items = menu_items (fixture);
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  for (guint i = 0; i < items->len; i++)
    g_strv_builder_add (labels, g_array_index (items, MenuItem, i).label);
  strv = g_strv_builder_end (labels);
  return g_strjoinv (" | ", strv);
}

/* The index in @items of the first item whose label starts with @prefix, or -1. */
static int
find_item (GArray     *items,
           const char *prefix)
{
  for (guint i = 0; i < items->len; i++)
    if (g_str_has_prefix (g_array_index (items, MenuItem, i).label, prefix))
      return i;
  return -1;
}

/* The item whose label starts with @prefix ("Echo — "); aborts the test when there is none. */
static MenuItem
menu_item (Fixture    *fixture,
           const char *prefix)
{
  g_autoptr(GArray) items = menu_items (fixture);
  int i = find_item (items, prefix);
  MenuItem *item, found;

  if (i < 0)
    g_error ("no menu item starts with “%s”", prefix);
  item = &g_array_index (items, MenuItem, i);
  found = *item;
  item->label = item->toggle_type = NULL;
  return found;
}

static void
menu_click (Fixture *fixture,
            gint32   id)
{
  g_autofree char *path = menu_path (fixture);
  g_autoptr(GVariant) reply = NULL;

  reply = call_or_fail (fixture, path, MENU_INTERFACE, "Event",
                        g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0),
                        NULL);
}

static void
menu_click_label (Fixture    *fixture,
                  const char *prefix)
{
  MenuItem item = menu_item (fixture, prefix);

  menu_click (fixture, item.id);
  menu_item_clear (&item);
}

/* ---- conditions ---- */

static gboolean
registered_times (Fixture       *fixture,
                  gconstpointer  data)
{
  return fixture->registrations >= GPOINTER_TO_UINT (data);
}

static gboolean
watcher_gone (Fixture       *fixture,
              gconstpointer  data)
{
  return !fixture->watcher_on_bus;
}

static gboolean
tool_tip_is (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *text = tool_tip_text (fixture);

  return g_strcmp0 (text, data) == 0;
}

static gboolean
status_is (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *status = item_string (fixture, "Status");

  return g_strcmp0 (status, data) == 0;
}

static gboolean
menu_has (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *labels = menu_labels (fixture);

  return strstr (labels, data) != NULL;
}

typedef char *(*Shown) (Fixture *fixture);

/* Fails the test unless @condition holds within @seconds, saying what @shown showed. */
static void
assert_within (Fixture    *fixture,
               Condition   condition,
               Shown       shown,
               const char *want,
               guint       seconds)
{
  gint64 start = g_get_monotonic_time ();

  if (!wait_until (fixture, condition, want, seconds))
    {
      g_autofree char *text = shown (fixture);

      g_error ("“%s” was shown, not “%s”, after %u s", text, want, seconds);
    }
  g_test_message ("“%s” shown after %" G_GINT64_FORMAT " ms", want,
                  (g_get_monotonic_time () - start) / G_TIME_SPAN_MILLISECOND);
}

static void
assert_tool_tip_within (Fixture    *fixture,
                        const char *text,
                        guint       seconds)
{
  assert_within (fixture, tool_tip_is, tool_tip_text, text, seconds);
}

static void
assert_menu_within (Fixture    *fixture,
                    const char *label,
                    guint       seconds)
{
  assert_within (fixture, menu_has, menu_labels, label, seconds);
}

/* ---- the watcher's side ---- */

static void
watcher_method_cb (GDBusConnection       *connection,
                   const char            *sender,
                   const char            *object_path,
                   const char            *interface_name,
                   const char            *method_name,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  Fixture *fixture = user_data;

  g_assert_cmpstr (method_name, ==, "RegisterStatusNotifierItem");
  g_clear_pointer (&fixture->registered_service, g_free);
  g_clear_pointer (&fixture->registered_sender, g_free);
  g_variant_get (parameters, "(s)", &fixture->registered_service);
  fixture->registered_sender = g_strdup (sender);
  fixture->registrations++;
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable watcher_vtable = {
  .method_call = watcher_method_cb,
};

static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  ((Fixture *) user_data)->watcher_on_bus = TRUE;
}

static void
watcher_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  ((Fixture *) user_data)->watcher_on_bus = FALSE;
}

static gboolean
watcher_up (Fixture       *fixture,
            gconstpointer  data)
{
  return fixture->watcher_on_bus;
}

static void
watcher_start (Fixture *fixture)
{
  g_assert_cmpuint (fixture->watcher_owner, ==, 0);
  fixture->watcher_owner = g_bus_own_name_on_connection (fixture->host_bus, WATCHER_NAME,
                                                         G_BUS_NAME_OWNER_FLAGS_NONE,
                                                         NULL, NULL, NULL, NULL);
  g_assert_true (wait_until (fixture, watcher_up, NULL, WAIT_SECONDS));
}

static void
watcher_stop (Fixture *fixture)
{
  g_clear_handle_id (&fixture->watcher_owner, g_bus_unown_name);
  g_assert_true (wait_until (fixture, watcher_gone, NULL, WAIT_SECONDS));
}

/* ---- the panel's signals ---- */

/* The icon's New… signals and the menu's LayoutUpdated. */
static void
panel_signal_cb (GDBusConnection *connection,
                 const char      *sender,
                 const char      *path,
                 const char      *interface,
                 const char      *signal,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  Fixture *fixture = user_data;

  if (g_str_equal (signal, "NewToolTip"))
    fixture->new_tool_tips++;
  else if (g_str_equal (signal, "LayoutUpdated"))
    fixture->layout_updates++;
  else if (g_str_equal (signal, "ItemsPropertiesUpdated"))
    fixture->property_updates++;
  else if (g_str_equal (signal, "NewStatus"))
    {
      g_free (fixture->last_status);
      g_variant_get (parameters, "(s)", &fixture->last_status);
    }
}

/* ---- fixture ---- */

static GDBusConnection *
connect_to_test_bus (void)
{
  const GDBusConnectionFlags flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                     | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                       flags, NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *system_dirs[] = { NULL };

  fixture->config_dir = g_dir_make_tmp ("adit-tray-config-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = adit_store_new (fixture->config_dir, system_dirs);
  adit_store_load (fixture->store);
  fixture->manager = adit_manager_new (fixture->store);
  fixture->summary = adit_status_summary_new (fixture->manager);

  fixture->app_bus = connect_to_test_bus ();
  fixture->host_bus = connect_to_test_bus ();

  fixture->watcher_info = g_dbus_node_info_new_for_xml (watcher_xml, &error);
  g_assert_no_error (error);
  fixture->watcher_object =
    g_dbus_connection_register_object (fixture->host_bus, WATCHER_PATH,
                                       fixture->watcher_info->interfaces[0], &watcher_vtable,
                                       fixture, NULL, &error);
  g_assert_no_error (error);
  fixture->watcher_watch = g_bus_watch_name_on_connection (fixture->host_bus, WATCHER_NAME,
                                                           G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                           watcher_appeared_cb,
                                                           watcher_vanished_cb, fixture, NULL);

  fixture->item_signals =
    g_dbus_connection_signal_subscribe (fixture->host_bus, NULL, ITEM_INTERFACE, NULL, NULL,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE, panel_signal_cb, fixture,
                                        NULL);
  fixture->menu_signals =
    g_dbus_connection_signal_subscribe (fixture->host_bus, NULL, MENU_INTERFACE, NULL, NULL,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE, panel_signal_cb, fixture,
                                        NULL);
}

static void
count_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* The application's tunnel actions, as AditApplication does them: start, stop, retry. */
static void
tunnel_action_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  Fixture *fixture = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  const char *uuid = g_variant_get_string (parameter, NULL);
  AditTunnel *tunnel = adit_store_lookup (fixture->store, uuid);
  AditRunner *runner;

  g_assert_nonnull (tunnel);
  g_free (fixture->last_action);
  fixture->last_action = g_strdup_printf ("%s %s", name, uuid);
  runner = adit_manager_get_runner (fixture->manager, tunnel);
  if (g_str_equal (name, "connect"))
    adit_runner_start (runner);
  else if (g_str_equal (name, "disconnect"))
    adit_runner_stop (runner);
  else
    adit_runner_retry_now (runner);
}

static void
start_notifier (Fixture *fixture)
{
  static const GActionEntry entries[] = {
    { .name = "connect", .activate = tunnel_action_cb, .parameter_type = "s" },
    { .name = "disconnect", .activate = tunnel_action_cb, .parameter_type = "s" },
    { .name = "retry", .activate = tunnel_action_cb, .parameter_type = "s" },
  };
  g_autoptr(GError) error = NULL;

  fixture->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->actions), entries,
                                   G_N_ELEMENTS (entries), fixture);
  fixture->notifier = adit_status_notifier_new (fixture->app_bus, fixture->summary, APP_ID,
                                                G_ACTION_GROUP (fixture->actions), &error);
  g_assert_no_error (error);
  g_signal_connect_swapped (fixture->notifier, "activate", G_CALLBACK (count_cb),
                            &fixture->activated);
  g_signal_connect_swapped (fixture->notifier, "quit", G_CALLBACK (count_cb), &fixture->quit);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  adit_manager_stop_all (fixture->manager);
  for (guint i = 0; i < 500 && adit_manager_count_active (fixture->manager) > 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }

  if (fixture->notifier != NULL)
    g_assert_finalize_object (fixture->notifier);
  g_clear_object (&fixture->actions);
  g_free (fixture->last_action);
  g_assert_finalize_object (fixture->summary);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->store);

  g_dbus_connection_signal_unsubscribe (fixture->host_bus, fixture->item_signals);
  g_dbus_connection_signal_unsubscribe (fixture->host_bus, fixture->menu_signals);
  g_clear_handle_id (&fixture->watcher_owner, g_bus_unown_name);
  g_clear_handle_id (&fixture->watcher_watch, g_bus_unwatch_name);
  g_dbus_connection_unregister_object (fixture->host_bus, fixture->watcher_object);
  g_dbus_node_info_unref (fixture->watcher_info);
  g_dbus_connection_close_sync (fixture->app_bus, NULL, NULL);
  g_dbus_connection_close_sync (fixture->host_bus, NULL, NULL);
  g_clear_object (&fixture->app_bus);
  g_clear_object (&fixture->host_bus);

  g_clear_pointer (&fixture->sshd, adit_test_sshd_free);
  g_clear_pointer (&fixture->echo, adit_test_echo_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  adit_test_remove_tree (fixture->config_dir, NULL);
  g_free (fixture->config_dir);
  g_free (fixture->registered_service);
  g_free (fixture->registered_sender);
  g_free (fixture->last_status);
}

/* A saved tunnel named @name, forwarding a free local port to @target_port on 127.0.0.1
 * through @ssh_port (the fixture's sshd when there is one). */
static AditTunnel *
save_tunnel (Fixture    *fixture,
             const char *name,
             guint16     ssh_port,
             guint16     target_port)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = NULL;
  g_autoptr(GError) error = NULL;
  guint16 local_port = adit_test_free_port ("127.0.0.1", &error);

  g_assert_no_error (error);
  forward = adit_forward_new (NULL, local_port, "127.0.0.1", target_port);
  adit_tunnel_set_name (tunnel, name);
  adit_tunnel_set_host (tunnel, "127.0.0.1");
  adit_tunnel_set_port (tunnel, ssh_port);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_STRICT);
  if (fixture->sshd != NULL)
    {
      adit_tunnel_set_user (tunnel, fixture->sshd->user);
      adit_tunnel_set_identity_file (tunnel, fixture->sshd->client_key);
      adit_tunnel_set_known_hosts_file (tunnel, fixture->sshd->known_hosts);
    }
  adit_tunnel_add_forward (tunnel, forward);
  g_assert_true (adit_store_save (fixture->store, tunnel, &error));
  g_assert_no_error (error);
  return adit_store_lookup (fixture->store, adit_tunnel_get_uuid (tunnel));
}

static guint16
local_port_of (AditTunnel *tunnel)
{
  AditForward *forward = g_ptr_array_index (adit_tunnel_get_forwards (tunnel), 0);

  return forward->bind_port;
}

/* ---- registration ---- */

/* The icon registered @times in all; the service it named is where the panel reads the icon
 * from: Adit's own connection. */
static void
assert_registered (Fixture *fixture,
                   guint    times)
{
  const char *adit = g_dbus_connection_get_unique_name (fixture->app_bus);

  g_assert_true (wait_until (fixture, registered_times, GUINT_TO_POINTER (times),
                             WAIT_SECONDS));
  g_assert_cmpuint (fixture->registrations, ==, times);
  g_assert_cmpstr (fixture->registered_service, ==, adit);
  g_assert_cmpstr (fixture->registered_sender, ==, adit);
}

static void
test_registers_with_watcher (Fixture       *fixture,
                             gconstpointer  data)
{
  watcher_start (fixture);
  start_notifier (fixture);
  assert_registered (fixture, 1);
}

/* No panel when Adit starts: no warning (this test runs with fatal warnings), and the icon
 * shows up once one starts, and again after it restarts. */
static void
test_registers_when_watcher_appears (Fixture       *fixture,
                                     gconstpointer  data)
{
  start_notifier (fixture);
  spin (300);
  g_assert_cmpuint (fixture->registrations, ==, 0);

  watcher_start (fixture);
  assert_registered (fixture, 1);

  watcher_stop (fixture);
  spin (100);
  g_assert_cmpuint (fixture->registrations, ==, 1);
  watcher_start (fixture);
  assert_registered (fixture, 2);
}

/* ---- what the panel shows ---- */

static void
test_properties_follow_state (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autoptr(GVariant) tool_tip = NULL;
  g_autoptr(GVariant) pixmaps = NULL;
  g_autofree char *idle_icon = g_strdup_printf ("%s-idle-symbolic", APP_ID);
  g_autofree char *problem_icon = g_strdup_printf ("%s-problem-symbolic", APP_ID);
  g_autofree char *icon = NULL;
  g_autofree char *title = NULL;
  const char *text;
  guint16 closed_port;
  MenuItem item;

  /* Nothing listens on the SSH port: connecting fails at once. */
  closed_port = adit_test_free_port ("127.0.0.1", &error);
  g_assert_no_error (error);
  save_tunnel (fixture, "Mail", closed_port, 110);
  start_notifier (fixture);

  reply = call_or_fail (fixture, ITEM_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                        g_variant_new ("(s)", ITEM_INTERFACE), G_VARIANT_TYPE ("(a{sv})"));
  g_variant_get (reply, "(@a{sv})", &all);
  g_assert_true (g_variant_lookup (all, "Category", "&s", &text));
  g_assert_cmpstr (text, ==, "ApplicationStatus");
  g_assert_true (g_variant_lookup (all, "Id", "&s", &text));
  g_assert_cmpstr (text, ==, APP_ID);
  g_assert_true (g_variant_lookup (all, "Title", "&s", &text));
  g_assert_cmpstr (text, ==, "Adit — No tunnels connected");
  g_assert_true (g_variant_lookup (all, "Status", "&s", &text));
  g_assert_cmpstr (text, ==, "Passive");
  g_assert_true (g_variant_lookup (all, "IconName", "&s", &text));
  g_assert_cmpstr (text, ==, idle_icon);
  g_assert_true (g_variant_lookup (all, "AttentionIconName", "&s", &text));
  g_assert_cmpstr (text, ==, problem_icon);
  g_assert_true (g_variant_lookup (all, "IconThemePath", "&s", &text));
  g_assert_cmpstr (text, ==, ICONDIR);
  g_assert_true (g_variant_lookup (all, "Menu", "&o", &text));
  g_assert_cmpstr (text, ==, "/MenuBar");
  {
    gboolean is_menu = TRUE;

    g_assert_true (g_variant_lookup (all, "ItemIsMenu", "b", &is_menu));
    g_assert_false (is_menu);
  }
  tool_tip = g_variant_lookup_value (all, "ToolTip", G_VARIANT_TYPE ("(sa(iiay)ss)"));
  g_assert_nonnull (tool_tip);
  g_variant_get (tool_tip, "(&s@a(iiay)&s&s)", &text, &pixmaps, NULL, NULL);
  g_assert_cmpstr (text, ==, idle_icon);
  g_assert_cmpuint (g_variant_n_children (pixmaps), ==, 0);
  g_variant_get_child (tool_tip, 2, "&s", &text);
  g_assert_cmpstr (text, ==, "Adit");
  g_variant_get_child (tool_tip, 3, "&s", &text);
  g_assert_cmpstr (text, ==, "No tunnels connected");

  /* The person turns the tunnel on from the menu; the server cannot be reached. */
  item = menu_item (fixture, "Mail — ");
  g_assert_cmpstr (item.label, ==, "Mail — Off");
  menu_click (fixture, item.id);
  menu_item_clear (&item);

  g_assert_true (wait_until (fixture, status_is, "NeedsAttention", WAIT_SECONDS));
  g_assert_cmpstr (fixture->last_status, ==, "NeedsAttention");
  icon = item_string (fixture, "IconName");
  g_assert_cmpstr (icon, ==, problem_icon);
  assert_menu_within (fixture, "Mail — Server unreachable", WAIT_SECONDS);
  item = menu_item (fixture, "Mail — ");
  g_assert_cmpint (item.toggle_state, ==, 0);
  menu_item_clear (&item);
  title = item_string (fixture, "Title");
  g_assert_cmpstr (title, ==, "Adit — No tunnels connected");
  g_assert_cmpint (adit_status_summary_get_state (fixture->summary), ==,
                   ADIT_SUMMARY_STATE_PROBLEM);
}

static void
test_menu_lists_tunnels (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *labels = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint32 mail_id, web_id;
  guint updates;

  save_tunnel (fixture, "Web", 22, 80);
  save_tunnel (fixture, "Mail", 22, 110);
  start_notifier (fixture);

  labels = menu_labels (fixture);
  g_assert_cmpstr (labels, ==, "Mail — Off | Web — Off | --- | Open Adit | Quit");
  items = menu_items (fixture);
  for (guint i = 0; i < 2; i++)
    {
      MenuItem *item = &g_array_index (items, MenuItem, i);

      g_assert_cmpstr (item->toggle_type, ==, "checkmark");
      g_assert_cmpint (item->toggle_state, ==, 0);
    }
  mail_id = g_array_index (items, MenuItem, 0).id;
  web_id = g_array_index (items, MenuItem, 1).id;

  /* A new tunnel: the host is told to fetch the menu again, and the others keep their ids. */
  updates = fixture->layout_updates;
  save_tunnel (fixture, "Backup", 22, 873);
  assert_menu_within (fixture, "Backup — Off | Mail — Off | Web — Off", WAIT_SECONDS);
  g_assert_cmpuint (fixture->layout_updates, >, updates);
  g_clear_pointer (&items, g_array_unref);
  items = menu_items (fixture);
  g_assert_cmpint (g_array_index (items, MenuItem, 1).id, ==, mail_id);
  g_assert_cmpint (g_array_index (items, MenuItem, 2).id, ==, web_id);

  /* Clicking the icon, and the last two items. */
  reply = call_or_fail (fixture, ITEM_PATH, ITEM_INTERFACE, "Activate",
                        g_variant_new ("(ii)", 0, 0), NULL);
  g_assert_cmpuint (fixture->activated, ==, 1);
  menu_click_label (fixture, "Open Adit");
  g_assert_cmpuint (fixture->activated, ==, 2);
  g_assert_cmpuint (fixture->quit, ==, 0);
  menu_click_label (fixture, "Quit");
  g_assert_cmpuint (fixture->quit, ==, 1);
}

/* ---- real connections ---- */

static int
open_client (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  int fd = adit_test_connect ("127.0.0.1", port, 10, &error);

  g_assert_no_error (error);
  /* A round trip: the connection really goes through the tunnel. */
  g_assert_true (adit_test_send_all (fd, "ping\n", 5, &error));
  line = adit_test_read_line (fd, 16, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ping");
  return fd;
}

/* The tunnel "Echo" to an echo server through the throwaway sshd, turned on from the menu
 * and connected; NULL when the test was skipped for want of sshd. */
static AditTunnel *
connect_echo (Fixture *fixture)
{
  AditTunnel *tunnel;

  fixture->sshd = adit_test_sshd_start_or_skip (NULL);
  if (fixture->sshd == NULL)
    return NULL;
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = save_tunnel (fixture, "Echo", fixture->sshd->port, fixture->echo->port);
  watcher_start (fixture);
  start_notifier (fixture);
  menu_click_label (fixture, "Echo — Off");
  assert_tool_tip_within (fixture, "1 tunnel connected, 0 connections", WAIT_SECONDS);
  return tunnel;
}

static void
test_follows_connections (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *icon = NULL;
  g_autofree char *title = NULL;
  AditTunnel *tunnel;
  guint16 local_port;
  MenuItem item;
  int fds[2];

  tunnel = connect_echo (fixture);
  if (tunnel == NULL)
    return;
  local_port = local_port_of (tunnel);
  g_assert_true (status_is (fixture, "Active"));
  icon = item_string (fixture, "IconName");
  g_assert_true (g_str_has_suffix (icon, "-connected-symbolic"));
  item = menu_item (fixture, "Echo — ");
  g_assert_cmpstr (item.label, ==, "Echo — 0 connections");
  g_assert_cmpint (item.toggle_state, ==, 1);
  menu_item_clear (&item);

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    fds[i] = open_client (local_port);
  assert_tool_tip_within (fixture, "1 tunnel connected, 2 connections", FOLLOW_SECONDS);
  title = item_string (fixture, "Title");
  g_assert_cmpstr (title, ==, "Adit — 1 tunnel connected, 2 connections");
  assert_menu_within (fixture, "Echo — 2 connections", FOLLOW_SECONDS);

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    close (fds[i]);
  assert_tool_tip_within (fixture, "1 tunnel connected, 0 connections", FOLLOW_SECONDS);
  assert_menu_within (fixture, "Echo — 0 connections", FOLLOW_SECONDS);

  /* The second click disconnects, through the application's own action. */
  menu_click_label (fixture, "Echo — ");
  assert_tool_tip_within (fixture, "No tunnels connected", WAIT_SECONDS);
  {
    g_autofree char *want = g_strdup_printf ("disconnect %s", adit_tunnel_get_uuid (tunnel));

    g_assert_cmpstr (fixture->last_action, ==, want);
  }
  assert_menu_within (fixture, "Echo — Off", WAIT_SECONDS);
  g_assert_true (status_is (fixture, "Passive"));
  g_assert_false (adit_test_wait_port ("127.0.0.1", local_port, 100, NULL));
}

typedef struct
{
  guint16 port;
  gint64 seconds;
  guint64 bytes;   /* sent and read back; read it after the thread ended */
  gint done;       /* atomic */
} Traffic;

/* Pushes data through the echo for a while, checking that every byte comes back. */
static gpointer
push_traffic (gpointer data)
{
  Traffic *traffic = data;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *out = g_malloc (64 * 1024);
  g_autofree guint8 *in = g_malloc (64 * 1024);
  gint64 end = g_get_monotonic_time () + traffic->seconds * G_USEC_PER_SEC;
  int fd = adit_test_connect ("127.0.0.1", traffic->port, 10, &error);

  g_assert_no_error (error);
  while (g_get_monotonic_time () < end)
    {
      gsize got = 0;

      adit_test_stream_fill (ADIT_TEST_ECHO_DEFAULT_SEED, traffic->bytes, out, 64 * 1024);
      g_assert_true (adit_test_send_all (fd, out, 64 * 1024, &error));
      while (got < 64 * 1024)
        {
          ssize_t n = recv (fd, in + got, 64 * 1024 - got, 0);

          g_assert_cmpint (n, >, 0);
          got += n;
        }
      g_assert_cmpmem (in, 64 * 1024, out, 64 * 1024);
      traffic->bytes += 64 * 1024;
    }
  close (fd);
  g_atomic_int_set (&traffic->done, TRUE);
  return NULL;
}

/* A busy tunnel's counters move several times a second; the panel hears only that a
 * connection opened and closed. */
static void
test_traffic_does_not_flood (Fixture       *fixture,
                             gconstpointer  data)
{
  AditTunnel *tunnel;
  AditRunner *runner;
  AditStats stats;
  GThread *thread;
  Traffic traffic = { 0 };
  guint stats_changes = 0;

  tunnel = connect_echo (fixture);
  if (tunnel == NULL)
    return;
  runner = adit_manager_get_runner (fixture->manager, tunnel);

  g_signal_connect_swapped (runner, "stats-changed", G_CALLBACK (count_cb), &stats_changes);
  fixture->new_tool_tips = 0;
  traffic.port = local_port_of (tunnel);
  traffic.seconds = 2;
  thread = g_thread_new ("traffic", push_traffic, &traffic);
  /* The main loop runs meanwhile, as in the app: the counters reach the runner live. */
  while (!g_atomic_int_get (&traffic.done))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_thread_join (thread);
  assert_tool_tip_within (fixture, "1 tunnel connected, 0 connections", FOLLOW_SECONDS);
  g_signal_handlers_disconnect_by_data (runner, &stats_changes);

  g_test_message ("%" G_GUINT64_FORMAT " bytes each way, %u counter updates, %u tooltip updates",
                  traffic.bytes, stats_changes, fixture->new_tool_tips);
  /* The counters did move, often… */
  adit_runner_get_stats (runner, &stats);
  g_assert_cmpuint (stats.bytes_sent, >=, traffic.bytes);
  g_assert_cmpuint (traffic.bytes, >, 1024 * 1024);
  g_assert_cmpuint (stats_changes, >=, 4);
  /* …and the panel heard of one connection opening and closing, not of the bytes. */
  g_assert_cmpuint (fixture->new_tool_tips, >=, 1);
  g_assert_cmpuint (fixture->new_tool_tips, <=, 3);
}

/* ---- losing the server ---- */

typedef struct
{
  guint signals_seen;       /* menu signals when the menu was last read */
  GHashTable *countdowns;   /* the different "Echo — Reconnecting in N s" labels seen */
  guint seconds;            /* N in the last label read, 0 when it had none */
  gint64 read_at;           /* when it was read, monotonic µs */
} Countdown;

/* The tunnel's item in @items: still trying, still ticked, with Retry Now right under it. */
static MenuItem *
assert_reconnecting (GArray *items)
{
  int i = find_item (items, "Echo — ");
  MenuItem *item;

  g_assert_cmpint (i, >=, 0);
  item = &g_array_index (items, MenuItem, i);
  g_assert_true (g_str_has_prefix (item->label, "Echo — Reconnecting"));
  g_assert_cmpint (item->toggle_state, ==, 1);
  g_assert_cmpuint (i + 1, <, items->len);
  g_assert_cmpstr (g_array_index (items, MenuItem, i + 1).label, ==, "Retry “Echo” Now");
  return item;
}

/* Reads the tunnel's item again whenever the host is told the menu changed, as a panel
 * would; holds once the countdown has moved and the next try is far enough off. */
static gboolean
countdown_far (Fixture       *fixture,
               gconstpointer  data)
{
  Countdown *countdown = (Countdown *) data;
  guint signals = fixture->layout_updates + fixture->property_updates;
  g_autoptr(GArray) items = NULL;
  MenuItem *item;

  if (signals == countdown->signals_seen)
    return FALSE;
  countdown->signals_seen = signals;

  items = menu_items (fixture);
  countdown->read_at = g_get_monotonic_time ();
  /* However often a try fails, the tunnel does not give up. */
  item = assert_reconnecting (items);

  countdown->seconds = 0;
  if (sscanf (item->label, "Echo — Reconnecting in %u s", &countdown->seconds) == 1
      && g_hash_table_add (countdown->countdowns, g_strdup (item->label)))
    g_test_message ("“%s”", item->label);

  return g_hash_table_size (countdown->countdowns) >= 2
         && countdown->seconds >= RETRY_AHEAD_SECONDS;
}

/* The server dies: the tray asks for attention, counts down to the next try and offers to
 * try at once; clicking that once the server is back reconnects before the countdown ends. */
static void
test_reconnecting_offers_retry (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GHashTable) countdowns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *labels = NULL;
  Countdown countdown = { G_MAXUINT, countdowns, 0, 0 };
  AditTunnel *tunnel;
  gint64 clicked, deadline;
  guint updates;

  tunnel = connect_echo (fixture);
  if (tunnel == NULL)
    return;

  updates = fixture->layout_updates;
  adit_test_sshd_kill_all (fixture->sshd, SIGKILL);
  assert_menu_within (fixture, "Echo — Reconnecting", LOSS_SECONDS);
  g_assert_true (status_is (fixture, "NeedsAttention"));
  g_assert_cmpstr (fixture->last_status, ==, "NeedsAttention");
  /* A new item: the host had to fetch the layout again. */
  g_assert_cmpuint (fixture->layout_updates, >, updates);
  items = menu_items (fixture);
  assert_reconnecting (items);

  /* The first tries come within a second or two, later ones further apart: keep the server
   * away until the countdown has visibly moved and the next try is a while off. */
  if (!wait_until (fixture, countdown_far, &countdown, WAIT_SECONDS))
    g_error ("after %u s the countdown showed %u labels, the last for %u s", WAIT_SECONDS,
             g_hash_table_size (countdowns), countdown.seconds);
  /* At least N - 1 s were left when the label was made; a second's slack for its way here. */
  deadline = countdown.read_at + (countdown.seconds - 2) * G_USEC_PER_SEC;

  g_assert_true (adit_test_sshd_restart (fixture->sshd, &error));
  g_assert_no_error (error);
  updates = fixture->layout_updates;
  clicked = g_get_monotonic_time ();
  menu_click_label (fixture, "Retry “Echo” Now");
  assert_menu_within (fixture, "Echo — 0 connections", WAIT_SECONDS);
  g_test_message ("connected %" G_GINT64_FORMAT " ms after the click, %" G_GINT64_FORMAT
                  " ms or more before the engine would have tried again",
                  (g_get_monotonic_time () - clicked) / G_TIME_SPAN_MILLISECOND,
                  (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  g_assert_true (status_is (fixture, "Active"));
  g_assert_cmpstr (fixture->last_status, ==, "Active");
  g_assert_cmpuint (fixture->layout_updates, >, updates);
  labels = menu_labels (fixture);
  g_assert_cmpstr (labels, ==, "Echo — 0 connections | --- | Open Adit | Quit");

  /* And the tunnel carries traffic again. */
  close (open_client (local_port_of (tunnel)));
}

#define ADD(name, func) \
  g_test_add ("/adit/tray/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  g_autofree char *keyring = g_build_filename (home, "keyring", NULL);
  int status;

  /* Runners read the keyring before connecting: libsecret's file backend, in this home. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring-password", TRUE);

  g_test_init (&argc, &argv, NULL);
  ssh_init ();

  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);

  ADD ("registers-with-watcher", test_registers_with_watcher);
  ADD ("registers-when-watcher-appears", test_registers_when_watcher_appears);
  ADD ("properties-follow-state", test_properties_follow_state);
  ADD ("menu-lists-tunnels", test_menu_lists_tunnels);
  ADD ("follows-connections", test_follows_connections);
  ADD ("traffic-does-not-flood", test_traffic_does_not_flood);
  ADD ("reconnecting-offers-retry", test_reconnecting_offers_retry);

  status = g_test_run ();

  g_test_dbus_down (test_bus);
  g_clear_object (&test_bus);
  ssh_finalize ();
  adit_test_remove_tree (home, NULL);
  return status;
}
