/* adit-background.c — see adit-background.h.
 *
 * The portal answers a request on a Request object whose path is known in advance (from
 * our unique bus name and a token we choose), so the Response signal is subscribed before
 * the call: it cannot be missed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "adit-background.h"

#define PORTAL_NAME       "org.freedesktop.portal.Desktop"
#define PORTAL_PATH       "/org/freedesktop/portal/desktop"
#define BACKGROUND_IFACE  "org.freedesktop.portal.Background"
#define REQUEST_IFACE     "org.freedesktop.portal.Request"
/* The portal's own limit for a status message. */
#define STATUS_MAX_CHARS  96

struct _AditBackground
{
  GObject          parent_instance;
  GDBusConnection *bus;
  char            *app_id;
  guint            portal_version;   /* 0: none (yet) */
  char            *status;           /* the last one set, to skip repeats */
};

G_DEFINE_FINAL_TYPE (AditBackground, adit_background, G_TYPE_OBJECT)

/* ---- without a portal: an XDG autostart entry ---- */

char *
adit_background_autostart_path (AditBackground *self)
{
  g_autofree char *name = g_strconcat (self->app_id, ".desktop", NULL);

  return g_build_filename (g_get_user_config_dir (), "autostart", name, NULL);
}

static char *
own_executable (void)
{
  char *path = g_find_program_in_path ("adit");

  return path != NULL ? path : g_file_read_link ("/proc/self/exe", NULL);
}

static gboolean
write_autostart_entry (AditBackground  *self,
                       gboolean         autostart,
                       GError         **error)
{
  g_autofree char *path = adit_background_autostart_path (self);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *executable = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *contents = NULL;

  if (!autostart)
    {
      if (g_unlink (path) < 0 && errno != ENOENT)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("Adit could not stop starting at login: %s"), g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }

  executable = own_executable ();
  if (executable == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Adit could not find its own program to start at login."));
      return FALSE;
    }

  quoted = g_shell_quote (executable);
  contents = g_strdup_printf ("[Desktop Entry]\n"
                              "Type=Application\n"
                              "Name=Adit\n"
                              "Comment=Connects the tunnels marked to connect when Adit starts\n"
                              "Exec=%s --background\n"
                              "Icon=%s\n"
                              "NoDisplay=true\n"
                              "X-GNOME-Autostart-enabled=true\n",
                              quoted, self->app_id);

  if (g_mkdir_with_parents (dir, 0700) < 0 ||
      !g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s",
                     g_strerror (errno));
      g_prefix_error (error, _("Adit could not set itself to start at login: "));
      return FALSE;
    }

  return TRUE;
}

/* ---- the portal ---- */

typedef struct
{
  AditBackground *self;
  gboolean        autostart;
  guint           response_subscription;
  char           *request_path;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  if (request->response_subscription != 0)
    g_dbus_connection_signal_unsubscribe (request->self->bus, request->response_subscription);
  g_object_unref (request->self);
  g_free (request->request_path);
  g_free (request);
}

static void
finish_without_portal (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;

  if (write_autostart_entry (request->self, request->autostart, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
response_cb (GDBusConnection *bus,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GVariant) results = NULL;
  guint32 response;
  gboolean background = FALSE;
  gboolean autostart = TRUE;

  g_dbus_connection_signal_unsubscribe (bus, request->response_subscription);
  request->response_subscription = 0;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }

  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "background", "b", &background);
  /* Starting at login was part of the wish: refused alone, the wish was not granted. */
  if (request->autostart && !g_variant_lookup (results, "autostart", "b", &autostart))
    autostart = FALSE;
  g_task_return_boolean (task, response == 0 && background && autostart);
}

static void
request_background_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    return;   /* the answer comes with Response; that subscription holds the task */

  g_dbus_connection_signal_unsubscribe (request->self->bus, request->response_subscription);
  request->response_subscription = 0;
  g_object_unref (task);   /* the subscription's reference */

  /* A portal that is there but failed (or a cancelled call) is an answer, not a reason to
   * write an autostart entry behind its back. */
  if (!g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) &&
      !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) &&
      !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE) &&
      !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) &&
      !g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* No portal here (or an old one): the fallback does what can be done. */
  g_debug ("No Background portal (%s): using an autostart entry", error->message);
  finish_without_portal (task);
}

void
adit_background_request_async (AditBackground      *self,
                                gboolean             autostart,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *token = NULL;
  g_autofree char *sender = NULL;
  const char *commandline[] = { "adit", "--background", NULL };
  GVariantBuilder options;
  Request *request;

  g_return_if_fail (ADIT_IS_BACKGROUND (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, adit_background_request_async);
  request = g_new0 (Request, 1);
  request->self = g_object_ref (self);
  request->autostart = autostart;
  g_task_set_task_data (task, request, request_free);

  if (self->bus == NULL)
    {
      finish_without_portal (task);
      return;
    }

  token = g_strdup_printf ("adit%u", g_random_int ());
  sender = g_strdelimit (g_strdup (g_dbus_connection_get_unique_name (self->bus) + 1), ".", '_');
  request->request_path = g_strconcat (PORTAL_PATH "/request/", sender, "/", token, NULL);
  request->response_subscription =
    g_dbus_connection_signal_subscribe (self->bus, PORTAL_NAME, REQUEST_IFACE, "Response",
                                        request->request_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        response_cb, g_object_ref (task), NULL);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Keeps your tunnels connected while its "
                                                 "window is closed.")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (autostart));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));

  g_dbus_connection_call (self->bus, PORTAL_NAME, PORTAL_PATH, BACKGROUND_IFACE,
                          "RequestBackground", g_variant_new ("(sa{sv})", "", &options),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                          request_background_cb, g_steal_pointer (&task));
}

gboolean
adit_background_request_finish (AditBackground  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
send_status (AditBackground *self)
{
  g_autofree char *shortened = NULL;
  GVariantBuilder options;

  shortened = g_utf8_substring (self->status, 0,
                                MIN (g_utf8_strlen (self->status, -1), STATUS_MAX_CHARS));
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "message", g_variant_new_string (shortened));
  g_dbus_connection_call (self->bus, PORTAL_NAME, PORTAL_PATH, BACKGROUND_IFACE, "SetStatus",
                          g_variant_new ("(a{sv})", &options), NULL, G_DBUS_CALL_FLAGS_NONE,
                          -1, NULL, NULL, NULL);
}

void
adit_background_set_status (AditBackground *self,
                            const char     *message)
{
  g_return_if_fail (ADIT_IS_BACKGROUND (self));
  g_return_if_fail (message != NULL);

  if (self->bus == NULL || g_strcmp0 (message, self->status) == 0)
    return;

  /* Kept until the portal's version is known, then sent (see version_cb ()). */
  g_free (self->status);
  self->status = g_strdup (message);
  if (self->portal_version >= 2)
    send_status (self);
}

static void
version_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AditBackground) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) version = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  if (reply == NULL)
    return;   /* no portal: statuses are not shown anywhere */

  g_variant_get (reply, "(v)", &version);
  if (g_variant_is_of_type (version, G_VARIANT_TYPE_UINT32))
    self->portal_version = g_variant_get_uint32 (version);
  if (self->portal_version >= 2 && self->status != NULL)
    send_status (self);
}

static void
adit_background_finalize (GObject *object)
{
  AditBackground *self = ADIT_BACKGROUND (object);

  g_clear_object (&self->bus);
  g_free (self->app_id);
  g_free (self->status);

  G_OBJECT_CLASS (adit_background_parent_class)->finalize (object);
}

static void
adit_background_class_init (AditBackgroundClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = adit_background_finalize;
}

static void
adit_background_init (AditBackground *self)
{
}

AditBackground *
adit_background_new (GDBusConnection *session_bus,
                     const char      *app_id)
{
  AditBackground *self;

  g_return_val_if_fail (session_bus == NULL || G_IS_DBUS_CONNECTION (session_bus), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);

  self = g_object_new (ADIT_TYPE_BACKGROUND, NULL);
  self->app_id = g_strdup (app_id);
  if (session_bus != NULL)
    {
      self->bus = g_object_ref (session_bus);
      g_dbus_connection_call (self->bus, PORTAL_NAME, PORTAL_PATH,
                              "org.freedesktop.DBus.Properties", "Get",
                              g_variant_new ("(ss)", BACKGROUND_IFACE, "version"),
                              G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                              version_cb, g_object_ref (self));
    }

  return self;
}
