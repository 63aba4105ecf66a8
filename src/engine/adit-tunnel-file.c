/* adit-tunnel-file.c — reading and writing the .sshtunnel format.
 *
 * Files come from anywhere: Adit's own, an export someone mailed, an administrator's. So the
 * reader trusts nothing: every value is checked for type and range, and anything wrong is
 * one sentence that names the key or the value. The writer changes only the keys it knows,
 * in the key file the tunnel was read from, so keys from a newer Adit or written by hand for
 * people survive a save.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "adit-error.h"
#include "adit-file-private.h"
#include "adit-forward-private.h"
#include "adit-tunnel-file.h"

#define GROUP ADIT_TUNNEL_FILE_GROUP
#define MAX_UUID_LENGTH 200
/* GKeyFile quotes a whole line in its parse errors; a line can be a megabyte long. */
#define MAX_PARSE_MESSAGE 200

/* Keys whose value is a string, unset when absent. Paths get "~/" expanded. */
static const struct {
  const char *key;
  const char *(*get) (AditTunnel *);
  void (*set) (AditTunnel *, const char *);
  gboolean is_path;
} string_keys[] = {
  { "Host", adit_tunnel_get_host, adit_tunnel_set_host, FALSE },
  { "User", adit_tunnel_get_user, adit_tunnel_set_user, FALSE },
  { "IdentityFile", adit_tunnel_get_identity_file, adit_tunnel_set_identity_file, TRUE },
  { "UserKnownHostsFile", adit_tunnel_get_known_hosts_file, adit_tunnel_set_known_hosts_file,
    TRUE },
  { "HostKeyFingerprint", adit_tunnel_get_host_key_fingerprint,
    adit_tunnel_set_host_key_fingerprint, FALSE },
};

/* Keys whose value is a count of seconds or of tries; absent means the tunnel's default. */
static const struct {
  const char *key;
  guint (*get) (AditTunnel *);
  void (*set) (AditTunnel *, guint);
} uint_keys[] = {
  { "ServerAliveInterval", adit_tunnel_get_alive_interval, adit_tunnel_set_alive_interval },
  { "ServerAliveCountMax", adit_tunnel_get_alive_count_max, adit_tunnel_set_alive_count_max },
  { "ConnectTimeout", adit_tunnel_get_connect_timeout, adit_tunnel_set_connect_timeout },
};

/* Keys whose value is true or false; absent means the tunnel's default. */
static const struct {
  const char *key;
  gboolean (*get) (AditTunnel *);
  void (*set) (AditTunnel *, gboolean);
} boolean_keys[] = {
  { "ConnectAtStart", adit_tunnel_get_autostart, adit_tunnel_set_autostart },
  { "Reconnect", adit_tunnel_get_reconnect, adit_tunnel_set_reconnect },
};

/* Indexed by AditAuthMethod. */
static const char * const auth_method_names[] = {
  [ADIT_AUTH_METHOD_AUTOMATIC] = "automatic",
  [ADIT_AUTH_METHOD_KEY_FILE] = "key-file",
  [ADIT_AUTH_METHOD_PASSWORD] = "password",
};

/* Indexed by AditHostKeyPolicy; ssh_config's own words, so administrators need not learn new
 * ones. */
static const char * const host_key_policy_names[] = {
  [ADIT_HOST_KEY_POLICY_ASK] = "ask",
  [ADIT_HOST_KEY_POLICY_STRICT] = "yes",
  [ADIT_HOST_KEY_POLICY_ACCEPT_NEW] = "accept-new",
  [ADIT_HOST_KEY_POLICY_OFF] = "no",
};

/* The engine's checks (host names, forwards, adit_tunnel_validate ()) already say what is
 * wrong in a sentence; in a file, that is what makes the file unusable. */
static void
propagate_as_invalid_file (GError **dest,
                           GError  *src)
{
  src->domain = ADIT_ERROR;
  src->code = ADIT_ERROR_INVALID_FILE;
  g_propagate_error (dest, src);
}

static char *
expand_home (const char *path)
{
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);

  return g_strdup (path);
}

/* GKeyFile could not unescape @key's value. FALSE for a missing key, which is no problem. */
static gboolean
set_unreadable_value (GError      **error,
                      const char   *key,
                      const GError *key_file_error)
{
  if (g_error_matches (key_file_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
    return FALSE;

  if (g_error_matches (key_file_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_UNKNOWN_ENCODING))
    g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                 _("The value of “%s” is not valid text."), key);
  else
    g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                 _("In the value of “%s”, a “\\” must be followed by “s”, “n”, “t”, “r” or "
                   "another “\\”."), key);

  return TRUE;
}

/* FALSE only on a value that is there but unreadable; a missing key gives *value = NULL.
 * @localized: Name[de]=… for each language, the current one taken. */
static gboolean
get_string (GKeyFile    *key_file,
            const char  *key,
            gboolean     localized,
            char       **value,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  /* GLib 2.74 can return a value along with the error; the error is what counts. */
  if (localized)
    *value = g_key_file_get_locale_string (key_file, GROUP, key, NULL, &local_error);
  else
    *value = g_key_file_get_string (key_file, GROUP, key, &local_error);
  if (local_error == NULL)
    return TRUE;

  g_clear_pointer (value, g_free);

  return !set_unreadable_value (error, key, local_error);
}

/* Like get_string () but without unescaping: numbers, booleans and names. */
static gboolean
get_raw (GKeyFile    *key_file,
         const char  *key,
         char       **value)
{
  *value = g_key_file_get_value (key_file, GROUP, key, NULL);

  return *value != NULL;
}

static gboolean
read_version (GKeyFile  *key_file,
              GError   **error)
{
  g_autofree char *raw = NULL;
  guint64 version;

  /* A file written by hand without a version is as old as the format can be. */
  if (!get_raw (key_file, "Version", &raw))
    return TRUE;

  if (!g_ascii_string_to_unsigned (raw, 10, 1, G_MAXUINT64, &version, NULL))
    {
      g_autofree char *shown = _adit_text_for_message (raw);

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                   _("The tunnel file version “%s” is not valid."), shown);
      return FALSE;
    }

  if (version > ADIT_TUNNEL_FILE_VERSION)
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                           _("This tunnel file was made by a newer version of Adit."));
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_strings (GKeyFile    *key_file,
              AditTunnel  *tunnel,
              GError     **error)
{
  g_autofree char *name = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (string_keys); i++)
    {
      g_autofree char *value = NULL;

      if (!get_string (key_file, string_keys[i].key, FALSE, &value, error))
        return FALSE;

      if (value != NULL && string_keys[i].is_path)
        {
          char *expanded = expand_home (value);

          g_free (value);
          value = expanded;
        }

      string_keys[i].set (tunnel, value);
    }

  /* An administrator may name a tunnel in each language. */
  if (!get_string (key_file, "Name", TRUE, &name, error))
    return FALSE;

  if (name == NULL || *name == '\0')
    adit_tunnel_set_name (tunnel, adit_tunnel_get_host (tunnel));
  else
    adit_tunnel_set_name (tunnel, name);

  return TRUE;
}

static gboolean
read_numbers (GKeyFile    *key_file,
              AditTunnel  *tunnel,
              GError     **error)
{
  g_autofree char *port_text = NULL;

  if (get_raw (key_file, "Port", &port_text))
    {
      g_autofree char *shown = _adit_text_for_message (port_text);
      guint16 port;

      if (!adit_port_parse (port_text, &port, NULL))
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                       _("“%s” should be a port number from 1 to 65535, not “%s”."),
                       "Port", shown);
          return FALSE;
        }
      adit_tunnel_set_port (tunnel, port);
    }

  for (guint i = 0; i < G_N_ELEMENTS (uint_keys); i++)
    {
      g_autofree char *raw = NULL;
      guint64 value;

      if (!get_raw (key_file, uint_keys[i].key, &raw))
        continue;

      if (!g_ascii_string_to_unsigned (raw, 10, 0, G_MAXINT, &value, NULL))
        {
          g_autofree char *shown = _adit_text_for_message (raw);

          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                       _("“%s” should be a whole number, not “%s”."), uint_keys[i].key, shown);
          return FALSE;
        }
      uint_keys[i].set (tunnel, (guint) value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (boolean_keys); i++)
    {
      g_autofree char *raw = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean value;

      if (!get_raw (key_file, boolean_keys[i].key, &raw))
        continue;

      value = g_key_file_get_boolean (key_file, GROUP, boolean_keys[i].key, &local_error);
      if (local_error != NULL)
        {
          g_autofree char *shown = _adit_text_for_message (raw);

          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                       _("“%s” should be “true” or “false”, not “%s”."), boolean_keys[i].key,
                       shown);
          return FALSE;
        }
      boolean_keys[i].set (tunnel, value);
    }

  return TRUE;
}

/* @key's value as an index into @names (any case), or -1 when the key is absent. */
static gboolean
read_choice (GKeyFile            *key_file,
             const char          *key,
             const char * const  *names,
             guint                n_names,
             int                 *choice,
             GError             **error)
{
  g_autoptr(GString) allowed = g_string_new (NULL);
  g_autofree char *value = NULL;
  g_autofree char *shown = NULL;

  *choice = -1;
  if (!get_raw (key_file, key, &value))
    return TRUE;

  for (guint i = 0; i < n_names; i++)
    if (g_ascii_strcasecmp (value, names[i]) == 0)
      {
        *choice = (int) i;
        return TRUE;
      }

  /* The words are the file's own, never translated. */
  for (guint i = 0; i < n_names; i++)
    g_string_append_printf (allowed, "%s“%s”", i > 0 ? ", " : "", names[i]);

  shown = _adit_text_for_message (value);
  /* TRANSLATORS: “StrictHostKeyChecking” should be one of “ask”, “yes”, “accept-new”, “no”,
   * not “sometimes”. */
  g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
               _("“%s” should be one of %s, not “%s”."), key, allowed->str, shown);
  return FALSE;
}

static gboolean
read_choices (GKeyFile    *key_file,
              AditTunnel  *tunnel,
              GError     **error)
{
  int auth, policy;

  if (!read_choice (key_file, "Authentication", auth_method_names,
                    G_N_ELEMENTS (auth_method_names), &auth, error) ||
      !read_choice (key_file, "StrictHostKeyChecking", host_key_policy_names,
                    G_N_ELEMENTS (host_key_policy_names), &policy, error))
    return FALSE;

  if (auth >= 0)
    adit_tunnel_set_auth_method (tunnel, (AditAuthMethod) auth);
  if (policy >= 0)
    adit_tunnel_set_host_key_policy (tunnel, (AditHostKeyPolicy) policy);

  return TRUE;
}

static gboolean
read_forwards (GKeyFile    *key_file,
               AditTunnel  *tunnel,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) specs = NULL;

  specs = g_key_file_get_string_list (key_file, GROUP, "LocalForward", NULL, &local_error);
  /* No forward at all is for adit_tunnel_validate () to put in words. */
  if (local_error != NULL)
    return !set_unreadable_value (error, "LocalForward", local_error);

  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      g_autoptr(AditForward) forward = NULL;
      GError *forward_error = NULL;
      const char *spec = g_strstrip (specs[i]);

      /* "a;;b" and a space after ";" are easy to write by hand and mean nothing. */
      if (*spec == '\0')
        continue;

      forward = adit_forward_parse (spec, &forward_error);
      if (forward == NULL)
        {
          propagate_as_invalid_file (error, forward_error);
          return FALSE;
        }
      adit_tunnel_add_forward (tunnel, forward);
    }

  return TRUE;
}

AditTunnel *
adit_tunnel_file_from_key_file (GKeyFile  *key_file,
                                GError   **error)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  GError *invalid = NULL;

  g_return_val_if_fail (key_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_key_file_has_group (key_file, GROUP))
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                           _("This is not a tunnel file: it has no “[Tunnel]” section."));
      return NULL;
    }

  /* The version first: a newer file may use any key differently. */
  if (!read_version (key_file, error))
    return NULL;

  tunnel = adit_tunnel_new ();

  if (!read_strings (key_file, tunnel, error) ||
      !read_numbers (key_file, tunnel, error) ||
      !read_choices (key_file, tunnel, error) ||
      !read_forwards (key_file, tunnel, error))
    return NULL;

  if (!adit_tunnel_validate (tunnel, &invalid))
    {
      propagate_as_invalid_file (error, invalid);
      return NULL;
    }

  return g_steal_pointer (&tunnel);
}

static void
remove_key (GKeyFile   *key_file,
            const char *key)
{
  g_key_file_remove_key (key_file, GROUP, key, NULL);
}

/* A new name replaces the translations too: they were translations of the old one. */
static void
write_name (GKeyFile   *key_file,
            const char *name)
{
  g_autofree char *current = g_key_file_get_locale_string (key_file, GROUP, "Name", NULL, NULL);
  g_auto(GStrv) keys = NULL;

  if (g_strcmp0 (current, name) == 0)
    return;

  keys = g_key_file_get_keys (key_file, GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (g_str_has_prefix (keys[i], "Name["))
      remove_key (key_file, keys[i]);

  if (name != NULL)
    g_key_file_set_string (key_file, GROUP, "Name", name);
  else
    remove_key (key_file, "Name");
}

static void
write_string (GKeyFile   *key_file,
              const char *key,
              const char *value,
              gboolean    is_path)
{
  g_autofree char *current = NULL;

  if (value == NULL)
    {
      remove_key (key_file, key);
      return;
    }

  /* "~/.ssh/id_ed25519" stays so: it still means the same file, and for anyone it is given to. */
  current = g_key_file_get_string (key_file, GROUP, key, NULL);
  if (current != NULL && is_path)
    {
      g_autofree char *expanded = expand_home (current);

      if (strcmp (expanded, value) == 0)
        return;
    }

  g_key_file_set_string (key_file, GROUP, key, value);
}

static void
write_forwards (GKeyFile   *key_file,
                AditTunnel *tunnel)
{
  GPtrArray *forwards = adit_tunnel_get_forwards (tunnel);
  g_autoptr(GPtrArray) specs = NULL;

  if (forwards->len == 0)
    {
      remove_key (key_file, "LocalForward");
      return;
    }

  specs = g_ptr_array_new_full (forwards->len, g_free);
  for (guint i = 0; i < forwards->len; i++)
    g_ptr_array_add (specs, adit_forward_to_string (g_ptr_array_index (forwards, i)));

  g_key_file_set_string_list (key_file, GROUP, "LocalForward",
                              (const char * const *) specs->pdata, specs->len);
}

void
adit_tunnel_file_to_key_file (AditTunnel *tunnel,
                              GKeyFile   *key_file)
{
  guint16 port;

  g_return_if_fail (ADIT_IS_TUNNEL (tunnel));
  g_return_if_fail (key_file != NULL);

  g_key_file_set_integer (key_file, GROUP, "Version", ADIT_TUNNEL_FILE_VERSION);
  write_name (key_file, adit_tunnel_get_name (tunnel));

  for (guint i = 0; i < G_N_ELEMENTS (string_keys); i++)
    write_string (key_file, string_keys[i].key, string_keys[i].get (tunnel),
                  string_keys[i].is_path);

  port = adit_tunnel_get_port (tunnel);
  if (port == ADIT_DEFAULT_SSH_PORT)
    remove_key (key_file, "Port");
  else
    g_key_file_set_integer (key_file, GROUP, "Port", port);

  g_key_file_set_string (key_file, GROUP, "Authentication",
                         auth_method_names[adit_tunnel_get_auth_method (tunnel)]);
  g_key_file_set_string (key_file, GROUP, "StrictHostKeyChecking",
                         host_key_policy_names[adit_tunnel_get_host_key_policy (tunnel)]);

  for (guint i = 0; i < G_N_ELEMENTS (uint_keys); i++)
    g_key_file_set_integer (key_file, GROUP, uint_keys[i].key, (int) uint_keys[i].get (tunnel));

  for (guint i = 0; i < G_N_ELEMENTS (boolean_keys); i++)
    g_key_file_set_boolean (key_file, GROUP, boolean_keys[i].key, boolean_keys[i].get (tunnel));
  write_forwards (key_file, tunnel);
}

/* Reads at most ADIT_TUNNEL_FILE_MAX_SIZE bytes of a regular file, without hanging on a FIFO
 * or reading a device someone named *.sshtunnel. */
static char *
read_small_file (const char  *path,
                 gsize       *length,
                 GError     **error)
{
  char *data = NULL;
  int saved_errno = 0;

  switch (_adit_read_file (path, ADIT_TUNNEL_FILE_MAX_SIZE, &data, length, &saved_errno))
    {
    case ADIT_READ_OK:
      return data;

    case ADIT_READ_NOT_REGULAR:
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                           _("This is not a tunnel file: it is not an ordinary file."));
      return NULL;

    case ADIT_READ_TOO_LARGE:
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                           _("This is not a tunnel file: it is larger than 1 MiB."));
      return NULL;

    case ADIT_READ_FAILED:
    default:
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE,
                   _("The file could not be read (%s)."), g_strerror (saved_errno));
      return NULL;
    }
}

AditTunnel *
adit_tunnel_file_load (const char  *path,
                       GKeyFile   **key_file_out,
                       GError     **error)
{
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *data = NULL;
  g_autofree char *base = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = read_small_file (path, &length, error);
  if (data == NULL)
    return NULL;

  /* Text is what a key file is: junk is named as such rather than quoted back at a person. */
  if (!_adit_is_text (data, length))
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                           _("This is not a tunnel file: it is not text."));
      return NULL;
    }

  key_file = g_key_file_new ();
  if (!g_key_file_load_from_data (key_file, data, length,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &parse_error))
    {
      g_autofree char *reason = NULL;

      /* Checked to be text above, so only the length needs taming. */
      if (g_utf8_strlen (parse_error->message, -1) > MAX_PARSE_MESSAGE)
        {
          g_autofree char *cut = g_utf8_substring (parse_error->message, 0, MAX_PARSE_MESSAGE);

          reason = g_strconcat (cut, "…", NULL);
        }
      else
        reason = g_strdup (parse_error->message);

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE,
                   _("This is not a tunnel file (%s)."), reason);
      return NULL;
    }

  tunnel = adit_tunnel_file_from_key_file (key_file, error);
  if (tunnel == NULL)
    return NULL;

  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ADIT_TUNNEL_FILE_SUFFIX))
    {
      base[strlen (base) - strlen (ADIT_TUNNEL_FILE_SUFFIX)] = '\0';
      if (adit_tunnel_file_uuid_is_valid (base))
        adit_tunnel_set_uuid (tunnel, base);
    }

  if (key_file_out != NULL)
    *key_file_out = g_steal_pointer (&key_file);

  return g_steal_pointer (&tunnel);
}

gboolean
adit_tunnel_file_save (AditTunnel  *tunnel,
                       GKeyFile    *key_file,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GKeyFile) own_key_file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (key_file == NULL)
    key_file = own_key_file = g_key_file_new ();

  adit_tunnel_file_to_key_file (tunnel, key_file);
  data = g_key_file_to_data (key_file, &length, NULL);

  /* Temporary file, fsync, rename: a crash leaves the old file or the new one, never half. */
  if (!g_file_set_contents_full (path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE,
                   _("The tunnel could not be saved (%s)."), local_error->message);
      return FALSE;
    }

  return TRUE;
}

gboolean
adit_tunnel_file_uuid_is_valid (const char *uuid)
{
  if (uuid == NULL || *uuid == '\0' || *uuid == '.' || strlen (uuid) > MAX_UUID_LENGTH)
    return FALSE;

  if (strchr (uuid, '/') != NULL || !g_utf8_validate (uuid, -1, NULL))
    return FALSE;

  for (const char *p = uuid; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p))
      return FALSE;

  return TRUE;
}
