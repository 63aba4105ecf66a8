/* adit-application.c — the Adit desktop application.
 *
 * Owns the tunnel store and the manager that runs tunnels, the app-wide actions (quit,
 * about) and their shortcuts, and opens the main window. A second launch activates the
 * window that is already open instead of starting over; opening a .sshtunnel file (from the
 * file manager, or `adit FILE`) shows it in the editor before anything is saved.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-application.h"
#include "adit-window.h"

struct _AditApplication
{
  AdwApplication parent_instance;

  AditManager *manager;
};

G_DEFINE_FINAL_TYPE (AditApplication, adit_application, ADW_TYPE_APPLICATION)

static AditWindow *
main_window (AditApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (ADIT_IS_WINDOW (l->data))
      return l->data;

  return adit_window_new (GTK_APPLICATION (self), self->manager);
}

static void
adit_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (main_window (ADIT_APPLICATION (app))));
}

static void
adit_application_open (GApplication  *app,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  AditWindow *window = main_window (ADIT_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < n_files; i++)
    adit_window_import_file (window, files[i]);
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows;

  /* Closing rather than destroying lets each window save its size on the way out. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);

  g_application_quit (app);
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  static const char *developers[] = { "The Adit developers", NULL };
  GtkWindow *parent;

  parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (parent,
                         "application-name", _("Adit"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Connect programs on this computer to distant servers "
                                       "safely, through an SSH server you can sign in to."),
                         "developer-name", "The Adit developers",
                         "developers", developers,
                         "website", "https://github.com/adit-app/adit",
                         "issue-url", "https://github.com/adit-app/adit/issues",
                         "copyright", "© 2026 The Adit developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         /* Translators: put your names here, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action_cb },
  { .name = "about", .activate = about_action_cb },
};

static void
adit_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  AditApplication *self = ADIT_APPLICATION (app);
  g_autoptr(AditStore) store = NULL;

  G_APPLICATION_CLASS (adit_application_parent_class)->startup (app);

  store = adit_store_new (NULL, NULL);
  adit_store_load (store);
  self->manager = adit_manager_new (store);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);

  adit_manager_start_autostart (self->manager);
}

static void
adit_application_shutdown (GApplication *app)
{
  AditApplication *self = ADIT_APPLICATION (app);

  /* Every listener and session closes with the app; the workers finish on their own. */
  if (self->manager != NULL)
    adit_manager_stop_all (self->manager);
  g_clear_object (&self->manager);

  G_APPLICATION_CLASS (adit_application_parent_class)->shutdown (app);
}

AditManager *
adit_application_get_manager (AditApplication *self)
{
  g_return_val_if_fail (ADIT_IS_APPLICATION (self), NULL);
  return self->manager;
}

static void
adit_application_class_init (AditApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = adit_application_activate;
  app_class->startup = adit_application_startup;
  app_class->shutdown = adit_application_shutdown;
  app_class->open = adit_application_open;
}

static void
adit_application_init (AditApplication *self)
{
  g_set_application_name (_("Adit"));
}

AditApplication *
adit_application_new (void)
{
  /* The resource path is set explicitly: a development build's app id ends in .Devel,
   * but its resources (and the help overlay GTK looks up there) live at the same place. */
  return g_object_new (ADIT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/adit/Adit",
                       NULL);
}
