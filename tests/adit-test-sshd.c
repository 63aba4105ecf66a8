/* adit-test-sshd.c — a throwaway OpenSSH sshd for integration tests, configured entirely
 * from a private temporary directory (/etc/ssh is neither read nor changed).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-test-sshd.h"
#include "adit-test-util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_ATTEMPTS  3
#define START_TIMEOUT_MS 5000

static gboolean
keygen (const char  *program,
        const char  *path,
        const char  *passphrase,
        const char  *comment,
        GError     **error)
{
  const char *argv[] = {
    program, "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", path, NULL
  };

  return adit_test_run (argv, NULL, error);
}

/* "SHA256:…" from `ssh-keygen -l -E sha256 -f KEY.pub`: "256 SHA256:… comment (ED25519)". */
static char *
fingerprint (const char  *program,
             const char  *pub_path,
             GError     **error)
{
  const char *argv[] = { program, "-l", "-E", "sha256", "-f", pub_path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;

  if (!adit_test_run (argv, &out, error))
    return NULL;

  fields = g_strsplit (g_strstrip (out), " ", 3);
  if (g_strv_length (fields) < 2 || !g_str_has_prefix (fields[1], "SHA256:"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Unexpected ssh-keygen -l output: “%s”", out);
      return NULL;
    }

  return g_strdup (fields[1]);
}

/* "ssh-ed25519 AAAA…" without the comment. */
static char *
public_key_text (const char  *pub_path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents (pub_path, &contents, NULL, error))
    return NULL;

  fields = g_strsplit (g_strstrip (contents), " ", 3);
  if (g_strv_length (fields) < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a public key", pub_path);
      return NULL;
    }

  return g_strdup_printf ("%s %s", fields[0], fields[1]);
}

/* How OpenSSH writes a host in known_hosts: bare on port 22, "[host]:port" otherwise. */
static char *
known_hosts_pattern (const char *address,
                     guint16     port)
{
  if (port == 22)
    return g_strdup (address);
  return g_strdup_printf ("[%s]:%u", address, port);
}

static gboolean
write_known_hosts (const char  *path,
                   const char  *address,
                   guint16      port,
                   const char  *pub_path,
                   GError     **error)
{
  g_autofree char *key = public_key_text (pub_path, error);
  g_autofree char *pattern = NULL;
  g_autofree char *line = NULL;

  if (key == NULL)
    return FALSE;

  pattern = known_hosts_pattern (address, port);
  line = g_strdup_printf ("%s %s\n", pattern, key);

  return g_file_set_contents (path, line, -1, error);
}

static char *
config_path (AditTestSshd *sshd)
{
  return g_build_filename (sshd->dir, "sshd_config", NULL);
}

static gboolean
write_config (AditTestSshd              *sshd,
              const AditTestSshdOptions *options,
              gboolean                   with_penalties,
              GError                   **error)
{
  g_autoptr(GString) conf = g_string_new (NULL);
  g_autofree char *path = config_path (sshd);

  g_string_append_printf (conf,
                          "# Written by the Adit test fixture; /etc/ssh is not used.\n"
                          "Port %u\n"
                          "ListenAddress %s\n"
                          "HostKey %s/host_ed25519\n"
                          "PidFile %s/sshd.pid\n"
                          "AuthorizedKeysFile %s/authorized_keys\n",
                          sshd->port, sshd->listen_address, sshd->dir, sshd->dir, sshd->dir);
  g_string_append (conf,
                   "PubkeyAuthentication yes\n"
                   "PasswordAuthentication no\n"
                   "KbdInteractiveAuthentication no\n"
                   "PermitRootLogin prohibit-password\n"
                   "UsePAM no\n"
                   "StrictModes no\n"
                   "X11Forwarding no\n"
                   "PrintMotd no\n"
                   "UseDNS no\n"
                   "LogLevel VERBOSE\n"
                   /* Tests open up to 1000 connections and channels at once. */
                   "MaxStartups 1000:30:1000\n"
                   "MaxSessions 1000\n");
  g_string_append_printf (conf, "AllowTcpForwarding %s\n",
                          options->forbid_tcp_forwarding ? "no" : "yes");
  if (options->ciphers != NULL)
    g_string_append_printf (conf, "Ciphers %s\n", options->ciphers);
  if (options->rekey_limit != NULL)
    g_string_append_printf (conf, "RekeyLimit %s\n", options->rekey_limit);
  /* OpenSSH >= 9.8 penalises addresses that fail to log in or drop connections, which is
   * every test on 127.0.0.1; older versions do not know the keyword. */
  if (with_penalties)
    g_string_append (conf, "PerSourcePenalties no\n");

  return g_file_set_contents (path, conf->str, conf->len, error);
}

static gboolean
check_config (AditTestSshd  *sshd,
              GError       **error)
{
  g_autofree char *path = config_path (sshd);
  const char *argv[] = { ADIT_TEST_SSHD_PATH, "-t", "-f", path, NULL };

  return adit_test_run (argv, NULL, error);
}

static GArray *
signal_tree (AditTestSshd *sshd,
             int           signum)
{
  GArray *tree;

  if (sshd->pid <= 0)
    return g_array_new (FALSE, FALSE, sizeof (AditTestProc));

  /* Stop the whole tree first: then no per-connection child can fork a new one or be
   * orphaned (and lost to the walk) between our signals. */
  tree = adit_test_proc_freeze_tree (sshd->pid);
  adit_test_proc_signal (tree, signum);
  kill (sshd->pid, signum);
  if (signum != SIGSTOP)
    {
      adit_test_proc_signal (tree, SIGCONT);
      kill (sshd->pid, SIGCONT);
    }

  return tree;
}

static void
stop_listener (AditTestSshd *sshd)
{
  g_autoptr(GArray) tree = NULL;
  int status;

  if (sshd->pid <= 0)
    return;

  tree = signal_tree (sshd, SIGKILL);
  while (waitpid (sshd->pid, &status, 0) < 0 && errno == EINTR)
    ;
  sshd->pid = 0;

  /* Orphaned children are reaped by init; wait so "nothing left running" holds at once. */
  adit_test_proc_wait_gone (tree, 2000);
}

/* Spawns sshd on sshd->port and waits for its banner. *out_exited tells a port race (sshd
 * gave up at once, worth another port) from a hang. */
static gboolean
spawn_and_wait (AditTestSshd  *sshd,
                gboolean      *out_exited,
                GError       **error)
{
  g_autofree char *conf = config_path (sshd);
  const char *argv[] = { ADIT_TEST_SSHD_PATH, "-D", "-e", "-f", conf, NULL };
  gint64 deadline;

  *out_exited = FALSE;

  if (!adit_test_spawn_server (argv, sshd->log, &sshd->pid, error))
    return FALSE;

  deadline = g_get_monotonic_time () + START_TIMEOUT_MS * 1000;
  for (;;)
    {
      int status = 0;
      int fd;

      if (adit_test_reap_if_exited (sshd->pid, &status))
        {
          g_autofree char *tail = adit_test_log_tail (sshd->log, 5);

          sshd->pid = 0;
          *out_exited = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "sshd on %s port %u exited at start (wait status %d):\n%s",
                       sshd->listen_address, sshd->port, status, tail);
          return FALSE;
        }

      fd = adit_test_connect (sshd->listen_address, sshd->port, 1, NULL);
      if (fd >= 0)
        {
          g_autofree char *banner = adit_test_read_line (fd, 256, NULL);

          close (fd);
          if (banner != NULL && g_str_has_prefix (banner, "SSH-"))
            return TRUE;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          g_autofree char *tail = adit_test_log_tail (sshd->log, 5);

          stop_listener (sshd);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "sshd on %s port %u did not answer within %d ms:\n%s",
                       sshd->listen_address, sshd->port, START_TIMEOUT_MS, tail);
          return FALSE;
        }

      g_usleep (20 * 1000);
    }
}

AditTestSshd *
adit_test_sshd_start (const AditTestSshdOptions *options,
                      GError                   **error)
{
  static const AditTestSshdOptions defaults = { FALSE, NULL, NULL };
  g_autoptr(AditTestSshd) sshd = NULL;
  g_autoptr(GError) attempt_error = NULL;
  g_autofree char *keygen_path = NULL;
  g_autofree char *host_key = NULL;
  g_autofree char *host_pub = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *other_pub = NULL;
  g_autofree char *client_pub = NULL;
  g_autofree char *encrypted_pub = NULL;
  g_autofree char *authorized = NULL;
  g_autofree char *authorized_path = NULL;
  g_autofree char *authorized_encrypted = NULL;
  gboolean with_penalties = TRUE;

  if (options == NULL)
    options = &defaults;

  if (!g_file_test (ADIT_TEST_SSHD_PATH, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s is not installed (package openssh-server)", ADIT_TEST_SSHD_PATH);
      return NULL;
    }

  keygen_path = g_find_program_in_path ("ssh-keygen");
  if (keygen_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "ssh-keygen is not installed (package openssh-client)");
      return NULL;
    }

  sshd = g_new0 (AditTestSshd, 1);
  sshd->listen_address = g_strdup (options->listen_address != NULL
                                   ? options->listen_address : "127.0.0.1");
  sshd->user = g_strdup (g_get_user_name ());

  sshd->dir = g_dir_make_tmp ("adit-sshd-XXXXXX", error);
  if (sshd->dir == NULL)
    return NULL;

  sshd->client_key = g_build_filename (sshd->dir, "client_ed25519", NULL);
  sshd->client_key_encrypted = g_build_filename (sshd->dir, "client_encrypted_ed25519", NULL);
  sshd->known_hosts = g_build_filename (sshd->dir, "known_hosts", NULL);
  sshd->wrong_known_hosts = g_build_filename (sshd->dir, "wrong_known_hosts", NULL);
  sshd->log = g_build_filename (sshd->dir, "sshd.log", NULL);
  host_key = g_build_filename (sshd->dir, "host_ed25519", NULL);
  host_pub = g_strconcat (host_key, ".pub", NULL);
  other_key = g_build_filename (sshd->dir, "other_host_ed25519", NULL);
  other_pub = g_strconcat (other_key, ".pub", NULL);
  client_pub = g_strconcat (sshd->client_key, ".pub", NULL);
  encrypted_pub = g_strconcat (sshd->client_key_encrypted, ".pub", NULL);
  authorized_path = g_build_filename (sshd->dir, "authorized_keys", NULL);

  /* Root's sshd needs its privilege separation directory; an ordinary user's does not. */
  if (getuid () == 0 && g_mkdir_with_parents ("/run/sshd", 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create /run/sshd: %s", g_strerror (saved_errno));
      return NULL;
    }

  if (!keygen (keygen_path, host_key, "", "adit-test-host", error)
      || !keygen (keygen_path, other_key, "", "adit-test-other-host", error)
      || !keygen (keygen_path, sshd->client_key, "", "adit-test-client", error)
      || !keygen (keygen_path, sshd->client_key_encrypted, ADIT_TEST_KEY_PASSPHRASE,
                  "adit-test-client-encrypted", error))
    return NULL;

  sshd->host_fingerprint = fingerprint (keygen_path, host_pub, error);
  if (sshd->host_fingerprint == NULL)
    return NULL;

  if (!g_file_get_contents (client_pub, &authorized, NULL, error)
      || !g_file_get_contents (encrypted_pub, &authorized_encrypted, NULL, error))
    return NULL;
  {
    g_autofree char *both = g_strconcat (authorized, authorized_encrypted, NULL);

    if (!g_file_set_contents (authorized_path, both, -1, error))
      return NULL;
  }

  for (guint attempt = 0; attempt < START_ATTEMPTS; attempt++)
    {
      gboolean exited = FALSE;

      g_clear_error (&attempt_error);

      sshd->port = adit_test_free_port (sshd->listen_address, error);
      if (sshd->port == 0)
        return NULL;

      if (attempt == 0)
        {
          /* Validate once, learning whether this sshd knows PerSourcePenalties. */
          if (!write_config (sshd, options, with_penalties, error))
            return NULL;
          if (!check_config (sshd, NULL))
            {
              with_penalties = FALSE;
              if (!write_config (sshd, options, with_penalties, error)
                  || !check_config (sshd, error))
                return NULL;
            }
        }
      else if (!write_config (sshd, options, with_penalties, error))
        return NULL;

      if (spawn_and_wait (sshd, &exited, &attempt_error))
        break;
      if (!exited)
        {
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      g_debug ("sshd start attempt %u failed: %s", attempt + 1, attempt_error->message);
    }

  if (attempt_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&attempt_error));
      return NULL;
    }

  if (!write_known_hosts (sshd->known_hosts, sshd->listen_address, sshd->port, host_pub, error)
      || !write_known_hosts (sshd->wrong_known_hosts, sshd->listen_address, sshd->port,
                             other_pub, error))
    return NULL;

  return g_steal_pointer (&sshd);
}

void
adit_test_sshd_kill_all (AditTestSshd *sshd,
                         int           signum)
{
  g_autoptr(GArray) tree = NULL;

  g_return_if_fail (sshd != NULL);

  tree = signal_tree (sshd, signum);
}

gboolean
adit_test_sshd_restart (AditTestSshd  *sshd,
                        GError       **error)
{
  g_autoptr(GError) attempt_error = NULL;

  g_return_val_if_fail (sshd != NULL, FALSE);
  g_return_val_if_fail (sshd->dir != NULL, FALSE);

  stop_listener (sshd);

  /* Same port on purpose (clients reconnect to it). sshd sets SO_REUSEADDR, so connections
   * of the old one in TIME_WAIT do not block it; someone grabbing the port meanwhile does. */
  for (guint attempt = 0; attempt < START_ATTEMPTS; attempt++)
    {
      gboolean exited = FALSE;

      g_clear_error (&attempt_error);
      if (spawn_and_wait (sshd, &exited, &attempt_error))
        return TRUE;
      if (!exited)
        break;
      g_usleep (100 * 1000);
    }

  g_propagate_error (error, g_steal_pointer (&attempt_error));
  return FALSE;
}

void
adit_test_sshd_free (AditTestSshd *sshd)
{
  if (sshd == NULL)
    return;

  stop_listener (sshd);

  if (sshd->dir != NULL)
    adit_test_remove_tree (sshd->dir, NULL);

  g_free (sshd->dir);
  g_free (sshd->listen_address);
  g_free (sshd->user);
  g_free (sshd->client_key);
  g_free (sshd->client_key_encrypted);
  g_free (sshd->known_hosts);
  g_free (sshd->wrong_known_hosts);
  g_free (sshd->host_fingerprint);
  g_free (sshd->log);
  g_free (sshd);
}

AditTestSshd *
adit_test_sshd_start_or_skip (const AditTestSshdOptions *options)
{
  g_autoptr(GError) error = NULL;
  AditTestSshd *sshd = adit_test_sshd_start (options, &error);

  if (sshd == NULL)
    {
      g_autofree char *why = g_strdup_printf ("no throwaway sshd: %s", error->message);

      g_test_skip (why);
    }
  return sshd;
}
