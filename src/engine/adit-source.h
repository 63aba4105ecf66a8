/* adit-source.h — private: the two things every worker-side timer, idle and watch does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Gives @source its callback and a name (for profilers), attaches it to the thread-default
 * main context and returns it: the caller keeps that reference. */
GSource *adit_source_start (GSource     *source,
                            GSourceFunc  func,
                            gpointer     data,
                            const char  *name);
/* Destroys and drops a source kept in @source, if any. */
void     adit_source_clear (GSource    **source);

G_END_DECLS
