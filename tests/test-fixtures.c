/* test-fixtures.c — proves the integration fixtures are the real thing: OpenSSH's own client
 * logs in to the fixture sshd, forwards to the fixture Dovecot and TCP servers, curl fetches
 * mail through the tunnel, and killing the server ends the client. Everything started here
 * is gone afterwards, descriptors included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-test-fixtures.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SSH_EXIT_TIMEOUT_MS 10000

/* Skips the current test when a fixture says its program is not installed. */
static gboolean
skip_if_missing (GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_test_skip (error->message);
      return TRUE;
    }
  return FALSE;
}

static gboolean
skip_without_program (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("%s is not installed", program);

      g_test_skip (reason);
      return TRUE;
    }
  return FALSE;
}

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* An aborted test must not leave an ssh client behind. */
  g_subprocess_launcher_set_child_setup (launcher, adit_test_die_with_parent, NULL, NULL);
  return launcher;
}

/* OpenSSH's client pinned to the fixture: no user config, no agent, strict host key
 * checking against @known_hosts, no prompts when @batch. @extra goes before the
 * destination, @command (nullable) after it. */
static GSubprocess *
spawn_ssh (GSubprocessLauncher *launcher,
           AditTestSshd        *sshd,
           const char          *known_hosts,
           const char          *key,
           gboolean             batch,
           const char * const  *extra,
           const char          *command)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, g_strdup ("ssh"));
  g_ptr_array_add (argv, g_strdup ("-F"));
  g_ptr_array_add (argv, g_strdup ("/dev/null"));
  g_ptr_array_add (argv, g_strdup_printf ("-oBatchMode=%s", batch ? "yes" : "no"));
  g_ptr_array_add (argv, g_strdup ("-oIdentitiesOnly=yes"));
  g_ptr_array_add (argv, g_strdup ("-oIdentityAgent=none"));
  g_ptr_array_add (argv, g_strdup ("-oPasswordAuthentication=no"));
  g_ptr_array_add (argv, g_strdup ("-oKbdInteractiveAuthentication=no"));
  g_ptr_array_add (argv, g_strdup_printf ("-oUserKnownHostsFile=%s", known_hosts));
  g_ptr_array_add (argv, g_strdup ("-oGlobalKnownHostsFile=/dev/null"));
  g_ptr_array_add (argv, g_strdup ("-oStrictHostKeyChecking=yes"));
  g_ptr_array_add (argv, g_strdup ("-oUpdateHostKeys=no"));
  g_ptr_array_add (argv, g_strdup ("-oConnectTimeout=10"));
  g_ptr_array_add (argv, g_strdup ("-oExitOnForwardFailure=yes"));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup (key));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", sshd->port));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, g_strdup_printf ("%s@%s", sshd->user, sshd->listen_address));
  if (command != NULL)
    g_ptr_array_add (argv, g_strdup (command));
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

/* Runs `ssh … true` to completion; returns the exit status, stderr in @out_stderr. */
static int
ssh_run_true (AditTestSshd        *sshd,
              GSubprocessLauncher *launcher,
              const char          *known_hosts,
              const char          *key,
              gboolean             batch,
              const char * const  *extra,
              char               **out_stderr)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = spawn_ssh (launcher, sshd, known_hosts, key, batch, extra, "true");
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, out_stderr, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));

  return g_subprocess_get_exit_status (proc);
}

static gboolean
wait_exit (GSubprocess *proc,
           guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  /* The identifier goes away once GLib's worker has reaped the child. */
  while (g_subprocess_get_identifier (proc) != NULL)
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }

  g_subprocess_wait (proc, NULL, NULL);
  return TRUE;
}

static void
stop_ssh (GSubprocess *proc)
{
  if (g_subprocess_get_identifier (proc) != NULL)
    g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (wait_exit (proc, SSH_EXIT_TIMEOUT_MS));
}

/* Waits until ssh's -L listener on @port accepts, failing at once if ssh gave up. */
static void
wait_forward (GSubprocess *proc,
              guint16      port)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      int fd;

      g_assert_nonnull (g_subprocess_get_identifier (proc));

      fd = adit_test_connect ("127.0.0.1", port, 1, NULL);
      if (fd >= 0)
        {
          close (fd);
          return;
        }

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static char *
forward_arg (guint16     local_port,
             const char *host,
             guint16     port)
{
  return g_strdup_printf ("-L%u:%s:%u", local_port, host, port);
}

static guint16
free_port (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = adit_test_free_port ("127.0.0.1", &error);

  g_assert_no_error (error);
  return port;
}

static void
assert_all_stopped (AditTestSshd *sshd)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GArray) tree = adit_test_proc_tree (sshd->pid, TRUE);
      gboolean all_stopped = TRUE;

      /* The listener plus at least the monitor of the one ssh connection. */
      g_assert_cmpuint (tree->len, >=, 2);
      for (guint i = 0; i < tree->len; i++)
        {
          char state = adit_test_proc_state (&g_array_index (tree, AditTestProc, i));

          if (state != 'T' && state != 't')
            all_stopped = FALSE;
        }

      if (all_stopped)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

static void
test_stream (void)
{
  guint8 whole[4099];
  guint8 parts[4099];
  guint8 other[4099];

  adit_test_stream_fill (42, 1001, whole, sizeof whole);
  adit_test_stream_fill (42, 1001, parts, 3);
  adit_test_stream_fill (42, 1004, parts + 3, 13);
  adit_test_stream_fill (42, 1017, parts + 16, sizeof parts - 16);
  g_assert_cmpmem (whole, sizeof whole, parts, sizeof parts);

  adit_test_stream_fill (43, 1001, other, sizeof other);
  g_assert_true (memcmp (whole, other, sizeof whole) != 0);
}

static void
test_echo_servers (void)
{
  guint fds_before = adit_test_count_fds_settled ();
  g_autoptr(AditTestEcho) echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  g_autoptr(AditTestEcho) greeting = adit_test_echo_new (ADIT_TEST_ECHO_MODE_GREETING, 0);
  g_autoptr(AditTestEcho) sink = adit_test_echo_new (ADIT_TEST_ECHO_MODE_SINK, 0);
  g_autoptr(AditTestEcho) source = adit_test_echo_new (ADIT_TEST_ECHO_MODE_SOURCE, 8 << 20);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  int held[20];
  gint64 deadline;
  int fd;

  g_assert_true (adit_test_round_trip (echo->port, "hello, echo", &error));
  g_assert_no_error (error);

  fd = adit_test_connect ("127.0.0.1", greeting->port, ADIT_TEST_IO_TIMEOUT_S, &error);
  g_assert_no_error (error);
  line = adit_test_read_line (fd, 256, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "+OK adit-test ready");
  g_assert_true (adit_test_send_all (fd, "ping\n", 5, &error));
  g_clear_pointer (&line, g_free);
  line = adit_test_read_line (fd, 256, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ping");
  close (fd);

  g_assert_true (adit_test_transfer_upload (sink->port, (8 << 20) + 5, 7, &error));
  g_assert_no_error (error);
  g_assert_true (adit_test_transfer_upload (sink->port, 0, 7, &error));
  g_assert_no_error (error);

  g_assert_true (adit_test_transfer_download (source->port, 8 << 20,
                                              ADIT_TEST_ECHO_DEFAULT_SEED, &error));
  g_assert_no_error (error);
  g_assert_false (adit_test_transfer_download (source->port, 8 << 20, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (adit_test_transfer_download (source->port, 16 << 20,
                                               ADIT_TEST_ECHO_DEFAULT_SEED, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_clear_error (&error);
  g_assert_cmpuint (adit_test_echo_get_connections (source), ==, 3);

  /* Connections still open when the server is freed are cut, their threads joined. */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i] = adit_test_connect ("127.0.0.1", echo->port, 5, &error);
      g_assert_no_error (error);
    }
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (adit_test_echo_get_active (echo) < G_N_ELEMENTS (held))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (5 * 1000);
    }
  g_assert_cmpuint (adit_test_echo_get_connections (echo), ==, 1 + G_N_ELEMENTS (held));
  g_clear_pointer (&echo, adit_test_echo_free);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      char c;

      g_assert_cmpint (recv (held[i], &c, 1, 0), ==, 0);
      close (held[i]);
    }

  g_clear_pointer (&greeting, adit_test_echo_free);
  g_clear_pointer (&sink, adit_test_echo_free);
  g_clear_pointer (&source, adit_test_echo_free);
  g_assert_cmpuint (adit_test_wait_fds (fds_before, 2000), ==, fds_before);
}

static void
test_dovecot (void)
{
  guint fds_before = adit_test_count_fds_settled ();
  g_autoptr(AditTestDovecot) dovecot = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *bad_url = NULL;
  g_autofree char *out = NULL;

  if (skip_without_program ("curl"))
    return;

  dovecot = adit_test_dovecot_start ("127.0.0.2", &error);
  if (skip_if_missing (error))
    return;
  g_assert_no_error (error);
  g_assert_cmpstr (dovecot->listen_address, ==, "127.0.0.2");

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  url = g_strdup_printf ("pop3://%s:%s@127.0.0.2:%u/1", ADIT_TEST_POP3_USER,
                         ADIT_TEST_POP3_PASSWORD, dovecot->port);
  curl = g_subprocess_launcher_spawn (launcher, &error, "curl", "-sS", "--max-time", "20",
                                      url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (curl), ==, 0);
  g_assert_nonnull (strstr (out, ADIT_TEST_MAIL_MARKER));
  g_clear_object (&curl);
  g_clear_pointer (&out, g_free);

  /* The password is really checked: curl's 67 is "login denied". */
  bad_url = g_strdup_printf ("pop3://%s:wrong@127.0.0.2:%u/1", ADIT_TEST_POP3_USER,
                             dovecot->port);
  curl = g_subprocess_launcher_spawn (launcher, &error, "curl", "-sS", "--max-time", "20",
                                      bad_url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (curl), ==, 67);

  g_clear_pointer (&dovecot, adit_test_dovecot_free);
  g_clear_object (&curl);
  g_clear_object (&launcher);
  g_assert_cmpuint (adit_test_wait_fds (fds_before, 2000), ==, fds_before);
}

/* The real OpenSSH client through the fixture sshd to Dovecot on another loopback address
 * and to in-process servers; SIGSTOP/SIGCONT reach every sshd process; SIGKILL ends the
 * client; restart serves again on the same port with the same host key. */
static void
test_tunnel (void)
{
  guint fds_before = adit_test_count_fds_settled ();
  g_autoptr(AditTestSshd) sshd = NULL;
  g_autoptr(AditTestDovecot) dovecot = NULL;
  g_autoptr(AditTestEcho) echo = NULL;
  g_autoptr(AditTestEcho) sink = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocessLauncher) curl_launcher = NULL;
  g_autoptr(GSubprocess) ssh = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pop_forward = NULL;
  g_autofree char *echo_forward = NULL;
  g_autofree char *sink_forward = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  const char *extra[5];
  guint16 pop_local, echo_local, sink_local;
  guint16 port_before;

  if (skip_without_program ("ssh") || skip_without_program ("curl"))
    return;

  sshd = adit_test_sshd_start (NULL, &error);
  if (skip_if_missing (error))
    return;
  g_assert_no_error (error);
  dovecot = adit_test_dovecot_start ("127.0.0.2", &error);
  if (skip_if_missing (error))
    return;
  g_assert_no_error (error);
  echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  sink = adit_test_echo_new (ADIT_TEST_ECHO_MODE_SINK, 0);

  pop_local = free_port ();
  echo_local = free_port ();
  sink_local = free_port ();
  pop_forward = forward_arg (pop_local, "127.0.0.2", dovecot->port);
  echo_forward = forward_arg (echo_local, "127.0.0.1", echo->port);
  sink_forward = forward_arg (sink_local, "127.0.0.1", sink->port);
  extra[0] = "-N";
  extra[1] = pop_forward;
  extra[2] = echo_forward;
  extra[3] = sink_forward;
  extra[4] = NULL;

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  ssh = spawn_ssh (launcher, sshd, sshd->known_hosts, sshd->client_key, TRUE, extra, NULL);
  wait_forward (ssh, echo_local);

  g_assert_true (adit_test_round_trip (echo_local, "hello through ssh -L", &error));
  g_assert_no_error (error);
  g_assert_true (adit_test_transfer_upload (sink_local, 32 << 20, 99, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (adit_test_echo_get_connections (sink), ==, 1);

  curl_launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  url = g_strdup_printf ("pop3://%s:%s@127.0.0.1:%u/1", ADIT_TEST_POP3_USER,
                         ADIT_TEST_POP3_PASSWORD, pop_local);
  curl = g_subprocess_launcher_spawn (curl_launcher, &error, "curl", "-sS", "--max-time", "20",
                                      url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (curl), ==, 0);
  g_assert_nonnull (strstr (out, ADIT_TEST_MAIL_MARKER));

  /* Every sshd process stops (the per-connection ones are not in the listener's process
   * group), and the tunnel works again after SIGCONT. */
  adit_test_sshd_kill_all (sshd, SIGSTOP);
  assert_all_stopped (sshd);
  adit_test_sshd_kill_all (sshd, SIGCONT);
  g_assert_true (adit_test_round_trip (echo_local, "after SIGCONT", &error));
  g_assert_no_error (error);

  adit_test_sshd_kill_all (sshd, SIGKILL);
  g_assert_true (wait_exit (ssh, SSH_EXIT_TIMEOUT_MS));
  g_assert_cmpint (g_subprocess_get_exit_status (ssh), ==, 255);
  g_clear_object (&ssh);

  port_before = sshd->port;
  g_assert_true (adit_test_sshd_restart (sshd, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sshd->port, ==, port_before);
  ssh = spawn_ssh (launcher, sshd, sshd->known_hosts, sshd->client_key, TRUE, extra, NULL);
  wait_forward (ssh, echo_local);
  g_assert_true (adit_test_round_trip (echo_local, "after restart", &error));
  g_assert_no_error (error);
  stop_ssh (ssh);

  g_clear_object (&ssh);
  g_clear_object (&curl);
  g_clear_object (&launcher);
  g_clear_object (&curl_launcher);
  g_clear_pointer (&sshd, adit_test_sshd_free);
  g_clear_pointer (&dovecot, adit_test_dovecot_free);
  g_clear_pointer (&echo, adit_test_echo_free);
  g_clear_pointer (&sink, adit_test_echo_free);
  g_assert_cmpuint (adit_test_wait_fds (fds_before, 2000), ==, fds_before);
}

/* Both client keys are authorized (the second only with its passphrase), and the "wrong"
 * known_hosts makes a strict client refuse the server. */
static void
test_keys (void)
{
  guint fds_before = adit_test_count_fds_settled ();
  g_autoptr(AditTestSshd) sshd = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *askpass = NULL;
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  g_autofree char *known = NULL;

  if (skip_without_program ("ssh"))
    return;

  sshd = adit_test_sshd_start (NULL, &error);
  if (skip_if_missing (error))
    return;
  g_assert_no_error (error);

  g_assert_true (g_str_has_prefix (sshd->host_fingerprint, "SHA256:"));
  g_assert_true (g_file_get_contents (sshd->known_hosts, &known, NULL, NULL));
  g_assert_true (g_str_has_prefix (known, "[127.0.0.1]:"));
  g_assert_cmpstr (sshd->user, ==, g_get_user_name ());

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_assert_cmpint (ssh_run_true (sshd, launcher, sshd->known_hosts, sshd->client_key, TRUE,
                                 NULL, &err), ==, 0);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ssh_run_true (sshd, launcher, sshd->wrong_known_hosts, sshd->client_key, TRUE,
                                 NULL, &err), ==, 255);
  g_assert_nonnull (strstr (err, "REMOTE HOST IDENTIFICATION HAS CHANGED"));
  g_clear_pointer (&err, g_free);

  /* Without its passphrase the encrypted key is useless (BatchMode asks nobody)… */
  g_assert_cmpint (ssh_run_true (sshd, launcher, sshd->known_hosts, sshd->client_key_encrypted,
                                 TRUE, NULL, &err), ==, 255);
  g_clear_pointer (&err, g_free);

  /* …and with it, it logs in. */
  askpass = g_build_filename (sshd->dir, "askpass", NULL);
  script = g_strdup_printf ("#!/bin/sh\necho '%s'\n", ADIT_TEST_KEY_PASSPHRASE);
  g_assert_true (g_file_set_contents (askpass, script, -1, NULL));
  g_assert_cmpint (g_chmod (askpass, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "SSH_ASKPASS", askpass, TRUE);
  g_subprocess_launcher_setenv (launcher, "SSH_ASKPASS_REQUIRE", "force", TRUE);
  g_assert_cmpint (ssh_run_true (sshd, launcher, sshd->known_hosts, sshd->client_key_encrypted,
                                 FALSE, NULL, &err), ==, 0);

  g_clear_object (&launcher);
  g_clear_pointer (&sshd, adit_test_sshd_free);
  g_assert_cmpuint (adit_test_wait_fds (fds_before, 2000), ==, fds_before);
}

static void
test_forbid_forwarding (void)
{
  AditTestSshdOptions options = { .forbid_tcp_forwarding = TRUE };
  guint fds_before = adit_test_count_fds_settled ();
  g_autoptr(AditTestSshd) sshd = NULL;
  g_autoptr(AditTestEcho) echo = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) ssh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *forward = NULL;
  g_autofree char *log = NULL;
  const char *extra[3];
  guint16 local;

  if (skip_without_program ("ssh"))
    return;

  sshd = adit_test_sshd_start (&options, &error);
  if (skip_if_missing (error))
    return;
  g_assert_no_error (error);
  echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);

  local = free_port ();
  forward = forward_arg (local, "127.0.0.1", echo->port);
  extra[0] = "-N";
  extra[1] = forward;
  extra[2] = NULL;

  /* ssh's local listener comes up anyway; the server refuses each channel. */
  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  ssh = spawn_ssh (launcher, sshd, sshd->known_hosts, sshd->client_key, TRUE, extra, NULL);
  wait_forward (ssh, local);
  g_assert_false (adit_test_round_trip (local, "refused?", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (adit_test_echo_get_connections (echo), ==, 0);
  stop_ssh (ssh);

  g_assert_true (g_file_get_contents (sshd->log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "refused local port forward"));

  g_clear_object (&ssh);
  g_clear_object (&launcher);
  g_clear_pointer (&sshd, adit_test_sshd_free);
  g_clear_pointer (&echo, adit_test_echo_free);
  g_assert_cmpuint (adit_test_wait_fds (fds_before, 2000), ==, fds_before);
}

static void
test_ciphers (void)
{
  AditTestSshdOptions options = { .ciphers = "aes128-gcm@openssh.com" };
  guint fds_before = adit_test_count_fds_settled ();
  g_autoptr(AditTestSshd) sshd = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char * const chacha[] = { "-cchacha20-poly1305@openssh.com", NULL };
  const char * const gcm[] = { "-caes128-gcm@openssh.com", NULL };

  if (skip_without_program ("ssh"))
    return;

  sshd = adit_test_sshd_start (&options, &error);
  if (skip_if_missing (error))
    return;
  g_assert_no_error (error);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_assert_cmpint (ssh_run_true (sshd, launcher, sshd->known_hosts, sshd->client_key, TRUE,
                                 chacha, &err), ==, 255);
  g_assert_nonnull (strstr (err, "no matching cipher"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ssh_run_true (sshd, launcher, sshd->known_hosts, sshd->client_key, TRUE,
                                 gcm, &err), ==, 0);

  g_clear_object (&launcher);
  g_clear_pointer (&sshd, adit_test_sshd_free);
  g_assert_cmpuint (adit_test_wait_fds (fds_before, 2000), ==, fds_before);
}

/* GLib opens a few descriptors for good the first time a child is spawned and watched (its
 * worker context, the SIGCHLD wakeup); do that before any test takes its baseline. */
static void
warm_up (void)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/bin/sh", "-c", ":", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  warm_up ();

  g_test_add_func ("/adit/fixtures/stream", test_stream);
  g_test_add_func ("/adit/fixtures/echo-servers", test_echo_servers);
  g_test_add_func ("/adit/fixtures/dovecot", test_dovecot);
  g_test_add_func ("/adit/fixtures/tunnel", test_tunnel);
  g_test_add_func ("/adit/fixtures/keys", test_keys);
  g_test_add_func ("/adit/fixtures/forbid-forwarding", test_forbid_forwarding);
  g_test_add_func ("/adit/fixtures/ciphers", test_ciphers);

  return g_test_run ();
}
