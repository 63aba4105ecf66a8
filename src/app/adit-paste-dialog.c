/* adit-paste-dialog.c — see adit-paste-dialog.h.
 *
 * The command is parsed on every change by the same parser adit-cli uses, so what the
 * dialog accepts is exactly what would work in a terminal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-paste-dialog.h"

struct _AditPasteDialog
{
  AditAlert parent_instance;

  GtkEntry *entry;
  GtkLabel *problem;
  AditTunnel *tunnel;          /* what the text means now, or NULL */
};

G_DEFINE_FINAL_TYPE (AditPasteDialog, adit_paste_dialog, ADIT_TYPE_ALERT)

enum {
  SIGNAL_UNDERSTOOD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
text_changed_cb (AditPasteDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_object (&self->tunnel);
  if (*stripped != '\0')
    self->tunnel = adit_ssh_command_parse (stripped, &error);

  gtk_label_set_label (self->problem, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  adit_alert_set_response_enabled (GTK_WIDGET (self), "continue", self->tunnel != NULL);
}

static void
response_cb (AditPasteDialog *self,
             const char      *response)
{
  if (g_str_equal (response, "continue") && self->tunnel != NULL)
    g_signal_emit (self, signals[SIGNAL_UNDERSTOOD], 0, self->tunnel,
                   gtk_editable_get_text (GTK_EDITABLE (self->entry)));
}

static void
entry_activate_cb (AditPasteDialog *self)
{
  if (self->tunnel == NULL)
    return;
  adit_alert_respond (GTK_WIDGET (self), "continue");
  adit_alert_close (GTK_WIDGET (self));
}

static void
adit_paste_dialog_dispose (GObject *object)
{
  g_clear_object (&ADIT_PASTE_DIALOG (object)->tunnel);

  G_OBJECT_CLASS (adit_paste_dialog_parent_class)->dispose (object);
}

static void
adit_paste_dialog_class_init (AditPasteDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = adit_paste_dialog_dispose;

  signals[SIGNAL_UNDERSTOOD] =
    g_signal_new ("understood", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, ADIT_TYPE_TUNNEL, G_TYPE_STRING);
}

static void
adit_paste_dialog_init (AditPasteDialog *self)
{
  GtkWidget *dialog = GTK_WIDGET (self);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  adit_alert_set_heading (dialog, _("Paste a Command"));
  adit_alert_set_body (dialog, _("Paste the command your administrator sent you. "
                                         "It looks like “ssh -L 1100:mail.example.com:110 "
                                         "other.example.com”."));

  self->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->entry, "ssh -L …");
  gtk_widget_add_css_class (GTK_WIDGET (self->entry), "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Command"), -1);
  self->problem = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->problem, TRUE);
  gtk_label_set_xalign (self->problem, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->problem), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->problem), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->problem));
  adit_alert_set_extra_child (dialog, box);

  adit_alert_add_response (dialog, "cancel", _("_Cancel"));
  adit_alert_add_response (dialog, "continue", _("C_ontinue"));
  adit_alert_set_response_appearance (dialog, "continue", ADW_RESPONSE_SUGGESTED);
  adit_alert_set_default_response (dialog, "continue");
  adit_alert_set_close_response (dialog, "cancel");
  adit_alert_set_response_enabled (dialog, "continue", FALSE);

  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (text_changed_cb), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
}

GtkWidget *
adit_paste_dialog_new (const char *text)
{
  AditPasteDialog *self = g_object_new (ADIT_TYPE_PASTE_DIALOG, NULL);

  if (text != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), text);

  return GTK_WIDGET (self);
}

GtkEditable *
adit_paste_dialog_get_entry (AditPasteDialog *self)
{
  g_return_val_if_fail (ADIT_IS_PASTE_DIALOG (self), NULL);
  return GTK_EDITABLE (self->entry);
}

const char *
adit_paste_dialog_get_problem (AditPasteDialog *self)
{
  g_return_val_if_fail (ADIT_IS_PASTE_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->problem))
           ? gtk_label_get_label (self->problem) : NULL;
}
