/* adit-window.h — the main window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "adit-application.h"

G_BEGIN_DECLS

#define ADIT_TYPE_WINDOW (adit_window_get_type ())

G_DECLARE_FINAL_TYPE (AditWindow, adit_window, ADIT, WINDOW, AdwApplicationWindow)

AditWindow *adit_window_new (AditApplication *application);

G_END_DECLS
