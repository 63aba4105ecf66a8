/* adit-question-dialog.h — a tunnel's question to the person, over the window: is this the
 * right server (with its fingerprint), a password, a key's passphrase, or the server's own
 * prompts. It answers through the runner and closes itself when the question is withdrawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-alert.h"

#include "adit-engine.h"

G_BEGIN_DECLS

#define ADIT_TYPE_QUESTION_DIALOG (adit_question_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AditQuestionDialog, adit_question_dialog, ADIT, QUESTION_DIALOG,
                      AditAlert)

/* Responses: "cancel", and "connect" (which trusts the server for a host key question).
 * Shown with adit_alert_present (). */
GtkWidget *adit_question_dialog_new (AditRunner   *runner,
                                     AditQuestion *question);

/* The entry of prompt @index, and the "Remember" check (NULL when nothing can be kept). */
GtkEditable    *adit_question_dialog_get_entry    (AditQuestionDialog *self,
                                                   guint               index);
GtkCheckButton *adit_question_dialog_get_remember (AditQuestionDialog *self);

G_END_DECLS
