/* adit-preferences.c — see adit-preferences.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-preferences.h"

static GtkWidget *
switch_row (GSettings  *settings,
            const char *key,
            const char *title,
            const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  g_settings_bind (settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);

  return row;
}

static GtkWidget *
build_page (GSettings *settings)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Running in the Background"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Tunnels can stay connected when no Adit window "
                                           "is open. Quit Adit to disconnect them all."));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             switch_row (settings, "run-in-background",
                                         _("_Keep Tunnels Connected When the Window Closes"),
                                         _("Adit keeps running until you quit it, or until no "
                                           "tunnel is on.")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             switch_row (settings, "start-at-login",
                                         _("_Start Adit When You Log In"),
                                         _("Without a window. Tunnels set to connect when Adit "
                                           "starts connect then.")));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  return page;
}

GtkWidget *
adit_preferences_present (GtkWindow *parent,
                          GSettings *settings)
{
  GtkWidget *page = build_page (settings);

#if ADW_CHECK_VERSION (1, 5, 0)
  /* A dialog over the window, as GNOME apps have them since libadwaita 1.5 (the window
   * below is deprecated there); the newer symbols stay out of the 1.2 API pin's sight. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  AdwDialog *dialog = adw_preferences_dialog_new ();

  adw_preferences_dialog_set_search_enabled (ADW_PREFERENCES_DIALOG (dialog), FALSE);
  adw_preferences_dialog_add (ADW_PREFERENCES_DIALOG (dialog), ADW_PREFERENCES_PAGE (page));
  adw_dialog_present (dialog, GTK_WIDGET (parent));
  G_GNUC_END_IGNORE_DEPRECATIONS
  return GTK_WIDGET (dialog);
#else
  GtkWidget *window = adw_preferences_window_new ();

  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 360);
  adw_preferences_window_set_search_enabled (ADW_PREFERENCES_WINDOW (window), FALSE);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
  return window;
#endif
}
