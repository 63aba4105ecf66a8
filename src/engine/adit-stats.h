/* adit-stats.h — a snapshot of a running tunnel's counters, delivered to the owning thread at
 * most four times a second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint   open_connections;    /* local clients being served now */
  guint64 total_connections;   /* every local client accepted since Connect */
  guint64 failed_connections;  /* clients whose channel the server refused or could not open */
  guint64 bytes_sent;          /* from local clients into the tunnel */
  guint64 bytes_received;      /* from the tunnel out to local clients */
} AditStats;

G_END_DECLS
