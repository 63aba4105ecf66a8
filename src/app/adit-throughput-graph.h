/* adit-throughput-graph.h — a small live graph of a tunnel's last minute of traffic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ADIT_TYPE_THROUGHPUT_GRAPH (adit_throughput_graph_get_type ())
G_DECLARE_FINAL_TYPE (AditThroughputGraph, adit_throughput_graph, ADIT, THROUGHPUT_GRAPH,
                      GtkWidget)

GtkWidget *adit_throughput_graph_new         (void);
/* Bytes per second, oldest first. The graph scales itself to the largest value. */
void       adit_throughput_graph_set_history (AditThroughputGraph *self,
                                              const double        *values,
                                              guint                n_values);

G_END_DECLS
