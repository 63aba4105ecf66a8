/* adit-application.c — the Adit desktop application.
 *
 * Owns the tunnel store and the manager that runs tunnels, the tray, the Background portal
 * and notifications, the app-wide actions and the command line, and opens the main window.
 * A second launch hands its command line to the running one: it activates the window, opens
 * a .sshtunnel file in the editor (nothing is saved before Save), or connects, disconnects
 * or lists tunnels for a script.
 *
 * While a tunnel is on, Adit keeps running when its window closes (unless the person turned
 * that off); it ends with the last tunnel, or with Quit, which disconnects everything first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-application.h"
#include "adit-background.h"
#include "adit-notifications.h"
#include "adit-preferences.h"
#include "adit-settings.h"
#include "adit-status-notifier.h"
#include "adit-status-summary.h"
#include "adit-window.h"

/* Quit waits this long at most for every tunnel to say goodbye to its server. */
#define QUIT_GRACE_SECONDS 5

struct _AditApplication
{
  AdwApplication parent_instance;

  AditManager *manager;
  AditStatusSummary *summary;
  AditStatusNotifier *tray;
  AditBackground *background;
  AditNotifications *notifications;
  GSettings *settings;
  gboolean held;                 /* tunnels keep Adit running without a window */
  gboolean background_requested; /* asked the portal once this run */
  gboolean autostarted;          /* the "connect when Adit starts" tunnels were started */
  gboolean windowless;           /* started for a script or at login: no window was asked for */
  gboolean quitting;
  guint quit_timeout;
};

G_DEFINE_FINAL_TYPE (AditApplication, adit_application, ADW_TYPE_APPLICATION)

static AditWindow *
find_window (AditApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (ADIT_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static AditWindow *
main_window (AditApplication *self)
{
  AditWindow *window = find_window (self);

  return window != NULL ? window : adit_window_new (GTK_APPLICATION (self), self->manager);
}

/* Started without a window (adit --background at login, adit --connect from a script),
 * Adit has nothing to do but run in the background. */
static gboolean
run_in_background (AditApplication *self)
{
  return self->windowless || self->settings == NULL ||
         g_settings_get_boolean (self->settings, "run-in-background");
}

/* Running tunnels hold the app, so closing the window does not end them. */
static void
update_hold (AditApplication *self)
{
  gboolean want = !self->quitting && run_in_background (self) &&
                  adit_manager_count_active (self->manager) > 0;

  if (want == self->held)
    return;

  self->held = want;
  if (want)
    g_application_hold (G_APPLICATION (self));
  else
    g_application_release (G_APPLICATION (self));
}

static void
background_granted_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(AditApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean autostart_wanted = self->settings != NULL &&
                              g_settings_get_boolean (self->settings, "start-at-login");

  if (adit_background_request_finish (ADIT_BACKGROUND (object), result, &error))
    return;

  if (error != NULL)
    g_warning ("%s", error->message);
  /* Refused, or impossible: the switch shows the truth. */
  if (autostart_wanted && self->settings != NULL)
    g_settings_set_boolean (self->settings, "start-at-login", FALSE);
}

static void
request_background (AditApplication *self)
{
  gboolean autostart = self->settings != NULL &&
                       g_settings_get_boolean (self->settings, "start-at-login");

  self->background_requested = TRUE;
  adit_background_request_async (self->background, autostart, NULL, background_granted_cb,
                                 g_object_ref (self));
}

static void
run_in_background_changed_cb (GSettings       *settings,
                              const char      *key,
                              AditApplication *self)
{
  update_hold (self);
}

static void
start_at_login_changed_cb (GSettings       *settings,
                           const char      *key,
                           AditApplication *self)
{
  request_background (self);
}

/* The window went away while tunnels run: the desktop should know Adit still works. */
static void
window_removed_cb (GtkApplication  *application,
                   GtkWindow       *window,
                   AditApplication *self)
{
  if (self->held && !self->quitting && find_window (self) == NULL &&
      !self->background_requested)
    request_background (self);
}

/* ---- the live summary: tray, portal status, scripts ---- */

static GVariant *
tunnels_state (AditApplication *self)
{
  GListModel *tunnels = G_LIST_MODEL (adit_manager_get_store (self->manager));
  g_autoptr(GEnumClass) states = g_type_class_ref (ADIT_TYPE_CONNECTION_STATE);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sssu)"));
  for (guint i = 0; i < g_list_model_get_n_items (tunnels); i++)
    {
      g_autoptr(AditTunnel) tunnel = g_list_model_get_item (tunnels, i);
      AditRunner *runner = adit_manager_get_runner (self->manager, tunnel);
      GEnumValue *state = g_enum_get_value (states, adit_runner_get_state (runner));

      g_variant_builder_add (&builder, "(sssu)", adit_tunnel_get_uuid (tunnel),
                             adit_tunnel_get_display_name (tunnel),
                             state ? state->value_nick : "",
                             adit_runner_get_open_connections (runner));
    }

  return g_variant_builder_end (&builder);
}

static void
maybe_finish_quit (AditApplication *self)
{
  if (self->quitting && adit_manager_count_active (self->manager) == 0)
    {
      g_clear_handle_id (&self->quit_timeout, g_source_remove);
      g_application_quit (G_APPLICATION (self));
    }
}

static void
summary_changed_cb (AditStatusSummary *summary,
                    AditApplication   *self)
{
  GAction *tunnels = g_action_map_lookup_action (G_ACTION_MAP (self), "tunnels");

  update_hold (self);
  adit_background_set_status (self->background, adit_status_summary_get_text (summary));
  g_simple_action_set_state (G_SIMPLE_ACTION (tunnels), tunnels_state (self));
  maybe_finish_quit (self);
}

/* ---- actions ---- */

/* The "connect when Adit starts" tunnels, once: when Adit starts for a person (its window, or
 * at login), not when a script's `adit --list` happens to be the first to start it. */
static void
start_autostart_tunnels (AditApplication *self)
{
  if (self->autostarted)
    return;

  self->autostarted = TRUE;
  adit_manager_start_autostart (self->manager);
  update_hold (self);
}

static void
present_window (AditApplication *self)
{
  self->windowless = FALSE;
  start_autostart_tunnels (self);
  gtk_window_present (GTK_WINDOW (main_window (self)));
}

static gboolean
quit_timeout_cb (gpointer user_data)
{
  AditApplication *self = user_data;

  self->quit_timeout = 0;
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AditApplication *self = ADIT_APPLICATION (user_data);
  GList *windows;

  if (self->quitting)
    return;

  /* Every tunnel disconnects from its server before Adit ends (or the grace runs out). */
  self->quitting = TRUE;
  g_application_hold (G_APPLICATION (self));
  update_hold (self);

  /* Closing rather than destroying lets each window save its size on the way out. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);

  adit_manager_stop_all (self->manager);
  self->quit_timeout = g_timeout_add_seconds (QUIT_GRACE_SECONDS, quit_timeout_cb, self);
  maybe_finish_quit (self);
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

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AditApplication *self = ADIT_APPLICATION (user_data);

  if (self->settings == NULL)
    return;
  adit_preferences_present (GTK_WINDOW (main_window (self)), self->settings);
}

/* The runner of the tunnel called @name_or_uuid, or NULL. */
static AditRunner *
runner_named (AditApplication *self,
              const char      *name_or_uuid)
{
  AditTunnel *tunnel = adit_manager_find_tunnel (self->manager, name_or_uuid);

  return tunnel != NULL ? adit_manager_get_runner (self->manager, tunnel) : NULL;
}

/* app.connect, app.disconnect and app.retry: the tunnel is named by its name or uuid. */
static void
tunnel_action_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AditApplication *self = ADIT_APPLICATION (user_data);
  AditRunner *runner = runner_named (self, g_variant_get_string (parameter, NULL));
  const char *name = g_action_get_name (G_ACTION (action));

  if (runner == NULL)
    return;

  if (g_str_equal (name, "disconnect"))
    adit_runner_stop (runner);
  else if (g_str_equal (name, "retry"))
    adit_runner_retry_now (runner);
  else if (!self->quitting)
    {
      adit_runner_start (runner);
      update_hold (self);
    }
}

static void
details_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  AditApplication *self = ADIT_APPLICATION (user_data);

  present_window (self);
  gtk_widget_activate_action (GTK_WIDGET (find_window (self)), "win.show-details", "s",
                              g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action_cb },
  { .name = "about", .activate = about_action_cb },
  { .name = "preferences", .activate = preferences_action_cb },
  /* For scripts too (org.gtk.Actions on the app's bus name): a tunnel's name or uuid. */
  { .name = "connect", .activate = tunnel_action_cb, .parameter_type = "s" },
  { .name = "disconnect", .activate = tunnel_action_cb, .parameter_type = "s" },
  { .name = "retry", .activate = tunnel_action_cb, .parameter_type = "s" },
  { .name = "details", .activate = details_action_cb, .parameter_type = "s" },
  /* Read-only: its state lists every tunnel as (uuid, name, state, open connections). */
  { .name = "tunnels", .state = "@a(sssu) []" },
};

/* ---- the command line ---- */

static const GOptionEntry command_line_options[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Connect the tunnel with this name (Adit keeps running in the background)"),
    N_("NAME") },
  { "disconnect", 'd', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Disconnect the tunnel with this name"), N_("NAME") },
  { "list", 'l', 0, G_OPTION_ARG_NONE, NULL,
    N_("List the tunnels and what they are doing"), NULL },
  { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window, connecting the tunnels set to connect when Adit starts"),
    NULL },
  { "quit", 'q', 0, G_OPTION_ARG_NONE, NULL,
    N_("Disconnect every tunnel and quit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("[FILE…]") },
  { NULL }
};

/* Runs @action_name for each tunnel named; 1 if one of them does not exist. */
static int
act_on_named (AditApplication         *self,
              GApplicationCommandLine *command_line,
              const char              *action_name,
              const char * const      *names)
{
  int status = 0;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      if (adit_manager_find_tunnel (self->manager, names[i]) == NULL)
        {
          g_application_command_line_printerr (command_line,
                                               _("Adit has no tunnel called “%s”. "
                                                 "adit --list shows their names.\n"),
                                               names[i]);
          status = 1;
          continue;
        }
      g_action_group_activate_action (G_ACTION_GROUP (self), action_name,
                                      g_variant_new_string (names[i]));
    }

  return status;
}

static void
print_list (AditApplication         *self,
            GApplicationCommandLine *command_line)
{
  GListModel *tunnels = G_LIST_MODEL (adit_manager_get_store (self->manager));

  for (guint i = 0; i < g_list_model_get_n_items (tunnels); i++)
    {
      g_autoptr(AditTunnel) tunnel = g_list_model_get_item (tunnels, i);
      AditRunner *runner = adit_manager_get_runner (self->manager, tunnel);
      g_autofree char *state = adit_runner_describe_state (runner);
      g_autofree char *description = adit_tunnel_describe (tunnel);
      guint open = adit_runner_get_open_connections (runner);

      if (adit_runner_get_state (runner) == ADIT_CONNECTION_STATE_CONNECTED)
        {
          g_free (state);
          /* Translators: a line of adit --list: the state and how many programs use it. */
          state = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected, %u connection",
                                                "Connected, %u connections", open), open);
        }
      g_application_command_line_print (command_line, "%s\t%s\t%s\n",
                                        adit_tunnel_get_display_name (tunnel), state,
                                        description);
    }
}

static int
adit_application_command_line (GApplication            *app,
                               GApplicationCommandLine *command_line)
{
  AditApplication *self = ADIT_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  gboolean first = !self->autostarted && find_window (self) == NULL;
  g_autofree const char **connect = NULL;
  g_autofree const char **disconnect = NULL;
  g_autofree const char **files = NULL;
  gboolean scripted = g_variant_dict_contains (options, "disconnect") ||
                      g_variant_dict_contains (options, "connect") ||
                      g_variant_dict_contains (options, "list");
  int status = 0;

  /* Adit started just now for this command line, and no window will open: known before a
   * tunnel starts, so that starting one holds the application. */
  if (first && (scripted || g_variant_dict_contains (options, "background")))
    self->windowless = TRUE;

  if (g_variant_dict_lookup (options, "disconnect", "^a&s", &disconnect))
    status |= act_on_named (self, command_line, "disconnect", disconnect);
  if (g_variant_dict_lookup (options, "connect", "^a&s", &connect))
    status |= act_on_named (self, command_line, "connect", connect);
  if (g_variant_dict_contains (options, "list"))
    print_list (self, command_line);

  if (g_variant_dict_contains (options, "quit"))
    {
      g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
      return status;
    }

  if (g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &files))
    {
      present_window (self);
      for (guint i = 0; files[i] != NULL; i++)
        {
          g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line,
                                                                                  files[i]);

          adit_window_import_file (find_window (self), file);
        }
      return status;
    }

  if (g_variant_dict_contains (options, "background"))
    start_autostart_tunnels (self);
  else if (!scripted)
    present_window (self);

  return status;
}

/* ---- GApplication ---- */

static void
adit_application_activate (GApplication *app)
{
  present_window (ADIT_APPLICATION (app));
}

static void
adit_application_open (GApplication  *app,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  AditApplication *self = ADIT_APPLICATION (app);

  present_window (self);
  for (int i = 0; i < n_files; i++)
    adit_window_import_file (find_window (self), files[i]);
}

static void
tray_activate_cb (AditStatusNotifier *tray,
                  AditApplication    *self)
{
  present_window (self);
}

static void
tray_quit_cb (AditStatusNotifier *tray,
              AditApplication    *self)
{
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

static void
start_tray (AditApplication *self,
            GDBusConnection *bus)
{
  g_autoptr(GError) error = NULL;

  self->tray = adit_status_notifier_new (bus, self->summary, APP_ID, G_ACTION_GROUP (self),
                                         &error);
  if (self->tray == NULL)
    {
      /* Adit works without a tray: the window and the portal say the same. */
      g_message ("No status tray: %s", error->message);
      return;
    }
  g_signal_connect (self->tray, "activate", G_CALLBACK (tray_activate_cb), self);
  g_signal_connect (self->tray, "quit", G_CALLBACK (tray_quit_cb), self);
}

static void
adit_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  AditApplication *self = ADIT_APPLICATION (app);
  GDBusConnection *bus = g_application_get_dbus_connection (app);
  g_autoptr(AditStore) store = NULL;

  G_APPLICATION_CLASS (adit_application_parent_class)->startup (app);

  store = adit_store_new (NULL, NULL);
  adit_store_load (store);
  self->manager = adit_manager_new (store);
  self->settings = adit_settings_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (app),
                                                                            "tunnels")),
                               FALSE);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);

  self->summary = adit_status_summary_new (self->manager);
  g_signal_connect (self->summary, "changed", G_CALLBACK (summary_changed_cb), self);
  self->background = adit_background_new (bus, APP_ID);
  self->notifications = adit_notifications_new (GTK_APPLICATION (app), self->manager);
  if (bus != NULL)
    start_tray (self, bus);
  if (self->settings != NULL)
    {
      g_signal_connect (self->settings, "changed::start-at-login",
                        G_CALLBACK (start_at_login_changed_cb), self);
      g_signal_connect (self->settings, "changed::run-in-background",
                        G_CALLBACK (run_in_background_changed_cb), self);
    }
  g_signal_connect (app, "window-removed", G_CALLBACK (window_removed_cb), self);

  summary_changed_cb (self->summary, self);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
adit_application_shutdown (GApplication *app)
{
  AditApplication *self = ADIT_APPLICATION (app);

  /* However Adit ends, its tunnels say goodbye to their servers first. Quit has waited for
   * that already (its grace may have run out: not twice); closing the last window without
   * running in the background has not. */
  if (self->manager != NULL && !self->quitting)
    {
      gboolean grace_over = FALSE;
      guint grace = g_timeout_add_seconds (QUIT_GRACE_SECONDS, set_flag_cb, &grace_over);

      adit_manager_stop_all (self->manager);
      while (adit_manager_count_active (self->manager) > 0 && !grace_over)
        g_main_context_iteration (NULL, TRUE);
      if (!grace_over)
        g_source_remove (grace);
    }
  g_clear_handle_id (&self->quit_timeout, g_source_remove);
  g_clear_object (&self->tray);
  g_clear_object (&self->notifications);
  g_clear_object (&self->summary);
  g_clear_object (&self->background);
  g_clear_object (&self->settings);
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
  app_class->command_line = adit_application_command_line;
}

static void
adit_application_init (AditApplication *self)
{
  g_set_application_name (_("Adit"));
  g_application_add_main_option_entries (G_APPLICATION (self), command_line_options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Keeps SSH tunnels connected. Without options, "
                                              "opens the window of the running Adit."));
}

AditApplication *
adit_application_new (void)
{
  /* The resource path is set explicitly: a development build's app id ends in .Devel,
   * but its resources (and the help overlay GTK looks up there) live at the same place. */
  return g_object_new (ADIT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/adit/Adit",
                       NULL);
}
