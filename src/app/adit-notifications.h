/* adit-notifications.h — desktop notifications for what happens to tunnels while nobody is
 * looking: a tunnel that dropped unexpectedly (withdrawn once it is back), one that gave up
 * reconnecting, one that met a changed server identity. Not for what the person just did in
 * the window: that window shows it already.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "adit-engine.h"

G_BEGIN_DECLS

#define ADIT_TYPE_NOTIFICATIONS (adit_notifications_get_type ())
G_DECLARE_FINAL_TYPE (AditNotifications, adit_notifications, ADIT, NOTIFICATIONS, GObject)

/* Notifications use @application's actions "app.retry" and "app.details" (both "s", a
 * tunnel's uuid). */
AditNotifications *adit_notifications_new (GtkApplication *application,
                                           AditManager    *manager);

/* The notification id used for @tunnel, for g_application_withdraw_notification(). */
char              *adit_notifications_id_for (AditTunnel  *tunnel);

G_END_DECLS
