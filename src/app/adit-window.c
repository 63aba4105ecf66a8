/* adit-window.c — see adit-window.h.
 *
 * The list is the store's GListModel bound to a GtkListBox; each row shows its tunnel's
 * runner. The window hears every runner's questions and failures through the manager and
 * answers with dialogs and toasts; it never waits on the network itself. Its size and
 * maximized state are kept in GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-alert.h"
#include "adit-paste-dialog.h"
#include "adit-question-dialog.h"
#include "adit-settings.h"
#include "adit-tunnel-editor.h"
#include "adit-tunnel-row.h"
#include "adit-window.h"

/* One toast per tunnel per this many seconds about its failing connections. */
#define CLIENT_TOAST_INTERVAL (5 * G_USEC_PER_SEC)

struct _AditWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;  /* NULL when the schema is not installed */
  AditManager *manager;
  GHashTable *client_toast_times;   /* uuid → last toast about a failed connection (µs) */
  GtkWidget *last_dialog;           /* weak: an editor window or an alert */

  /* Template children */
  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  AdwStatusPage *empty_page;
  GtkListBox *tunnel_list;
};

G_DEFINE_FINAL_TYPE (AditWindow, adit_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- window size ---- */

static void
restore_window_state (AditWindow *self)
{
  if (self->settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (AditWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  /* While maximized, the default size is still the size the window will return to. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
adit_window_close_request (GtkWindow *window)
{
  save_window_state (ADIT_WINDOW (window));

  return GTK_WINDOW_CLASS (adit_window_parent_class)->close_request (window);
}

/* ---- small helpers ---- */

static void
toast (AditWindow *self,
       const char *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
present_dialog (AditWindow *self,
                GtkWidget  *dialog)
{
  g_set_weak_pointer (&self->last_dialog, dialog);
  if (GTK_IS_WINDOW (dialog) && !ADIT_IS_ALERT (dialog))
    gtk_window_present (GTK_WINDOW (dialog));
  else
    adit_alert_present (dialog, GTK_WIDGET (self));
}

static void
tell (AditWindow *self,
      const char *heading,
      const char *body)
{
  GtkWidget *dialog = adit_alert_new (heading, body);

  adit_alert_add_response (dialog, "close", _("_Close"));
  present_dialog (self, dialog);
}

static AditTunnel *
tunnel_for (AditWindow *self,
            GVariant   *uuid)
{
  return adit_store_lookup (adit_manager_get_store (self->manager),
                            g_variant_get_string (uuid, NULL));
}

/* ---- the list ---- */

static void
client_failed_cb (AditRunner   *runner,
                  const GError *error,
                  AditWindow   *self)
{
  AditTunnel *tunnel = adit_runner_get_tunnel (runner);
  const char *uuid = adit_tunnel_get_uuid (tunnel);
  gint64 now = g_get_monotonic_time ();
  gint64 last = GPOINTER_TO_SIZE (g_hash_table_lookup (self->client_toast_times, uuid));
  g_autofree char *title = NULL;

  /* A mail client retrying every second must not bury the window in toasts. */
  if (last != 0 && now - last < CLIENT_TOAST_INTERVAL)
    return;
  g_hash_table_insert (self->client_toast_times, g_strdup (uuid), GSIZE_TO_POINTER (now));

  /* Translators: a toast; %s is a tunnel's name, then the engine's sentence. */
  title = g_strdup_printf (_("%s: %s"), adit_tunnel_get_display_name (tunnel), error->message);
  toast (self, title);
}

static void
keyring_failed_cb (AditRunner   *runner,
                   const GError *error,
                   AditWindow   *self)
{
  toast (self, error->message);
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  AditWindow *self = user_data;
  AditRunner *runner = adit_manager_get_runner (self->manager, ADIT_TUNNEL (item));

  /* Rows come and go (an edit makes a new one); the runner and this window stay. */
  if (g_signal_handler_find (runner, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                             client_failed_cb, self) == 0)
    {
      g_signal_connect_object (runner, "client-failed", G_CALLBACK (client_failed_cb), self, 0);
      g_signal_connect_object (runner, "keyring-failed", G_CALLBACK (keyring_failed_cb), self,
                               0);
    }

  return adit_tunnel_row_new (runner);
}

static void
update_page (AditWindow *self)
{
  GListModel *tunnels = G_LIST_MODEL (adit_manager_get_store (self->manager));

  gboolean empty = g_list_model_get_n_items (tunnels) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
  /* Elsewhere Ctrl+V is the person's own: pasting into an entry, say. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.paste-clipboard", empty);
}

GtkWidget *
adit_window_get_row (AditWindow *self,
                     const char *uuid)
{
  g_return_val_if_fail (ADIT_IS_WINDOW (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->tunnel_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (ADIT_IS_TUNNEL_ROW (row)
          && g_str_equal (adit_tunnel_get_uuid (adit_runner_get_tunnel (
                            adit_tunnel_row_get_runner (ADIT_TUNNEL_ROW (row)))), uuid))
        return row;
    }
  return NULL;
}

GtkWidget *
adit_window_get_last_dialog (AditWindow *self)
{
  g_return_val_if_fail (ADIT_IS_WINDOW (self), NULL);
  return self->last_dialog;
}

/* ---- questions and failures ---- */

static void
question_cb (AditManager  *manager,
             AditRunner   *runner,
             AditQuestion *question,
             AditWindow   *self)
{
  present_dialog (self, adit_question_dialog_new (runner, question));
}

static void
show_details (AditWindow *self,
              AditRunner *runner)
{
  AditTunnel *tunnel = adit_runner_get_tunnel (runner);
  const GError *error = adit_runner_get_error (runner);
  const GError *client_error = adit_runner_get_last_client_error (runner);
  g_autoptr(GString) detail = g_string_new (NULL);
  GtkWidget *dialog, *expander, *label;

  if (error == NULL && client_error == NULL)
    return;

  /* Headings stay short: libadwaita's alert heading does not wrap. */
  dialog = adit_alert_new (error ? _("Tunnel Stopped") : _("A Connection Failed"),
                           error ? error->message : client_error->message);
  if (error != NULL && g_error_matches (error, ADIT_ERROR, ADIT_ERROR_HOST_KEY_CHANGED))
    {
      /* No way to connect from here: forgetting the old identity is its own, deliberate
       * step, and the next connection then asks the person to check the new fingerprint. */
      g_autofree char *body = g_strdup_printf ("%s\n\n%s", error->message,
                                               _("When the server’s administrator has "
                                                 "confirmed the change, choose “Forget Server "
                                                 "Identity…” in the tunnel’s menu."));

      adit_alert_set_body (dialog, body);
    }

  /* The technical detail, one click further: what an administrator will ask for. */
  g_string_append_printf (detail, _("Tunnel: %s\n"), adit_tunnel_get_display_name (tunnel));
  g_string_append_printf (detail, _("SSH server: %s port %u\n"), adit_tunnel_get_host (tunnel),
                          adit_tunnel_get_port (tunnel));
  if (error != NULL)
    g_string_append_printf (detail, _("Error: %s %d\n"), g_quark_to_string (error->domain),
                            error->code);
  if (client_error != NULL)
    g_string_append_printf (detail, _("Last failed connection: %s (%s %d)\n"),
                            client_error->message, g_quark_to_string (client_error->domain),
                            client_error->code);
  label = gtk_label_new (g_strchomp (detail->str));
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "caption");
  expander = gtk_expander_new_with_mnemonic (_("_Technical Details"));
  gtk_expander_set_child (GTK_EXPANDER (expander), label);
  adit_alert_set_extra_child (dialog, expander);

  adit_alert_add_response (dialog, "close", _("_Close"));
  present_dialog (self, dialog);
}

static void
toast_details_cb (AdwToast   *failure,
                  AditWindow *self)
{
  show_details (self, g_object_get_data (G_OBJECT (failure), "adit-runner"));
}

static void
failed_cb (AditManager  *manager,
           AditRunner   *runner,
           const GError *error,
           AditWindow   *self)
{
  AditTunnel *tunnel = adit_runner_get_tunnel (runner);
  g_autofree char *phrase = NULL;
  g_autofree char *title = NULL;
  AdwToast *failure;

  /* The person cancelled a question: they know. */
  if (g_error_matches (error, ADIT_ERROR, ADIT_ERROR_CANCELLED))
    return;

  /* A changed server identity is a security matter: explained in full, not in a toast. */
  if (g_error_matches (error, ADIT_ERROR, ADIT_ERROR_HOST_KEY_CHANGED))
    {
      show_details (self, runner);
      return;
    }

  phrase = adit_runner_describe_state (runner);
  /* Translators: a toast; %s is a tunnel's name, then a short reason like "Login refused". */
  title = g_strdup_printf (_("%s: %s"), adit_tunnel_get_display_name (tunnel), phrase);
  failure = adw_toast_new (title);
  adw_toast_set_timeout (failure, 8);
  adw_toast_set_button_label (failure, _("_Details"));
  g_object_set_data_full (G_OBJECT (failure), "adit-runner", g_object_ref (runner),
                          g_object_unref);
  g_signal_connect_object (failure, "button-clicked", G_CALLBACK (toast_details_cb), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, failure);
}

/* ---- adding, pasting, importing ---- */

static void
editor_saved_cb (AditTunnelEditor *editor,
                 AditTunnel       *tunnel,
                 AditWindow       *self)
{
  AditStore *store = adit_manager_get_store (self->manager);
  AditTunnel *saved = adit_store_lookup (store, adit_tunnel_get_uuid (tunnel));

  /* A running tunnel picks up its new settings: its runner follows the saved object. */
  if (saved != NULL)
    adit_manager_get_runner (self->manager, saved);
}

static void
open_editor (AditWindow *self,
             AditTunnel *tunnel,
             const char *intro)
{
  AditTunnelEditor *editor = adit_tunnel_editor_new (GTK_WINDOW (self), self->manager, tunnel,
                                                     intro);

  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, 0);
  present_dialog (self, GTK_WIDGET (editor));
}

static void
add_tunnel_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  open_editor (ADIT_WINDOW (widget), NULL, NULL);
}

static void
command_understood_cb (AditPasteDialog *dialog,
                       AditTunnel      *tunnel,
                       const char      *command,
                       AditWindow      *self)
{
  g_autofree char *description = adit_tunnel_describe (tunnel);
  g_autofree char *intro =
    /* Translators: %s is "localhost:1100 → mail.example.com:110 via other.example.com". */
    g_strdup_printf (_("From your administrator’s command: %s. Check the details, then "
                       "save."), description);

  open_editor (self, tunnel, intro);
}

static void
show_paste_dialog (AditWindow *self,
                   const char *text)
{
  GtkWidget *dialog = adit_paste_dialog_new (text);

  g_signal_connect_object (dialog, "understood", G_CALLBACK (command_understood_cb), self, 0);
  present_dialog (self, dialog);
}

static void
paste_command_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  show_paste_dialog (ADIT_WINDOW (widget), NULL);
}

static void
clipboard_text_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AditWindow) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  show_paste_dialog (self, text);
}

/* Ctrl+V on the first-start page (the only place the action is enabled): what the person
 * copied from the email goes straight in. */
static void
paste_clipboard_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, clipboard_text_cb,
                                 g_object_ref (widget));
}

void
adit_window_import_file (AditWindow *self,
                         GFile      *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;
  g_autofree char *description = NULL;
  g_autofree char *intro = NULL;

  g_return_if_fail (ADIT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  base = g_file_get_basename (file);
  if (path != NULL)
    tunnel = adit_tunnel_file_load (path, NULL, &error);
  else
    g_set_error (&error, ADIT_ERROR, ADIT_ERROR_STORAGE,
                 _("Adit can only open tunnel files on this computer."));

  if (tunnel == NULL)
    {
      tell (self, _("Cannot Open This File"), error->message);
      return;
    }

  description = adit_tunnel_describe (tunnel);
  /* Translators: %s is a file name, then "localhost:1100 → mail.example.com:110 via …". */
  intro = g_strdup_printf (_("From the file “%s”: %s. Nothing is saved until you save it."),
                           base, description);
  open_editor (self, tunnel, intro);
}

static void
import_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  AditWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        adit_window_import_file (self, file);
    }
  g_object_unref (chooser);
}

static GtkFileFilter *
tunnel_file_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Tunnel Files"));
  gtk_file_filter_add_pattern (filter, "*" ADIT_TUNNEL_FILE_SUFFIX);
  gtk_file_filter_add_mime_type (filter, "application/x-sshtunnel");
  return filter;
}

static void
import_cb (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  GtkFileChooserNative *chooser;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (_("Import a Tunnel"), GTK_WINDOW (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"),
                                         _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), tunnel_file_filter ());
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect (chooser, "response", G_CALLBACK (import_chosen_cb), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- a tunnel's own actions (from its row) ---- */

static void
edit_tunnel_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AditWindow *self = ADIT_WINDOW (widget);
  AditTunnel *tunnel = tunnel_for (self, parameter);

  if (tunnel != NULL)
    open_editor (self, tunnel, adit_tunnel_get_read_only (tunnel)
                                 ? _("Your administrator provides this tunnel, so it cannot "
                                     "be changed here.")
                                 : NULL);
}

static void
export_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  AditWindow      *self)
{
  AditTunnel *tunnel = g_object_get_data (G_OBJECT (chooser), "adit-tunnel");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL || !adit_tunnel_file_save (tunnel, NULL, path, &error))
        tell (self, _("Tunnel Not Exported"),
              error ? error->message : _("Adit can only save tunnel files on this computer."));
      else
        {
          g_autofree char *base = g_file_get_basename (file);
          /* Translators: a toast; %s is a file name. */
          g_autofree char *title = g_strdup_printf (_("Exported as “%s”"), base);

          toast (self, title);
        }
    }
  g_object_unref (chooser);
}

static void
export_tunnel_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AditWindow *self = ADIT_WINDOW (widget);
  AditTunnel *tunnel = tunnel_for (self, parameter);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (tunnel == NULL)
    return;

  name = g_strconcat (adit_tunnel_get_display_name (tunnel), ADIT_TUNNEL_FILE_SUFFIX, NULL);
  g_strdelimit (name, "/\\", '-');
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (_("Export the Tunnel"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                         _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), tunnel_file_filter ());
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_object_set_data_full (G_OBJECT (chooser), "adit-tunnel", g_object_ref (tunnel),
                          g_object_unref);
  g_signal_connect (chooser, "response", G_CALLBACK (export_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
show_details_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AditWindow *self = ADIT_WINDOW (widget);
  AditTunnel *tunnel = tunnel_for (self, parameter);

  if (tunnel != NULL)
    show_details (self, adit_manager_get_runner (self->manager, tunnel));
}

static void
secrets_cleared_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AditWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!adit_secrets_clear_finish (result, &error))
    toast (self, error->message);
  else if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    toast (self, _("Saved password forgotten"));
}

static void
forget_password_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AditWindow *self = ADIT_WINDOW (widget);
  AditTunnel *tunnel = tunnel_for (self, parameter);

  if (tunnel != NULL)
    adit_secrets_clear_async (tunnel, NULL, secrets_cleared_cb, g_object_ref (self));
}

typedef struct
{
  AditWindow *window;
  AditTunnel *tunnel;
} Forgetting;

static void
forgetting_free (Forgetting *forgetting)
{
  g_object_unref (forgetting->window);
  g_object_unref (forgetting->tunnel);
  g_free (forgetting);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Forgetting, forgetting_free)

static void
identity_forgotten_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Forgetting) forgetting = user_data;
  AditWindow *self = forgetting->window;
  AditTunnel *tunnel = forgetting->tunnel;
  g_autoptr(GError) error = NULL;
  guint removed = 0;

  if (!adit_known_hosts_forget_finish (result, &removed, &error))
    tell (self, _("Identity Not Forgotten"), error->message);
  else if (removed == 0 && adit_known_hosts_in_global_file (tunnel))
    tell (self, _("Kept in Your SSH Settings"),
          _("This server’s identity is recorded in your own SSH settings (the file "
            "~/.ssh/known_hosts), which Adit does not change. Ask your administrator, or "
            "remove the line for this server from that file."));
  else
    toast (self, _("Server identity forgotten. The next connection asks you to check it."));
}

static void
forget_identity_response_cb (GtkWidget        *dialog,
                             const char       *response,
                             AditWindow       *self)
{
  AditTunnel *tunnel = g_object_get_data (G_OBJECT (dialog), "adit-tunnel");
  Forgetting *forgetting;

  if (!g_str_equal (response, "forget"))
    return;

  forgetting = g_new0 (Forgetting, 1);
  forgetting->window = g_object_ref (self);
  forgetting->tunnel = g_object_ref (tunnel);
  adit_known_hosts_forget_async (tunnel, NULL, identity_forgotten_cb, forgetting);
}

static void
forget_identity_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AditWindow *self = ADIT_WINDOW (widget);
  AditTunnel *tunnel = tunnel_for (self, parameter);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (tunnel == NULL)
    return;

  /* Translators: %s is the SSH server's name. */
  body = g_strdup_printf (_("Adit forgets the identity it remembers for %s. Do this only when "
                            "your administrator told you that the server changed: the next "
                            "time you connect, Adit asks you to check its new fingerprint."),
                          adit_tunnel_get_host (tunnel));
  dialog = adit_alert_new (_("Forget Server Identity?"), body);
  adit_alert_add_response (dialog, "cancel", _("_Cancel"));
  adit_alert_add_response (dialog, "forget", _("_Forget"));
  adit_alert_set_response_appearance (dialog, "forget", ADW_RESPONSE_DESTRUCTIVE);
  adit_alert_set_default_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "adit-tunnel", g_object_ref (tunnel),
                          g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (forget_identity_response_cb), self);
  present_dialog (self, dialog);
}

/* ---- deleting, with undo ---- */

static void
undo_delete_cb (AdwToast   *toast_,
                AditWindow *self)
{
  AditTunnel *tunnel = g_object_get_data (G_OBJECT (toast_), "adit-tunnel");
  g_autoptr(GError) error = NULL;

  g_object_set_data (G_OBJECT (toast_), "adit-undone", GINT_TO_POINTER (TRUE));
  if (!adit_store_save (adit_manager_get_store (self->manager), tunnel, &error))
    tell (self, _("Tunnel Not Restored"), error->message);
}

static void
delete_dismissed_cb (AdwToast   *toast_,
                     AditWindow *self)
{
  AditTunnel *tunnel = g_object_get_data (G_OBJECT (toast_), "adit-tunnel");

  /* Gone for good now: so are its saved password and passphrase. */
  if (!g_object_get_data (G_OBJECT (toast_), "adit-undone"))
    adit_secrets_clear_async (tunnel, NULL, NULL, NULL);
}

static void
delete_tunnel_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AditWindow *self = ADIT_WINDOW (widget);
  AditTunnel *found = tunnel_for (self, parameter);
  g_autoptr(AditTunnel) tunnel = found ? g_object_ref (found) : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  AdwToast *undo;

  if (tunnel == NULL || adit_tunnel_get_read_only (tunnel))
    return;

  adit_manager_drop (self->manager, tunnel);
  if (!adit_store_remove (adit_manager_get_store (self->manager), tunnel, &error))
    {
      tell (self, _("Tunnel Not Deleted"), error->message);
      return;
    }

  /* Translators: a toast; %s is a tunnel's name. */
  title = g_strdup_printf (_("“%s” deleted"), adit_tunnel_get_display_name (tunnel));
  undo = adw_toast_new (title);
  adw_toast_set_button_label (undo, _("_Undo"));
  adw_toast_set_priority (undo, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (undo), "adit-tunnel", g_steal_pointer (&tunnel),
                          g_object_unref);
  g_signal_connect_object (undo, "button-clicked", G_CALLBACK (undo_delete_cb), self, 0);
  g_signal_connect_object (undo, "dismissed", G_CALLBACK (delete_dismissed_cb), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, undo);
}

/* The Delete key: the tunnel whose row has the focus goes (with undo). Entries handle the key
 * themselves before it reaches the window. */
static void
delete_focused_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));
  GtkWidget *row = focus ? gtk_widget_get_ancestor (focus, ADIT_TYPE_TUNNEL_ROW) : NULL;

  if (row != NULL)
    gtk_widget_activate_action (widget, "win.delete-tunnel", "s",
                                adit_tunnel_get_uuid (adit_runner_get_tunnel (
                                  adit_tunnel_row_get_runner (ADIT_TUNNEL_ROW (row)))));
}

/* ---- GObject ---- */

static void
adit_window_dispose (GObject *object)
{
  AditWindow *self = ADIT_WINDOW (object);

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ADIT_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->client_toast_times, g_hash_table_unref);
  g_clear_weak_pointer (&self->last_dialog);

  G_OBJECT_CLASS (adit_window_parent_class)->dispose (object);
}

static void
adit_window_class_init (AditWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = adit_window_dispose;
  window_class->close_request = adit_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/adit/Adit/adit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AditWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AditWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AditWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, AditWindow, tunnel_list);

  gtk_widget_class_install_action (widget_class, "win.add-tunnel", NULL, add_tunnel_cb);
  gtk_widget_class_install_action (widget_class, "win.paste-command", NULL, paste_command_cb);
  gtk_widget_class_install_action (widget_class, "win.paste-clipboard", NULL,
                                   paste_clipboard_cb);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_cb);
  gtk_widget_class_install_action (widget_class, "win.edit-tunnel", "s", edit_tunnel_cb);
  gtk_widget_class_install_action (widget_class, "win.export-tunnel", "s", export_tunnel_cb);
  gtk_widget_class_install_action (widget_class, "win.show-details", "s", show_details_cb);
  gtk_widget_class_install_action (widget_class, "win.forget-password", "s",
                                   forget_password_cb);
  gtk_widget_class_install_action (widget_class, "win.forget-identity", "s",
                                   forget_identity_cb);
  gtk_widget_class_install_action (widget_class, "win.delete-tunnel", "s", delete_tunnel_cb);
  gtk_widget_class_install_action (widget_class, "win.delete-focused", NULL, delete_focused_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-tunnel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK,
                                       "win.paste-clipboard", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete-focused",
                                       NULL);
}

static void
adit_window_init (AditWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->client_toast_times = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->settings = adit_settings_new ();
  restore_window_state (self);

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

static void
report_store_problems (AditWindow *self)
{
  GPtrArray *problems = adit_store_get_problems (adit_manager_get_store (self->manager));
  g_autoptr(GString) body = g_string_new (NULL);

  if (problems->len == 0)
    return;

  for (guint i = 0; i < problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (body, "%s%s", i ? "\n\n" : "", problem->message);
    }
  tell (self, g_dngettext (GETTEXT_PACKAGE, "Tunnel File Set Aside",
                           "Tunnel Files Set Aside", problems->len), body->str);
}

AditWindow *
adit_window_new (GtkApplication *application,
                 AditManager    *manager)
{
  AditWindow *self;
  AditStore *store;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (ADIT_IS_MANAGER (manager), NULL);

  self = g_object_new (ADIT_TYPE_WINDOW, "application", application, NULL);
  self->manager = g_object_ref (manager);
  store = adit_manager_get_store (manager);

  gtk_list_box_bind_model (self->tunnel_list, G_LIST_MODEL (store), create_row_cb, self, NULL);
  g_signal_connect_object (store, "items-changed", G_CALLBACK (update_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (manager, "question", G_CALLBACK (question_cb), self);
  g_signal_connect (manager, "failed", G_CALLBACK (failed_cb), self);
  update_page (self);
  report_store_problems (self);

  return self;
}
