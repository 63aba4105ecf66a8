/* adit-network-watch.h — tells when the tunnels' sessions deserve a second look: the network
 * came back or changed (GNetworkMonitor), or the computer woke from sleep (logind's
 * PrepareForSleep). Sessions may have died silently meanwhile, and tunnels waiting to
 * reconnect may get through now. Main thread only; without a system bus or logind, it
 * follows the network alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ADIT_TYPE_NETWORK_WATCH (adit_network_watch_get_type ())
G_DECLARE_FINAL_TYPE (AditNetworkWatch, adit_network_watch, ADIT, NETWORK_WATCH, GObject)

/* Signal "changed" (): once per burst of network changes (while the network is available),
 * and after each resume from sleep. */
AditNetworkWatch *adit_network_watch_new (void);

G_END_DECLS
