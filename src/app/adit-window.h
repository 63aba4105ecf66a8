/* adit-window.h — the main window: the saved tunnels, or a first-start page with the two ways
 * in (add a tunnel, paste an administrator's command), and every dialog a tunnel needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "adit-engine.h"

G_BEGIN_DECLS

#define ADIT_TYPE_WINDOW (adit_window_get_type ())

G_DECLARE_FINAL_TYPE (AditWindow, adit_window, ADIT, WINDOW, AdwApplicationWindow)

AditWindow *adit_window_new         (GtkApplication *application,
                                     AditManager    *manager);
/* Shows what the tunnel file will do, in the editor, before anything is saved. */
void        adit_window_import_file (AditWindow     *self,
                                     GFile          *file);
/* The row of the tunnel with @uuid, or NULL (for tests and the accessibility tree). */
GtkWidget  *adit_window_get_row     (AditWindow     *self,
                                     const char     *uuid);
/* Editors, question dialogs and other windows it opened lately (for tests). */
GtkWidget  *adit_window_get_last_dialog (AditWindow *self);

G_END_DECLS
