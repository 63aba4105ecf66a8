/* test-background-portal.c — AditBackground against an XDG Background portal played by the
 * test on a private bus (GTestDBus), as xdg-desktop-portal answers inside a Flatpak: the
 * request carries the reason, autostart and the command line; the answer comes as a Response
 * signal on the request's own path; a refusal is reported; the status line follows, without
 * repeats and within the portal's length limit; nothing is written to the autostart folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "adit-background.h"
#include "adit-test-util.h"

#define WAIT_SECONDS 10

static const char portal_xml[] =
  "<node>"
  "<interface name='org.freedesktop.portal.Background'>"
  "  <method name='RequestBackground'>"
  "    <arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "    <arg type='o' direction='out'/>"
  "  </method>"
  "  <method name='SetStatus'><arg type='a{sv}' direction='in'/></method>"
  "  <property name='version' type='u' access='read'/>"
  "</interface>"
  "</node>";

typedef struct
{
  GDBusConnection *portal;   /* owns org.freedesktop.portal.Desktop */
  GDBusConnection *app;      /* what Adit uses */
  gboolean         grant;    /* how the person answers the portal's dialog */
  GVariant        *last_options;
  GPtrArray       *statuses;
  gboolean         done;
  gboolean         granted;
} Fixture;

static void
portal_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  Fixture *fixture = user_data;

  if (g_str_equal (method, "SetStatus"))
    {
      g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 0);
      const char *message = NULL;

      g_variant_lookup (options, "message", "&s", &message);
      g_ptr_array_add (fixture->statuses, g_strdup (message));
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }

  /* RequestBackground: the request object is named after the caller and its token. */
  {
    g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 1);
    g_autofree char *caller = g_strdelimit (g_strdup (sender + 1), ".", '_');
    const char *token = "none";
    g_autofree char *request = NULL;
    GVariantBuilder results;

    g_variant_lookup (options, "handle_token", "&s", &token);
    request = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", caller, token);
    g_clear_pointer (&fixture->last_options, g_variant_unref);
    fixture->last_options = g_variant_ref (options);
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", request));

    g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (fixture->grant));
    g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (fixture->grant));
    g_dbus_connection_emit_signal (connection, sender, request, "org.freedesktop.portal.Request",
                                   "Response",
                                   g_variant_new ("(ua{sv})", fixture->grant ? 0 : 1, &results),
                                   NULL);
  }
}

static GVariant *
portal_get_cb (GDBusConnection  *connection,
               const char       *sender,
               const char       *path,
               const char       *interface,
               const char       *property,
               GError          **error,
               gpointer          user_data)
{
  return g_variant_new_uint32 (2);
}

static void
start_portal (Fixture   *fixture,
              GTestDBus *bus)
{
  static const GDBusInterfaceVTable vtable = {
    .method_call = portal_call_cb,
    .get_property = portal_get_cb,
  };
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (portal_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  fixture->portal = adit_test_dbus_connect (bus);
  g_dbus_connection_register_object (fixture->portal, "/org/freedesktop/portal/desktop",
                                     node->interfaces[0], &vtable, fixture, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (fixture->portal, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.portal.Desktop", 0),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
requested_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;

  fixture->granted = adit_background_request_finish (ADIT_BACKGROUND (object), result, &error);
  g_assert_no_error (error);
  fixture->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((Fixture *)data)->done;
}

static gboolean
has_one_status (gpointer data)
{
  return ((Fixture *)data)->statuses->len >= 1;
}

static gboolean
has_two_statuses (gpointer data)
{
  return ((Fixture *)data)->statuses->len >= 2;
}

static void
request (Fixture        *fixture,
         AditBackground *background,
         gboolean        autostart)
{
  fixture->done = FALSE;
  adit_background_request_async (background, autostart, NULL, requested_cb, fixture);
  adit_test_wait_for (is_done, fixture, "the portal's answer", WAIT_SECONDS);
}

static void
test_portal (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(AditBackground) background = NULL;
  g_autofree char *autostart_entry = NULL;
  g_autofree char *long_status = NULL;
  const char **commandline = NULL;
  gboolean autostart = FALSE;
  const char *reason = NULL;
  Fixture fixture = { 0 };

  g_test_dbus_up (bus);
  fixture.statuses = g_ptr_array_new_with_free_func (g_free);
  start_portal (&fixture, bus);
  fixture.app = adit_test_dbus_connect (bus);
  background = adit_background_new (fixture.app, "io.github.adit.Adit");
  autostart_entry = adit_background_autostart_path (background);

  /* Granted: what was asked is what a person reads in the portal's dialog. */
  fixture.grant = TRUE;
  request (&fixture, background, TRUE);
  g_assert_true (fixture.granted);
  g_assert_true (g_variant_lookup (fixture.last_options, "autostart", "b", &autostart));
  g_assert_true (autostart);
  g_assert_true (g_variant_lookup (fixture.last_options, "reason", "&s", &reason));
  g_assert_cmpstr (reason, ==, "Keeps your tunnels connected while its window is closed.");
  g_assert_true (g_variant_lookup (fixture.last_options, "commandline", "^a&s", &commandline));
  g_assert_cmpstr (commandline[0], ==, "adit");
  g_assert_cmpstr (commandline[1], ==, "--background");
  g_assert_null (commandline[2]);
  g_free (commandline);
  /* The portal does the autostart; Adit does not write its own entry as well. */
  g_assert_false (g_file_test (autostart_entry, G_FILE_TEST_EXISTS));

  /* Refused in the dialog: reported as not granted, no error. */
  fixture.grant = FALSE;
  request (&fixture, background, FALSE);
  g_assert_false (fixture.granted);
  g_assert_true (g_variant_lookup (fixture.last_options, "autostart", "b", &autostart));
  g_assert_false (autostart);

  /* The status line: once per change, cut to the portal's 96 characters. */
  adit_background_set_status (background, "1 tunnel connected, 2 connections");
  adit_background_set_status (background, "1 tunnel connected, 2 connections");
  long_status = g_strnfill (120, 'x');
  adit_background_set_status (background, long_status);
  adit_test_wait_for (has_two_statuses, &fixture, "two status lines", WAIT_SECONDS);
  adit_test_iterate_for (200);
  g_assert_cmpuint (fixture.statuses->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture.statuses, 0), ==,
                   "1 tunnel connected, 2 connections");
  g_assert_cmpuint (strlen (g_ptr_array_index (fixture.statuses, 1)), ==, 96);

  g_clear_object (&background);

  /* A status set before the portal's version is known is sent once it is. */
  g_ptr_array_set_size (fixture.statuses, 0);
  background = adit_background_new (fixture.app, "io.github.adit.Adit");
  adit_background_set_status (background, "No tunnels connected");
  adit_test_wait_for (has_one_status, &fixture, "the first status line", WAIT_SECONDS);
  g_assert_cmpstr (g_ptr_array_index (fixture.statuses, 0), ==, "No tunnels connected");
  g_clear_object (&background);

  g_dbus_connection_close_sync (fixture.app, NULL, NULL);
  g_dbus_connection_close_sync (fixture.portal, NULL, NULL);
  g_clear_object (&fixture.app);
  g_clear_object (&fixture.portal);
  g_clear_pointer (&fixture.last_options, g_variant_unref);
  g_ptr_array_unref (fixture.statuses);
  g_test_dbus_down (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/adit/background-portal/request-and-status", test_portal);
  status = g_test_run ();
  adit_test_remove_tree (home, NULL);
  return status;
}
