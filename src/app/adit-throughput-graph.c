/* adit-throughput-graph.c — see adit-throughput-graph.h.
 *
 * Drawn with cairo in the widget's foreground colour, so it follows light, dark and high
 * contrast styles. It is decoration for the numbers next to it: hidden from screen readers,
 * which read those numbers instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "adit-throughput-graph.h"

#define MAX_VALUES 120

struct _AditThroughputGraph
{
  GtkWidget parent_instance;

  double values[MAX_VALUES];
  guint n_values;
};

G_DEFINE_FINAL_TYPE (AditThroughputGraph, adit_throughput_graph, GTK_TYPE_WIDGET)

static void
adit_throughput_graph_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  AditThroughputGraph *self = ADIT_THROUGHPUT_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double peak = 0;
  GdkRGBA color;
  cairo_t *cr;

  if (self->n_values < 2 || width <= 0 || height <= 0)
    return;

  for (guint i = 0; i < self->n_values; i++)
    peak = MAX (peak, self->values[i]);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* A baseline, so an idle tunnel still shows where the graph is. */
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.25);
  cairo_rectangle (cr, 0, height - 1, width, 1);
  cairo_fill (cr);

  if (peak > 0)
    {
      double step = (double)width / (self->n_values - 1);

      cairo_move_to (cr, 0, height);
      for (guint i = 0; i < self->n_values; i++)
        cairo_line_to (cr, i * step, height - 1 - (height - 2) * self->values[i] / peak);
      cairo_line_to (cr, width, height);
      cairo_close_path (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.35);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.8);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }

  cairo_destroy (cr);
}

static void
adit_throughput_graph_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 64 : 24;
}

static void
adit_throughput_graph_class_init (AditThroughputGraphClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = adit_throughput_graph_snapshot;
  widget_class->measure = adit_throughput_graph_measure;
  gtk_widget_class_set_css_name (widget_class, "throughput-graph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
adit_throughput_graph_init (AditThroughputGraph *self)
{
}

GtkWidget *
adit_throughput_graph_new (void)
{
  return g_object_new (ADIT_TYPE_THROUGHPUT_GRAPH, NULL);
}

void
adit_throughput_graph_set_history (AditThroughputGraph *self,
                                   const double        *values,
                                   guint                n_values)
{
  g_return_if_fail (ADIT_IS_THROUGHPUT_GRAPH (self));

  self->n_values = MIN (n_values, MAX_VALUES);
  memcpy (self->values, values + (n_values - self->n_values),
          self->n_values * sizeof self->values[0]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
