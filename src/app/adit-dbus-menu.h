/* adit-dbus-menu.h — the tray icon's menu, exported as com.canonical.dbusmenu (version 3) for
 * the tray host to draw: one tick item per tunnel ("Mail — 3 connections") that connects or
 * disconnects it, then "Open Adit" and "Quit". Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-status-summary.h"

G_BEGIN_DECLS

/* The items that are for the app to carry out; a tunnel's item toggles it right away. */
typedef enum
{
  ADIT_DBUS_MENU_ITEM_OPEN,  /* "Open Adit" */
  ADIT_DBUS_MENU_ITEM_QUIT,  /* "Quit" */
} AditDBusMenuItem;

#define ADIT_TYPE_DBUS_MENU (adit_dbus_menu_get_type ())
G_DECLARE_FINAL_TYPE (AditDBusMenu, adit_dbus_menu, ADIT, DBUS_MENU, GObject)

/* Signal: "chosen" (int, an AditDBusMenuItem) — the person chose that item.
 * A tunnel's item activates "connect", "disconnect" or "retry" in @actions with the tunnel's
 * uuid: the application's own actions, so a click is a choice like any other.
 * The menu is exported at @object_path on @connection until it is disposed; NULL with
 * @error when something else is exported there. */
AditDBusMenu *adit_dbus_menu_new             (GDBusConnection    *connection,
                                              const char         *object_path,
                                              AditStatusSummary  *summary,
                                              GActionGroup       *actions,
                                              GError            **error);
const char   *adit_dbus_menu_get_object_path (AditDBusMenu       *self);

G_END_DECLS
