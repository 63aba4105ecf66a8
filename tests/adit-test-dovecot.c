/* adit-test-dovecot.c — a throwaway Dovecot POP3 server for integration tests, configured
 * entirely from a private temporary directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-test-dovecot.h"
#include "adit-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_ATTEMPTS   3
#define START_TIMEOUT_MS 5000

#define MESSAGE \
  "Return-Path: <adit-test@example.invalid>\n" \
  "From: Adit test <adit-test@example.invalid>\n" \
  "To: " ADIT_TEST_POP3_USER "@example.invalid\n" \
  "Subject: Adit test message\n" \
  "Date: Sat, 21 Nov 2026 12:00:00 +0000\n" \
  "Message-ID: <adit-test-1@example.invalid>\n" \
  "\n" \
  "This message travelled through an Adit tunnel.\n" \
  ADIT_TEST_MAIL_MARKER "\n"

static char *
conf_path (AditTestDovecot *dovecot)
{
  return g_build_filename (dovecot->dir, "dovecot.conf", NULL);
}

/* Dovecot 2.4 (Debian 13) renamed most of the settings used here, changed the variable
 * syntax, and wants its configuration version first; 2.3 (Debian 12) knows none of that. */
static gboolean
dovecot_is_2_4 (void)
{
  static gsize checked;
  static gboolean is_2_4;

  if (g_once_init_enter (&checked))
    {
      const char *argv[] = { ADIT_TEST_DOVECOT_PATH, "--version", NULL };
      g_autofree char *out = NULL;
      guint major = 0, minor = 0;

      if (adit_test_run (argv, &out, NULL) && sscanf (out, "%u.%u", &major, &minor) == 2)
        is_2_4 = major > 2 || (major == 2 && minor >= 4);
      g_once_init_leave (&checked, 1);
    }

  return is_2_4;
}

static gboolean
write_config (AditTestDovecot  *dovecot,
              uid_t             mail_uid,
              gid_t             mail_gid,
              GError          **error)
{
  g_autoptr(GString) conf = g_string_new (NULL);
  g_autofree char *path = conf_path (dovecot);
  const char *dir = dovecot->dir;

  g_string_append (conf, "# Written by the Adit test fixture; /etc/dovecot is not used.\n");
  if (dovecot_is_2_4 ())
    g_string_append (conf,
                     "dovecot_config_version = 2.4.0\n"
                     "dovecot_storage_version = 2.4.0\n");
  g_string_append_printf (conf,
                          "protocols = pop3\n"
                          "listen = %s\n"
                          "base_dir = %s/run\n"
                          "state_dir = %s/state\n"
                          "log_path = %s\n"
                          "ssl = no\n"
                          "auth_mechanisms = plain login\n"
                          /* Answer a wrong password at once, not after 2 s. */
                          "auth_failure_delay = 0\n"
                          "first_valid_uid = 1\n",
                          dovecot->listen_address, dir, dir, dovecot->log);

  if (dovecot_is_2_4 ())
    g_string_append_printf (conf,
                            "auth_allow_cleartext = yes\n"
                            "mail_driver = maildir\n"
                            "mail_path = %s/mail/%%{user}\n"
                            "pop3_uidl_format = %%{uid | hex(8)}%%{uidvalidity | hex(8)}\n"
                            "passdb passwd-file {\n"
                            "  default_password_scheme = PLAIN\n"
                            "  auth_username_format = %%{user}\n"
                            "  passwd_file_path = %s/users\n"
                            "}\n"
                            "userdb static {\n"
                            "  fields {\n"
                            "    uid = %u\n"
                            "    gid = %u\n"
                            "    home = %s/mail/%%{user}\n"
                            "  }\n"
                            "}\n",
                            dir, dir, (guint) mail_uid, (guint) mail_gid, dir);
  else
    g_string_append_printf (conf,
                            "disable_plaintext_auth = no\n"
                            "mail_location = maildir:%s/mail/%%u\n"
                            "pop3_uidl_format = %%08Xu%%08Xv\n"
                            "passdb {\n"
                            "  driver = passwd-file\n"
                            "  args = scheme=PLAIN username_format=%%u %s/users\n"
                            "}\n"
                            "userdb {\n"
                            "  driver = static\n"
                            "  args = uid=%u gid=%u home=%s/mail/%%u\n"
                            "}\n",
                            dir, dir, (guint) mail_uid, (guint) mail_gid, dir);

  /* The listener's address is "listen" since 2.4, "address" before. */
  g_string_append_printf (conf,
                          "service pop3-login {\n"
                          "  inet_listener pop3 {\n"
                          "    %s = %s\n"
                          "    port = %u\n"
                          "  }\n"
                          "  inet_listener pop3s {\n"
                          "    port = 0\n"
                          "  }\n"
                          "}\n",
                          dovecot_is_2_4 () ? "listen" : "address", dovecot->listen_address,
                          dovecot->port);

  if (getuid () != 0)
    {
      struct group *gr = getgrgid (getgid ());
      g_autofree char *group = gr != NULL ? g_strdup (gr->gr_name)
                                          : g_strdup_printf ("%u", (guint) getgid ());

      /* Without these Dovecot tries to chown its sockets to accounts an ordinary user
       * cannot become, and anvil and pop3-login try to chroot. */
      g_string_append_printf (conf,
                              "default_internal_user = %s\n"
                              "default_internal_group = %s\n"
                              "default_login_user = %s\n"
                              "service anvil {\n"
                              "  chroot =\n"
                              "}\n"
                              "service pop3-login {\n"
                              "  chroot =\n"
                              "}\n",
                              g_get_user_name (), group, g_get_user_name ());
    }

  return g_file_set_contents (path, conf->str, conf->len, error);
}

static gboolean
chown_or_fail (const char  *path,
               uid_t        uid,
               gid_t        gid,
               GError     **error)
{
  if (chown (path, uid, gid) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot chown %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
make_maildir (AditTestDovecot  *dovecot,
              uid_t             uid,
              gid_t             gid,
              GError          **error)
{
  static const char * const subdirs[] = { "cur", "new", "tmp" };
  g_autofree char *home = g_build_filename (dovecot->dir, "mail", ADIT_TEST_POP3_USER, NULL);
  g_autofree char *mail = g_build_filename (dovecot->dir, "mail", NULL);
  g_autofree char *message = NULL;

  /* Traversable by the mail user; everything below belongs to it. */
  if (g_mkdir (mail, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create %s: %s", mail, g_strerror (saved_errno));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (home, subdirs[i], NULL);

      if (g_mkdir_with_parents (sub, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot create %s: %s", sub, g_strerror (saved_errno));
          return FALSE;
        }
      if (!chown_or_fail (sub, uid, gid, error))
        return FALSE;
    }

  message = g_build_filename (home, "new", "1700000000.M1P1.adit-test", NULL);
  if (!g_file_set_contents (message, MESSAGE, -1, error))
    return FALSE;

  return chown_or_fail (message, uid, gid, error) && chown_or_fail (home, uid, gid, error);
}

/* Nothing in a test's Dovecot is worth a graceful stop (the master's own SIGTERM path takes
 * a second): freeze the tree so nothing new starts, then SIGKILL all of it. */
static void
stop_master (AditTestDovecot *dovecot)
{
  g_autoptr(GArray) tree = NULL;
  int status;

  if (dovecot->pid <= 0)
    return;

  tree = adit_test_proc_freeze_tree (dovecot->pid);
  kill (dovecot->pid, SIGKILL);
  adit_test_proc_signal (tree, SIGKILL);
  while (waitpid (dovecot->pid, &status, 0) < 0 && errno == EINTR)
    ;
  dovecot->pid = 0;

  adit_test_proc_wait_gone (tree, 2000);
}

static gboolean
spawn_and_wait (AditTestDovecot  *dovecot,
                gboolean         *out_exited,
                GError          **error)
{
  g_autofree char *conf = conf_path (dovecot);
  const char *argv[] = { ADIT_TEST_DOVECOT_PATH, "-F", "-c", conf, NULL };
  gint64 deadline;

  *out_exited = FALSE;

  if (!adit_test_spawn_server (argv, dovecot->log, &dovecot->pid, error))
    return FALSE;

  deadline = g_get_monotonic_time () + START_TIMEOUT_MS * 1000;
  for (;;)
    {
      int status = 0;
      int fd;

      if (adit_test_reap_if_exited (dovecot->pid, &status))
        {
          g_autofree char *tail = adit_test_log_tail (dovecot->log, 5);

          dovecot->pid = 0;
          *out_exited = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Dovecot on %s port %u exited at start (wait status %d):\n%s",
                       dovecot->listen_address, dovecot->port, status, tail);
          return FALSE;
        }

      fd = adit_test_connect (dovecot->listen_address, dovecot->port, 1, NULL);
      if (fd >= 0)
        {
          g_autofree char *greeting = adit_test_read_line (fd, 512, NULL);

          close (fd);
          if (greeting != NULL && g_str_has_prefix (greeting, "+OK"))
            return TRUE;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          g_autofree char *tail = adit_test_log_tail (dovecot->log, 5);

          stop_master (dovecot);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "Dovecot on %s port %u did not greet within %d ms:\n%s",
                       dovecot->listen_address, dovecot->port, START_TIMEOUT_MS, tail);
          return FALSE;
        }

      g_usleep (20 * 1000);
    }
}

AditTestDovecot *
adit_test_dovecot_start (const char  *listen_address,
                         GError     **error)
{
  g_autoptr(AditTestDovecot) dovecot = NULL;
  g_autoptr(GError) attempt_error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *conf = NULL;
  uid_t mail_uid = getuid ();
  gid_t mail_gid = getgid ();

  if (!g_file_test (ADIT_TEST_DOVECOT_PATH, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s is not installed (package dovecot-pop3d)", ADIT_TEST_DOVECOT_PATH);
      return NULL;
    }

  if (getuid () == 0)
    {
      struct passwd *pw = getpwnam ("nobody");

      if (pw == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Dovecot will not deliver mail as root and there is no user “nobody”");
          return NULL;
        }
      mail_uid = pw->pw_uid;
      mail_gid = pw->pw_gid;
    }

  dovecot = g_new0 (AditTestDovecot, 1);
  dovecot->listen_address = g_strdup (listen_address != NULL ? listen_address : "127.0.0.1");
  dovecot->dir = g_dir_make_tmp ("adit-dovecot-XXXXXX", error);
  if (dovecot->dir == NULL)
    return NULL;
  dovecot->log = g_build_filename (dovecot->dir, "dovecot.log", NULL);
  users = g_build_filename (dovecot->dir, "users", NULL);
  conf = conf_path (dovecot);

  /* As root the mail process (nobody) and the auth process (dovecot) must get through the
   * directory and read the users file; g_dir_make_tmp () made it 0700. */
  if (getuid () == 0 && g_chmod (dovecot->dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot chmod %s: %s", dovecot->dir, g_strerror (saved_errno));
      return NULL;
    }

  /* The auth process reads it as the dovecot account when we are root. */
  if (!g_file_set_contents (users, ADIT_TEST_POP3_USER ":{PLAIN}" ADIT_TEST_POP3_PASSWORD "\n",
                            -1, error))
    return NULL;
  if (g_chmod (users, 0644) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot chmod %s: %s", users, g_strerror (saved_errno));
      return NULL;
    }
  if (!make_maildir (dovecot, mail_uid, mail_gid, error))
    return NULL;

  for (guint attempt = 0; attempt < START_ATTEMPTS; attempt++)
    {
      gboolean exited = FALSE;

      g_clear_error (&attempt_error);

      dovecot->port = adit_test_free_port (dovecot->listen_address, error);
      if (dovecot->port == 0 || !write_config (dovecot, mail_uid, mail_gid, error))
        return NULL;

      if (attempt == 0)
        {
          const char *check[] = { ADIT_TEST_DOVECOT_PATH, "-n", "-c", conf, NULL };

          if (!adit_test_run (check, NULL, error))
            return NULL;
        }

      if (spawn_and_wait (dovecot, &exited, &attempt_error))
        break;
      if (!exited)
        {
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return NULL;
        }
      g_debug ("Dovecot start attempt %u failed: %s", attempt + 1, attempt_error->message);
    }

  if (attempt_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&attempt_error));
      return NULL;
    }

  return g_steal_pointer (&dovecot);
}

void
adit_test_dovecot_free (AditTestDovecot *dovecot)
{
  if (dovecot == NULL)
    return;

  stop_master (dovecot);

  if (dovecot->dir != NULL)
    adit_test_remove_tree (dovecot->dir, NULL);

  g_free (dovecot->dir);
  g_free (dovecot->listen_address);
  g_free (dovecot->log);
  g_free (dovecot);
}
