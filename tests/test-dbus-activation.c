/* test-dbus-activation.c — Adit started the way GNOME Shell and the file manager start it: by
 * its bus name, through the D-Bus service file the build installs (the desktop file says
 * DBusActivatable=true). On a private bus (GTestDBus) whose service folder holds that file,
 * an org.freedesktop.Application.Activate call starts the real `adit`, which shows its window;
 * the app.quit action ends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "adit-test-util.h"

#define WAIT_SECONDS 30

static char *
object_path (void)
{
  char *path = g_strconcat ("/", APP_ID, NULL);

  return g_strdelimit (path, ".", '/');
}

/* The service file as built, pointed at this build's adit. */
static char *
write_service_dir (const char *home)
{
  g_autofree char *built = NULL;
  g_autofree char *dir = g_build_filename (home, "dbus-services", NULL);
  g_autofree char *path = g_build_filename (dir, APP_ID ".service", NULL);
  g_autofree char *exec_line = NULL;
  g_autoptr(GString) copy = NULL;
  g_autoptr(GError) error = NULL;
  char *exec;

  g_assert_true (g_file_get_contents (g_getenv ("ADIT_DBUS_SERVICE"), &built, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (built, "\nName=" APP_ID "\n"));
  exec = strstr (built, "\nExec=");
  g_assert_nonnull (exec);
  exec_line = g_strndup (exec + 1, strcspn (exec + 1, "\n"));
  g_assert_true (g_str_has_suffix (exec_line, "/adit --gapplication-service"));

  copy = g_string_new (built);
  g_string_replace (copy, exec_line, "", 1);
  g_string_append_printf (copy, "Exec=%s --gapplication-service\n", g_getenv ("ADIT_APP"));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, copy->str, -1, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&dir);
}

/* What the activated adit gets: this test's display, schema, home and private keyring. */
static void
share_environment (GDBusConnection *bus)
{
  static const char *names[] = {
    "DISPLAY", "GSETTINGS_SCHEMA_DIR", "GSETTINGS_BACKEND", "HOME", "XDG_CONFIG_HOME",
    "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "GTK_A11Y",
    "SECRET_BACKEND", "SECRET_FILE_TEST_PATH", "SECRET_FILE_TEST_PASSWORD", "LC_ALL",
  };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder environment;

  g_variant_builder_init (&environment, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_getenv (names[i]) != NULL)
      g_variant_builder_add (&environment, "{ss}", names[i], g_getenv (names[i]));

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                       g_variant_new ("(a{ss})", &environment), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

typedef struct
{
  GDBusConnection *bus;
  char            *path;
} App;

/* The windows GtkApplication exports under <path>/window/<id>. */
static gboolean
has_window (gpointer data)
{
  App *app = data;
  g_autofree char *windows = g_strconcat (app->path, "/window", NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  const char *xml;

  reply = g_dbus_connection_call_sync (app->bus, APP_ID, windows,
                                       "org.freedesktop.DBus.Introspectable", "Introspect",
                                       NULL, G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, NULL);
  return node != NULL && node->nodes != NULL && node->nodes[0] != NULL;
}

static gboolean
is_gone (gpointer data)
{
  App *app = data;
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = TRUE;

  reply = g_dbus_connection_call_sync (app->bus, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", APP_ID),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return !owned;
}

static void
test_activation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  App app = { 0 };

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("No display: run under xvfb-run (build-aux/dev.sh test does).");
      return;
    }

  app.bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  app.path = object_path ();
  share_environment (app.bus);

  /* Nothing runs yet: the bus starts adit for this call. */
  g_assert_true (is_gone (&app));
  reply = g_dbus_connection_call_sync (app.bus, APP_ID, app.path,
                                       "org.freedesktop.Application", "Activate",
                                       g_variant_new ("(a{sv})", NULL), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, WAIT_SECONDS * 1000, NULL, &error);
  g_assert_no_error (error);
  adit_test_wait_for (has_window, &app, "the activated Adit's window", WAIT_SECONDS);

  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (app.bus, APP_ID, app.path, "org.gtk.Actions", "Activate",
                                       g_variant_new ("(sava{sv})", "quit", NULL, NULL), NULL,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &error);
  g_assert_no_error (error);
  adit_test_wait_for (is_gone, &app, "Adit to quit", WAIT_SECONDS);

  g_free (app.path);
  g_object_unref (app.bus);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  g_autofree char *keyring = g_build_filename (home, "keyring", NULL);
  g_autofree char *services = NULL;
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  g_autoptr(GTestDBus) bus = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring-password", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);   /* no accessibility bus on the private one */

  services = write_service_dir (home);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (bus, services);
  g_test_dbus_up (bus);
  /* GTestDBus unsets DISPLAY (against X11 autolaunching a bus); the activated app needs it. */
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  g_test_add_func ("/adit/dbus-activation/activate-and-quit", test_activation);
  status = g_test_run ();

  g_test_dbus_down (bus);
  adit_test_remove_tree (home, NULL);
  return status;
}
