/* test-cli.c — adit-cli as a person uses it in a terminal, against a real sshd: the lines it
 * prints, the question it asks, how it ends, and its one-sentence failures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "adit-test-fixtures.h"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *output;
  GOutputStream    *input;
} Cli;

static const char *
cli_path (void)
{
  const char *path = g_getenv ("ADIT_CLI");

  g_assert_nonnull (path);
  return path;
}

static Cli *
cli_spawn (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Cli *cli = g_new0 (Cli, 1);

  g_ptr_array_add (argv, (char *)cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);

  cli->process = g_subprocess_newv ((const char * const *)argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  cli->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli->process));
  cli->input = g_subprocess_get_stdin_pipe (cli->process);
  return cli;
}

static void
cli_free (Cli *cli)
{
  g_subprocess_force_exit (cli->process);
  g_subprocess_wait (cli->process, NULL, NULL);
  g_object_unref (cli->output);
  g_object_unref (cli->process);
  g_free (cli);
}

/* Reads lines until one contains @needle (or the output ends); returns everything read. */
static char *
cli_read_until (Cli        *cli,
                const char *needle)
{
  GString *seen = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (cli->output, NULL, NULL,
                                                                  &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
      g_test_message ("adit-cli: %s", line);
      g_string_append_printf (seen, "%s\n", line);
      if (strstr (line, needle) != NULL)
        break;
    }

  return g_string_free (seen, FALSE);
}

/* Runs adit-cli to its end; returns its exit status and all it printed. */
static int
cli_run (const char * const *args,
         char              **output)
{
  Cli *cli = cli_spawn (args);
  g_autoptr(GError) error = NULL;
  int status;

  *output = cli_read_until (cli, "\x01never\x01");
  g_subprocess_wait (cli->process, NULL, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_exit_status (cli->process);
  cli_free (cli);
  return status;
}

static void
test_help_and_version (void)
{
  g_autofree char *help = NULL;
  g_autofree char *version = NULL;

  g_assert_cmpint (cli_run ((const char *[]){ "--help", NULL }, &help), ==, 0);
  g_assert_nonnull (strstr (help, "-L [bind_address:]port:host:hostport"));
  g_assert_nonnull (strstr (help, "StrictHostKeyChecking"));
  g_assert_cmpint (cli_run ((const char *[]){ "--version", NULL }, &version), ==, 0);
  g_assert_true (g_str_has_prefix (version, "adit-cli " PACKAGE_VERSION));
}

static void
assert_one_sentence (const char *output,
                     const char *mentions)
{
  g_auto(GStrv) lines = g_strsplit (g_strchomp ((char *)output), "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_str_has_prefix (lines[0], "adit-cli: "));
  g_assert_nonnull (strstr (lines[0], mentions));
}

static void
test_bad_input (void)
{
  g_autofree char *bad_port = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *nothing = NULL;

  g_assert_cmpint (cli_run ((const char *[]){ "-L", "99999:mail.example.com:110",
                                              "other.example.com", NULL }, &bad_port), ==, 2);
  assert_one_sentence (bad_port, "99999");

  /* Unsupported options are named, not silently dropped. */
  g_assert_cmpint (cli_run ((const char *[]){ "-R", "8080:localhost:80",
                                              "other.example.com", NULL }, &remote), ==, 2);
  assert_one_sentence (remote, "-R");

  g_assert_cmpint (cli_run ((const char *[]){ NULL }, &nothing), ==, 2);
  assert_one_sentence (nothing, "-L");
}

typedef struct
{
  AditTestSshd *sshd;
  AditTestEcho *echo;
  guint16       port;
  char         *spec;
  char         *ssh_port;
  char         *destination;
  char         *known_hosts_option;
} Setup;

static gboolean
setup_servers (Setup *setup)
{
  g_autoptr(GError) error = NULL;

  setup->sshd = adit_test_sshd_start (NULL, &error);
  if (setup->sshd == NULL)
    {
      g_autofree char *why = g_strdup_printf ("no throwaway sshd: %s", error->message);
      g_test_skip (why);
      return FALSE;
    }
  setup->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  setup->port = adit_test_free_port ("127.0.0.1", &error);
  g_assert_no_error (error);
  setup->spec = g_strdup_printf ("%u:127.0.0.1:%u", setup->port, setup->echo->port);
  setup->ssh_port = g_strdup_printf ("%u", setup->sshd->port);
  setup->destination = g_strdup_printf ("%s@%s", setup->sshd->user,
                                        setup->sshd->listen_address);
  setup->known_hosts_option = g_strdup_printf ("UserKnownHostsFile=%s",
                                               setup->sshd->known_hosts);
  return TRUE;
}

static void
setup_clear (Setup *setup)
{
  g_clear_pointer (&setup->echo, adit_test_echo_free);
  g_clear_pointer (&setup->sshd, adit_test_sshd_free);
  g_free (setup->spec);
  g_free (setup->ssh_port);
  g_free (setup->destination);
  g_free (setup->known_hosts_option);
}

/* adit-cli forwarding Setup's port through its sshd, known to it; @option comes first
 * (NULL: none). */
static Cli *
cli_spawn_tunnel (Setup      *setup,
                  const char *option)
{
  const char *args[] = { "-N", "-L", setup->spec, "-p", setup->ssh_port,
                         "-i", setup->sshd->client_key,
                         "-o", setup->known_hosts_option, "-o", "StrictHostKeyChecking=yes",
                         setup->destination, NULL };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (option != NULL)
    g_ptr_array_add (argv, (gpointer)option);
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    g_ptr_array_add (argv, (gpointer)args[i]);

  return cli_spawn ((const char * const *)argv->pdata);
}

/* Ctrl+C: a clean disconnect and a zero exit, like ssh. */
static void
cli_interrupt (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;

  g_subprocess_send_signal (cli->process, SIGINT);
  rest = cli_read_until (cli, "\x01never\x01");
  g_subprocess_wait (cli->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (cli->process));
  g_assert_cmpint (g_subprocess_get_exit_status (cli->process), ==, 0);
}

static void
test_forward_until_interrupted (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;
  g_autofree char *opened = NULL;
  Setup setup = { 0 };
  Cli *cli;

  if (!setup_servers (&setup))
    return;

  cli = cli_spawn_tunnel (&setup, NULL);
  start = cli_read_until (cli, "Connected");
  g_assert_nonnull (strstr (start, "Listening on 127.0.0.1:"));
  g_assert_nonnull (strstr (start, "Connected: "));

  g_assert_true (adit_test_round_trip (setup.port, "through adit-cli", &error));
  g_assert_no_error (error);
  opened = cli_read_until (cli, "closed");
  g_assert_nonnull (strstr (opened, "opened (1 open)"));
  g_assert_nonnull (strstr (opened, "closed (0 open)"));

  cli_interrupt (cli);
  g_assert_false (adit_test_wait_port ("127.0.0.1", setup.port, 100, NULL));

  cli_free (cli);
  setup_clear (&setup);
}

/* The server restarts: adit-cli says so, keeps the port, and is back by itself; with
 * --no-reconnect it exits as ssh would. */
static void
test_reconnects (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;
  g_autofree char *lost = NULL;
  g_autofree char *back = NULL;
  g_autofree char *rest = NULL;
  Setup setup = { 0 };
  Cli *cli;

  if (!setup_servers (&setup))
    return;

  cli = cli_spawn_tunnel (&setup, NULL);
  start = cli_read_until (cli, "Connected");

  adit_test_sshd_kill_all (setup.sshd, SIGKILL);
  lost = cli_read_until (cli, "the local ports stay open.");
  g_assert_nonnull (strstr (lost, "was lost"));
  g_assert_nonnull (strstr (lost, "Connecting again in "));
  g_assert_true (adit_test_sshd_restart (setup.sshd, &error));
  g_assert_no_error (error);
  back = cli_read_until (cli, "Connected again: ");
  g_assert_true (adit_test_round_trip (setup.port, "after the restart", &error));
  g_assert_no_error (error);

  cli_interrupt (cli);
  cli_free (cli);

  cli = cli_spawn_tunnel (&setup, "--no-reconnect");
  g_free (start);
  start = cli_read_until (cli, "Connected");
  adit_test_sshd_kill_all (setup.sshd, SIGKILL);
  rest = cli_read_until (cli, "\x01never\x01");
  g_subprocess_wait (cli->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (cli->process), ==, 255);
  g_assert_null (strstr (rest, "Connecting again"));
  g_assert_false (adit_test_wait_port ("127.0.0.1", setup.port, 100, NULL));
  cli_free (cli);

  setup_clear (&setup);
}

static void
test_asks_about_unknown_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = NULL;
  g_autofree char *option = NULL;
  g_autofree char *asked = NULL;
  g_autofree char *connected = NULL;
  g_autofree char *saved = NULL;
  Setup setup = { 0 };
  Cli *cli;

  if (!setup_servers (&setup))
    return;
  known_hosts = g_build_filename (setup.sshd->dir, "cli_known_hosts", NULL);
  option = g_strdup_printf ("UserKnownHostsFile=%s", known_hosts);

  cli = cli_spawn ((const char *[]){ "-L", setup.spec, "-p", setup.ssh_port,
                                     "-i", setup.sshd->client_key, "-o", option,
                                     setup.destination, NULL });
  asked = cli_read_until (cli, "SHA256:");
  /* The fingerprint the server's administrator would read out with ssh-keygen -l. */
  g_assert_nonnull (strstr (asked, setup.sshd->host_fingerprint));
  g_output_stream_write_all (cli->input, "yes\n", 4, NULL, NULL, &error);
  g_assert_no_error (error);
  connected = cli_read_until (cli, "Connected");
  g_assert_nonnull (strstr (connected, "Connected: "));
  g_assert_true (g_file_get_contents (known_hosts, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "ssh-ed25519"));

  cli_free (cli);
  setup_clear (&setup);
}

static void
test_asks_for_passphrase (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *asked = NULL;
  g_autofree char *connected = NULL;
  Setup setup = { 0 };
  Cli *cli;

  if (!setup_servers (&setup))
    return;

  cli = cli_spawn ((const char *[]){ "-L", setup.spec, "-p", setup.ssh_port,
                                     "-i", setup.sshd->client_key_encrypted,
                                     "-o", setup.known_hosts_option, setup.destination, NULL });
  asked = cli_read_until (cli, "protected by a passphrase");
  g_assert_nonnull (strstr (asked, "protected by a passphrase"));
  g_output_stream_write_all (cli->input, ADIT_TEST_KEY_PASSPHRASE "\n",
                             strlen (ADIT_TEST_KEY_PASSPHRASE) + 1, NULL, NULL, &error);
  g_assert_no_error (error);
  connected = cli_read_until (cli, "Connected");
  g_assert_nonnull (strstr (connected, "Connected: "));
  /* What was typed is never printed back. */
  g_assert_null (strstr (connected, ADIT_TEST_KEY_PASSPHRASE));
  g_assert_true (adit_test_round_trip (setup.port, "with a passphrase", &error));
  g_assert_no_error (error);

  cli_free (cli);
  setup_clear (&setup);
}

static void
test_failure_is_one_sentence (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) taken = NULL;
  g_autofree char *output = NULL;
  Setup setup = { 0 };

  if (!setup_servers (&setup))
    return;
  taken = adit_test_occupy_port ("127.0.0.1", setup.port);

  g_assert_cmpint (cli_run ((const char *[]){ "-L", setup.spec, "-p", setup.ssh_port,
                                              "-i", setup.sshd->client_key,
                                              "-o", setup.known_hosts_option,
                                              setup.destination, NULL }, &output), ==, 255);
  assert_one_sentence (output, "already used by another program");

  g_socket_close (taken, NULL);
  setup_clear (&setup);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;

  g_test_init (&argc, &argv, NULL);

  home = adit_test_isolate_home ();

  g_test_add_func ("/adit/cli/help-and-version", test_help_and_version);
  g_test_add_func ("/adit/cli/bad-input", test_bad_input);
  g_test_add_func ("/adit/cli/forward-until-interrupted", test_forward_until_interrupted);
  g_test_add_func ("/adit/cli/reconnects", test_reconnects);
  g_test_add_func ("/adit/cli/asks-about-unknown-server", test_asks_about_unknown_server);
  g_test_add_func ("/adit/cli/asks-for-passphrase", test_asks_for_passphrase);
  g_test_add_func ("/adit/cli/failure-is-one-sentence", test_failure_is_one_sentence);

  {
    int status = g_test_run ();

    adit_test_remove_tree (home, NULL);
    return status;
  }
}
