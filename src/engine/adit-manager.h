/* adit-manager.h — which tunnels run: one AditRunner per saved tunnel, made when first
 * needed, and one place for the window (and later the tray) to hear about questions and
 * failures of any of them. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-runner.h"
#include "adit-store.h"

G_BEGIN_DECLS

#define ADIT_TYPE_MANAGER (adit_manager_get_type ())
G_DECLARE_FINAL_TYPE (AditManager, adit_manager, ADIT, MANAGER, GObject)

/* Signals: "question" (AditRunner, AditQuestion): a tunnel waits for the person;
 * "failed" (AditRunner, GError): a tunnel stopped because of an error;
 * "dropped" (AditRunner, GError): a connected tunnel lost its session and is reconnecting;
 * "recovered" (AditRunner): … and is connected again, or was switched off meanwhile: the
 *   drop is no longer news. (A failure instead comes as "failed".)
 * When the network changes or the computer wakes, every tunnel is told to check or retry. */
AditManager *adit_manager_new             (AditStore   *store);
AditStore   *adit_manager_get_store       (AditManager *self);
/* The runner of @tunnel (a tunnel of the store), made on first use. */
AditRunner  *adit_manager_get_runner      (AditManager *self,
                                           AditTunnel  *tunnel);
/* The store's tunnel with this uuid, or else this name (exactly, then in any case); NULL
 * when there is none. Not a new reference. */
AditTunnel  *adit_manager_find_tunnel     (AditManager *self,
                                           const char  *name_or_uuid);
/* Starts every tunnel marked "connect when Adit starts". */
void         adit_manager_start_autostart (AditManager *self);
/* Stops @tunnel's runner and forgets it (the tunnel is being deleted). */
void         adit_manager_drop            (AditManager *self,
                                           AditTunnel  *tunnel);
/* How many tunnels are on (connecting, waiting or connected). */
guint        adit_manager_count_active    (AditManager *self);
void         adit_manager_stop_all        (AditManager *self);

G_END_DECLS
