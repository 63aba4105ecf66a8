/* adit-notifications.c — see adit-notifications.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-notifications.h"

struct _AditNotifications
{
  GObject         parent_instance;
  GtkApplication *application;   /* not owned: it owns us */
  AditManager    *manager;
  GHashTable     *reconnecting;   /* uuids of tunnels that dropped and are coming back */
};

G_DEFINE_FINAL_TYPE (AditNotifications, adit_notifications, G_TYPE_OBJECT)

char *
adit_notifications_id_for (AditTunnel *tunnel)
{
  return g_strconcat ("tunnel-", adit_tunnel_get_uuid (tunnel), NULL);
}

/* The person is looking at Adit's window: it says what happened there. */
static gboolean
window_is_watched (AditNotifications *self)
{
  GtkWindow *window = gtk_application_get_active_window (self->application);

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) &&
         gtk_window_is_active (window);
}

static void
send (AditNotifications *self,
      AditRunner        *runner,
      const char        *title,
      const char        *body,
      gboolean           offer_retry)
{
  AditTunnel *tunnel = adit_runner_get_tunnel (runner);
  const char *uuid = adit_tunnel_get_uuid (tunnel);
  g_autoptr(GNotification) notification = g_notification_new (title);
  g_autofree char *id = adit_notifications_id_for (tunnel);
  g_autoptr(GIcon) icon = g_themed_icon_new (APP_ID);

  g_notification_set_body (notification, body);
  g_notification_set_icon (notification, icon);
  g_notification_set_default_action_and_target (notification, "app.details", "s", uuid);
  if (offer_retry)
    g_notification_add_button_with_target (notification, _("Retry Now"), "app.retry", "s", uuid);
  g_application_send_notification (G_APPLICATION (self->application), id, notification);
}

static void
dropped_cb (AditManager       *manager,
            AditRunner        *runner,
            const GError      *error,
            AditNotifications *self)
{
  AditTunnel *tunnel = adit_runner_get_tunnel (runner);
  g_autofree char *title = NULL;

  g_hash_table_add (self->reconnecting, g_strdup (adit_tunnel_get_uuid (tunnel)));
  /* Translators: a notification's title; %s is a tunnel's name. */
  title = g_strdup_printf (_("“%s” lost its connection"), adit_tunnel_get_display_name (tunnel));
  send (self, runner, title,
        _("Adit is connecting again by itself. Programs using the tunnel may need a moment."),
        TRUE);
}

static void
recovered_cb (AditManager       *manager,
              AditRunner        *runner,
              AditNotifications *self)
{
  g_autofree char *id = adit_notifications_id_for (adit_runner_get_tunnel (runner));

  g_hash_table_remove (self->reconnecting, adit_tunnel_get_uuid (adit_runner_get_tunnel (runner)));
  g_application_withdraw_notification (G_APPLICATION (self->application), id);
}

static void
failed_cb (AditManager       *manager,
           AditRunner        *runner,
           const GError      *error,
           AditNotifications *self)
{
  AditTunnel *tunnel = adit_runner_get_tunnel (runner);
  g_autofree char *title = NULL;
  gboolean was_up = adit_runner_get_was_connected (runner);
  gboolean was_reconnecting = g_hash_table_remove (self->reconnecting,
                                                   adit_tunnel_get_uuid (tunnel));

  /* The person cancelled a question: they know, and "lost its connection" is over. */
  if (g_error_matches (error, ADIT_ERROR, ADIT_ERROR_CANCELLED))
    {
      g_autofree char *id = adit_notifications_id_for (tunnel);

      g_application_withdraw_notification (G_APPLICATION (self->application), id);
      return;
    }

  /* A failure right after the person switched the tunnel on in the window is shown there. */
  if (!was_up && window_is_watched (self))
    return;

  if (g_error_matches (error, ADIT_ERROR, ADIT_ERROR_HOST_KEY_CHANGED))
    /* Translators: a notification's title; %s is a tunnel's name. */
    title = g_strdup_printf (_("“%s” stopped: the server’s identity changed"), adit_tunnel_get_display_name (tunnel));
  else if (was_reconnecting)
    /* Translators: a notification's title; %s is a tunnel's name. */
    title = g_strdup_printf (_("“%s” stopped reconnecting"), adit_tunnel_get_display_name (tunnel));
  else if (was_up)
    /* Translators: a notification's title; %s is a tunnel's name. */
    title = g_strdup_printf (_("“%s” stopped"), adit_tunnel_get_display_name (tunnel));
  else
    /* Translators: a notification's title; %s is a tunnel's name. */
    title = g_strdup_printf (_("“%s” could not connect"), adit_tunnel_get_display_name (tunnel));

  send (self, runner, title, error != NULL ? error->message : "", FALSE);
}

static void
adit_notifications_dispose (GObject *object)
{
  AditNotifications *self = ADIT_NOTIFICATIONS (object);

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->reconnecting, g_hash_table_unref);

  G_OBJECT_CLASS (adit_notifications_parent_class)->dispose (object);
}

static void
adit_notifications_class_init (AditNotificationsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = adit_notifications_dispose;
}

static void
adit_notifications_init (AditNotifications *self)
{
  self->reconnecting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

AditNotifications *
adit_notifications_new (GtkApplication *application,
                        AditManager    *manager)
{
  AditNotifications *self = g_object_new (ADIT_TYPE_NOTIFICATIONS, NULL);

  self->application = application;
  self->manager = g_object_ref (manager);
  g_signal_connect (manager, "dropped", G_CALLBACK (dropped_cb), self);
  g_signal_connect (manager, "recovered", G_CALLBACK (recovered_cb), self);
  g_signal_connect (manager, "failed", G_CALLBACK (failed_cb), self);

  return self;
}
