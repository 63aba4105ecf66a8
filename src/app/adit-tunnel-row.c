/* adit-tunnel-row.c — see adit-tunnel-row.h.
 *
 * The row only shows its runner and forwards the person's choices: the switch starts and
 * stops the runner, the menu items are window actions with the tunnel's uuid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-throughput-graph.h"
#include "adit-tunnel-row.h"

struct _AditTunnelRow
{
  AdwActionRow parent_instance;

  AditRunner *runner;

  /* Template children */
  GtkLabel *state_label;
  GtkLabel *connections_label;
  GtkWidget *status_box;
  AditThroughputGraph *graph;
  GtkSwitch *connect_switch;
  GtkButton *retry_button;
  GtkMenuButton *menu_button;
};

G_DEFINE_FINAL_TYPE (AditTunnelRow, adit_tunnel_row, ADW_TYPE_ACTION_ROW)

static void
show_description (AditTunnelRow *self,
                  AditTunnel    *tunnel)
{
  g_autofree char *description = adit_tunnel_describe (tunnel);
  g_autofree char *subtitle = NULL;
  g_autofree char *switch_label = NULL;
  const char *name = adit_tunnel_get_display_name (tunnel);

  if (adit_tunnel_get_read_only (tunnel))
    /* Translators: a row's subtitle; %s is "localhost:1100 → mail.example.com:110 via …". */
    subtitle = g_strdup_printf (_("%s\nProvided by your administrator"), description);
  else
    subtitle = g_steal_pointer (&description);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  /* Translators: the accessible name of a tunnel's on/off switch; %s is its name. */
  switch_label = g_strdup_printf (_("Connect “%s”"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->connect_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, switch_label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->connect_switch), switch_label);
}

static void
update_description (AditTunnelRow *self)
{
  /* A row being torn down has let go of its runner. */
  if (self->runner != NULL)
    show_description (self, adit_runner_get_tunnel (self->runner));
}

/* "Connected" above "3 connections": two short lines, so both are read whole beside a long
 * description. The bytes so far are the tooltip, next to the graph of them. */
static void
update_traffic (AditTunnelRow *self)
{
  AditStats stats;
  g_autofree char *state = adit_runner_describe_state (self->runner);
  g_autofree char *sent = NULL;
  g_autofree char *received = NULL;
  g_autofree char *connections = NULL;
  g_autofree char *traffic = NULL;

  adit_throughput_graph_set_history (self->graph, adit_runner_get_history (self->runner),
                                     ADIT_RUNNER_HISTORY);
  gtk_label_set_label (self->state_label, state);

  if (adit_runner_get_state (self->runner) != ADIT_CONNECTION_STATE_CONNECTED)
    {
      gtk_label_set_label (self->connections_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->connections_label), FALSE);
      gtk_widget_set_tooltip_text (self->status_box, NULL);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->graph), NULL);
      return;
    }

  adit_runner_get_stats (self->runner, &stats);
  connections = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u connection",
                                              "%u connections", stats.open_connections),
                                 stats.open_connections);
  sent = g_format_size (stats.bytes_sent);
  received = g_format_size (stats.bytes_received);
  /* Translators: the bytes sent and received through a tunnel so far, e.g. "1.2 MB sent,
   * 5.0 MB received". */
  traffic = g_strdup_printf (_("%s sent, %s received"), sent, received);
  gtk_label_set_label (self->connections_label, connections);
  gtk_widget_set_visible (GTK_WIDGET (self->connections_label), TRUE);
  gtk_widget_set_tooltip_text (self->status_box, traffic);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->graph), traffic);
}

static void
update_state (AditTunnelRow *self)
{
  AditConnectionState state = adit_runner_get_state (self->runner);
  GtkWidget *label = GTK_WIDGET (self->state_label);

  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "accent");
  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_remove_css_class (label, "dim-label");
  switch (state)
    {
    case ADIT_CONNECTION_STATE_CONNECTED:
      gtk_widget_add_css_class (label, "success");
      break;
    case ADIT_CONNECTION_STATE_FAILED:
      gtk_widget_add_css_class (label, "error");
      break;
    case ADIT_CONNECTION_STATE_WAITING:
      gtk_widget_add_css_class (label, "accent");
      break;
    case ADIT_CONNECTION_STATE_RECONNECTING:
      gtk_widget_add_css_class (label, "warning");
      break;
    default:
      gtk_widget_add_css_class (label, "dim-label");
      break;
    }

  /* Show the runner's truth without treating it as the person's click. */
  g_signal_handlers_block_matched (self->connect_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                   NULL, self);
  gtk_switch_set_active (self->connect_switch, adit_runner_is_active (self->runner));
  g_signal_handlers_unblock_matched (self->connect_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                     NULL, self);

  /* Waiting to reconnect: the countdown needs the graph's room more than the old traffic. */
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          state == ADIT_CONNECTION_STATE_RECONNECTING);
  gtk_widget_set_visible (GTK_WIDGET (self->graph), state != ADIT_CONNECTION_STATE_RECONNECTING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.details",
                                 adit_runner_get_error (self->runner) != NULL
                                 || adit_runner_get_last_client_error (self->runner) != NULL);
  update_traffic (self);
}

static void
retry_clicked_cb (AditTunnelRow *self)
{
  adit_runner_retry_now (self->runner);
}

static void
switch_active_cb (GtkSwitch     *connect_switch,
                  GParamSpec    *pspec,
                  AditTunnelRow *self)
{
  if (gtk_switch_get_active (connect_switch))
    adit_runner_start (self->runner);
  else
    adit_runner_stop (self->runner);
}

static void
forward_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AditTunnelRow *self = ADIT_TUNNEL_ROW (widget);
  const char *uuid = adit_tunnel_get_uuid (adit_runner_get_tunnel (self->runner));
  static const struct { const char *row, *window; } map[] = {
    { "row.edit", "win.edit-tunnel" },
    { "row.export", "win.export-tunnel" },
    { "row.details", "win.show-details" },
    { "row.forget-password", "win.forget-password" },
    { "row.forget-identity", "win.forget-identity" },
    { "row.delete", "win.delete-tunnel" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (action_name, map[i].row))
      gtk_widget_activate_action (widget, map[i].window, "s", uuid);
}

static void
row_activated_cb (AditTunnelRow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "row.edit", NULL);
}

static void
adit_tunnel_row_dispose (GObject *object)
{
  AditTunnelRow *self = ADIT_TUNNEL_ROW (object);

  /* Nothing may reach a row being torn down (the tunnel's handler is dropped with the row). */
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  g_clear_object (&self->runner);

  G_OBJECT_CLASS (adit_tunnel_row_parent_class)->dispose (object);
}

static void
adit_tunnel_row_class_init (AditTunnelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *actions[] = {
    "row.edit", "row.export", "row.details", "row.forget-password", "row.forget-identity",
    "row.delete",
  };

  object_class->dispose = adit_tunnel_row_dispose;

  g_type_ensure (ADIT_TYPE_THROUGHPUT_GRAPH);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/adit/Adit/adit-tunnel-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AditTunnelRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelRow, connections_label);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelRow, status_box);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelRow, graph);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelRow, connect_switch);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelRow, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelRow, menu_button);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_class_install_action (widget_class, actions[i], NULL, forward_action_cb);
}

static void
adit_tunnel_row_init (AditTunnelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("More Actions"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), _("More Actions"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->retry_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Retry Now"), -1);
}

GtkWidget *
adit_tunnel_row_new (AditRunner *runner)
{
  AditTunnelRow *self;
  AditTunnel *tunnel;

  g_return_val_if_fail (ADIT_IS_RUNNER (runner), NULL);

  self = g_object_new (ADIT_TYPE_TUNNEL_ROW, NULL);
  self->runner = g_object_ref (runner);
  tunnel = adit_runner_get_tunnel (runner);

  /* The runner can outlive the row and move on to another tunnel object (an edit): the
   * handlers go with the row. */
  g_signal_connect_object (tunnel, "notify", G_CALLBACK (update_description), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (runner, "notify::state", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (runner, "notify::error", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (runner, "stats-changed", G_CALLBACK (update_traffic), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (runner, "notify::retry-time", G_CALLBACK (update_traffic), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self->connect_switch, "notify::active", G_CALLBACK (switch_active_cb), self);
  g_signal_connect (self, "activated", G_CALLBACK (row_activated_cb), NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.delete",
                                 !adit_tunnel_get_read_only (tunnel));
  update_description (self);
  update_state (self);

  return GTK_WIDGET (self);
}

AditRunner *
adit_tunnel_row_get_runner (AditTunnelRow *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL_ROW (self), NULL);
  return self->runner;
}

const char *
adit_tunnel_row_get_state_text (AditTunnelRow *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL_ROW (self), NULL);
  return gtk_label_get_label (self->state_label);
}

const char *
adit_tunnel_row_get_connections_text (AditTunnelRow *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL_ROW (self), NULL);
  return gtk_label_get_label (self->connections_label);
}

const char *
adit_tunnel_row_get_traffic_text (AditTunnelRow *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL_ROW (self), NULL);
  return gtk_widget_get_tooltip_text (self->status_box);
}

GtkButton *
adit_tunnel_row_get_retry_button (AditTunnelRow *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL_ROW (self), NULL);
  return self->retry_button;
}

GtkSwitch *
adit_tunnel_row_get_switch (AditTunnelRow *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL_ROW (self), NULL);
  return self->connect_switch;
}
