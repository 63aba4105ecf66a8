/* adit-source.c — see adit-source.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-source.h"

GSource *
adit_source_start (GSource     *source,
                   GSourceFunc  func,
                   gpointer     data,
                   const char  *name)
{
  if (func != NULL)
    g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, name);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

void
adit_source_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}
