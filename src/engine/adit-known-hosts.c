/* adit-known-hosts.c — see adit-known-hosts.h.
 *
 * A changed key is always refused, whatever the policy: the person is told why, and the
 * way forward (forgetting the old key) is a separate, deliberate action:
 * adit_known_hosts_forget (), which edits Adit's own file the way `ssh-keygen -R` would,
 * except that it removes only the matching names of a line that lists several, and leaves
 * @cert-authority and @revoked lines alone. Hashed entries ("|1|salt|hash", from
 * HashKnownHosts) are matched as OpenSSH does: HMAC-SHA1 of the name, keyed with the salt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "adit-error.h"
#include "adit-file-private.h"
#include "adit-known-hosts.h"
#include "adit-ssh-config-private.h"

/* A known_hosts file of a few thousand servers is well under a megabyte. */
#define MAX_KNOWN_HOSTS_SIZE (16 * 1024 * 1024)
#define HASH_MAGIC           "|1|"
#define SHA1_LENGTH          20

char *
adit_known_hosts_user_path (AditTunnel *tunnel)
{
  const char *path = adit_tunnel_get_known_hosts_file (tunnel);

  if (path != NULL)
    return g_strdup (path);

  return g_build_filename (g_get_user_data_dir (), "adit", "known_hosts", NULL);
}

char *
adit_known_hosts_global_path (void)
{
  return g_build_filename (g_get_home_dir (), ".ssh", "known_hosts", NULL);
}

static char *
server_fingerprint (ssh_session   session,
                    const char  **key_type)
{
  ssh_key key = NULL;
  unsigned char *hash = NULL;
  size_t hash_len = 0;
  char *fingerprint = NULL;

  if (ssh_get_server_publickey (session, &key) != SSH_OK)
    return NULL;

  *key_type = ssh_key_type_to_char (ssh_key_type (key));
  if (ssh_get_publickey_hash (key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == 0)
    {
      /* "SHA256:…", exactly as ssh and ssh-keygen -l show it. */
      char *raw = ssh_get_fingerprint_hash (SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);

      fingerprint = g_strdup (raw);
      ssh_string_free_char (raw);
      ssh_clean_pubkey_hash (&hash);
    }
  ssh_key_free (key);

  return fingerprint;
}

static char *
server_name (AditTunnel *tunnel)
{
  guint16 port = adit_tunnel_get_port (tunnel);

  if (port == ADIT_DEFAULT_SSH_PORT)
    return g_strdup (adit_tunnel_get_host (tunnel));
  return g_strdup_printf ("%s:%u", adit_tunnel_get_host (tunnel), port);
}

gboolean
adit_known_hosts_remember (ssh_session   session,
                           GError      **error)
{
  char *path = NULL;
  g_autofree char *dir = NULL;

  ssh_options_get (session, SSH_OPTIONS_KNOWNHOSTS, &path);
  if (path != NULL)
    {
      dir = g_path_get_dirname (path);
      ssh_string_free_char (path);
      g_mkdir_with_parents (dir, 0700);
    }

  if (ssh_session_update_known_hosts (session) != SSH_OK)
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS,
                   _("Adit could not remember this server's identity (%s)."),
                   ssh_get_error (session));
      return FALSE;
    }

  return TRUE;
}

AditHostKeyVerdict
adit_known_hosts_check (ssh_session     session,
                        AditTunnel     *tunnel,
                        AditQuestion  **question,
                        GError        **error)
{
  g_autofree char *name = server_name (tunnel);
  g_autofree char *fingerprint = NULL;
  const char *key_type = "";

  *question = NULL;
  fingerprint = server_fingerprint (session, &key_type);
  if (fingerprint == NULL)
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_PROTOCOL,
                   _("%s did not show a usable identity (%s)."), name, ssh_get_error (session));
      return ADIT_HOST_KEY_REFUSED;
    }

  /* The administrator's word wins over any file: the right key, or no connection. */
  if (adit_tunnel_get_host_key_fingerprint (tunnel) != NULL)
    {
      g_autofree char *pinned =
        adit_host_key_fingerprint_normalize (adit_tunnel_get_host_key_fingerprint (tunnel));

      if (g_strcmp0 (pinned, fingerprint) == 0)
        return ADIT_HOST_KEY_TRUSTED;

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_HOST_KEY_CHANGED,
                   _("%s did not show the identity this tunnel expects, so Adit did not "
                     "connect: someone could be listening in. Expected %s, shown %s. Ask the "
                     "server's administrator which one is right."),
                   name, pinned ? pinned : adit_tunnel_get_host_key_fingerprint (tunnel),
                   fingerprint);
      return ADIT_HOST_KEY_REFUSED;
    }

  switch (ssh_session_is_known_server (session))
    {
    case SSH_KNOWN_HOSTS_OK:
      return ADIT_HOST_KEY_TRUSTED;

    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_HOST_KEY_CHANGED,
                   _("The identity of %s changed since the last connection, so Adit did not "
                     "connect: someone could be listening in. If the server's administrator "
                     "confirms the new fingerprint %s, forget the old identity and connect "
                     "again."), name, fingerprint);
      return ADIT_HOST_KEY_REFUSED;

    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
      break;

    case SSH_KNOWN_HOSTS_ERROR:
    default:
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS,
                   _("Adit could not read the list of known servers (%s)."),
                   ssh_get_error (session));
      return ADIT_HOST_KEY_REFUSED;
    }

  switch (adit_tunnel_get_host_key_policy (tunnel))
    {
    case ADIT_HOST_KEY_POLICY_STRICT:
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_HOST_KEY_UNKNOWN,
                   _("%s is not a known server, and this tunnel only connects to known "
                     "servers. Its fingerprint is %s."), name, fingerprint);
      return ADIT_HOST_KEY_REFUSED;

    case ADIT_HOST_KEY_POLICY_ACCEPT_NEW:
    case ADIT_HOST_KEY_POLICY_OFF:
      return adit_known_hosts_remember (session, error) ? ADIT_HOST_KEY_TRUSTED
                                                        : ADIT_HOST_KEY_REFUSED;

    case ADIT_HOST_KEY_POLICY_ASK:
    default:
      {
        g_autofree char *message =
          g_strdup_printf (_("This is the first connection to %s. To be sure it is the right "
                             "server, compare its fingerprint with the one your administrator "
                             "gave you."), name);

        *question = adit_question_new (ADIT_QUESTION_HOST_KEY, name, message);
        adit_question_set_host_key (*question, key_type, fingerprint);
        return ADIT_HOST_KEY_ASK;
      }
    }
}

/* The names a known_hosts file may use for the tunnel's server: "host", or "[host]:port" for
 * another port than 22 (a plain "host" line is about the server on port 22, which may be
 * another one). Lowercase first, as ssh writes them; then as typed, if that differs, for a
 * hashed entry written by a program that kept the case. */
static GStrv
entry_names (AditTunnel *tunnel)
{
  const char *host = adit_tunnel_get_host (tunnel);
  g_autofree char *lower = g_ascii_strdown (host, -1);
  guint16 port = adit_tunnel_get_port (tunnel);
  GStrv names = g_new0 (char *, 3);

  if (port == ADIT_DEFAULT_SSH_PORT)
    {
      names[0] = g_strdup (lower);
      if (strcmp (lower, host) != 0)
        names[1] = g_strdup (host);
    }
  else
    {
      names[0] = g_strdup_printf ("[%s]:%u", lower, port);
      if (strcmp (lower, host) != 0)
        names[1] = g_strdup_printf ("[%s]:%u", host, port);
    }

  return names;
}

/* @entry is "|1|base64(salt)|base64(HMAC-SHA1(salt, name))". */
static gboolean
hashed_entry_matches (const char         *entry,
                      gsize               length,
                      const char * const *names)
{
  g_autofree char *copy = g_strndup (entry, length);
  g_autofree guchar *salt = NULL;
  g_autofree guchar *hash = NULL;
  gsize salt_length = 0;
  gsize hash_length = 0;
  char *salt_text;
  char *bar;

  if (!g_str_has_prefix (copy, HASH_MAGIC))
    return FALSE;
  salt_text = copy + strlen (HASH_MAGIC);
  bar = strchr (salt_text, '|');
  if (bar == NULL)
    return FALSE;
  *bar = '\0';

  salt = g_base64_decode (salt_text, &salt_length);
  hash = g_base64_decode (bar + 1, &hash_length);
  if (salt_length != SHA1_LENGTH || hash_length != SHA1_LENGTH)
    return FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, salt, salt_length);
      guint8 digest[SHA1_LENGTH];
      gsize digest_length = sizeof digest;

      g_hmac_update (hmac, (const guchar *) names[i], -1);
      g_hmac_get_digest (hmac, digest, &digest_length);
      if (memcmp (digest, hash, SHA1_LENGTH) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The host names field of a known_hosts line, without copying. FALSE for a blank line, a
 * comment, or a line with a marker (@cert-authority, @revoked): those are never an entry of
 * one server's key. */
static gboolean
line_hosts (const char  *line,
            gsize        length,
            gsize       *start,
            gsize       *end)
{
  gsize i = 0;

  while (i < length && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if (i == length || line[i] == '#' || line[i] == '@' || line[i] == '\r')
    return FALSE;

  *start = i;
  while (i < length && line[i] != ' ' && line[i] != '\t')
    i++;
  *end = i;

  return TRUE;
}

/* The next line of @*p (up to @end) without its "\n"; FALSE at the end. */
static gboolean
next_line (const char **p,
           const char  *end,
           const char **line,
           gsize       *length,
           gboolean    *has_newline)
{
  const char *newline;

  if (*p >= end)
    return FALSE;

  newline = memchr (*p, '\n', (gsize) (end - *p));
  *line = *p;
  *length = (gsize) ((newline != NULL ? newline : end) - *p);
  *has_newline = newline != NULL;
  *p = newline != NULL ? newline + 1 : end;

  return TRUE;
}

static gboolean
name_is_entry (const char         *name,
               gsize               length,
               const char * const *names)
{
  if (length >= strlen (HASH_MAGIC) && strncmp (name, HASH_MAGIC, strlen (HASH_MAGIC)) == 0)
    return hashed_entry_matches (name, length, names);

  /* Only the exact name: a pattern ("*.example.com") may serve other servers too. */
  return strlen (names[0]) == length && g_ascii_strncasecmp (name, names[0], length) == 0;
}

/* @line without the names that are the server's; *@removed counts them. NULL when no name is
 * left. */
static GString *
line_without (const char         *line,
              gsize               length,
              gsize               start,
              gsize               end,
              const char * const *names,
              guint              *removed)
{
  GString *kept = g_string_new_len (line, (gssize) start);
  gboolean any = FALSE;
  gsize name_start = start;

  while (name_start <= end)
    {
      const char *comma = memchr (line + name_start, ',', end - name_start);
      gsize name_end = comma != NULL ? (gsize) (comma - line) : end;
      gsize name_length = name_end - name_start;

      /* An empty name ("a,,b") is nothing: it goes with the rewrite. */
      if (name_length > 0 && name_is_entry (line + name_start, name_length, names))
        (*removed)++;
      else if (name_length > 0)
        {
          if (any)
            g_string_append_c (kept, ',');
          g_string_append_len (kept, line + name_start, (gssize) name_length);
          any = TRUE;
        }

      name_start = name_end + 1;
    }

  if (!any)
    {
      g_string_free (kept, TRUE);
      return NULL;
    }

  g_string_append_len (kept, line + end, (gssize) (length - end));
  return kept;
}

static gboolean
same_file (const char *a,
           const char *b)
{
  struct stat st_a, st_b;

  if (strcmp (a, b) == 0)
    return TRUE;

  return stat (a, &st_a) == 0 && stat (b, &st_b) == 0 &&
         st_a.st_dev == st_b.st_dev && st_a.st_ino == st_b.st_ino;
}

static gboolean
read_known_hosts (const char  *path,
                  char       **contents,
                  gsize       *length,
                  GError     **error)
{
  int saved_errno = 0;
  const char *reason;

  switch (_adit_read_file (path, MAX_KNOWN_HOSTS_SIZE, contents, length, &saved_errno))
    {
    case ADIT_READ_OK:
      return TRUE;

    case ADIT_READ_NOT_REGULAR:
      reason = _("it is not an ordinary file");
      break;

    case ADIT_READ_TOO_LARGE:
      reason = _("it is larger than 16 MiB");
      break;

    case ADIT_READ_FAILED:
    default:
      if (saved_errno == ENOENT)
        {
          /* No file: nothing was ever remembered there. */
          *contents = g_strdup ("");
          *length = 0;
          return TRUE;
        }
      reason = g_strerror (saved_errno);
      break;
    }

  g_set_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS,
               _("Adit could not read the list of known servers (%s)."), reason);
  return FALSE;
}

gboolean
adit_known_hosts_forget (AditTunnel  *tunnel,
                         guint       *n_removed,
                         GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *global = NULL;
  g_autofree char *target = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *p, *end, *line;
  gboolean has_newline;
  struct stat st;
  guint removed = 0;
  gsize length = 0;
  gsize line_length;

  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), FALSE);
  g_return_val_if_fail (adit_tunnel_get_host (tunnel) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_removed != NULL)
    *n_removed = 0;

  path = adit_known_hosts_user_path (tunnel);
  global = adit_known_hosts_global_path ();
  names = entry_names (tunnel);

  if (same_file (path, global))
    {
      /* TRANSLATORS: %s is a file, and “ssh-keygen -R %s” a command to type in a terminal */
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS,
                   _("This tunnel keeps server identities in your own SSH settings (%s), "
                     "which Adit does not change. To forget the old identity, run "
                     "“ssh-keygen -R '%s'” in a terminal."), path, names[0]);
      return FALSE;
    }

  /* "UserKnownHostsFile none": nothing is ever remembered. */
  if (strcmp (path, "/dev/null") == 0)
    return TRUE;

  /* Through a symbolic link to the file itself, so that the link stays. */
  target = realpath (path, NULL);
  if (target == NULL)
    target = g_strdup (path);

  if (!read_known_hosts (target, &contents, &length, error))
    return FALSE;

  out = g_string_sized_new (length);
  p = contents;
  end = contents + length;
  while (next_line (&p, end, &line, &line_length, &has_newline))
    {
      g_autoptr(GString) kept = NULL;
      gsize start, stop;
      guint before = removed;

      if (line_hosts (line, line_length, &start, &stop))
        kept = line_without (line, line_length, start, stop, (const char * const *) names,
                             &removed);

      if (removed == before)
        g_string_append_len (out, line, (gssize) line_length);
      else if (kept != NULL)
        g_string_append_len (out, kept->str, (gssize) kept->len);
      else
        /* Every name on the line was the server's: the line goes. */
        continue;
      if (has_newline)
        g_string_append_c (out, '\n');
    }

  if (removed == 0)
    return TRUE;

  /* Temporary file, fsync, rename: a crash leaves the old list or the new one, never half. */
  if (!g_file_set_contents_full (target, out->str, (gssize) out->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 stat (target, &st) == 0 ? (int) (st.st_mode & 07777) : 0600,
                                 &local_error))
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS,
                   _("Adit could not change the list of known servers (%s)."),
                   local_error->message);
      return FALSE;
    }

  if (n_removed != NULL)
    *n_removed = removed;
  return TRUE;
}

static void
forget_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  guint removed = 0;

  if (adit_known_hosts_forget (task_data, &removed, &error))
    g_task_return_int (task, removed);
  else
    g_task_return_error (task, error);
}

void
adit_known_hosts_forget_async (AditTunnel          *tunnel,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ADIT_IS_TUNNEL (tunnel));
  g_return_if_fail (adit_tunnel_get_host (tunnel) != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, adit_known_hosts_forget_async);
  /* The worker reads its own copy: the person may go on editing the tunnel meanwhile. */
  g_task_set_task_data (task, adit_tunnel_copy (tunnel), g_object_unref);
  g_task_run_in_thread (task, forget_thread);
}

gboolean
adit_known_hosts_forget_finish (GAsyncResult  *result,
                                guint         *n_removed,
                                GError       **error)
{
  gssize removed;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == adit_known_hosts_forget_async,
                        FALSE);

  removed = g_task_propagate_int (G_TASK (result), error);
  if (n_removed != NULL)
    *n_removed = removed < 0 ? 0 : (guint) removed;

  return removed >= 0;
}

gboolean
adit_known_hosts_in_global_file (AditTunnel *tunnel)
{
  g_autofree char *path = adit_known_hosts_global_path ();
  g_autofree char *contents = NULL;
  g_auto(GStrv) names = NULL;
  const char *p, *end, *line;
  gboolean has_newline;
  gsize length = 0;
  gsize line_length;

  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), FALSE);
  g_return_val_if_fail (adit_tunnel_get_host (tunnel) != NULL, FALSE);

  if (_adit_read_file (path, MAX_KNOWN_HOSTS_SIZE, &contents, &length, NULL) != ADIT_READ_OK)
    return FALSE;

  names = entry_names (tunnel);
  p = contents;
  end = contents + length;
  while (next_line (&p, end, &line, &line_length, &has_newline))
    {
      g_autofree char *hosts = NULL;
      g_auto(GStrv) patterns = NULL;
      gsize start, stop;

      if (!line_hosts (line, line_length, &start, &stop))
        continue;

      if (hashed_entry_matches (line + start, stop - start, (const char * const *) names))
        return TRUE;

      /* Patterns apply here as they do for ssh: "*.example.com", "!bad.example.com". */
      hosts = g_ascii_strdown (line + start, (gssize) (stop - start));
      patterns = g_strsplit (hosts, ",", -1);
      if (_adit_ssh_patterns_match ((const char * const *) patterns, names[0]))
        return TRUE;
    }

  return FALSE;
}
