/* adit-network-watch.c — see adit-network-watch.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-network-watch.h"

/* A change of network comes as a burst of route and address events: one look after it. */
#define SETTLE_MS 1000

struct _AditNetworkWatch
{
  GObject          parent_instance;
  GNetworkMonitor *monitor;       /* not owned: GIO's default */
  GCancellable    *cancellable;
  GDBusConnection *system_bus;
  guint            sleep_subscription;
  guint            settle_source;
};

G_DEFINE_FINAL_TYPE (AditNetworkWatch, adit_network_watch, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
settled_cb (gpointer user_data)
{
  AditNetworkWatch *self = user_data;

  self->settle_source = 0;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
network_changed_cb (GNetworkMonitor  *monitor,
                    gboolean          available,
                    AditNetworkWatch *self)
{
  if (!available)
    return;

  g_clear_handle_id (&self->settle_source, g_source_remove);
  self->settle_source = g_timeout_add (SETTLE_MS, settled_cb, self);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  AditNetworkWatch *self = user_data;
  gboolean going_to_sleep;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  AditNetworkWatch *self;

  if (bus == NULL)
    {
      /* No system bus (a container, a test): the network monitor still works. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no resume from sleep is noticed: %s", error->message);
      return;
    }

  self = ADIT_NETWORK_WATCH (user_data);
  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager", "PrepareForSleep",
                                        "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, prepare_for_sleep_cb, self,
                                        NULL);
}

static void
adit_network_watch_dispose (GObject *object)
{
  AditNetworkWatch *self = ADIT_NETWORK_WATCH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  self->monitor = NULL;
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  g_clear_handle_id (&self->settle_source, g_source_remove);

  G_OBJECT_CLASS (adit_network_watch_parent_class)->dispose (object);
}

static void
adit_network_watch_class_init (AditNetworkWatchClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = adit_network_watch_dispose;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
adit_network_watch_init (AditNetworkWatch *self)
{
  self->cancellable = g_cancellable_new ();
  self->monitor = g_network_monitor_get_default ();
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  /* The callback holds no reference: dispose cancels it first. */
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, self);
}

AditNetworkWatch *
adit_network_watch_new (void)
{
  return g_object_new (ADIT_TYPE_NETWORK_WATCH, NULL);
}
