/* adit-tunnel-editor.c — see adit-tunnel-editor.h.
 *
 * Every change re-checks the whole form (it is small), so a message never lingers after
 * the person fixed its cause. Only problems that would make the tunnel fail block Save; the
 * network-wide bind address is a warning. Local port checks bind and close a socket on
 * loopback: instant, no network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-alert.h"
#include "adit-tunnel-editor.h"

typedef struct
{
  const char *name;
  guint16 remote_port;
  guint16 local_port;
} Preset;

/* Local ports ≥ 1024 need no administrator rights; 1100 for 110 is what admins write. */
static const Preset presets[] = {
  { N_("Custom"), 0, 0 },
  { N_("Email: POP3"), 110, 1100 },
  { N_("Email: POP3 over TLS"), 995, 1995 },
  { N_("Email: IMAP"), 143, 1143 },
  { N_("Email: IMAP over TLS"), 993, 1993 },
  { N_("Email: Sending (SMTP)"), 587, 1587 },
  { N_("Remote Desktop"), 3389, 3389 },
  { N_("Screen Sharing (VNC)"), 5900, 5900 },
  { N_("PostgreSQL Database"), 5432, 5432 },
  { N_("MySQL Database"), 3306, 3306 },
  { N_("Web Page"), 80, 8080 },
  { N_("Secure Web Page"), 443, 8443 },
};

struct _AditTunnelEditor
{
  AdwWindow parent_instance;

  AditManager *manager;
  AditTunnel *original;      /* the store's tunnel being edited, or NULL */
  AditTunnel *draft;         /* uuid, read-only flag and settings the form does not show */
  GPtrArray *ssh_hosts;      /* AditSshConfigHost from ~/.ssh/config */
  guint16 suggested_port;
  gboolean filling;

  /* Template children */
  GtkButton *cancel_button;
  GtkButton *save_button;
  AdwPreferencesPage *page;
  AdwPreferencesGroup *intro_group;
  AdwEntryRow *name_row;
  AdwComboRow *preset_row;
  AdwEntryRow *host_row;
  GtkMenuButton *known_hosts_button;
  AdwActionRow *host_message;
  AdwEntryRow *ssh_port_row;
  AdwActionRow *ssh_port_message;
  AdwEntryRow *user_row;
  AdwActionRow *identity_row;
  AdwEntryRow *remote_host_row;
  AdwActionRow *remote_host_message;
  AdwEntryRow *remote_port_row;
  AdwActionRow *remote_port_message;
  AdwEntryRow *local_port_row;
  AdwActionRow *local_port_message;
  GtkButton *local_port_fix;
  AdwComboRow *auth_row;
  AdwActionRow *key_file_row;
  AdwComboRow *bind_row;
  AdwActionRow *bind_message;
  GtkSwitch *autostart_switch;
};

G_DEFINE_FINAL_TYPE (AditTunnelEditor, adit_tunnel_editor, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
set_port_text (AdwEntryRow *row,
               guint16      port)
{
  g_autofree char *text = port ? g_strdup_printf ("%u", port) : g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
show_message (AdwActionRow *row,
              const char   *message)
{
  gtk_widget_set_visible (GTK_WIDGET (row), message != NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), message ? message : "");
}

static void
mark_row (AdwEntryRow *row,
          gboolean     wrong)
{
  if (wrong)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* A message for a filled-in field that cannot be right; an empty one only blocks Save. */
static gboolean
check_host (AdwEntryRow  *row,
            AdwActionRow *message,
            gboolean     *complete)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_strstrip (g_strdup (text_of (row)));

  if (*host == '\0')
    {
      *complete = FALSE;
      show_message (message, NULL);
      mark_row (row, FALSE);
      return TRUE;
    }
  adit_host_is_valid (host, &error);
  show_message (message, error ? error->message : NULL);
  mark_row (row, error != NULL);
  return error == NULL;
}

static gboolean
check_port (AdwEntryRow  *row,
            AdwActionRow *message,
            gboolean     *complete,
            guint16      *port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strstrip (g_strdup (text_of (row)));

  *port = 0;
  if (*text == '\0')
    {
      *complete = FALSE;
      show_message (message, NULL);
      mark_row (row, FALSE);
      return TRUE;
    }
  adit_port_parse (text, port, &error);
  show_message (message, error ? error->message : NULL);
  mark_row (row, error != NULL);
  return error == NULL;
}

static const char *
bind_address (AditTunnelEditor *self)
{
  /* "Other computers too" listens on every address, as `ssh -g` would. */
  return adw_combo_row_get_selected (self->bind_row) == 1 ? "0.0.0.0" : NULL;
}

/* Is @port what this tunnel already listens on? Then it is "in use" by us. */
static gboolean
port_is_ours (AditTunnelEditor *self,
              guint16           port)
{
  AditRunner *runner;
  GPtrArray *forwards;

  if (self->original == NULL || self->manager == NULL)
    return FALSE;
  runner = adit_manager_get_runner (self->manager, self->original);
  if (!adit_runner_is_active (runner))
    return FALSE;
  forwards = adit_tunnel_get_forwards (self->original);
  for (guint i = 0; i < forwards->len; i++)
    if (((AditForward *)g_ptr_array_index (forwards, i))->bind_port == port)
      return TRUE;
  return FALSE;
}

static gboolean
check_local_port (AditTunnelEditor *self,
                  gboolean         *complete)
{
  g_autoptr(GError) error = NULL;
  guint16 port;

  self->suggested_port = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->local_port_fix), FALSE);
  if (!check_port (self->local_port_row, self->local_port_message, complete, &port))
    return FALSE;
  if (port == 0 || port_is_ours (self, port))
    return TRUE;

  if (!adit_local_port_check (bind_address (self), port, &self->suggested_port, &error))
    {
      show_message (self->local_port_message, error->message);
      mark_row (self->local_port_row, TRUE);
      if (self->suggested_port != 0)
        {
          g_autofree char *label = g_strdup_printf (_("Use %u"), self->suggested_port);

          gtk_button_set_label (self->local_port_fix, label);
          gtk_widget_set_visible (GTK_WIDGET (self->local_port_fix), TRUE);
        }
      return FALSE;
    }
  return TRUE;
}

static void
validate (AditTunnelEditor *self)
{
  gboolean complete = TRUE;
  gboolean valid = TRUE;
  gboolean key_file = adw_combo_row_get_selected (self->auth_row) == ADIT_AUTH_METHOD_KEY_FILE;
  guint16 port;

  if (self->filling)
    return;

  valid &= check_host (self->host_row, self->host_message, &complete);
  valid &= check_port (self->ssh_port_row, self->ssh_port_message, &complete, &port);
  valid &= check_host (self->remote_host_row, self->remote_host_message, &complete);
  valid &= check_port (self->remote_port_row, self->remote_port_message, &complete, &port);
  valid &= check_local_port (self, &complete);

  gtk_widget_set_visible (GTK_WIDGET (self->key_file_row), key_file);
  if (key_file && adit_tunnel_get_identity_file (self->draft) == NULL)
    complete = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->bind_message), bind_address (self) != NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 valid && complete && !adit_tunnel_get_read_only (self->draft));
}

static void
preset_selected_cb (AditTunnelEditor *self)
{
  guint index = adw_combo_row_get_selected (self->preset_row);
  g_autofree char *remote = NULL;
  g_autofree char *local = NULL;

  if (self->filling || index == 0 || index >= G_N_ELEMENTS (presets))
    return;

  remote = g_strdup_printf ("%u", presets[index].remote_port);
  local = g_strdup_printf ("%u", presets[index].local_port);
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->remote_port_row), remote);
  gtk_editable_set_text (GTK_EDITABLE (self->local_port_row), local);
  if (*text_of (self->name_row) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), _(presets[index].name));
  self->filling = FALSE;
  validate (self);
}

/* Typing a port by hand that matches no preset makes the choice "Custom" again. */
static void
ports_changed_cb (AditTunnelEditor *self)
{
  guint16 remote = 0;
  guint index = 0;

  if (self->filling)
    return;

  adit_port_parse (text_of (self->remote_port_row), &remote, NULL);
  for (guint i = 1; i < G_N_ELEMENTS (presets); i++)
    if (presets[i].remote_port == remote)
      index = i;

  self->filling = TRUE;
  adw_combo_row_set_selected (self->preset_row, index);
  self->filling = FALSE;
  validate (self);
}

static void
use_suggested_port_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AditTunnelEditor *self = ADIT_TUNNEL_EDITOR (widget);
  g_autofree char *text = g_strdup_printf ("%u", self->suggested_port);

  gtk_editable_set_text (GTK_EDITABLE (self->local_port_row), text);
}

static void
set_identity_file (AditTunnelEditor *self,
                   const char       *path)
{
  adit_tunnel_set_identity_file (self->draft, path);
  adw_action_row_set_subtitle (self->key_file_row, path ? path : _("None chosen"));
  validate (self);
}

static void
key_chosen_cb (GtkNativeDialog  *chooser,
               int               response,
               AditTunnelEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_identity_file (self, path);
    }
  g_object_unref (chooser);
}

static void
choose_key_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AditTunnelEditor *self = ADIT_TUNNEL_EDITOR (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (ssh_dir);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (_("Choose Your Key File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                         _("_Cancel"));
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect (chooser, "response", G_CALLBACK (key_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- servers from ~/.ssh/config ---- */

static void
known_host_chosen_cb (GtkButton        *button,
                      AditTunnelEditor *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "adit-index"));
  AditSshConfigHost *host = g_ptr_array_index (self->ssh_hosts, index);

  gtk_editable_set_text (GTK_EDITABLE (self->host_row),
                         host->hostname ? host->hostname : host->alias);
  if (host->port != 0)
    set_port_text (self->ssh_port_row, host->port);
  if (host->user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), host->user);
  if (host->identity_file != NULL)
    {
      adw_combo_row_set_selected (self->auth_row, ADIT_AUTH_METHOD_KEY_FILE);
      set_identity_file (self, host->identity_file);
    }
  gtk_menu_button_popdown (self->known_hosts_button);
}

/* The person's own ~/.ssh/config names servers they already use: offer those. */
static void
offer_known_hosts (AditTunnelEditor *self)
{
  GtkWidget *popover, *box;

  self->ssh_hosts = adit_ssh_config_hosts (NULL);
  if (self->ssh_hosts->len == 0)
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  for (guint i = 0; i < self->ssh_hosts->len && i < 50; i++)
    {
      AditSshConfigHost *host = g_ptr_array_index (self->ssh_hosts, i);
      GtkWidget *button = gtk_button_new_with_label (host->alias);

      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0);
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data (G_OBJECT (button), "adit-index", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (known_host_chosen_cb), self);
      gtk_box_append (GTK_BOX (box), button);
    }
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (self->known_hosts_button, popover);
  gtk_widget_set_visible (GTK_WIDGET (self->known_hosts_button), TRUE);
}

/* ---- filling in and reading back ---- */

static void
fill (AditTunnelEditor *self)
{
  AditTunnel *tunnel = self->draft;
  GPtrArray *forwards = adit_tunnel_get_forwards (tunnel);
  const char *user = adit_tunnel_get_user (tunnel);

  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         adit_tunnel_get_name (tunnel) ? adit_tunnel_get_name (tunnel) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->host_row),
                         adit_tunnel_get_host (tunnel) ? adit_tunnel_get_host (tunnel) : "");
  set_port_text (self->ssh_port_row, adit_tunnel_get_port (tunnel));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user ? user : g_get_user_name ());
  gtk_widget_set_visible (GTK_WIDGET (self->identity_row),
                          adit_tunnel_get_host_key_fingerprint (tunnel) != NULL);
  if (adit_tunnel_get_host_key_fingerprint (tunnel) != NULL)
    adw_action_row_set_subtitle (self->identity_row, adit_tunnel_get_host_key_fingerprint (tunnel));

  if (forwards->len > 0)
    {
      AditForward *forward = g_ptr_array_index (forwards, 0);

      gtk_editable_set_text (GTK_EDITABLE (self->remote_host_row), forward->host);
      set_port_text (self->remote_port_row, forward->host_port);
      set_port_text (self->local_port_row, forward->bind_port);
      adw_combo_row_set_selected (self->bind_row, adit_forward_is_local_only (forward) ? 0 : 1);
      for (guint i = 1; i < G_N_ELEMENTS (presets); i++)
        if (presets[i].remote_port == forward->host_port)
          adw_combo_row_set_selected (self->preset_row, i);
    }

  adw_combo_row_set_selected (self->auth_row, adit_tunnel_get_auth_method (tunnel));
  adw_action_row_set_subtitle (self->key_file_row, adit_tunnel_get_identity_file (tunnel)
                                                     ? adit_tunnel_get_identity_file (tunnel)
                                                     : _("None chosen"));
  gtk_switch_set_active (self->autostart_switch, adit_tunnel_get_autostart (tunnel));
  self->filling = FALSE;
  validate (self);
}

AditTunnel *
adit_tunnel_editor_build (AditTunnelEditor  *self,
                          GError           **error)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(AditForward) forward = NULL;
  g_autofree char *name = NULL;
  g_autofree char *host = NULL;
  g_autofree char *remote_host = NULL;
  g_autofree char *user = NULL;
  guint16 ssh_port = ADIT_DEFAULT_SSH_PORT, remote_port = 0, local_port = 0;

  g_return_val_if_fail (ADIT_IS_TUNNEL_EDITOR (self), NULL);

  name = g_strstrip (g_strdup (text_of (self->name_row)));
  host = g_strstrip (g_strdup (text_of (self->host_row)));
  remote_host = g_strstrip (g_strdup (text_of (self->remote_host_row)));
  user = g_strstrip (g_strdup (text_of (self->user_row)));

  if (!adit_host_is_valid (host, error)
      || !adit_port_parse (text_of (self->ssh_port_row), &ssh_port, error)
      || !adit_host_is_valid (remote_host, error)
      || !adit_port_parse (text_of (self->remote_port_row), &remote_port, error)
      || !adit_port_parse (text_of (self->local_port_row), &local_port, error))
    return NULL;

  tunnel = adit_tunnel_copy (self->draft);
  adit_tunnel_set_name (tunnel, *name ? name : remote_host);
  /* The pinned identity is that of the server in the file: another server has another. */
  if (g_strcmp0 (host, adit_tunnel_get_host (self->draft)) != 0 ||
      ssh_port != adit_tunnel_get_port (self->draft))
    adit_tunnel_set_host_key_fingerprint (tunnel, NULL);
  adit_tunnel_set_host (tunnel, host);
  adit_tunnel_set_port (tunnel, ssh_port);
  adit_tunnel_set_user (tunnel, *user ? user : NULL);
  adit_tunnel_set_auth_method (tunnel, adw_combo_row_get_selected (self->auth_row));
  adit_tunnel_set_autostart (tunnel, gtk_switch_get_active (self->autostart_switch));

  /* The form shows the first forward; any others (from a file or a command) are kept. */
  forward = adit_forward_new (bind_address (self), local_port, remote_host, remote_port);
  {
    g_autoptr(GPtrArray) rest = g_ptr_array_ref (adit_tunnel_get_forwards (self->draft));

    adit_tunnel_clear_forwards (tunnel);
    adit_tunnel_add_forward (tunnel, forward);
    for (guint i = 1; i < rest->len; i++)
      adit_tunnel_add_forward (tunnel, g_ptr_array_index (rest, i));
  }

  if (!adit_tunnel_validate (tunnel, error))
    return NULL;

  return g_steal_pointer (&tunnel);
}

gboolean
adit_tunnel_editor_save (AditTunnelEditor  *self,
                         GError           **error)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_editor_build (self, error);

  if (tunnel == NULL)
    return FALSE;
  if (!adit_store_save (adit_manager_get_store (self->manager), tunnel, error))
    return FALSE;

  g_signal_emit (self, signals[SIGNAL_SAVED], 0, tunnel);
  return TRUE;
}

static void
save_cb (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  AditTunnelEditor *self = ADIT_TUNNEL_EDITOR (widget);
  g_autoptr(GError) error = NULL;

  if (adit_tunnel_editor_save (self, &error))
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  {
    GtkWidget *dialog = adit_alert_new (_("Tunnel Not Saved"), error->message);

    adit_alert_add_response (dialog, "close", _("_Close"));
    adit_alert_present (dialog, GTK_WIDGET (self));
  }
}

const char *
adit_tunnel_editor_get_message (AditTunnelEditor *self,
                                const char       *field)
{
  AdwActionRow *row = NULL;

  g_return_val_if_fail (ADIT_IS_TUNNEL_EDITOR (self), NULL);

  if (g_str_equal (field, "host"))
    row = self->host_message;
  else if (g_str_equal (field, "ssh-port"))
    row = self->ssh_port_message;
  else if (g_str_equal (field, "remote-host"))
    row = self->remote_host_message;
  else if (g_str_equal (field, "remote-port"))
    row = self->remote_port_message;
  else if (g_str_equal (field, "local-port"))
    row = self->local_port_message;
  else if (g_str_equal (field, "bind"))
    row = self->bind_message;
  g_return_val_if_fail (row != NULL, NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (row)))
    return NULL;
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

/* ---- GObject ---- */

static void
adit_tunnel_editor_dispose (GObject *object)
{
  AditTunnelEditor *self = ADIT_TUNNEL_EDITOR (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->original);
  g_clear_object (&self->draft);
  g_clear_pointer (&self->ssh_hosts, g_ptr_array_unref);

  G_OBJECT_CLASS (adit_tunnel_editor_parent_class)->dispose (object);
}

static void
adit_tunnel_editor_class_init (AditTunnelEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = adit_tunnel_editor_dispose;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, ADIT_TYPE_TUNNEL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/adit/Adit/adit-tunnel-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, page);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, intro_group);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, preset_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, host_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, known_hosts_button);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, host_message);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, ssh_port_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, ssh_port_message);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, user_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, identity_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, remote_host_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, remote_host_message);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, remote_port_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, remote_port_message);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, local_port_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, local_port_message);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, local_port_fix);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, auth_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, key_file_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, bind_row);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, bind_message);
  gtk_widget_class_bind_template_child (widget_class, AditTunnelEditor, autostart_switch);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_cb);
  gtk_widget_class_install_action (widget_class, "editor.use-suggested-port", NULL,
                                   use_suggested_port_cb);
  gtk_widget_class_install_action (widget_class, "editor.choose-key", NULL, choose_key_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
adit_tunnel_editor_init (AditTunnelEditor *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    gtk_string_list_append (names, _(presets[i].name));
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (names));

  g_signal_connect_swapped (self->preset_row, "notify::selected",
                            G_CALLBACK (preset_selected_cb), self);
  g_signal_connect_swapped (self->remote_port_row, "changed", G_CALLBACK (ports_changed_cb),
                            self);
  g_signal_connect_swapped (self->host_row, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->ssh_port_row, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->remote_host_row, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->local_port_row, "changed", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->auth_row, "notify::selected", G_CALLBACK (validate), self);
  g_signal_connect_swapped (self->bind_row, "notify::selected", G_CALLBACK (validate), self);
}

AditTunnelEditor *
adit_tunnel_editor_new (GtkWindow   *parent,
                        AditManager *manager,
                        AditTunnel  *tunnel,
                        const char  *intro)
{
  AditTunnelEditor *self;
  AditStore *store;

  g_return_val_if_fail (ADIT_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (tunnel == NULL || ADIT_IS_TUNNEL (tunnel), NULL);

  self = g_object_new (ADIT_TYPE_TUNNEL_EDITOR, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  store = adit_manager_get_store (manager);

  if (tunnel != NULL && adit_store_lookup (store, adit_tunnel_get_uuid (tunnel)) == tunnel)
    {
      self->original = g_object_ref (tunnel);
      self->draft = adit_tunnel_copy (tunnel);
      gtk_window_set_title (GTK_WINDOW (self), adit_tunnel_get_read_only (tunnel)
                                                 ? _("Tunnel From Your Administrator")
                                                 : _("Edit Tunnel"));
    }
  else
    {
      /* Pasted or imported: a new tunnel of its own, never one that replaces another. */
      g_autofree char *uuid = g_uuid_string_random ();

      self->draft = tunnel ? adit_tunnel_copy (tunnel) : adit_tunnel_new ();
      adit_tunnel_set_uuid (self->draft, uuid);
      adit_tunnel_set_read_only (self->draft, FALSE);
      gtk_window_set_title (GTK_WINDOW (self), _("Add Tunnel"));
    }

  if (intro != NULL)
    {
      adw_preferences_group_set_description (self->intro_group, intro);
      gtk_widget_set_visible (GTK_WIDGET (self->intro_group), TRUE);
    }

  if (adit_tunnel_get_read_only (self->draft))
    {
      /* Shown as it is, to read: the administrator decides what it does. */
      gtk_widget_set_visible (GTK_WIDGET (self->save_button), FALSE);
      gtk_button_set_label (self->cancel_button, _("_Close"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->page), FALSE);
    }

  offer_known_hosts (self);
  fill (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));

  return self;
}
