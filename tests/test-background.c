/* test-background.c — the real AditApplication running in the background, on a private
 * session bus (GTestDBus) under Xvfb, with a tunnel to a throwaway sshd:
 *   `adit --connect`, `--list`, `--quit` from a second, real `adit` process; the D-Bus actions a
 *   script uses; closing the window while the tunnel runs (Adit and the tunnel go on); the
 *   notifications a desktop gets when the server goes away (withdrawn once the tunnel is back)
 *   and when it returns with another identity; start at login without a Background portal
 *   (an XDG autostart entry); and Quit, which disconnects from the server before Adit ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libssh/libssh.h>

#include "adit-application.h"
#include "adit-test-echo.h"
#include "adit-test-sshd.h"
#include "adit-test-util.h"
#include "adit-window.h"

#define WAIT_SECONDS 30

typedef struct
{
  AditApplication *app;
  AditTestSshd    *sshd;
  AditTestEcho    *echo;
  guint16          port;
  gboolean         window_closed_checked;
  gint64           quit_asked;
  /* what the desktop's notification server (this test) was sent */
  GPtrArray       *notified;    /* "id\ttitle\tbody" */
  GPtrArray       *withdrawn;   /* ids */
} Run;

static GTestDBus *test_bus;

/* ---- waiting, from inside the application's own main loop ---- */

static void
wait_for (AditTestCondition  condition,
          gpointer           data,
          const char        *what)
{
  adit_test_wait_for (condition, data, what, WAIT_SECONDS);
}

static AditRunner *
echo_runner (Run *run)
{
  AditManager *manager = adit_application_get_manager (run->app);
  AditTunnel *tunnel = adit_manager_find_tunnel (manager, "Echo");

  g_assert_nonnull (tunnel);
  return adit_manager_get_runner (manager, tunnel);
}

static gboolean
is_connected (gpointer data)
{
  return adit_runner_get_state (echo_runner (data)) == ADIT_CONNECTION_STATE_CONNECTED;
}

static gboolean
is_off (gpointer data)
{
  return !adit_runner_is_active (echo_runner (data));
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
file_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

/* ---- a second `adit`, as a person or a script runs it ---- */

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
  int       status;
} Command;

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Command *command = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &command->out,
                                        &command->err, &error);
  g_assert_no_error (error);
  command->status = g_subprocess_get_exit_status (G_SUBPROCESS (object));
  command->done = TRUE;
}

static gboolean
command_is_done (gpointer data)
{
  return ((Command *)data)->done;
}

/* Runs the real adit with @args; the running one (this process) answers meanwhile. */
static int
run_adit (const char * const *args,
          char              **out,
          char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Command command = { 0 };

  g_ptr_array_add (argv, (gpointer)g_getenv ("ADIT_APP"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *)argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, command_done_cb, &command);
  wait_for (command_is_done, &command, "the second adit to finish");
  g_test_message ("adit %s → %d: %s%s", args[0], command.status, command.out, command.err);

  *out = command.out;
  *err = command.err;
  return command.status;
}

/* ---- D-Bus, as a script sees the app ---- */

typedef struct
{
  gboolean  done;
  GVariant *reply;
} Call;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_assert_no_error (error);
  call->done = TRUE;
}

static gboolean
call_is_done (gpointer data)
{
  return ((Call *)data)->done;
}

static GVariant *
call_actions (const char *method,
              GVariant   *parameters)
{
  GDBusConnection *bus = g_application_get_dbus_connection (g_application_get_default ());
  g_autofree char *path = g_strconcat ("/", APP_ID, NULL);
  Call call = { 0 };

  g_strdelimit (path, ".", '/');
  g_dbus_connection_call (bus, APP_ID, path, "org.gtk.Actions", method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, call_done_cb, &call);
  wait_for (call_is_done, &call, "a D-Bus call to the app");
  return call.reply;
}

static void
activate_over_dbus (const char *action,
                    const char *tunnel)
{
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder parameter;

  g_variant_builder_init (&parameter, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&parameter, "v", g_variant_new_string (tunnel));
  reply = call_actions ("Activate", g_variant_new ("(sava{sv})", action, &parameter, NULL));
}

/* The "tunnels" action's state as a script reads it: one (uuid, name, state, connections)
 * per tunnel. Describe answers ((bgav)): enabled, parameter type, and the state. */
static gboolean
dbus_says_connected (gpointer data)
{
  g_autoptr(GVariant) described = call_actions ("Describe", g_variant_new ("(s)", "tunnels"));
  g_autoptr(GVariant) description = g_variant_get_child_value (described, 0);
  g_autoptr(GVariant) states = g_variant_get_child_value (description, 2);
  g_autoptr(GVariant) boxed = NULL;
  g_autoptr(GVariant) state = NULL;
  const char *uuid, *name, *state_nick;
  guint32 open;

  g_assert_cmpuint (g_variant_n_children (states), ==, 1);
  boxed = g_variant_get_child_value (states, 0);
  state = g_variant_get_variant (boxed);
  g_assert_cmpuint (g_variant_n_children (state), ==, 1);
  g_variant_get_child (state, 0, "(&s&s&su)", &uuid, &name, &state_nick, &open);
  g_assert_cmpstr (name, ==, "Echo");
  g_assert_cmpstr (uuid, ==, "echo");
  g_assert_cmpuint (open, ==, 0);

  return g_str_equal (state_nick, "connected");
}

/* ---- the desktop's notification server, as GNOME Shell provides it ---- */

static const char notifications_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  "<method name='AddNotification'><arg type='s'/><arg type='s'/><arg type='a{sv}'/></method>"
  "<method name='RemoveNotification'><arg type='s'/><arg type='s'/></method>"
  "</interface></node>";

static void
notifications_call_cb (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *path,
                       const char            *interface,
                       const char            *method,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  Run *run = user_data;
  const char *app_id, *id;

  if (g_str_equal (method, "AddNotification"))
    {
      g_autoptr(GVariant) notification = NULL;
      const char *title = "", *body = "";

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &notification);
      g_variant_lookup (notification, "title", "&s", &title);
      g_variant_lookup (notification, "body", "&s", &body);
      g_ptr_array_add (run->notified, g_strdup_printf ("%s\t%s\t%s", id, title, body));
    }
  else
    {
      g_variant_get (parameters, "(&s&s)", &app_id, &id);
      g_ptr_array_add (run->withdrawn, g_strdup (id));
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
name_is_owned (gpointer data)
{
  return *(gboolean *)data;
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *)user_data = TRUE;
}

/* GLib sends notifications to org.gtk.Notifications when someone owns it at the first one. */
static void
serve_notifications (Run *run)
{
  static const GDBusInterfaceVTable vtable = { .method_call = notifications_call_cb };
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  gboolean owned = FALSE;

  g_assert_nonnull (bus);
  g_dbus_connection_register_object (bus, "/org/gtk/Notifications", node->interfaces[0],
                                     &vtable, run, NULL, NULL);
  g_bus_own_name_on_connection (bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                name_acquired_cb, NULL, &owned, NULL);
  wait_for (name_is_owned, &owned, "the notification server's name");
}

static gboolean
was_notified (gpointer data)
{
  return ((Run *)data)->notified->len > 0;
}

/* Lost (withdrawn), lost again, then stopped. */
static gboolean
three_notified (gpointer data)
{
  return ((Run *)data)->notified->len >= 3;
}

static gboolean
was_withdrawn (gpointer data)
{
  return ((Run *)data)->withdrawn->len > 0;
}

/* ---- the run ---- */

static void
assert_serves (Run *run)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (adit_test_round_trip (run->port, "through the app", &error));
  g_assert_no_error (error);
}

static gboolean
after_window_closed_cb (gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *autostart = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.adit.Adit");
  g_autofree char *entry = NULL;
  g_autofree char *known = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* The window is gone, Adit is still here, and so is the tunnel. */
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (run->app)));
  g_assert_true (is_connected (run));
  assert_serves (run);
  run->window_closed_checked = TRUE;

  /* The server goes away behind the person's back: a notification, withdrawn once the
   * tunnel is back by itself. */
  adit_test_sshd_kill_all (run->sshd, SIGKILL);
  wait_for (was_notified, run, "a notification about the lost connection");
  g_assert_cmpstr (g_ptr_array_index (run->notified, 0), ==,
                   "tunnel-echo\t“Echo” lost its connection\t"
                   "Adit is connecting again by itself. Programs using the tunnel may need a "
                   "moment.");
  g_assert_true (adit_test_sshd_restart (run->sshd, NULL));
  wait_for (is_connected, run, "the tunnel to come back");
  wait_for (was_withdrawn, run, "the notification to be withdrawn");
  g_assert_cmpstr (g_ptr_array_index (run->withdrawn, 0), ==, "tunnel-echo");
  assert_serves (run);

  /* It comes back with another identity: Adit stops and says so. */
  adit_test_sshd_kill_all (run->sshd, SIGKILL);
  g_assert_true (g_file_get_contents (run->sshd->known_hosts, &known, NULL, NULL));
  g_assert_true (g_file_get_contents (run->sshd->wrong_known_hosts, &wrong, NULL, NULL));
  g_assert_true (g_file_set_contents (run->sshd->known_hosts, wrong, -1, NULL));
  g_assert_true (adit_test_sshd_restart (run->sshd, NULL));
  wait_for (is_off, run, "the tunnel to stop");
  wait_for (three_notified, run, "a notification about the changed identity");
  g_assert_true (g_str_has_prefix (g_ptr_array_index (run->notified, 2),
                                   "tunnel-echo\t“Echo” stopped: the server’s identity changed\t"
                                   "The identity of "));
  /* The administrator confirms the old key after all; a script connects it again. */
  g_assert_true (g_file_set_contents (run->sshd->known_hosts, known, -1, NULL));
  activate_over_dbus ("connect", "Echo");
  wait_for (is_connected, run, "the tunnel to connect once more");

  /* Start at login, without a Background portal on this bus: an autostart entry. */
  autostart = g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
  g_settings_set_boolean (settings, "start-at-login", TRUE);
  wait_for (file_exists, autostart, "the autostart entry");
  g_assert_true (g_file_get_contents (autostart, &entry, NULL, NULL));
  g_assert_nonnull (strstr (entry, " --background\n"));
  g_settings_set_boolean (settings, "start-at-login", FALSE);
  wait_for (file_gone, autostart, "the autostart entry to go");

  /* Quit from the command line: the tunnel disconnects, then Adit ends. */
  run->quit_asked = g_get_monotonic_time ();
  g_assert_cmpint (run_adit ((const char *[]){ "--quit", NULL }, &out, &err), ==, 0);

  return G_SOURCE_REMOVE;
}

static gboolean
drive_cb (gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autofree char *missing_err = NULL;
  g_autofree char *missing_out = NULL;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  g_assert_true (ADIT_IS_WINDOW (window));

  /* adit --connect NAME, from a second process: the running Adit connects it. */
  g_assert_cmpint (run_adit ((const char *[]){ "--connect", "Echo", NULL }, &out, &err), ==, 0);
  wait_for (is_connected, run, "the tunnel to connect");
  assert_serves (run);

  g_assert_cmpint (run_adit ((const char *[]){ "--list", NULL }, &list, &err), ==, 0);
  g_assert_nonnull (strstr (list, "Echo\tConnected, 0 connections\t"));
  g_assert_cmpint (run_adit ((const char *[]){ "--connect", "Nope", NULL }, &missing_out,
                             &missing_err), ==, 1);
  g_assert_nonnull (strstr (missing_err, "no tunnel called “Nope”"));

  /* The D-Bus actions a script uses. */
  activate_over_dbus ("disconnect", "echo");   /* names match in any case */
  wait_for (is_off, run, "the tunnel to disconnect");
  activate_over_dbus ("connect", "Echo");
  wait_for (is_connected, run, "the tunnel to connect again");
  /* The "tunnels" state follows within the summary's quarter second. */
  wait_for (dbus_says_connected, NULL, "the tunnels action's state to say connected");

  /* Closing the window leaves Adit and the tunnel running. */
  gtk_window_close (window);
  g_timeout_add (1500, after_window_closed_cb, run);

  return G_SOURCE_REMOVE;
}

static void
write_tunnel_file (Run *run)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "adit", "tunnels", NULL);
  g_autofree char *path = g_build_filename (dir, "echo.sshtunnel", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("[Tunnel]\nVersion=1\nName=Echo\nHost=%s\nPort=%u\nUser=%s\n"
                              "IdentityFile=%s\nAuthentication=key-file\n"
                              "StrictHostKeyChecking=yes\nUserKnownHostsFile=%s\n"
                              "ConnectAtStart=true\nLocalForward=%u:127.0.0.1:%u;\n",
                              run->sshd->listen_address, run->sshd->port, run->sshd->user,
                              run->sshd->client_key, run->sshd->known_hosts, run->port,
                              run->echo->port);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
test_background (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  const char *argv[] = { "adit", NULL };
  Run run = { 0 };
  int status;

  run.sshd = adit_test_sshd_start_or_skip (NULL);
  if (run.sshd == NULL)
    return;
  run.echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  run.port = adit_test_free_port ("127.0.0.1", &error);
  g_assert_no_error (error);
  write_tunnel_file (&run);

  /* A script's `adit --list` while Adit is not running: it answers and ends, and connects
   * nothing, not even a tunnel set to connect when Adit starts. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_adit ((const char *[]){ "--list", NULL }, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "Echo\tOff\t"));
    g_assert_false (adit_test_wait_port ("127.0.0.1", run.port, 100, NULL));
  }

  run.notified = g_ptr_array_new_with_free_func (g_free);
  run.withdrawn = g_ptr_array_new_with_free_func (g_free);
  serve_notifications (&run);

  run.app = adit_application_new ();
  g_idle_add (drive_cb, &run);
  status = g_application_run (G_APPLICATION (run.app), 1, (char **)argv);

  /* Quit came after the window closed, and ended the run it kept alive. */
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.window_closed_checked);
  g_assert_cmpint (g_get_monotonic_time () - run.quit_asked, <, 5 * G_USEC_PER_SEC);
  /* The tunnel said goodbye to its server, and its port is free again. */
  g_assert_true (g_file_get_contents (run.sshd->log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "Received disconnect"));
  g_assert_false (adit_test_wait_port ("127.0.0.1", run.port, 100, NULL));

  g_clear_object (&run.app);
  g_ptr_array_unref (run.notified);
  g_ptr_array_unref (run.withdrawn);
  adit_test_echo_free (run.echo);
  adit_test_sshd_free (run.sshd);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  g_autofree char *keyring = g_build_filename (home, "keyring", NULL);
  g_autofree char *display = NULL;
  int status;

  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring-password", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);   /* no accessibility bus on the private one */

  /* A bus of its own: the app's well-known name, its tray and the second adit live there.
   * GTestDBus unsets DISPLAY (against X11 autolaunching a bus); the window needs it. */
  display = g_strdup (g_getenv ("DISPLAY"));
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ssh_init ();

  g_test_add_func ("/adit/background/keeps-running-scripts-quit", test_background);
  status = g_test_run ();

  /* Not _down (), which waits for the bus connection to be finalized: libadwaita keeps its
   * portal proxy, and with it the connection, for good. The bus is left to its watcher
   * process, which ends it with this one. */
  g_test_dbus_stop (test_bus);
  adit_test_remove_tree (home, NULL);
  return status;
}
