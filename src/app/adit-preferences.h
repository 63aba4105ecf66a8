/* adit-preferences.h — the Preferences: running in the background and starting at
 * login, bound to GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows the preferences over @parent: an AdwPreferencesDialog where libadwaita has it (1.5 and
 * newer), an AdwPreferencesWindow on older ones. Returns that widget (not a new reference). */
GtkWidget *adit_preferences_present (GtkWindow *parent,
                                     GSettings *settings);

G_END_DECLS
