/* adit-status-notifier.h — Adit's tray icon: an org.kde.StatusNotifierItem whose icon, tooltip
 * and menu show the status summary, registered with whatever StatusNotifierWatcher the
 * desktop runs (the AppIndicator extension on GNOME, Plasma, most other panels), now or when
 * one starts later. Without a watcher it waits quietly. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-status-summary.h"

G_BEGIN_DECLS

#define ADIT_TYPE_STATUS_NOTIFIER (adit_status_notifier_get_type ())
G_DECLARE_FINAL_TYPE (AditStatusNotifier, adit_status_notifier, ADIT, STATUS_NOTIFIER, GObject)

/* Signals: "activate" () — the person clicked the icon or chose "Open Adit": show the
 * window; "quit" () — the person chose "Quit". A tunnel's item activates "connect",
 * "disconnect" or "retry" in @actions (see adit_dbus_menu_new ()).
 *
 * Exports the item at /StatusNotifierItem and its menu at /MenuBar on @connection until it
 * is disposed; NULL with @error when something else is exported there. Icon names derive
 * from @app_id: APP_ID-idle-symbolic, APP_ID-connected-symbolic, APP_ID-problem-symbolic. */
AditStatusNotifier *adit_status_notifier_new         (GDBusConnection     *connection,
                                                      AditStatusSummary   *summary,
                                                      const char          *app_id,
                                                      GActionGroup        *actions,
                                                      GError             **error);
AditStatusSummary  *adit_status_notifier_get_summary (AditStatusNotifier  *self);

G_END_DECLS
