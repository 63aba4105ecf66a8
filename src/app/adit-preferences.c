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

GtkWindow *
adit_preferences_new (GtkWindow *parent,
                      GSettings *settings)
{
  GtkWidget *window = adw_preferences_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();

  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 360);
  adw_preferences_window_set_search_enabled (ADW_PREFERENCES_WINDOW (window), FALSE);

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
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));

  return GTK_WINDOW (window);
}
