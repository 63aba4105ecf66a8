/* adit-paste-dialog.h — "Paste a command from your administrator": takes `ssh -L …` as it
 * was written to the person, says at once what it cannot understand, and hands a tunnel on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-alert.h"

#include "adit-engine.h"

G_BEGIN_DECLS

#define ADIT_TYPE_PASTE_DIALOG (adit_paste_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AditPasteDialog, adit_paste_dialog, ADIT, PASTE_DIALOG, AditAlert)

/* Emits "understood" (AditTunnel, the command) when the person continues with a command
 * that parsed. */
/* Shown with adit_alert_present (). */
GtkWidget   *adit_paste_dialog_new         (const char      *text);
GtkEditable *adit_paste_dialog_get_entry   (AditPasteDialog *self);
/* The sentence shown under the entry, or NULL when the command is understood. */
const char  *adit_paste_dialog_get_problem (AditPasteDialog *self);

G_END_DECLS
