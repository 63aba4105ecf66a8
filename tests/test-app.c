/* test-app.c — the desktop app's real widgets under Xvfb: the editor's messages as the person
 * types, pasting an administrator's command, a row following a real tunnel through a
 * throwaway sshd, the host-key and password dialogs' decisions with the keyring (libsecret's
 * file backend), and one run the way a person goes: add a POP3 tunnel, connect, trust the
 * server, and fetch mail through it with curl.
 *
 * Widgets are found the way a screen reader would find them, by their titles, and driven
 * through their own text, actions and responses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libssh/libssh.h>

#include "adit-alert.h"
#include "adit-engine.h"
#include "adit-paste-dialog.h"
#include "adit-preferences.h"
#include "adit-question-dialog.h"
#include "adit-settings.h"
#include "adit-test-dovecot.h"
#include "adit-test-echo.h"
#include "adit-test-ssh-server.h"
#include "adit-test-sshd.h"
#include "adit-test-util.h"
#include "adit-tunnel-editor.h"
#include "adit-tunnel-row.h"
#include "adit-window.h"

#define WAIT_SECONDS 30

/* One registered application for every window of the run (D-Bus allows one object path). */
static GtkApplication *the_app;

typedef struct
{
  char *config_dir;
  AditStore *store;
  AditManager *manager;
  AditWindow *window;
  AditTestSshd *sshd;
} Fixture;

/* ---- waiting and finding ---- */

static void
wait_for (AditTestCondition  condition,
          gpointer           data,
          const char        *what)
{
  adit_test_wait_for (condition, data, what, WAIT_SECONDS);
}

static GtkWidget *
find_titled (GtkWidget  *root,
             GType       type,
             const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && ADW_IS_PREFERENCES_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_titled (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
type_into (GtkWidget  *root,
           const char *title,
           const char *text)
{
  GtkWidget *row = find_titled (root, ADW_TYPE_ENTRY_ROW, title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
choose (GtkWidget  *root,
        const char *title,
        guint       index)
{
  GtkWidget *row = find_titled (root, ADW_TYPE_COMBO_ROW, title);

  g_assert_nonnull (row);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), index);
}

static const char *
text_in (GtkWidget  *root,
         const char *title)
{
  GtkWidget *row = find_titled (root, ADW_TYPE_ENTRY_ROW, title);

  g_assert_nonnull (row);
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static GtkWidget *
find_of_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The Save button follows the editor.save action: can the person press it? */
static gboolean
can_save (AditTunnelEditor *editor)
{
  GtkWidget *save = find_button (GTK_WIDGET (editor), "_Save");

  g_assert_nonnull (save);
  return gtk_widget_get_sensitive (save);
}

/* ---- fixture ---- */

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *system_dirs[] = { NULL };

  fixture->config_dir = g_dir_make_tmp ("adit-app-config-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = adit_store_new (fixture->config_dir, system_dirs);
  adit_store_load (fixture->store);
  fixture->manager = adit_manager_new (fixture->store);
  fixture->window = adit_window_new (the_app, fixture->manager);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  adit_manager_stop_all (fixture->manager);
  for (guint i = 0; i < 200 && adit_manager_count_active (fixture->manager) > 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->sshd, adit_test_sshd_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  adit_test_remove_tree (fixture->config_dir, NULL);
  g_free (fixture->config_dir);
}

static gboolean
start_sshd (Fixture *fixture)
{
  fixture->sshd = adit_test_sshd_start_or_skip (NULL);
  return fixture->sshd != NULL;
}

/* A saved tunnel through the fixture's sshd to @port on 127.0.0.1. */
static AditTunnel *
save_tunnel (Fixture *fixture,
             guint16  target_port,
             guint16  local_port)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, local_port, "127.0.0.1", target_port);
  g_autoptr(GError) error = NULL;

  adit_tunnel_set_name (tunnel, "Echo");
  adit_tunnel_set_host (tunnel, fixture->sshd->listen_address);
  adit_tunnel_set_port (tunnel, fixture->sshd->port);
  adit_tunnel_set_user (tunnel, fixture->sshd->user);
  adit_tunnel_set_identity_file (tunnel, fixture->sshd->client_key);
  adit_tunnel_set_known_hosts_file (tunnel, fixture->sshd->known_hosts);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_STRICT);
  adit_tunnel_add_forward (tunnel, forward);
  g_assert_true (adit_store_save (fixture->store, tunnel, &error));
  g_assert_no_error (error);
  return adit_store_lookup (fixture->store, adit_tunnel_get_uuid (tunnel));
}

static AditTunnelRow *
row_of (Fixture    *fixture,
        AditTunnel *tunnel)
{
  GtkWidget *row = adit_window_get_row (fixture->window, adit_tunnel_get_uuid (tunnel));

  g_assert_nonnull (row);
  return ADIT_TUNNEL_ROW (row);
}

typedef struct
{
  AditTunnelRow *row;
  const char *text;
} RowText;

static gboolean
row_state_is (gpointer data)
{
  RowText *want = data;

  return g_str_has_prefix (adit_tunnel_row_get_state_text (want->row), want->text);
}

static gboolean
row_traffic_is (gpointer data)
{
  RowText *want = data;

  return g_strcmp0 (adit_tunnel_row_get_traffic_text (want->row), want->text) == 0;
}

static gboolean
row_connections_are (gpointer data)
{
  RowText *want = data;

  return g_strcmp0 (adit_tunnel_row_get_connections_text (want->row), want->text) == 0;
}

static gboolean
port_taken (gpointer data)
{
  return !adit_local_port_is_free (NULL, GPOINTER_TO_UINT (data));
}

static void
wait_row_state (AditTunnelRow *row,
                const char    *text)
{
  RowText want = { row, text };

  wait_for (row_state_is, &want, text);
}

static gboolean
has_dialog (gpointer data)
{
  return adit_window_get_last_dialog (data) != NULL;
}

typedef struct
{
  AditRunner *runner;
  AditQuestion *old;     /* held, so that a new question cannot reuse its address */
} NewQuestion;

static gboolean
new_question_asked (gpointer data)
{
  NewQuestion *want = data;
  AditQuestion *now = adit_runner_get_question (want->runner);

  return now != NULL && now != want->old;
}

static GtkWidget *
take_dialog (Fixture *fixture,
             GType    type)
{
  GtkWidget *dialog;

  wait_for (has_dialog, fixture->window, g_type_name (type));
  dialog = adit_window_get_last_dialog (fixture->window);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (dialog, type));
  return dialog;
}

/* ---- preferences ---- */

static GtkSwitch *
switch_of (GtkWidget *row)
{
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkSwitch *found;

      if (GTK_IS_SWITCH (child))
        return GTK_SWITCH (child);
      found = switch_of (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
switch_flipped (gpointer data)
{
  GtkSwitch *toggle = data;

  return gtk_switch_get_active (toggle) != GPOINTER_TO_INT (g_object_get_data (G_OBJECT (toggle),
                                                                             "was-active"));
}

/* The two switches a person finds in Preferences change what Adit remembers. */
static void
test_preferences (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = adit_settings_new ();
  GtkWidget *preferences = adit_preferences_present (GTK_WINDOW (fixture->window), settings);
  static const struct { const char *title, *key; gboolean initially; } rows[] = {
    { "_Keep Tunnels Connected When the Window Closes", "run-in-background", TRUE },
    { "_Start Adit When You Log In", "start-at-login", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *row = find_titled (preferences, ADW_TYPE_ACTION_ROW, rows[i].title);
      GtkSwitch *toggle;

      g_assert_nonnull (row);
      toggle = switch_of (row);
      g_assert_nonnull (toggle);
      g_assert_cmpint (gtk_switch_get_active (toggle), ==, rows[i].initially);
      g_object_set_data (G_OBJECT (toggle), "was-active", GINT_TO_POINTER (rows[i].initially));
      /* Activating the row flips its switch (after its little animation), as a click or Enter
       * on it does. */
      adw_action_row_activate (ADW_ACTION_ROW (row));
      wait_for (switch_flipped, toggle, "the switch to flip");
      g_assert_cmpint (g_settings_get_boolean (settings, rows[i].key), ==, !rows[i].initially);
      g_settings_reset (settings, rows[i].key);
      g_assert_cmpint (gtk_switch_get_active (toggle), ==, rows[i].initially);
    }

  if (GTK_IS_WINDOW (preferences))
    gtk_window_destroy (GTK_WINDOW (preferences));
}

/* ---- the editor ---- */

static void
test_editor_validation (Fixture       *fixture,
                        gconstpointer  data)
{
  AditTunnelEditor *editor = adit_tunnel_editor_new (GTK_WINDOW (fixture->window),
                                                     fixture->manager, NULL, NULL);
  GtkWidget *root = GTK_WIDGET (editor);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) occupied = NULL;
  g_autofree char *port_text = NULL;
  guint16 port;

  gtk_window_present (GTK_WINDOW (editor));

  /* A new tunnel cannot be saved until it says where to go, but it scolds nobody yet. */
  g_assert_false (can_save (editor));
  g_assert_null (adit_tunnel_editor_get_message (editor, "host"));

  type_into (root, "Server Address", "other..example.com");
  g_assert_nonnull (adit_tunnel_editor_get_message (editor, "host"));
  type_into (root, "Server Address", "other.example.com");
  g_assert_null (adit_tunnel_editor_get_message (editor, "host"));

  type_into (root, "Port", "70000");
  adit_test_assert_mentions (adit_tunnel_editor_get_message (editor, "remote-port"), "70000");
  type_into (root, "Port", "110");
  g_assert_null (adit_tunnel_editor_get_message (editor, "remote-port"));
  type_into (root, "Address", "mail.example.com");

  /* A port another program holds: said so, with a free one to take instead. */
  port = adit_test_free_port ("127.0.0.1", &error);
  g_assert_no_error (error);
  occupied = adit_test_occupy_port ("127.0.0.1", port);
  port_text = g_strdup_printf ("%u", port);
  type_into (root, "Local Port", port_text);
  adit_test_assert_mentions (adit_tunnel_editor_get_message (editor, "local-port"),
                             "already used");
  g_assert_false (can_save (editor));
  gtk_widget_activate_action (root, "editor.use-suggested-port", NULL);
  g_assert_cmpstr (text_in (root, "Local Port"), !=, port_text);
  g_assert_null (adit_tunnel_editor_get_message (editor, "local-port"));

  /* Everything needed is there: it would save, and what it saves is what the form says. */
  {
    g_autoptr(AditTunnel) built = adit_tunnel_editor_build (editor, &error);
    g_autofree char *description = NULL;

    g_assert_no_error (error);
    description = adit_tunnel_describe (built);
    adit_test_assert_mentions (description, "mail.example.com:110 via other.example.com");
    g_assert_true (can_save (editor));
  }

  /* Other computers too: allowed, with a plain warning. */
  g_assert_null (adit_tunnel_editor_get_message (editor, "bind"));
  choose (root, "Who Can Use the Tunnel", 1);
  adit_test_assert_mentions (adit_tunnel_editor_get_message (editor, "bind"), "network");
  choose (root, "Who Can Use the Tunnel", 0);
  g_assert_null (adit_tunnel_editor_get_message (editor, "bind"));

  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_editor_preset (Fixture       *fixture,
                    gconstpointer  data)
{
  AditTunnelEditor *editor = adit_tunnel_editor_new (GTK_WINDOW (fixture->window),
                                                     fixture->manager, NULL, NULL);
  GtkWidget *root = GTK_WIDGET (editor);

  choose (root, "Service", 1);   /* Email: POP3 */
  g_assert_cmpstr (text_in (root, "Port"), ==, "110");
  g_assert_cmpstr (text_in (root, "Local Port"), ==, "1100");
  g_assert_cmpstr (text_in (root, "Name"), ==, "Email: POP3");

  /* A port typed by hand that no preset uses makes the choice "Custom" again. */
  type_into (root, "Port", "4711");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (
    find_titled (root, ADW_TYPE_COMBO_ROW, "Service"))), ==, 0);

  gtk_window_destroy (GTK_WINDOW (editor));
}

/* An ordinary user cannot listen below 1024: the editor says so and offers 1100 for 110. */
static void
test_editor_privileged_port_subprocess (void)
{
  g_autoptr(AditStore) store = NULL;
  g_autoptr(AditManager) manager = NULL;
  const char *no_dirs[] = { NULL };
  g_autofree char *dir = g_dir_make_tmp ("adit-app-priv-XXXXXX", NULL);
  AditTunnelEditor *editor;

  /* Even as root: without CAP_NET_BIND_SERVICE, binding port 110 fails as it would for
   * the person. */
  if (getuid () == 0)
    {
      struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
      struct __user_cap_data_struct caps[2];

      g_assert_cmpint (syscall (SYS_capget, &header, caps), ==, 0);
      caps[CAP_NET_BIND_SERVICE / 32].effective &= ~(1u << (CAP_NET_BIND_SERVICE % 32));
      g_assert_cmpint (syscall (SYS_capset, &header, caps), ==, 0);
    }

  store = adit_store_new (dir, no_dirs);
  manager = adit_manager_new (store);
  editor = adit_tunnel_editor_new (NULL, manager, NULL, NULL);
  type_into (GTK_WIDGET (editor), "Local Port", "110");
  adit_test_assert_mentions (adit_tunnel_editor_get_message (editor, "local-port"),
                             "administrator");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.use-suggested-port", NULL);
  /* 1100 for 110, as administrators write it, unless something here already uses 1100. */
  if (adit_local_port_is_free (NULL, 1100))
    g_assert_cmpstr (text_in (GTK_WIDGET (editor), "Local Port"), ==, "1100");
  g_assert_cmpint (atoi (text_in (GTK_WIDGET (editor), "Local Port")), >=, 1100);
  g_assert_null (adit_tunnel_editor_get_message (editor, "local-port"));
  gtk_window_destroy (GTK_WINDOW (editor));
  g_rmdir (dir);
}

static void
test_editor_privileged_port (void)
{
  g_test_trap_subprocess ("/adit/app/editor/privileged-port/subprocess", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- pasting a command ---- */

static gboolean
paste_dialog_shown (gpointer data)
{
  return ADIT_IS_PASTE_DIALOG (adit_window_get_last_dialog (data));
}

/* Ctrl+V on the first page: the copied command arrives in the dialog, already understood. */
static void
test_paste_from_clipboard (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *command = "ssh -L 1100:mail.example.com:110 other.example.com";
  AditPasteDialog *paste;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (fixture->window)), command);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.paste-clipboard", NULL);
  wait_for (paste_dialog_shown, fixture->window, "the paste dialog");
  paste = ADIT_PASTE_DIALOG (adit_window_get_last_dialog (fixture->window));
  g_assert_cmpstr (gtk_editable_get_text (adit_paste_dialog_get_entry (paste)), ==, command);
  g_assert_null (adit_paste_dialog_get_problem (paste));
  g_assert_true (adit_alert_get_response_enabled (GTK_WIDGET (paste), "continue"));
  adit_alert_close (GTK_WIDGET (paste));
}

static void
test_paste_command (Fixture       *fixture,
                    gconstpointer  data)
{
  AditPasteDialog *paste;
  AditTunnelEditor *editor;
  GtkWidget *root;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.paste-command", NULL);
  paste = ADIT_PASTE_DIALOG (take_dialog (fixture, ADIT_TYPE_PASTE_DIALOG));

  /* What it cannot do is named, and it will not go on. */
  gtk_editable_set_text (adit_paste_dialog_get_entry (paste),
                         "ssh -X -L 1100:mail.example.com:110 other.example.com");
  adit_test_assert_mentions (adit_paste_dialog_get_problem (paste), "-X");
  g_assert_false (adit_alert_get_response_enabled (GTK_WIDGET (paste), "continue"));

  gtk_editable_set_text (adit_paste_dialog_get_entry (paste),
                         "ssh -L 1100:mail.example.com:110 -p 2222 alice@other.example.com");
  g_assert_null (adit_paste_dialog_get_problem (paste));
  adit_alert_respond (GTK_WIDGET (paste), "continue");
  adit_alert_close (GTK_WIDGET (paste));

  /* The editor, filled in: the person only has to look and save. */
  editor = ADIT_TUNNEL_EDITOR (take_dialog (fixture, ADIT_TYPE_TUNNEL_EDITOR));
  root = GTK_WIDGET (editor);
  g_assert_cmpstr (text_in (root, "Server Address"), ==, "other.example.com");
  g_assert_cmpstr (text_in (root, "Server Port"), ==, "2222");
  g_assert_cmpstr (text_in (root, "User Name"), ==, "alice");
  g_assert_cmpstr (text_in (root, "Address"), ==, "mail.example.com");
  g_assert_cmpstr (text_in (root, "Port"), ==, "110");
  g_assert_cmpstr (text_in (root, "Local Port"), ==, "1100");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (
    find_titled (root, ADW_TYPE_COMBO_ROW, "Service"))), ==, 1);
  gtk_window_destroy (GTK_WINDOW (editor));
}

/* ---- a row and a real tunnel ---- */

static void
test_row_follows_tunnel (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(AditTestEcho) echo = NULL;
  g_autoptr(GError) error = NULL;
  AditTunnel *tunnel;
  AditTunnelRow *row;
  guint16 local_port;
  int fds[3];

  if (!start_sshd (fixture))
    return;
  echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  local_port = adit_test_free_port ("127.0.0.1", &error);
  tunnel = save_tunnel (fixture, echo->port, local_port);
  row = row_of (fixture, tunnel);
  g_assert_cmpstr (adit_tunnel_row_get_state_text (row), ==, "Off");

  /* The person flips the switch. */
  gtk_switch_set_active (adit_tunnel_row_get_switch (row), TRUE);
  wait_row_state (row, "Connected");

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      fds[i] = adit_test_connect ("127.0.0.1", local_port, 10, &error);
      g_assert_no_error (error);
      g_assert_true (adit_test_send_all (fds[i], "ping\n", 5, &error));
      g_free (adit_test_read_line (fds[i], 16, &error));
      g_assert_no_error (error);
    }
  {
    RowText want = { row, "3 connections" };

    wait_for (row_connections_are, &want, want.text);
  }
  /* 3 × "ping\n" each way, in the tooltip beside the graph. */
  {
    RowText want = { row, "15 bytes sent, 15 bytes received" };

    wait_for (row_traffic_is, &want, want.text);
    g_assert_cmpstr (adit_tunnel_row_get_state_text (row), ==, "Connected");
  }
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    close (fds[i]);
  {
    RowText want = { row, "0 connections" };

    wait_for (row_connections_are, &want, want.text);
  }

  /* Edited while connected: it reconnects with the new port, and the old one closes. */
  {
    AditTunnelEditor *editor;
    g_autofree char *new_port_text = NULL;
    g_autofree char *uuid = g_strdup (adit_tunnel_get_uuid (tunnel));
    guint16 new_port = adit_test_free_port ("127.0.0.1", &error);

    gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-tunnel", "s", uuid);
    editor = ADIT_TUNNEL_EDITOR (take_dialog (fixture, ADIT_TYPE_TUNNEL_EDITOR));
    new_port_text = g_strdup_printf ("%u", new_port);
    type_into (GTK_WIDGET (editor), "Local Port", new_port_text);
    g_assert_true (adit_tunnel_editor_save (editor, &error));
    g_assert_no_error (error);
    gtk_window_destroy (GTK_WINDOW (editor));

    /* The store holds the saved copy now; the row was made anew for it. */
    tunnel = adit_store_lookup (fixture->store, uuid);
    row = row_of (fixture, tunnel);
    wait_for (port_taken, GUINT_TO_POINTER (new_port), "the new port to open");
    wait_row_state (row, "Connected");
    g_assert_true (adit_local_port_is_free (NULL, local_port));
    local_port = new_port;
  }

  gtk_switch_set_active (adit_tunnel_row_get_switch (row), FALSE);
  wait_row_state (row, "Off");
  g_assert_false (adit_test_wait_port ("127.0.0.1", local_port, 100, NULL));
}

/* ---- questions ---- */

static void
test_host_key_dialog (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(AditTestEcho) echo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = NULL;
  g_autofree char *remembered = NULL;
  AditQuestionDialog *dialog;
  AditTunnel *tunnel;
  AditTunnelRow *row;
  guint16 local_port;

  if (!start_sshd (fixture))
    return;
  echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  local_port = adit_test_free_port ("127.0.0.1", &error);
  tunnel = save_tunnel (fixture, echo->port, local_port);
  known_hosts = g_build_filename (fixture->config_dir, "known_hosts", NULL);
  adit_tunnel_set_known_hosts_file (tunnel, known_hosts);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ASK);
  row = row_of (fixture, tunnel);

  /* First: the person is not sure, and cancels. Nothing is remembered. */
  gtk_switch_set_active (adit_tunnel_row_get_switch (row), TRUE);
  dialog = ADIT_QUESTION_DIALOG (take_dialog (fixture, ADIT_TYPE_QUESTION_DIALOG));
  adit_test_assert_mentions (adit_alert_get_heading (GTK_WIDGET (dialog)),
                             "Right Server");
  adit_alert_respond (GTK_WIDGET (dialog), "cancel");
  wait_row_state (row, "Cancelled");
  g_assert_false (g_file_test (known_hosts, G_FILE_TEST_EXISTS));

  /* Then the fingerprint matches what the administrator said: trusted and remembered. */
  gtk_switch_set_active (adit_tunnel_row_get_switch (row), TRUE);
  dialog = ADIT_QUESTION_DIALOG (take_dialog (fixture, ADIT_TYPE_QUESTION_DIALOG));
  {
    GtkWidget *extra = adit_alert_get_extra_child (GTK_WIDGET (dialog));
    const char *shown = gtk_label_get_label (GTK_LABEL (gtk_widget_get_first_child (extra)));

    g_assert_cmpstr (shown, ==, fixture->sshd->host_fingerprint);
  }
  adit_alert_respond (GTK_WIDGET (dialog), "connect");
  wait_row_state (row, "Connected");
  g_assert_true (g_file_get_contents (known_hosts, &remembered, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (remembered), >, 0);
}

typedef struct
{
  AditTunnel *tunnel;
  char *secret;
  gboolean done;
} Lookup;

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;

  lookup->secret = adit_secrets_lookup_finish (result, &error);
  g_assert_no_error (error);
  lookup->done = TRUE;
}

static gboolean
lookup_done (gpointer data)
{
  return ((Lookup *)data)->done;
}

static char *
saved_password (AditTunnel *tunnel)
{
  Lookup lookup = { tunnel, NULL, FALSE };

  adit_secrets_lookup_async (tunnel, ADIT_SECRET_PASSWORD, NULL, lookup_cb, &lookup);
  wait_for (lookup_done, &lookup, "the keyring");
  return lookup.secret;
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return memmem (contents, length, needle, strlen (needle)) != NULL;
}

static void
test_password_dialog_remembers (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(AditTestSshServer) server = NULL;
  g_autoptr(AditTunnel) draft = adit_tunnel_new ();
  g_autoptr(AditForward) forward = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = g_build_filename (fixture->config_dir, "kh", NULL);
  g_autofree char *password = NULL;
  g_autoptr(AditQuestion) first = NULL;
  AditQuestionDialog *dialog;
  AditTunnel *tunnel;
  AditTunnelRow *row;
  const char *name;
  GDir *dir;

  server = adit_test_ssh_server_new (ADIT_TEST_SERVER_AUTH_PASSWORD, &error);
  g_assert_no_error (error);
  forward = adit_forward_new (NULL, adit_test_free_port ("127.0.0.1", &error),
                              "echo.example.com", 7);
  adit_tunnel_set_name (draft, "Password");
  adit_tunnel_set_host (draft, "127.0.0.1");
  adit_tunnel_set_port (draft, adit_test_ssh_server_get_port (server));
  adit_tunnel_set_user (draft, ADIT_TEST_SERVER_USER);
  adit_tunnel_set_known_hosts_file (draft, known_hosts);
  adit_tunnel_set_host_key_policy (draft, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);
  adit_tunnel_set_auth_method (draft, ADIT_AUTH_METHOD_PASSWORD);
  adit_tunnel_add_forward (draft, forward);
  g_assert_true (adit_store_save (fixture->store, draft, &error));
  tunnel = adit_store_lookup (fixture->store, adit_tunnel_get_uuid (draft));
  row = row_of (fixture, tunnel);

  /* A typo with "Remember" ticked: refused by the server, so it must not be kept. */
  gtk_switch_set_active (adit_tunnel_row_get_switch (row), TRUE);
  dialog = ADIT_QUESTION_DIALOG (take_dialog (fixture, ADIT_TYPE_QUESTION_DIALOG));
  first = g_object_ref (adit_runner_get_question (adit_tunnel_row_get_runner (row)));
  g_assert_nonnull (adit_question_dialog_get_remember (dialog));
  gtk_editable_set_text (adit_question_dialog_get_entry (dialog, 0), "Tunnel-Pass-8");
  gtk_check_button_set_active (adit_question_dialog_get_remember (dialog), TRUE);
  adit_alert_respond (GTK_WIDGET (dialog), "connect");

  /* Asked again; the right one this time. */
  {
    NewQuestion want = { adit_tunnel_row_get_runner (row), first };

    wait_for (new_question_asked, &want, "the second question");
  }
  dialog = ADIT_QUESTION_DIALOG (take_dialog (fixture, ADIT_TYPE_QUESTION_DIALOG));
  adit_test_assert_mentions (adit_alert_get_body (GTK_WIDGET (dialog)),
                             "not accepted");
  gtk_editable_set_text (adit_question_dialog_get_entry (dialog, 0), ADIT_TEST_SERVER_PASSWORD);
  gtk_check_button_set_active (adit_question_dialog_get_remember (dialog), TRUE);
  adit_alert_respond (GTK_WIDGET (dialog), "connect");
  wait_row_state (row, "Connected");

  /* Kept in the keyring once it worked, and nowhere in Adit's own files. */
  password = saved_password (tunnel);
  g_assert_cmpstr (password, ==, ADIT_TEST_SERVER_PASSWORD);
  dir = g_dir_open (fixture->config_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->config_dir, name, NULL);

      g_assert_false (file_contains (path, ADIT_TEST_SERVER_PASSWORD));
      g_assert_false (file_contains (path, "Tunnel-Pass-8"));
    }
  g_dir_close (dir);
  g_assert_false (file_contains (g_getenv ("SECRET_FILE_TEST_PATH"), ADIT_TEST_SERVER_PASSWORD));

  /* Next time, the keyring answers: no question at all. */
  gtk_switch_set_active (adit_tunnel_row_get_switch (row), FALSE);
  wait_row_state (row, "Off");
  gtk_switch_set_active (adit_tunnel_row_get_switch (row), TRUE);
  wait_row_state (row, "Connected");
  g_assert_cmpuint (adit_test_ssh_server_get_attempts (server), ==, 3);

  gtk_switch_set_active (adit_tunnel_row_get_switch (row), FALSE);
  wait_row_state (row, "Off");
}

/* ---- the whole way, as a person goes ---- */

static void
test_end_to_end_mail (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(AditTestDovecot) dovecot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *curl = g_find_program_in_path ("curl");
  g_autofree char *ssh_dir = NULL;
  g_autofree char *key = NULL;
  g_autofree char *local_port = NULL;
  g_autofree char *pop_port = NULL;
  g_autofree char *ssh_port = NULL;
  g_autofree char *url = NULL;
  g_autofree char *message = NULL;
  AditTunnelEditor *editor;
  AditQuestionDialog *dialog;
  AditTunnelRow *row;
  AditTunnel *tunnel;
  GtkWidget *root;
  guint16 port;

  if (curl == NULL)
    {
      g_test_skip ("curl is not installed");
      return;
    }
  if (!start_sshd (fixture))
    return;
  dovecot = adit_test_dovecot_start ("127.0.0.2", &error);
  if (dovecot == NULL)
    {
      g_autofree char *why = g_strdup_printf ("no throwaway Dovecot: %s", error->message);
      g_test_skip (why);
      return;
    }

  /* The person's own key, where ssh keeps it: "Automatic" finds it. */
  ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_mkdir_with_parents (ssh_dir, 0700);
  key = g_build_filename (ssh_dir, "id_ed25519", NULL);
  {
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (fixture->sshd->client_key, &contents, &length, &error));
    g_assert_true (g_file_set_contents_full (key, contents, length,
                                             G_FILE_SET_CONTENTS_NONE, 0600, &error));
  }

  /* Empty window → Add a Tunnel → the editor. */
  g_assert_true (gtk_widget_get_mapped (find_of_type (GTK_WIDGET (fixture->window),
                                                     ADW_TYPE_STATUS_PAGE)));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-tunnel", NULL);
  editor = ADIT_TUNNEL_EDITOR (take_dialog (fixture, ADIT_TYPE_TUNNEL_EDITOR));
  root = GTK_WIDGET (editor);

  port = adit_test_free_port ("127.0.0.1", &error);
  local_port = g_strdup_printf ("%u", port);
  pop_port = g_strdup_printf ("%u", dovecot->port);
  ssh_port = g_strdup_printf ("%u", fixture->sshd->port);
  choose (root, "Service", 1);   /* Email: POP3 */
  type_into (root, "Name", "Mail");
  type_into (root, "Server Address", fixture->sshd->listen_address);
  type_into (root, "Server Port", ssh_port);
  type_into (root, "User Name", fixture->sshd->user);
  type_into (root, "Address", "127.0.0.2");
  type_into (root, "Port", pop_port);
  type_into (root, "Local Port", local_port);
  gtk_widget_activate_action (root, "editor.save", NULL);

  /* A row, switched on; the server is new, so Adit asks; the person trusts it. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 1);
  g_assert_false (gtk_widget_get_mapped (find_of_type (GTK_WIDGET (fixture->window),
                                                      ADW_TYPE_STATUS_PAGE)));
  tunnel = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  g_object_unref (tunnel);
  g_assert_cmpstr (adit_tunnel_get_name (tunnel), ==, "Mail");
  row = row_of (fixture, tunnel);
  gtk_switch_set_active (adit_tunnel_row_get_switch (row), TRUE);
  dialog = ADIT_QUESTION_DIALOG (take_dialog (fixture, ADIT_TYPE_QUESTION_DIALOG));
  adit_alert_respond (GTK_WIDGET (dialog), "connect");
  wait_row_state (row, "Connected");

  /* The mail client, pointed at localhost as the administrator said. */
  url = g_strdup_printf ("pop3://%s:%s@127.0.0.1:%u/1", ADIT_TEST_POP3_USER,
                         ADIT_TEST_POP3_PASSWORD, port);
  {
    const char *argv[] = { curl, "-sS", "--max-time", "20", url, NULL };

    g_assert_true (adit_test_run (argv, &message, &error));
    g_assert_no_error (error);
  }
  adit_test_assert_mentions (message, ADIT_TEST_MAIL_MARKER);

  gtk_switch_set_active (adit_tunnel_row_get_switch (row), FALSE);
  wait_row_state (row, "Off");
}

/* ---- tunnel files and deleting ---- */

#define PINNED "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"

static void
test_import_shows_first (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, 1100, "mail.example.com", 110);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->config_dir, "..", "from-admin.sshtunnel",
                                            NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  AditTunnelEditor *editor;
  AditTunnel *saved;
  GtkWidget *identity;

  adit_tunnel_set_name (tunnel, "Mail from the admin");
  adit_tunnel_set_host (tunnel, "other.example.com");
  adit_tunnel_set_host_key_fingerprint (tunnel, PINNED);
  adit_tunnel_add_forward (tunnel, forward);
  g_assert_true (adit_tunnel_file_save (tunnel, NULL, path, &error));
  g_assert_no_error (error);

  /* Opening the file shows what it will do; nothing is saved yet. */
  adit_window_import_file (fixture->window, file);
  editor = ADIT_TUNNEL_EDITOR (take_dialog (fixture, ADIT_TYPE_TUNNEL_EDITOR));
  g_assert_cmpstr (text_in (GTK_WIDGET (editor), "Name"), ==, "Mail from the admin");
  g_assert_cmpstr (text_in (GTK_WIDGET (editor), "Address"), ==, "mail.example.com");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 0);
  /* The administrator's fingerprint is shown with the server it belongs to. */
  identity = find_titled (GTK_WIDGET (editor), ADW_TYPE_ACTION_ROW, "Server Identity Checked Against");
  g_assert_nonnull (identity);
  g_assert_true (gtk_widget_get_visible (identity));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (identity)), ==, PINNED);

  /* Saved as a tunnel of its own, never over another one with the file's name. */
  g_assert_true (adit_tunnel_editor_save (editor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 1);
  saved = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  g_object_unref (saved);
  g_assert_cmpstr (adit_tunnel_get_uuid (saved), !=, "from-admin");
  g_assert_cmpstr (adit_tunnel_get_host (saved), ==, "other.example.com");
  g_assert_cmpstr (adit_tunnel_get_host_key_fingerprint (saved), ==, PINNED);
  gtk_window_destroy (GTK_WINDOW (editor));

  /* Pointed at another server, the pin goes: it was that server's identity, not this one's. */
  adit_window_import_file (fixture->window, file);
  editor = ADIT_TUNNEL_EDITOR (take_dialog (fixture, ADIT_TYPE_TUNNEL_EDITOR));
  type_into (GTK_WIDGET (editor), "Server Address", "elsewhere.example.com");
  g_assert_true (adit_tunnel_editor_save (editor, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (fixture->store)); i++)
    {
      g_autoptr(AditTunnel) other = g_list_model_get_item (G_LIST_MODEL (fixture->store), i);

      if (g_str_equal (adit_tunnel_get_host (other), "elsewhere.example.com"))
        g_assert_null (adit_tunnel_get_host_key_fingerprint (other));
    }
  gtk_window_destroy (GTK_WINDOW (editor));
  g_unlink (path);

  /* A file that is not a tunnel: one sentence, nothing opened. */
  g_assert_true (g_file_set_contents (path, "\x7f" "ELF junk", -1, &error));
  adit_window_import_file (fixture->window, file);
  g_assert_true (ADIT_IS_ALERT (take_dialog (fixture, ADIT_TYPE_ALERT)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 2);
  g_unlink (path);
}

static void
test_delete_and_undo (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, 1100, "mail.example.com", 110);
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  GtkWidget *undo;

  adit_tunnel_set_name (tunnel, "Mail");
  adit_tunnel_set_host (tunnel, "other.example.com");
  adit_tunnel_add_forward (tunnel, forward);
  g_assert_true (adit_store_save (fixture->store, tunnel, &error));
  file = g_strconcat (fixture->config_dir, "/", adit_tunnel_get_uuid (tunnel),
                      ADIT_TUNNEL_FILE_SUFFIX, NULL);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));

  /* The Delete key, with the tunnel's row focused. */
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (row_of (fixture, tunnel))));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-focused", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 0);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* The toast's Undo brings it back, file and all. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  undo = find_button (GTK_WIDGET (fixture->window), "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 1);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
}

static void
test_broken_file_reported (void)
{
  g_autofree char *dir = g_dir_make_tmp ("adit-app-broken-XXXXXX", NULL);
  g_autofree char *broken = g_build_filename (dir, "mail.sshtunnel", NULL);
  g_autofree char *aside = g_strconcat (broken, ".broken", NULL);
  g_autoptr(AditStore) store = NULL;
  g_autoptr(AditManager) manager = NULL;
  const char *no_dirs[] = { NULL };
  AditWindow *window;
  GtkWidget *dialog;

  g_assert_true (g_file_set_contents (broken, "[Tunnel]\nHost=\n", -1, NULL));
  store = adit_store_new (dir, no_dirs);
  adit_store_load (store);
  manager = adit_manager_new (store);

  /* Set aside (never deleted) and told in plain words as the window opens. */
  window = adit_window_new (the_app, manager);
  dialog = adit_window_get_last_dialog (window);
  g_assert_true (ADIT_IS_ALERT (dialog));
  adit_test_assert_mentions (adit_alert_get_body (GTK_WIDGET (dialog)),
                             "mail.sshtunnel");
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
  adit_alert_close (dialog);
  gtk_window_destroy (GTK_WINDOW (window));
  adit_test_remove_tree (dir, NULL);
}

static void
test_changed_identity_refused (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkWidget *dialog;
  AditTunnel *tunnel;
  AditTunnelRow *row;

  if (!start_sshd (fixture))
    return;
  tunnel = save_tunnel (fixture, 9, adit_test_free_port ("127.0.0.1", &error));
  /* Adit remembers another key for this server: someone could be in between. */
  adit_tunnel_set_known_hosts_file (tunnel, fixture->sshd->wrong_known_hosts);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ASK);
  g_assert_true (g_file_get_contents (fixture->sshd->wrong_known_hosts, &before, NULL, NULL));
  row = row_of (fixture, tunnel);

  gtk_switch_set_active (adit_tunnel_row_get_switch (row), TRUE);
  wait_row_state (row, "Server identity changed");

  /* Explained in full, with no way to connect anyway and nothing written. */
  dialog = take_dialog (fixture, ADIT_TYPE_ALERT);
  adit_test_assert_mentions (adit_alert_get_body (GTK_WIDGET (dialog)), "changed");
  adit_test_assert_mentions (adit_alert_get_body (GTK_WIDGET (dialog)), "Forget Server Identity");
  g_assert_true (adit_alert_has_response (GTK_WIDGET (dialog), "close"));
  g_assert_false (adit_alert_has_response (GTK_WIDGET (dialog), "connect"));
  g_assert_null (find_button (dialog, "_Trust and Connect"));
  g_assert_true (g_file_get_contents (fixture->sshd->wrong_known_hosts, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_assert_false (gtk_switch_get_active (adit_tunnel_row_get_switch (row)));
}

static void
test_editor_ssh_config_hosts (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autofree char *config = g_build_filename (ssh_dir, "config", NULL);
  AditTunnelEditor *editor;
  GtkWidget *root, *offer;

  g_mkdir_with_parents (ssh_dir, 0700);
  g_assert_true (g_file_set_contents (config,
                                      "Host work\n"
                                      "  HostName gateway.example.com\n"
                                      "  User alice\n"
                                      "  Port 2222\n"
                                      "Host *.internal\n"
                                      "  User bob\n", -1, NULL));

  /* The servers the person already uses with ssh are offered by name; choosing one fills
   * in what their ssh settings say about it. */
  editor = adit_tunnel_editor_new (GTK_WINDOW (fixture->window), fixture->manager, NULL, NULL);
  root = GTK_WIDGET (editor);
  offer = find_button (root, "work");
  g_assert_nonnull (offer);
  g_assert_null (find_button (root, "*.internal"));
  g_signal_emit_by_name (offer, "clicked");
  g_assert_cmpstr (text_in (root, "Server Address"), ==, "gateway.example.com");
  g_assert_cmpstr (text_in (root, "Server Port"), ==, "2222");
  g_assert_cmpstr (text_in (root, "User Name"), ==, "alice");

  gtk_window_destroy (GTK_WINDOW (editor));
  g_unlink (config);
}

#define ADD(path, func) \
  g_test_add ("/adit/app/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  g_autofree char *keyring = g_build_filename (home, "keyring", NULL);

  /* The real libsecret API, against its file backend in this test's own home. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring-password", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ssh_init ();
  the_app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (the_app), NULL, NULL);

  ADD ("editor/validation", test_editor_validation);
  ADD ("preferences", test_preferences);
  ADD ("editor/preset", test_editor_preset);
  ADD ("editor/ssh-config-hosts", test_editor_ssh_config_hosts);
  g_test_add_func ("/adit/app/editor/privileged-port", test_editor_privileged_port);
  g_test_add_func ("/adit/app/editor/privileged-port/subprocess",
                   test_editor_privileged_port_subprocess);
  ADD ("paste-command", test_paste_command);
  ADD ("paste-from-clipboard", test_paste_from_clipboard);
  ADD ("row-follows-tunnel", test_row_follows_tunnel);
  ADD ("host-key-dialog", test_host_key_dialog);
  ADD ("changed-identity-refused", test_changed_identity_refused);
  ADD ("password-dialog-remembers", test_password_dialog_remembers);
  ADD ("end-to-end-mail", test_end_to_end_mail);
  ADD ("import-shows-first", test_import_shows_first);
  ADD ("delete-and-undo", test_delete_and_undo);
  g_test_add_func ("/adit/app/broken-file-reported", test_broken_file_reported);

  return g_test_run ();
}
