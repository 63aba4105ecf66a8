/* adit-window.c — the main window.
 *
 * For now it shows the empty state: what Adit is for, and where adding a tunnel will be.
 * Its size and maximized state are kept in GSettings and restored at the next start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-window.h"

/* The schema id stays the same for a development build: both share the preferences. */
#define ADIT_SETTINGS_SCHEMA "io.github.adit.Adit"

struct _AditWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;  /* NULL when the schema is not installed */

  /* Template children */
  AdwStatusPage *empty_page;
  GtkButton *add_button;
};

G_DEFINE_FINAL_TYPE (AditWindow, adit_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, ADIT_SETTINGS_SCHEMA, TRUE);

  /* g_settings_new () would abort the whole app over a missing schema; a window that does not
   * remember its size is the better outcome. */
  if (schema == NULL)
    {
      g_warning ("The GSettings schema %s is not installed: the window size will not be "
                 "remembered. From a build directory, set GSETTINGS_SCHEMA_DIR=BUILDDIR/data.",
                 ADIT_SETTINGS_SCHEMA);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
restore_window_state (AditWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);

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

static void
add_tunnel_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  /* Disabled until the tunnel editor exists. */
}

static void
adit_window_dispose (GObject *object)
{
  AditWindow *self = ADIT_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), ADIT_TYPE_WINDOW);
  g_clear_object (&self->settings);

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
  gtk_widget_class_bind_template_child (widget_class, AditWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, AditWindow, add_button);

  gtk_widget_class_install_action (widget_class, "win.add-tunnel", NULL, add_tunnel_action_cb);
}

static void
adit_window_init (AditWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-tunnel", FALSE);

  self->settings = load_settings ();
  restore_window_state (self);

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

AditWindow *
adit_window_new (AditApplication *application)
{
  g_return_val_if_fail (ADIT_IS_APPLICATION (application), NULL);

  return g_object_new (ADIT_TYPE_WINDOW,
                       "application", application,
                       NULL);
}
