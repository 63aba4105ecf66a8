/* adit-settings.h — the app's preferences (GSettings schema io.github.adit.Adit).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* NULL, with a warning, when the schema is not installed: a missing schema must not abort
 * the app (g_settings_new () would), it only loses what the preferences remember. */
GSettings *adit_settings_new (void);

G_END_DECLS
