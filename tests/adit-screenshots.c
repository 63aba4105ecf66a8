/* adit-screenshots.c — renders the real app's screens to PNG for data/screenshots/ (the
 * metainfo and the README): the first-start page, the list with a connected tunnel showing
 * live connections, the editor, and the unknown-server question. Everything is real: a
 * throwaway sshd, an echo server with clients keeping connections open, the app's own
 * widgets. Run by build-aux/screenshots.sh under Xvfb; not a test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <libssh/libssh.h>

#include "adit-alert.h"
#include "adit-engine.h"
#include "adit-test-echo.h"
#include "adit-paste-dialog.h"
#include "adit-preferences.h"
#include "adit-settings.h"
#include "adit-test-sshd.h"
#include "adit-test-util.h"
#include "adit-tunnel-row.h"
#include "adit-window.h"

static void
settle (guint milliseconds)
{
  gint64 until = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static GdkTexture *
render (GtkWidget *window)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
save_png (GtkWidget  *window,
          const char *dir,
          const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GdkTexture) texture = NULL;

  /* Right after a dialog closes, a window may have nothing drawn yet: give it a moment. */
  for (guint i = 0; i < 10 && texture == NULL; i++)
    {
      texture = render (window);
      if (texture == NULL)
        settle (200);
    }
  if (texture == NULL || !gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("%s (%d×%d)\n", path, gtk_widget_get_width (window),
           gtk_widget_get_height (window));
}

static AditTunnel *
add_tunnel (AditStore   *store,
            const char  *name,
            const char  *host,
            guint16      port,
            const char  *user,
            const char  *target,
            guint16      target_port,
            guint16      local_port)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, local_port, target, target_port);
  g_autoptr(GError) error = NULL;

  adit_tunnel_set_name (tunnel, name);
  adit_tunnel_set_host (tunnel, host);
  adit_tunnel_set_port (tunnel, port);
  adit_tunnel_set_user (tunnel, user);
  adit_tunnel_add_forward (tunnel, forward);
  if (!adit_store_save (store, tunnel, &error))
    g_error ("%s", error->message);
  return adit_store_lookup (store, adit_tunnel_get_uuid (tunnel));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  g_autofree char *config = g_build_filename (home, "tunnels", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTestSshd) sshd = NULL;
  g_autoptr(AditTestEcho) echo = NULL;
  g_autoptr(AditStore) store = NULL;
  g_autoptr(AditManager) manager = NULL;
  g_autoptr(GtkApplication) app = NULL;
  const char *no_dirs[] = { NULL };
  const char *out;
  AditWindow *window;
  AditTunnel *mail;
  GtkWidget *dialog;
  guint16 local_port;
  int clients[3];

  if (argc != 2)
    {
      g_printerr ("usage: adit-screenshots OUTPUT-DIR\n");
      return 2;
    }
  out = argv[1];
  /* ADIT_LOCALEDIR=BUILDDIR/po with LANGUAGE=de shows a translation before it is installed. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("ADIT_LOCALEDIR") ? g_getenv ("ADIT_LOCALEDIR")
                                                               : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", "/dev/null", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_init ();
  adw_init ();
  /* What GtkApplication does for the app with its resource base path: its own icons. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/adit/Adit/icons");
  ssh_init ();

  store = adit_store_new (config, no_dirs);
  manager = adit_manager_new (store);
  app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  window = adit_window_new (app, manager);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 520);
  gtk_window_present (GTK_WINDOW (window));
  settle (800);
  save_png (GTK_WIDGET (window), out, "empty.png");

  /* What the administrator sent, pasted. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.paste-command", NULL);
  settle (300);
  dialog = adit_window_get_last_dialog (window);
  gtk_editable_set_text (adit_paste_dialog_get_entry (ADIT_PASTE_DIALOG (dialog)),
                         "ssh -L 1100:mail.example.com:110 alice@other.example.com");
  settle (800);
  save_png (dialog, out, "paste.png");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* A real tunnel through a throwaway sshd, with three programs using it. */
  sshd = adit_test_sshd_start (NULL, &error);
  if (sshd == NULL)
    g_error ("no sshd: %s", error->message);
  echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  local_port = adit_local_port_is_free (NULL, 1100) ? 1100
                                                   : adit_test_free_port ("127.0.0.1", &error);
  add_tunnel (store, "Office database", "gateway.example.com", 22, "alice", "db.internal",
              5432, 5432);
  add_tunnel (store, "Remote desktop at work", "gateway.example.com", 22, "alice",
              "desk-17.internal", 3389, 3389);
  mail = add_tunnel (store, "Mail", "localhost", sshd->port, sshd->user, "localhost",
                     echo->port, local_port);
  adit_tunnel_set_known_hosts_file (mail, g_build_filename (home, "known_hosts", NULL));
  adit_tunnel_set_identity_file (mail, sshd->client_key);

  /* The unknown-server question, as the person first sees it. */
  adit_runner_start (adit_manager_get_runner (manager, mail));
  while ((dialog = adit_window_get_last_dialog (window)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  settle (800);
  save_png (GTK_WIDGET (dialog), out, "host-key.png");
  adit_alert_respond (dialog, "connect");
  while (adit_runner_get_state (adit_manager_get_runner (manager, mail))
         != ADIT_CONNECTION_STATE_CONNECTED)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = adit_test_connect ("127.0.0.1", local_port, 10, &error);

  /* Traffic that rises and falls for a while, so the graph shows what it is for. */
  for (guint tick = 0; tick < 250; tick++)
    {
      char chunk[8192];
      gsize size = 1024 + (tick % 40) * 150 + (tick / 40) * 400;

      memset (chunk, 'a' + tick % 26, sizeof chunk);
      for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
        {
          gsize got = 0;

          adit_test_send_all (clients[i], chunk, size, NULL);
          while (got < size)
            {
              ssize_t n = read (clients[i], chunk, size - got);

              if (n <= 0)
                break;
              got += n;
            }
        }
      settle (100);
    }
  settle (300);
  save_png (GTK_WIDGET (window), out, "list.png");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-tunnel", "s",
                              adit_tunnel_get_uuid (mail));
  settle (800);
  save_png (GTK_WIDGET (adit_window_get_last_dialog (window)), out, "editor.png");
  gtk_window_destroy (GTK_WINDOW (adit_window_get_last_dialog (window)));

  /* The server goes away: the row counts down to the next try and offers to try now. */
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    close (clients[i]);
  adit_test_sshd_kill_all (sshd, SIGKILL);
  while (adit_runner_get_retry_time (adit_manager_get_runner (manager, mail)) == 0)
    g_main_context_iteration (NULL, TRUE);
  settle (300);
  save_png (GTK_WIDGET (window), out, "reconnecting.png");

  {
    g_autoptr(GSettings) settings = adit_settings_new ();
    GtkWidget *preferences = adit_preferences_present (GTK_WINDOW (window), settings);

    settle (800);
    save_png (preferences, out, "preferences.png");
    if (GTK_IS_WINDOW (preferences))   /* libadwaita < 1.5; a dialog closes with its window */
      gtk_window_destroy (GTK_WINDOW (preferences));
  }
  adit_manager_stop_all (manager);
  settle (500);
  gtk_window_destroy (GTK_WINDOW (window));
  adit_test_remove_tree (home, NULL);
  return 0;
}
