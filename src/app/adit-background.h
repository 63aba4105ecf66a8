/* adit-background.h — running without a window, as the desktop sees it. With the XDG
 * Background portal (GNOME lists such apps under "Background Apps"): permission to run in
 * the background, starting at login, and a status line that follows the live summary.
 * Without the portal, starting at login is an XDG autostart entry instead. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ADIT_TYPE_BACKGROUND (adit_background_get_type ())
G_DECLARE_FINAL_TYPE (AditBackground, adit_background, ADIT, BACKGROUND, GObject)

/* @session_bus may be NULL (no portal then). @app_id names the autostart entry. */
AditBackground *adit_background_new            (GDBusConnection      *session_bus,
                                                const char           *app_id);
/* Asks to run in the background, and to start at login or not. Without the portal, writes
 * or removes $XDG_CONFIG_HOME/autostart/APP_ID.desktop. Finishes with whether the
 * wish was granted (a person can refuse it in the portal's dialog). */
void            adit_background_request_async  (AditBackground       *self,
                                                gboolean              autostart,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean        adit_background_request_finish (AditBackground       *self,
                                                GAsyncResult         *result,
                                                GError              **error);
/* The line the desktop shows next to Adit in its list of background apps; nothing without a
 * portal that has it (version 2). */
void            adit_background_set_status     (AditBackground       *self,
                                                const char           *message);
/* The autostart entry the fallback writes. */
char           *adit_background_autostart_path (AditBackground       *self);

G_END_DECLS
