/* adit-known-hosts.c — see adit-known-hosts.h.
 *
 * A changed key is always refused, whatever the policy: the person is told why, and the
 * way forward (forgetting the old key) is a separate, deliberate action.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "adit-error.h"
#include "adit-known-hosts.h"

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
  enum ssh_known_hosts_e known = ssh_session_is_known_server (session);

  *question = NULL;
  fingerprint = server_fingerprint (session, &key_type);
  if (fingerprint == NULL)
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_PROTOCOL,
                   _("%s did not show a usable identity (%s)."), name, ssh_get_error (session));
      return ADIT_HOST_KEY_REFUSED;
    }

  switch (known)
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
