/* adit-tunnel-row.h — one saved tunnel in the main window's list: what it does, its state,
 * live connections and traffic, a switch to connect it, and a menu of what else can be done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "adit-engine.h"

G_BEGIN_DECLS

#define ADIT_TYPE_TUNNEL_ROW (adit_tunnel_row_get_type ())
G_DECLARE_FINAL_TYPE (AditTunnelRow, adit_tunnel_row, ADIT, TUNNEL_ROW, AdwActionRow)

/* The row's menu activates win.edit-tunnel, win.export-tunnel, win.show-details,
 * win.forget-password, win.forget-identity and win.delete-tunnel with the tunnel's uuid. */
GtkWidget  *adit_tunnel_row_new        (AditRunner    *runner);
AditRunner *adit_tunnel_row_get_runner (AditTunnelRow *self);

/* For tests: what the row shows now ("Connected", "3 connections"), and its tooltip
 * ("1.2 MB sent, 5.0 MB received"; NULL while not connected). */
const char *adit_tunnel_row_get_state_text       (AditTunnelRow *self);
const char *adit_tunnel_row_get_connections_text (AditTunnelRow *self);
const char *adit_tunnel_row_get_traffic_text     (AditTunnelRow *self);
/* Shown while the tunnel waits to reconnect. */
GtkButton  *adit_tunnel_row_get_retry_button (AditTunnelRow *self);
GtkSwitch  *adit_tunnel_row_get_switch       (AditTunnelRow *self);

G_END_DECLS
