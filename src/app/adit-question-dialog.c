/* adit-question-dialog.c — see adit-question-dialog.h.
 *
 * The words stay plain: the server is named, the fingerprint is shown for comparing, and a
 * secret prompt offers "Remember" (saved to the keyring only after it worked, see
 * adit_runner_answer ()). A key that changed never reaches this dialog: the engine refuses it
 * and the window explains (see AditWindow).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-question-dialog.h"

struct _AditQuestionDialog
{
  AditAlert parent_instance;

  AditRunner *runner;
  AditQuestion *question;
  GPtrArray *entries;              /* GtkEditable, one per prompt */
  GtkCheckButton *remember;
};

G_DEFINE_FINAL_TYPE (AditQuestionDialog, adit_question_dialog, ADIT_TYPE_ALERT)

static void
response_cb (AditQuestionDialog *self,
             const char         *response)
{
  g_autoptr(GPtrArray) answers = NULL;

  if (adit_question_is_done (self->question))
    return;

  if (!g_str_equal (response, "connect"))
    {
      adit_question_cancel (self->question);
      return;
    }

  answers = g_ptr_array_new ();
  for (guint i = 0; i < self->entries->len; i++)
    g_ptr_array_add (answers, (gpointer)gtk_editable_get_text (g_ptr_array_index (self->entries,
                                                                                    i)));
  g_ptr_array_add (answers, NULL);

  adit_runner_answer (self->runner, self->question, (const char * const *)answers->pdata,
                      self->remember != NULL && gtk_check_button_get_active (self->remember));

  /* Entry buffers hold the secret until the dialog is gone: clear them now. */
  for (guint i = 0; i < self->entries->len; i++)
    gtk_editable_set_text (g_ptr_array_index (self->entries, i), "");
}

static gboolean
close_cb (gpointer data)
{
  /* Focus leaves the entry rows first: libadwaita 1.2's entry row reacts to losing focus,
   * which would otherwise happen while it is being torn down. */
  GtkRoot *root = gtk_widget_get_root (data);

  if (GTK_IS_WINDOW (root))
    gtk_window_set_focus (GTK_WINDOW (root), NULL);
  adit_alert_close (data);
  return G_SOURCE_REMOVE;
}

static void
question_done_cb (AditQuestionDialog *self)
{
  /* Withdrawn (the tunnel stopped) or answered: either way this dialog is finished. Closed
   * from an idle callback: an answer arrives inside the dialog's own "response" emission. */
  g_idle_add_full (G_PRIORITY_DEFAULT, close_cb, g_object_ref (self), g_object_unref);
}

static void
entry_activate_cb (AditQuestionDialog *self)
{
  /* Answering marks the question done, which closes the dialog. */
  adit_alert_respond (GTK_WIDGET (self), "connect");
}

static GtkWidget *
add_prompt (AditQuestionDialog *self,
            GtkWidget          *list,
            const char         *prompt,
            gboolean            echo)
{
  GtkWidget *row = echo ? adw_entry_row_new () : adw_password_entry_row_new ();
  g_autofree char *title = g_strstrip (g_strdup (prompt));

  /* Servers end prompts with ": "; a row title reads better without. */
  if (g_str_has_suffix (title, ":"))
    title[strlen (title) - 1] = '\0';
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_signal_connect_swapped (row, "entry-activated", G_CALLBACK (entry_activate_cb), self);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  g_ptr_array_add (self->entries, row);

  return row;
}

static void
build_host_key (AditQuestionDialog *self)
{
  AditQuestion *question = self->question;
  g_autofree char *body = NULL;
  GtkWidget *fingerprint;

  adit_alert_set_heading (GTK_WIDGET (self), _("Is This the Right Server?"));
  body = g_strdup_printf (_("Adit has not connected to %s before, so it cannot yet tell it "
                            "from an impostor. If your administrator gave you the server’s "
                            "fingerprint, check that it matches this one. Adit remembers "
                            "the server once you trust it."),
                          adit_question_get_server (question));
  adit_alert_set_body (GTK_WIDGET (self), body);

  fingerprint = gtk_label_new (adit_question_get_fingerprint (question));
  gtk_label_set_selectable (GTK_LABEL (fingerprint), TRUE);
  gtk_label_set_wrap (GTK_LABEL (fingerprint), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (fingerprint), PANGO_WRAP_CHAR);
  gtk_widget_add_css_class (fingerprint, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (fingerprint), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Server fingerprint"), -1);
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    g_autofree char *key_type = g_strdup_printf (_("Key type: %s"),
                                                 adit_question_get_key_type (question));
    GtkWidget *type_label = gtk_label_new (key_type);

    /* The fingerprint and its key type on a card, with room around the digits. */
    gtk_widget_add_css_class (box, "card");
    g_object_set (fingerprint, "margin-top", 12, "margin-start", 12, "margin-end", 12, NULL);
    g_object_set (type_label, "margin-bottom", 12, NULL);
    gtk_widget_add_css_class (type_label, "dim-label");
    gtk_widget_add_css_class (type_label, "caption");
    gtk_box_append (GTK_BOX (box), fingerprint);
    gtk_box_append (GTK_BOX (box), type_label);
    adit_alert_set_extra_child (GTK_WIDGET (self), box);
  }

  adit_alert_add_response (GTK_WIDGET (self), "cancel", _("_Cancel"));
  adit_alert_add_response (GTK_WIDGET (self), "connect", _("_Trust and Connect"));
  adit_alert_set_response_appearance (GTK_WIDGET (self), "connect",
                                              ADW_RESPONSE_SUGGESTED);
  /* Trusting must be a deliberate click, not a reflexive Enter. */
  adit_alert_set_default_response (GTK_WIDGET (self), "cancel");
}

static void
build_prompts (AditQuestionDialog *self)
{
  AditQuestion *question = self->question;
  AditQuestionKind kind = adit_question_get_kind (question);
  guint n = adit_question_get_n_prompts (question);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();
  const char *heading;

  switch (kind)
    {
    case ADIT_QUESTION_PASSPHRASE:
      heading = _("Unlock Your Key");
      break;
    case ADIT_QUESTION_PASSWORD:
      heading = _("Password Needed");
      break;
    case ADIT_QUESTION_KEYBOARD_INTERACTIVE:
    default:
      heading = _("The Server Asks");
      break;
    }
  adit_alert_set_heading (GTK_WIDGET (self), heading);
  adit_alert_set_body (GTK_WIDGET (self), adit_question_get_message (question));

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < n; i++)
    add_prompt (self, list, adit_question_get_prompt (question, i),
                adit_question_get_prompt_echo (question, i));
  gtk_box_append (GTK_BOX (box), list);

  /* One hidden answer is a password or passphrase: something worth keeping. */
  if (n == 1 && !adit_question_get_prompt_echo (question, 0))
    {
      self->remember = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (
        kind == ADIT_QUESTION_PASSPHRASE ? _("_Remember this passphrase")
                                         : _("_Remember this password")));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->remember),
                                   _("Kept in your keyring, and only once it worked"));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->remember));
    }

  adit_alert_set_extra_child (GTK_WIDGET (self), box);
  adit_alert_add_response (GTK_WIDGET (self), "cancel", _("_Cancel"));
  adit_alert_add_response (GTK_WIDGET (self), "connect", _("C_onnect"));
  adit_alert_set_response_appearance (GTK_WIDGET (self), "connect",
                                              ADW_RESPONSE_SUGGESTED);
  adit_alert_set_default_response (GTK_WIDGET (self), "connect");
}

static void
adit_question_dialog_dispose (GObject *object)
{
  AditQuestionDialog *self = ADIT_QUESTION_DIALOG (object);

  if (self->question != NULL)
    g_signal_handlers_disconnect_by_data (self->question, self);
  g_clear_object (&self->question);
  g_clear_object (&self->runner);
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (adit_question_dialog_parent_class)->dispose (object);
}

static void
adit_question_dialog_class_init (AditQuestionDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = adit_question_dialog_dispose;
}

static void
adit_question_dialog_init (AditQuestionDialog *self)
{
  self->entries = g_ptr_array_new ();
  adit_alert_set_close_response (GTK_WIDGET (self), "cancel");
}

GtkWidget *
adit_question_dialog_new (AditRunner   *runner,
                          AditQuestion *question)
{
  AditQuestionDialog *self;

  g_return_val_if_fail (ADIT_IS_RUNNER (runner), NULL);
  g_return_val_if_fail (ADIT_IS_QUESTION (question), NULL);

  self = g_object_new (ADIT_TYPE_QUESTION_DIALOG, NULL);
  self->runner = g_object_ref (runner);
  self->question = g_object_ref (question);

  if (adit_question_get_kind (question) == ADIT_QUESTION_HOST_KEY)
    build_host_key (self);
  else
    build_prompts (self);

  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
  g_signal_connect_swapped (question, "notify::done", G_CALLBACK (question_done_cb), self);

  return GTK_WIDGET (self);
}

GtkEditable *
adit_question_dialog_get_entry (AditQuestionDialog *self,
                                guint               index)
{
  g_return_val_if_fail (ADIT_IS_QUESTION_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  return g_ptr_array_index (self->entries, index);
}

GtkCheckButton *
adit_question_dialog_get_remember (AditQuestionDialog *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION_DIALOG (self), NULL);
  return self->remember;
}
