/* adit-preferences.h — the Preferences window: running in the background and starting at
 * login, bound to GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

GtkWindow *adit_preferences_new (GtkWindow *parent,
                                 GSettings *settings);

G_END_DECLS
