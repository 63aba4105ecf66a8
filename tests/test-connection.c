/* test-connection.c — AditConnection against a real OpenSSH sshd on loopback: data through
 * the tunnel, the questions, and every fault a person may meet, each with its sentence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libssh/libssh.h>

#include "adit-engine.h"
#include "adit-known-hosts.h"
#include "adit-test-fixtures.h"

#define WAIT_SECONDS 30

typedef struct
{
  AditTestSshd   *sshd;
  AditTestSshServer *login_server;  /* the in-process server, freed after the connection */
  AditTestEcho   *echo;
  AditConnection *connection;
  guint16         local_port;
  guint           fds_before;
  GPtrArray      *listening;
  GPtrArray      *client_errors;
  guint           clients_closed;
  guint           questions;
  AditQuestion   *kept_question;  /* when the test answers later, or never */
  gboolean        keep_question;
  gboolean        no_reconnect;   /* as adit-cli --no-reconnect */
  gboolean        stopped;
  /* how the test answers questions */
  const char     *answer;        /* NULL: cancel */
  const char     *first_answer;  /* if set, used for the first question only */
  const char     *saved_password;    /* "from the keyring" */
  const char     *saved_passphrase;
  guint           accepted;          /* 1 << kind for each "secret-accepted" */
  AditQuestionKind last_kind;
  guint           last_n_prompts;
  gboolean        last_echo[2];
  char           *last_fingerprint;
  char           *last_message;
} Fixture;

static gboolean
quick (void)
{
  return g_getenv ("ADIT_TEST_QUICK") != NULL;
}

static gboolean
start_sshd (Fixture                   *fixture,
            const AditTestSshdOptions *options)
{
  fixture->sshd = adit_test_sshd_start_or_skip (options);
  return fixture->sshd != NULL;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->fds_before = adit_test_count_fds_settled ();
  fixture->listening = g_ptr_array_new_with_free_func (g_free);
  fixture->client_errors = g_ptr_array_new_with_free_func ((GDestroyNotify)g_error_free);
  fixture->local_port = adit_test_free_port ("127.0.0.1", &error);
  g_assert_no_error (error);
}

static void
wait_stopped (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (!fixture->stopped && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (fixture->stopped);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->connection != NULL)
    {
      if (adit_connection_is_running (fixture->connection))
        {
          adit_connection_stop (fixture->connection);
          wait_stopped (fixture);
        }
      {
        /* Nothing may keep a stopped connection alive once the last report arrived. */
        GObject *weak = G_OBJECT (fixture->connection);
        gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

        g_object_add_weak_pointer (weak, (gpointer *)&weak);
        g_clear_object (&fixture->connection);
        while (weak != NULL && g_get_monotonic_time () < deadline)
          g_main_context_iteration (NULL, FALSE);
        g_assert_null (weak);
      }
    }
  g_clear_pointer (&fixture->echo, adit_test_echo_free);
  g_clear_pointer (&fixture->sshd, adit_test_sshd_free);
  /* Its thread ends with its last session: the connection above has stopped by now. */
  g_clear_pointer (&fixture->login_server, adit_test_ssh_server_free);
  g_ptr_array_unref (fixture->listening);
  g_ptr_array_unref (fixture->client_errors);
  g_free (fixture->last_fingerprint);
  g_free (fixture->last_message);
  g_clear_object (&fixture->kept_question);

  /* Nothing left behind: every socket, pipe and eventfd of the tunnel is closed. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (adit_test_wait_fds (fixture->fds_before, 2000), ==, fixture->fds_before);
}

static AditTunnel *
tunnel_for (Fixture    *fixture,
            const char *target_host,
            guint16     target_port)
{
  g_autoptr(AditForward) forward = adit_forward_new (NULL, fixture->local_port,
                                                     target_host, target_port);
  AditTunnel *tunnel = adit_tunnel_new ();

  adit_tunnel_set_name (tunnel, "test");
  adit_tunnel_set_host (tunnel, fixture->sshd->listen_address);
  adit_tunnel_set_port (tunnel, fixture->sshd->port);
  adit_tunnel_set_user (tunnel, fixture->sshd->user);
  adit_tunnel_set_identity_file (tunnel, fixture->sshd->client_key);
  adit_tunnel_set_known_hosts_file (tunnel, fixture->sshd->known_hosts);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_STRICT);
  adit_tunnel_set_connect_timeout (tunnel, 10);
  adit_tunnel_set_reconnect (tunnel, !fixture->no_reconnect);
  adit_tunnel_add_forward (tunnel, forward);

  return tunnel;
}

static void
listening_cb (AditConnection *connection,
              const char     *address,
              Fixture        *fixture)
{
  g_ptr_array_add (fixture->listening, g_strdup (address));
}

static void
client_closed_cb (AditConnection *connection,
                  const char     *peer,
                  guint           open,
                  const GError   *error,
                  Fixture        *fixture)
{
  fixture->clients_closed++;
  if (error != NULL)
    g_ptr_array_add (fixture->client_errors, g_error_copy (error));
}

static void
question_cb (AditConnection *connection,
             AditQuestion   *question,
             Fixture        *fixture)
{
  const char *answer = fixture->answer;

  if (fixture->questions == 0 && fixture->first_answer != NULL)
    answer = fixture->first_answer;
  fixture->questions++;
  if (fixture->keep_question)
    {
      g_set_object (&fixture->kept_question, question);
      return;
    }
  fixture->last_kind = adit_question_get_kind (question);
  g_free (fixture->last_fingerprint);
  fixture->last_fingerprint = g_strdup (adit_question_get_fingerprint (question));
  g_free (fixture->last_message);
  fixture->last_message = g_strdup (adit_question_get_message (question));

  if (answer == NULL)
    {
      adit_question_cancel (question);
      return;
    }

  fixture->last_n_prompts = adit_question_get_n_prompts (question);
  for (guint i = 0; i < MIN (fixture->last_n_prompts, 2); i++)
    fixture->last_echo[i] = adit_question_get_prompt_echo (question, i);

  if (adit_question_get_kind (question) == ADIT_QUESTION_HOST_KEY)
    adit_question_answer (question, NULL);
  else if (adit_question_get_kind (question) == ADIT_QUESTION_KEYBOARD_INTERACTIVE)
    {
      const char *answers[] = { ADIT_TEST_SERVER_KBD_ANSWER_CODE, answer, NULL };

      g_assert_cmpuint (fixture->last_n_prompts, ==, 2);
      adit_question_answer (question, answers);
    }
  else
    {
      const char *answers[] = { answer, NULL };

      adit_question_answer (question, answers);
    }
}

static void
secret_accepted_cb (AditConnection   *connection,
                    AditQuestionKind  kind,
                    Fixture          *fixture)
{
  /* Before the tunnel is up, so the app saves only what worked, as it comes up. */
  g_assert_cmpint (adit_connection_get_state (connection), !=, ADIT_CONNECTION_STATE_CONNECTED);
  g_assert_false (fixture->accepted & (1u << kind));
  fixture->accepted |= 1u << kind;
}

static void
stopped_cb (AditConnection *connection,
            Fixture        *fixture)
{
  fixture->stopped = TRUE;
}

static void
start (Fixture    *fixture,
       AditTunnel *tunnel)
{
  fixture->connection = adit_connection_new (tunnel);
  g_signal_connect (fixture->connection, "listening", G_CALLBACK (listening_cb), fixture);
  g_signal_connect (fixture->connection, "client-closed", G_CALLBACK (client_closed_cb), fixture);
  g_signal_connect (fixture->connection, "question", G_CALLBACK (question_cb), fixture);
  g_signal_connect (fixture->connection, "stopped", G_CALLBACK (stopped_cb), fixture);
  g_signal_connect (fixture->connection, "secret-accepted", G_CALLBACK (secret_accepted_cb),
                    fixture);
  if (fixture->saved_password != NULL)
    adit_connection_set_saved_secret (fixture->connection, ADIT_QUESTION_PASSWORD,
                                      fixture->saved_password);
  if (fixture->saved_passphrase != NULL)
    adit_connection_set_saved_secret (fixture->connection, ADIT_QUESTION_PASSPHRASE,
                                      fixture->saved_passphrase);
  adit_connection_start (fixture->connection);
}

/* Runs the main loop until the connection is up, or ended. */
static AditConnectionState
wait_settled (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      AditConnectionState state = adit_connection_get_state (fixture->connection);

      if (state == ADIT_CONNECTION_STATE_CONNECTED || fixture->stopped)
        return state;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Runs the main loop until the connection is up; if it ended instead, says why. */
static void
wait_connected (Fixture *fixture)
{
  AditConnectionState state = wait_settled (fixture);

  if (state != ADIT_CONNECTION_STATE_CONNECTED)
    {
      const GError *error = adit_connection_get_error (fixture->connection);

      g_error ("the tunnel did not connect (state %d): %s", state,
               error != NULL ? error->message : "no error");
    }
}

static void
assert_failed_with (Fixture *fixture,
                    int      code)
{
  const GError *error;

  wait_stopped (fixture);
  g_assert_cmpint (adit_connection_get_state (fixture->connection), ==,
                   ADIT_CONNECTION_STATE_FAILED);
  error = adit_connection_get_error (fixture->connection);
  g_assert_error ((GError *)error, ADIT_ERROR, code);
  g_test_message ("the person reads: %s", error->message);
  /* One sentence, not a code: it ends with a full stop and names no libssh internals. */
  g_assert_true (g_str_has_suffix (error->message, ".") || g_str_has_suffix (error->message, "?"));
}

static void
connect_echo (Fixture          *fixture,
              AditTestEchoMode  mode,
              guint64           source_bytes)
{
  g_autoptr(AditTunnel) tunnel = NULL;

  fixture->echo = adit_test_echo_new (mode, source_bytes);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  start (fixture, tunnel);
  wait_connected (fixture);
}

/* Iterates until the stats say what the test waits for (they arrive ≤ 4 times a second). */
static void
wait_stats (Fixture *fixture,
            guint    open_connections,
            guint64  total_connections)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  AditStats stats;

  for (;;)
    {
      adit_connection_get_stats (fixture->connection, &stats);
      if (stats.open_connections == open_connections &&
          stats.total_connections == total_connections)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AditStats stats;

  if (!start_sshd (fixture, NULL))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_ECHO, 0);

  /* Listens on this computer only: IPv4 and (where there is IPv6) IPv6 loopback. */
  g_assert_cmpuint (fixture->listening->len, >=, 1);
  for (guint i = 0; i < fixture->listening->len; i++)
    {
      const char *address = g_ptr_array_index (fixture->listening, i);

      g_assert_true (g_str_has_prefix (address, "127.0.0.1:") ||
                     g_str_has_prefix (address, "[::1]:"));
    }

  g_assert_true (adit_test_round_trip (fixture->local_port, "hello through the adit", &error));
  g_assert_no_error (error);
  g_assert_true (adit_test_round_trip (fixture->local_port, "and again", &error));
  g_assert_no_error (error);

  wait_stats (fixture, 0, 2);
  adit_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.bytes_sent, >=, strlen ("hello through the adit"));
  g_assert_cmpuint (stats.bytes_received, ==, stats.bytes_sent);
  g_assert_cmpuint (stats.failed_connections, ==, 0);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
test_bulk (Fixture       *fixture,
           gconstpointer  data)
{
  guint64 bytes = (quick () ? 64 : 1024) * G_GUINT64_CONSTANT (1024 * 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTestEcho) source = NULL;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(AditForward) down = NULL;
  guint16 down_port;
  AditStats stats;
  AditTestSshdOptions options = { .rekey_limit = "8M" };
  guint stats_reports = 0;
  gint64 started;
  double seconds;

  /* The server re-keys every few MiB: while it does, libssh takes no data, and nothing may
   * be lost or reordered. */
  if (!start_sshd (fixture, &options))
    return;

  /* Two forwards in one tunnel: uploads into a sink, downloads from a source. */
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_SINK, 0);
  source = adit_test_echo_new (ADIT_TEST_ECHO_MODE_SOURCE, bytes);
  down_port = adit_test_free_port ("127.0.0.1", &error);
  g_assert_no_error (error);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  down = adit_forward_new (NULL, down_port, "127.0.0.1", source->port);
  adit_tunnel_add_forward (tunnel, down);
  start (fixture, tunnel);
  wait_connected (fixture);
  g_signal_connect_swapped (fixture->connection, "stats-changed",
                            G_CALLBACK (count_cb), &stats_reports);
  started = g_get_monotonic_time ();

  adit_test_transfer_upload (fixture->local_port, bytes, ADIT_TEST_ECHO_DEFAULT_SEED, &error);
  g_assert_no_error (error);
  adit_test_transfer_download (down_port, bytes, source->seed, &error);
  g_assert_no_error (error);

  wait_stats (fixture, 0, 2);
  adit_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.bytes_sent, ==, bytes);
  g_assert_cmpuint (stats.bytes_received, >=, bytes);

  /* A busy tunnel reports its counters at most four times a second, not per packet. */
  seconds = (g_get_monotonic_time () - started) / (double)G_USEC_PER_SEC;
  g_test_message ("%u stats reports in %.1f s", stats_reports, seconds);
  g_assert_cmpuint (stats_reports, >, 0);
  g_assert_cmpfloat (stats_reports, <=, 4 * seconds + 4);
  g_signal_handlers_disconnect_by_func (fixture->connection, count_cb, &stats_reports);
}

/* Replies that end the connection right after them (an error line, a short file): every
 * byte arrives before the end, also when the data and the channel's close come in one read.
 * The sizes sit around an SSH packet (32 KiB), a send batch (256 KiB) and the window (2 MiB);
 * the last is long enough for the end to arrive while the tunnel sends, and repeats for that
 * (reading out of libssh 0.11 with ssh_channel_read_nonblocking() cut it short 1 time in 15). */
static void
test_download_then_close (Fixture       *fixture,
                          gconstpointer  data)
{
  static const guint64 sizes[] = {
    1, 1000, 32 * 1024 + 1, 256 * 1024 - 1, 256 * 1024 + 1, 3 * 1024 * 1024 + 7,
    16 * 1024 * 1024,
  };
  const guint rounds = 5;
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func ((GDestroyNotify)adit_test_echo_free);
  g_autoptr(GArray) ports = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  guint64 total = 0;
  AditStats stats;

  if (!start_sshd (fixture, NULL))
    return;

  /* One forward per size, all in one tunnel. */
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_SOURCE, sizes[0]);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  g_array_append_val (ports, fixture->local_port);
  for (guint i = 1; i < G_N_ELEMENTS (sizes); i++)
    {
      AditTestEcho *source = adit_test_echo_new (ADIT_TEST_ECHO_MODE_SOURCE, sizes[i]);
      guint16 port = adit_test_free_port ("127.0.0.1", &error);
      g_autoptr(AditForward) forward = NULL;

      g_assert_no_error (error);
      forward = adit_forward_new (NULL, port, "127.0.0.1", source->port);
      adit_tunnel_add_forward (tunnel, forward);
      g_ptr_array_add (sources, source);
      g_array_append_val (ports, port);
    }
  start (fixture, tunnel);
  wait_connected (fixture);

  /* Again and again: each round finds the buffers the last one left. */
  for (guint round = 0; round < rounds; round++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        adit_test_transfer_download (g_array_index (ports, guint16, i), sizes[i],
                                     ADIT_TEST_ECHO_DEFAULT_SEED, &error);
        g_assert_no_error (error);
        total += sizes[i];
      }

  wait_stats (fixture, 0, rounds * G_N_ELEMENTS (sizes));
  adit_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.bytes_received, ==, total);
}

/* A program that reads slowly: the tunnel waits for it while the server keeps sending (and
 * re-keys meanwhile), and every byte arrives, in order. */
static void
test_download_slow_reader (Fixture       *fixture,
                           gconstpointer  data)
{
  guint64 bytes = (quick () ? 2 : 8) * G_GUINT64_CONSTANT (1024 * 1024);
  AditTestSshdOptions options = { .rekey_limit = "1M" };
  g_autoptr(GError) error = NULL;

  if (!start_sshd (fixture, &options))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_SOURCE, bytes);

  adit_test_transfer_download_paced (fixture->local_port, bytes, ADIT_TEST_ECHO_DEFAULT_SEED,
                                     16 * 1024, 1, &error);
  g_assert_no_error (error);
  wait_stats (fixture, 0, 1);
}

typedef struct
{
  int  fd;
  char message[64];
} Concurrent;

static void
test_concurrent (Fixture       *fixture,
                 gconstpointer  data)
{
  const guint n = 200;
  g_autofree Concurrent *clients = g_new0 (Concurrent, n);
  g_autoptr(GError) error = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_ECHO, 0);

  /* All connected before any data: 200 channels open at the same time. */
  for (guint i = 0; i < n; i++)
    {
      clients[i].fd = adit_test_connect ("127.0.0.1", fixture->local_port, 30, &error);
      g_assert_no_error (error);
      g_snprintf (clients[i].message, sizeof clients[i].message, "client %u of %u\n", i, n);
    }
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (adit_test_send_all (clients[i].fd, clients[i].message,
                                         strlen (clients[i].message), &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = adit_test_read_line (clients[i].fd, 64, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, g_strchomp (clients[i].message));
      close (clients[i].fd);
    }

  wait_stats (fixture, 0, n);
}

static void
test_host_key_ask (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known = NULL;
  g_autofree char *path = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  /* A fresh place for known hosts, in a directory that does not exist yet. */
  path = g_build_filename (fixture->sshd->dir, "new", "known_hosts", NULL);
  adit_tunnel_set_known_hosts_file (tunnel, path);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ASK);
  fixture->answer = "yes";
  start (fixture, tunnel);

  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 1);
  g_assert_cmpint (fixture->last_kind, ==, ADIT_QUESTION_HOST_KEY);
  /* The person compares what the server's administrator sees with ssh-keygen -l. */
  g_assert_cmpstr (fixture->last_fingerprint, ==, fixture->sshd->host_fingerprint);
  g_assert_true (adit_test_round_trip (fixture->local_port, "trusted", &error));
  g_assert_no_error (error);

  /* Remembered: the file now has the server, and the next time nobody is asked. */
  g_assert_true (g_file_get_contents (path, &known, NULL, NULL));
  g_assert_nonnull (strstr (known, "ssh-ed25519"));
  adit_connection_stop (fixture->connection);
  wait_stopped (fixture);
  fixture->stopped = FALSE;
  adit_connection_start (fixture->connection);
  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 1);
}

static void
test_host_key_declined (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *path = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  path = g_build_filename (fixture->sshd->dir, "empty_known_hosts", NULL);
  adit_tunnel_set_known_hosts_file (tunnel, path);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ASK);
  fixture->answer = NULL;
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->questions, ==, 1);
  /* Nothing was remembered. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_question_withdrawn (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *path = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint done_notified = 0;

  if (!start_sshd (fixture, NULL))
    return;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  path = g_build_filename (fixture->sshd->dir, "empty_known_hosts", NULL);
  adit_tunnel_set_known_hosts_file (tunnel, path);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ASK);
  fixture->keep_question = TRUE;
  start (fixture, tunnel);

  while (fixture->kept_question == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (adit_connection_get_state (fixture->connection), ==,
                   ADIT_CONNECTION_STATE_WAITING);
  g_signal_connect_swapped (fixture->kept_question, "notify::done",
                            G_CALLBACK (count_cb), &done_notified);

  /* The person walks away from the dialog and disconnects instead: the question is
   * withdrawn, so whatever shows it can close. */
  adit_connection_stop (fixture->connection);
  wait_stopped (fixture);
  g_assert_true (adit_question_is_done (fixture->kept_question));
  g_assert_cmpuint (done_notified, ==, 1);
  g_assert_cmpint (adit_connection_get_state (fixture->connection), ==,
                   ADIT_CONNECTION_STATE_DISCONNECTED);
}

static void
test_host_key_changed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_known_hosts_file (tunnel, fixture->sshd->wrong_known_hosts);
  /* Even a policy that accepts new keys never accepts a changed one. */
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);
  g_assert_true (g_file_get_contents (fixture->sshd->wrong_known_hosts, &before, NULL, NULL));
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_HOST_KEY_CHANGED);
  g_assert_cmpuint (fixture->questions, ==, 0);
  g_assert_nonnull (strstr (adit_connection_get_error (fixture->connection)->message,
                            fixture->sshd->host_fingerprint));
  /* The known hosts file is left exactly as it was. */
  g_assert_true (g_file_get_contents (fixture->sshd->wrong_known_hosts, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
}

/* The way forward a person is offered after that refusal: forget the old identity, and the
 * next connection meets the server as the first time. Also proves forgetting understands the
 * entries libssh itself writes. */
static void
test_host_key_changed_then_forgotten (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *known = NULL;
  guint removed = 0;

  if (!start_sshd (fixture, NULL))
    return;
  path = g_build_filename (fixture->sshd->dir, "changed_known_hosts", NULL);
  g_assert_true (g_file_get_contents (fixture->sshd->wrong_known_hosts, &wrong, NULL, NULL));
  g_file_set_contents (path, wrong, -1, &error);
  g_assert_no_error (error);

  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_known_hosts_file (tunnel, path);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);
  start (fixture, tunnel);
  assert_failed_with (fixture, ADIT_ERROR_HOST_KEY_CHANGED);

  g_assert_true (adit_known_hosts_forget (tunnel, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, >=, 1);
  g_assert_false (adit_known_hosts_in_global_file (tunnel));

  /* Accept-new now meets a new server, and remembers it. */
  fixture->stopped = FALSE;
  adit_connection_start (fixture->connection);
  wait_connected (fixture);
  adit_connection_stop (fixture->connection);
  wait_stopped (fixture);
  g_assert_true (g_file_get_contents (path, &known, NULL, NULL));
  g_assert_nonnull (strstr (known, "ssh-ed25519"));

  /* What libssh wrote is found and forgotten too. */
  g_assert_true (adit_known_hosts_forget (tunnel, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
  g_clear_pointer (&known, g_free);
  g_assert_true (g_file_get_contents (path, &known, NULL, NULL));
  g_assert_null (strstr (known, "ssh-ed25519"));
}

static void
test_host_key_strict_unknown (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *path = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  path = g_build_filename (fixture->sshd->dir, "empty_known_hosts", NULL);
  adit_tunnel_set_known_hosts_file (tunnel, path);
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_HOST_KEY_UNKNOWN);
  g_assert_cmpuint (fixture->questions, ==, 0);
}

/* A fingerprint from the administrator, in the tunnel file: the right one connects without a
 * question or a known_hosts entry; another one refuses, without a question either. */
static void
test_host_key_pinned (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *contents = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  empty = g_build_filename (fixture->sshd->dir, "empty_known_hosts", NULL);
  adit_tunnel_set_known_hosts_file (tunnel, empty);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ASK);
  /* As an administrator might paste it: without the "SHA256:" */
  adit_tunnel_set_host_key_fingerprint (tunnel, fixture->sshd->host_fingerprint +
                                                strlen ("SHA256:"));
  start (fixture, tunnel);
  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 0);
  /* Nothing was added to the person's known servers: the pin decides, every time. */
  g_assert_false (g_file_get_contents (empty, &contents, NULL, NULL) && *contents != '\0');
}

static void
test_host_key_pinned_wrong (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  /* The known_hosts entry is right, the pin is not: the pin wins. */
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_host_key_fingerprint (tunnel, "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_HOST_KEY_CHANGED);
  g_assert_cmpuint (fixture->questions, ==, 0);
  adit_test_assert_mentions (adit_connection_get_error (fixture->connection)->message,
                             fixture->sshd->host_fingerprint);
}

static void
test_auth_failed (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  key = g_build_filename (fixture->sshd->dir, "stranger_ed25519", NULL);
  {
    g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");
    const char *argv[] = { keygen, "-q", "-t", "ed25519", "-N", "", "-f", key, NULL };

    g_assert_true (adit_test_run (argv, NULL, &error));
    g_assert_no_error (error);
  }
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_identity_file (tunnel, key);
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_AUTH_FAILED);
}

static void
test_missing_key_file (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_identity_file (tunnel, "/nonexistent/id_ed25519");
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_KEY_FILE);
  g_assert_nonnull (strstr (adit_connection_get_error (fixture->connection)->message,
                            "/nonexistent/id_ed25519"));
}

static void
test_passphrase (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  adit_tunnel_set_identity_file (tunnel, fixture->sshd->client_key_encrypted);
  /* A typo first: asked again, then the right passphrase works. */
  fixture->first_answer = "wrong passphrase";
  fixture->answer = ADIT_TEST_KEY_PASSPHRASE;
  start (fixture, tunnel);

  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 2);
  g_assert_cmpint (fixture->last_kind, ==, ADIT_QUESTION_PASSPHRASE);
  g_assert_nonnull (strstr (fixture->last_message, "Try again"));
  g_assert_cmpuint (fixture->accepted, ==, 1u << ADIT_QUESTION_PASSPHRASE);
  g_assert_true (adit_test_round_trip (fixture->local_port, "unlocked", &error));
  g_assert_no_error (error);
}

static void
test_saved_passphrase (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  adit_tunnel_set_identity_file (tunnel, fixture->sshd->client_key_encrypted);
  fixture->saved_passphrase = ADIT_TEST_KEY_PASSPHRASE;
  fixture->answer = NULL;
  start (fixture, tunnel);

  /* Unlocked from the keyring: nobody is asked, and there is nothing new to save. */
  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 0);
  g_assert_cmpuint (fixture->accepted, ==, 0);
  g_assert_true (adit_test_round_trip (fixture->local_port, "unlocked by the keyring", &error));
  g_assert_no_error (error);
}

static void
test_auth_method_password_skips_keys (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  /* The throwaway sshd takes only this key; "password only" must not offer it. */
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_auth_method (tunnel, ADIT_AUTH_METHOD_PASSWORD);
  fixture->answer = NULL;
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_AUTH_FAILED);
  g_assert_cmpuint (fixture->questions, ==, 0);
}

static void
test_passphrase_cancelled (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_identity_file (tunnel, fixture->sshd->client_key_encrypted);
  fixture->answer = NULL;
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_CANCELLED);
}

static void
test_forwarding_refused (Fixture       *fixture,
                         gconstpointer  data)
{
  AditTestSshdOptions options = { .forbid_tcp_forwarding = TRUE };
  g_autoptr(GError) error = NULL;
  GError *client_error;
  AditStats stats;
  char byte;
  int fd;

  if (!start_sshd (fixture, &options))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_ECHO, 0);

  fd = adit_test_connect ("127.0.0.1", fixture->local_port, 10, &error);
  g_assert_no_error (error);
  /* The program sees its connection closed… */
  g_assert_cmpint (recv (fd, &byte, 1, 0), ==, 0);
  close (fd);

  wait_stats (fixture, 0, 1);
  adit_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.failed_connections, ==, 1);
  /* …the person reads why, and the tunnel itself stays up. */
  g_assert_cmpuint (fixture->client_errors->len, ==, 1);
  client_error = g_ptr_array_index (fixture->client_errors, 0);
  g_assert_error (client_error, ADIT_ERROR, ADIT_ERROR_FORWARDING_REFUSED);
  g_assert_nonnull (strstr (client_error->message, "does not allow tunnels"));
  g_assert_cmpint (adit_connection_get_state (fixture->connection), ==,
                   ADIT_CONNECTION_STATE_CONNECTED);
}

static void
test_target_unreachable (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(AditForward) good = NULL;
  g_autoptr(GError) error = NULL;
  guint16 closed_port, good_port;
  GError *client_error;
  AditStats stats;
  char byte;
  int fd;

  if (!start_sshd (fixture, NULL))
    return;
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  closed_port = adit_test_free_port ("127.0.0.1", &error);
  good_port = adit_test_free_port ("127.0.0.1", &error);
  g_assert_no_error (error);
  tunnel = tunnel_for (fixture, "127.0.0.1", closed_port);
  good = adit_forward_new (NULL, good_port, "127.0.0.1", fixture->echo->port);
  adit_tunnel_add_forward (tunnel, good);
  start (fixture, tunnel);
  wait_connected (fixture);

  fd = adit_test_connect ("127.0.0.1", fixture->local_port, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpint (recv (fd, &byte, 1, 0), ==, 0);
  close (fd);

  /* That one connection failed; the tunnel stays up and serves the next. */
  g_assert_true (adit_test_round_trip (good_port, "still here", &error));
  g_assert_no_error (error);
  wait_stats (fixture, 0, 2);
  adit_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.failed_connections, ==, 1);
  g_assert_cmpuint (fixture->client_errors->len, ==, 1);
  client_error = g_ptr_array_index (fixture->client_errors, 0);
  g_assert_error (client_error, ADIT_ERROR, ADIT_ERROR_TARGET_UNREACHABLE);
  g_assert_error ((GError *)adit_connection_get_last_client_error (fixture->connection),
                  ADIT_ERROR, ADIT_ERROR_TARGET_UNREACHABLE);
}

static void
test_port_in_use (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GSocket) taken = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  taken = adit_test_occupy_port ("127.0.0.1", fixture->local_port);

  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  start (fixture, tunnel);
  assert_failed_with (fixture, ADIT_ERROR_PORT_IN_USE);
  g_socket_close (taken, NULL);
}

static void
test_privileged_port_subprocess (void)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, 110, "mail.example.com", 110);
  g_autoptr(AditConnection) connection = NULL;

  /* As an ordinary user, whatever runs the suite. */
  if (getuid () == 0 && setuid (65534) != 0)
    g_error ("setuid: %s", g_strerror (errno));

  adit_tunnel_set_host (tunnel, "127.0.0.1");
  adit_tunnel_add_forward (tunnel, forward);
  connection = adit_connection_new (tunnel);
  adit_connection_start (connection);
  while (adit_connection_is_running (connection))
    g_main_context_iteration (NULL, TRUE);

  g_assert_error ((GError *)adit_connection_get_error (connection),
                  ADIT_ERROR, ADIT_ERROR_PRIVILEGED_PORT);
  g_print ("%s\n", adit_connection_get_error (connection)->message);
}

static void
test_privileged_port (void)
{
  g_autofree char *start_setting = NULL;

  if (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &start_setting,
                           NULL, NULL) && atoi (start_setting) <= 110)
    {
      g_test_skip ("this computer lets everybody open ports below 1024");
      return;
    }

  g_test_trap_subprocess ("/adit/connection/privileged-port/subprocess", 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* The sentence offers the usual safe choice. */
  g_test_trap_assert_stdout ("*Port 110 is below 1024, which needs administrator rights. "
                             "Use 1100 instead?*");
}

static void
test_host_not_found (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, fixture->local_port, "x", 1);

  adit_tunnel_set_host (tunnel, "no-such-server.invalid");
  adit_tunnel_add_forward (tunnel, forward);
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_HOST_NOT_FOUND);
  g_assert_nonnull (strstr (adit_connection_get_error (fixture->connection)->message,
                            "no-such-server.invalid"));
}

static void
test_connection_refused (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, fixture->local_port, "x", 1);
  g_autoptr(GError) error = NULL;
  guint16 closed_port = adit_test_free_port ("127.0.0.1", &error);

  g_assert_no_error (error);
  adit_tunnel_set_host (tunnel, "127.0.0.1");
  adit_tunnel_set_port (tunnel, closed_port);
  adit_tunnel_add_forward (tunnel, forward);
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_CONNECTION_REFUSED);
}

/* A server name with several addresses, the first ones dead (an old address, a network this
 * computer cannot reach): each is tried in turn, and the tunnel comes up on the one that
 * answers. */
static void
test_every_address_tried (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *name = "several-addresses.adit-test.invalid";
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = NULL;

  if (!start_sshd (fixture, NULL))
    return;

  {
    const char *addresses[] = {
      "127.0.0.9",                      /* refuses: nothing listens there */
      "192.0.2.1",                      /* TEST-NET-1 (RFC 5737): never reachable */
      fixture->sshd->listen_address,    /* the server */
      NULL,
    };

    adit_test_resolver_install (name, addresses);
  }
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  adit_tunnel_set_host (tunnel, name);
  /* known_hosts knows the server by its address, not by this name: its pinned fingerprint
   * vouches for it instead. */
  empty = g_build_filename (fixture->sshd->dir, "empty_known_hosts", NULL);
  adit_tunnel_set_known_hosts_file (tunnel, empty);
  adit_tunnel_set_host_key_fingerprint (tunnel, fixture->sshd->host_fingerprint);
  start (fixture, tunnel);
  wait_connected (fixture);
  adit_test_resolver_uninstall ();

  g_assert_true (adit_test_round_trip (fixture->local_port, "through the third address",
                                       &error));
  g_assert_no_error (error);
}

static void
test_timed_out (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, fixture->local_port, "x", 1);
  g_autoptr(GSocket) silent = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  /* A server that takes the connection and never says a word. */
  silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, &error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (silent, address, FALSE, &error));
  g_assert_true (g_socket_listen (silent, &error));
  bound = g_socket_get_local_address (silent, &error);
  g_assert_no_error (error);

  adit_tunnel_set_host (tunnel, "127.0.0.1");
  adit_tunnel_set_port (tunnel, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  adit_tunnel_set_connect_timeout (tunnel, 1);
  adit_tunnel_add_forward (tunnel, forward);
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_TIMED_OUT);
  g_socket_close (silent, NULL);
}

static void
test_server_dies (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static guint8 chunk[64 * 1024];
  gboolean broke = FALSE;
  char byte;
  int fd;

  if (!start_sshd (fixture, NULL))
    return;
  fixture->no_reconnect = TRUE;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_SINK, 0);

  fd = adit_test_connect ("127.0.0.1", fixture->local_port, 10, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 64; i++)
    g_assert_true (adit_test_send_all (fd, chunk, sizeof chunk, &error));

  /* Mid-transfer, the server and every session process are gone. */
  adit_test_sshd_kill_all (fixture->sshd, SIGKILL);

  assert_failed_with (fixture, ADIT_ERROR_CONNECTION_LOST);

  /* The program's connection was closed too, not left hanging. */
  for (guint i = 0; i < 256 && !broke; i++)
    {
      ssize_t r = send (fd, chunk, sizeof chunk, MSG_NOSIGNAL);

      if (r < 0 || recv (fd, &byte, 1, MSG_DONTWAIT) == 0)
        broke = TRUE;
    }
  g_assert_true (broke);
  close (fd);

  /* The listener is closed: the port can be taken again. */
  g_assert_false (adit_test_wait_port ("127.0.0.1", fixture->local_port, 100, NULL));
}

static void
test_keepalive_timeout (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  gint64 stopped_at, failed_at;

  if (!start_sshd (fixture, NULL))
    return;
  fixture->no_reconnect = TRUE;
  tunnel = tunnel_for (fixture, "127.0.0.1", 9);
  adit_tunnel_set_alive_interval (tunnel, 1);
  adit_tunnel_set_alive_count_max (tunnel, 2);
  start (fixture, tunnel);
  wait_connected (fixture);

  /* The server is frozen: TCP still answers, SSH does not. */
  adit_test_sshd_kill_all (fixture->sshd, SIGSTOP);
  stopped_at = g_get_monotonic_time ();
  while (!fixture->stopped)
    g_main_context_iteration (NULL, TRUE);
  failed_at = g_get_monotonic_time ();
  adit_test_sshd_kill_all (fixture->sshd, SIGCONT);

  g_assert_error ((GError *)adit_connection_get_error (fixture->connection),
                  ADIT_ERROR, ADIT_ERROR_KEEPALIVE_TIMEOUT);
  /* interval × (count + 1), with a second of slack for the timer's own granularity */
  g_assert_cmpint ((failed_at - stopped_at) / G_USEC_PER_SEC, <=, 1 * (2 + 1) + 1);
}


/* An echo tunnel with its own keep-alive settings, connected; FALSE when skipped. */
static gboolean
connect_echo_with_keepalive (Fixture *fixture,
                             guint    interval,
                             guint    count_max)
{
  g_autoptr(AditTunnel) tunnel = NULL;

  if (!start_sshd (fixture, NULL))
    return FALSE;
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  adit_tunnel_set_alive_interval (tunnel, interval);
  adit_tunnel_set_alive_count_max (tunnel, count_max);
  start (fixture, tunnel);
  wait_connected (fixture);
  return TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_state (Fixture             *fixture,
            AditConnectionState  state)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  /* Wakes the loop, so that a state that never comes fails the test instead of hanging it. */
  guint tick = g_timeout_add_seconds (1, tick_cb, NULL);

  while (adit_connection_get_state (fixture->connection) != state)
    {
      g_assert_false (fixture->stopped);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

/* Someone holds @port on 127.0.0.1: binding it ourselves fails. */
static gboolean
port_is_bound (guint16 port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = g_htons (port),
                                 .sin_addr.s_addr = g_htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean bound = bind (fd, (struct sockaddr *)&address, sizeof address) < 0 &&
                   errno == EADDRINUSE;

  close (fd);
  return bound;
}

/* Checks, every few milliseconds on a thread of its own, that the port stays bound. */
typedef struct
{
  guint16  port;
  gint     stop;
  guint    checks;
  guint    found_free;
  GThread *thread;
} BoundWatch;

static gpointer
bound_watch_thread (gpointer data)
{
  BoundWatch *watch = data;

  while (!g_atomic_int_get (&watch->stop))
    {
      if (!port_is_bound (watch->port))
        watch->found_free++;
      watch->checks++;
      g_usleep (2000);
    }
  return NULL;
}

static void
bound_watch_start (BoundWatch *watch,
                   guint16     port)
{
  watch->port = port;
  watch->thread = g_thread_new ("bound-watch", bound_watch_thread, watch);
}

static void
bound_watch_finish (BoundWatch *watch)
{
  g_atomic_int_set (&watch->stop, 1);
  g_thread_join (watch->thread);
  g_test_message ("the port was checked %u times while the server came and went", watch->checks);
  g_assert_cmpuint (watch->checks, >, 100);
  g_assert_cmpuint (watch->found_free, ==, 0);
}

static void
assert_closed (int fd)
{
  static char buf[64 * 1024];
  ssize_t r;

  /* What was echoed before the end may still be on its way. */
  do
    r = recv (fd, buf, sizeof buf, 0);
  while (r > 0);
  /* Closed by the tunnel (EOF or reset), not left hanging until the receive timeout. */
  g_assert_true (r == 0 || errno == ECONNRESET);
}

/* The server is killed during a transfer and started again, twenty times: each time the
 * tunnel comes back by itself, its port stays bound throughout, a program that connects
 * during the outage is served once the server is back, and nothing is leaked. */
static void
test_reconnect_after_server_restarts (Fixture       *fixture,
                                      gconstpointer  data)
{
  static guint8 chunk[64 * 1024];
  guint rounds = quick () ? 3 : 20;
  guint fds_connected;
  BoundWatch bound = { 0 };

  if (!start_sshd (fixture, NULL))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_ECHO, 0);
  fds_connected = adit_test_count_fds_settled ();
  bound_watch_start (&bound, fixture->local_port);

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      g_autofree char *expected = g_strdup_printf ("served after outage %u", round);
      g_autofree char *sent = g_strconcat (expected, "\n", NULL);
      const GError *lost;
      int busy, waiting;

      /* A program in the middle of a transfer… */
      busy = adit_test_connect ("127.0.0.1", fixture->local_port, 10, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < 8; i++)
        g_assert_true (adit_test_send_all (busy, chunk, sizeof chunk, &error));

      /* …when the server goes away. */
      adit_test_sshd_kill_all (fixture->sshd, SIGKILL);
      wait_state (fixture, ADIT_CONNECTION_STATE_RECONNECTING);
      lost = adit_connection_get_error (fixture->connection);
      g_assert_nonnull (lost);
      g_assert_true (lost->domain == ADIT_ERROR);
      g_assert_true (port_is_bound (fixture->local_port));
      /* Its connection could not survive the session: it is closed, not left hanging. */
      assert_closed (busy);
      close (busy);

      /* A program connecting during the outage waits instead of being refused. */
      waiting = adit_test_connect ("127.0.0.1", fixture->local_port, 10, &error);
      g_assert_no_error (error);
      g_assert_true (adit_test_send_all (waiting, sent, strlen (sent), &error));
      g_assert_true (port_is_bound (fixture->local_port));

      g_assert_true (adit_test_sshd_restart (fixture->sshd, &error));
      g_assert_no_error (error);
      wait_state (fixture, ADIT_CONNECTION_STATE_CONNECTED);
      g_assert_null (adit_connection_get_error (fixture->connection));

      line = adit_test_read_line (waiting, 256, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, expected);
      close (waiting);
      wait_stats (fixture, 0, 2 * (round + 1));

      g_assert_cmpuint (adit_test_wait_fds (fds_connected, 2000), ==, fds_connected);
    }
  g_assert_false (fixture->stopped);
  bound_watch_finish (&bound);
}

/* A frozen server is noticed by the keep-alive, and the tunnel comes back once it thaws. */
static void
test_reconnect_after_keepalive_timeout (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 stopped_at;

  if (!connect_echo_with_keepalive (fixture, 1, 2))
    return;

  adit_test_sshd_kill_all (fixture->sshd, SIGSTOP);
  stopped_at = g_get_monotonic_time ();
  wait_state (fixture, ADIT_CONNECTION_STATE_RECONNECTING);
  /* interval × (count + 1), with a second of slack for the timer's own granularity */
  g_assert_cmpint ((g_get_monotonic_time () - stopped_at) / G_USEC_PER_SEC, <=, 1 * (2 + 1) + 1);
  g_assert_error ((GError *)adit_connection_get_error (fixture->connection),
                  ADIT_ERROR, ADIT_ERROR_KEEPALIVE_TIMEOUT);
  g_assert_true (port_is_bound (fixture->local_port));

  adit_test_sshd_kill_all (fixture->sshd, SIGCONT);
  wait_state (fixture, ADIT_CONNECTION_STATE_CONNECTED);
  g_assert_true (adit_test_round_trip (fixture->local_port, "thawed", &error));
  g_assert_no_error (error);
}

/* After the network changed or the computer woke, retry_now asks the server at once instead
 * of waiting for the next keep-alive: a dead session is noticed within seconds. */
static void
test_retry_now_checks_session (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 asked_at;

  /* The keep-alive would take ages. */
  if (!connect_echo_with_keepalive (fixture, 600, ADIT_DEFAULT_ALIVE_COUNT_MAX))
    return;

  /* A live server answers: nothing changes. */
  adit_connection_retry_now (fixture->connection);
  g_assert_true (adit_test_round_trip (fixture->local_port, "still there", &error));
  g_assert_no_error (error);

  adit_test_sshd_kill_all (fixture->sshd, SIGSTOP);
  asked_at = g_get_monotonic_time ();
  adit_connection_retry_now (fixture->connection);
  wait_state (fixture, ADIT_CONNECTION_STATE_RECONNECTING);
  g_assert_cmpint ((g_get_monotonic_time () - asked_at) / G_USEC_PER_SEC, <=, 5 + 1);
  adit_test_sshd_kill_all (fixture->sshd, SIGCONT);
  wait_state (fixture, ADIT_CONNECTION_STATE_CONNECTED);
}

/* Waiting to reconnect, "Retry now" does not wait out the back-off. */
static void
test_retry_now_skips_wait (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint tries = 0;
  gint64 retry_time, asked_at;

  if (!start_sshd (fixture, NULL))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_ECHO, 0);

  /* Down long enough for the waits to grow past the first seconds. */
  adit_test_sshd_kill_all (fixture->sshd, SIGKILL);
  while (tries < 3)
    {
      wait_state (fixture, ADIT_CONNECTION_STATE_RECONNECTING);
      retry_time = adit_connection_get_retry_time (fixture->connection);
      if (retry_time == 0)
        {
          g_main_context_iteration (NULL, TRUE);
          continue;
        }
      /* Never more than a minute away; never at once (the server needs a moment). */
      g_assert_cmpint (retry_time - g_get_monotonic_time (), <=, 60 * G_USEC_PER_SEC);
      tries++;
      while (adit_connection_get_retry_time (fixture->connection) == retry_time)
        g_main_context_iteration (NULL, TRUE);
    }
  retry_time = adit_connection_get_retry_time (fixture->connection);
  while (retry_time == 0)
    {
      g_main_context_iteration (NULL, TRUE);
      retry_time = adit_connection_get_retry_time (fixture->connection);
    }
  /* The third failed try waits 4 to 8 seconds. */
  g_assert_cmpint (retry_time - g_get_monotonic_time (), >, 2 * G_USEC_PER_SEC);

  g_assert_true (adit_test_sshd_restart (fixture->sshd, &error));
  g_assert_no_error (error);
  asked_at = g_get_monotonic_time ();
  adit_connection_retry_now (fixture->connection);
  wait_state (fixture, ADIT_CONNECTION_STATE_CONNECTED);
  g_assert_cmpint (g_get_monotonic_time (), <, retry_time);
  g_test_message ("back %" G_GINT64_FORMAT " ms after Retry now",
                  (g_get_monotonic_time () - asked_at) / 1000);
}

/* A server whose identity changed while the tunnel was away is not retried: the person must
 * look at it. The tunnel ends with the plain sentence, and its port is released. */
static void
test_no_reconnect_to_changed_server (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wrong = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_ECHO, 0);

  adit_test_sshd_kill_all (fixture->sshd, SIGKILL);
  wait_state (fixture, ADIT_CONNECTION_STATE_RECONNECTING);
  /* What a server reinstalled with a new key looks like from here. */
  g_assert_true (g_file_get_contents (fixture->sshd->wrong_known_hosts, &wrong, NULL, &error));
  g_assert_true (g_file_set_contents (fixture->sshd->known_hosts, wrong, -1, &error));
  g_assert_true (adit_test_sshd_restart (fixture->sshd, &error));
  g_assert_no_error (error);

  assert_failed_with (fixture, ADIT_ERROR_HOST_KEY_CHANGED);
  g_assert_false (port_is_bound (fixture->local_port));
}

static gboolean
quit_after_cb (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_keepalive_keeps_idle_tunnel (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  if (!connect_echo_with_keepalive (fixture, 1, 1))
    return;

  /* A live server answers every keep-alive: an idle tunnel stays up, however fast the
   * replies come back. */
  g_timeout_add_seconds (6, quit_after_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (fixture->stopped);
  g_assert_cmpint (adit_connection_get_state (fixture->connection), ==,
                   ADIT_CONNECTION_STATE_CONNECTED);
  g_assert_true (adit_test_round_trip (fixture->local_port, "still up", &error));
  g_assert_no_error (error);
}

static void
test_stop_closes_everything (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AditStats stats;
  int fds[5];
  char byte;

  if (!start_sshd (fixture, NULL))
    return;
  connect_echo (fixture, ADIT_TEST_ECHO_MODE_ECHO, 0);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      fds[i] = adit_test_connect ("127.0.0.1", fixture->local_port, 10, &error);
      g_assert_no_error (error);
    }
  wait_stats (fixture, G_N_ELEMENTS (fds), G_N_ELEMENTS (fds));

  adit_connection_stop (fixture->connection);
  wait_stopped (fixture);
  g_assert_cmpint (adit_connection_get_state (fixture->connection), ==,
                   ADIT_CONNECTION_STATE_DISCONNECTED);
  g_assert_null (adit_connection_get_error (fixture->connection));
  /* What the window and the tray show afterwards: nothing open, each close reported. */
  adit_connection_get_stats (fixture->connection, &stats);
  g_assert_cmpuint (stats.open_connections, ==, 0);
  g_assert_cmpuint (stats.total_connections, ==, G_N_ELEMENTS (fds));
  g_assert_cmpuint (fixture->clients_closed, ==, G_N_ELEMENTS (fds));

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      g_assert_cmpint (recv (fds[i], &byte, 1, 0), ==, 0);
      close (fds[i]);
    }
  g_assert_false (adit_test_wait_port ("127.0.0.1", fixture->local_port, 100, NULL));
}

static void
test_mail (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(AditTestDovecot) dovecot = NULL;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *list = NULL;
  g_autofree char *message = NULL;
  g_autofree char *list_url = NULL;
  g_autofree char *retr_url = NULL;
  g_autofree char *curl = NULL;

  if (!start_sshd (fixture, NULL))
    return;
  /* The mail host is not the SSH host: 127.0.0.2, as mail.example.com behind other.example.com */
  dovecot = adit_test_dovecot_start ("127.0.0.2", &error);
  if (dovecot == NULL)
    {
      g_autofree char *why = g_strdup_printf ("no throwaway Dovecot: %s", error->message);
      g_test_skip (why);
      return;
    }
  curl = g_find_program_in_path ("curl");
  if (curl == NULL)
    {
      g_test_skip ("curl is not installed");
      return;
    }

  tunnel = tunnel_for (fixture, "127.0.0.2", dovecot->port);
  start (fixture, tunnel);
  wait_connected (fixture);

  list_url = g_strdup_printf ("pop3://%s:%s@127.0.0.1:%u/", ADIT_TEST_POP3_USER,
                              ADIT_TEST_POP3_PASSWORD, fixture->local_port);
  retr_url = g_strdup_printf ("%s1", list_url);
  {
    const char *list_argv[] = { curl, "-sS", "--max-time", "20", list_url, NULL };
    const char *retr_argv[] = { curl, "-sS", "--max-time", "20", retr_url, NULL };

    adit_test_run (list_argv, &list, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (list, "1 "));
    adit_test_run (retr_argv, &message, &error);
    g_assert_no_error (error);
  }
  g_assert_nonnull (strstr (message, ADIT_TEST_MAIL_MARKER));
  wait_stats (fixture, 0, 2);
}

/* GLib opens a few descriptors once per process (the default main context's wake-up fd, its
 * worker thread's): make them exist before the first test counts. */
static void
warm_up (void)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = NULL;
  g_autoptr(AditConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  forward = adit_forward_new (NULL, adit_test_free_port ("127.0.0.1", &error), "x", 1);
  adit_tunnel_set_host (tunnel, "localhost");
  adit_tunnel_set_port (tunnel, adit_test_free_port ("127.0.0.1", &error));
  adit_tunnel_add_forward (tunnel, forward);
  connection = adit_connection_new (tunnel);
  adit_connection_start (connection);
  while (adit_connection_is_running (connection))
    g_main_context_iteration (NULL, TRUE);
}

/* A tunnel to the in-process libssh server, which logs in by password or prompts only. The
 * fixture owns the server (teardown frees it once the connection has stopped). */
static AditTestSshServer *
start_login_server (Fixture             *fixture,
                    AditTestServerAuth   auth,
                    AditTunnel         **tunnel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AditForward) forward = NULL;
  g_autofree char *known_hosts = NULL;
  AditTestSshServer *server = adit_test_ssh_server_new (auth, &error);

  g_assert_no_error (error);
  known_hosts = g_build_filename (g_get_home_dir (), "login_known_hosts", NULL);
  g_unlink (known_hosts);
  forward = adit_forward_new (NULL, fixture->local_port, "echo.example.com", 7);
  *tunnel = adit_tunnel_new ();
  adit_tunnel_set_host (*tunnel, "127.0.0.1");
  adit_tunnel_set_port (*tunnel, adit_test_ssh_server_get_port (server));
  adit_tunnel_set_user (*tunnel, ADIT_TEST_SERVER_USER);
  adit_tunnel_set_known_hosts_file (*tunnel, known_hosts);
  adit_tunnel_set_host_key_policy (*tunnel, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);
  adit_tunnel_add_forward (*tunnel, forward);
  fixture->login_server = server;
  return server;
}

static void
test_bind_address (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(AditForward) forward = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  int fd;

  if (!start_sshd (fixture, NULL))
    return;
  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  adit_tunnel_clear_forwards (tunnel);
  forward = adit_forward_new ("127.0.0.5", fixture->local_port, "127.0.0.1",
                              fixture->echo->port);
  adit_tunnel_add_forward (tunnel, forward);
  start (fixture, tunnel);
  wait_connected (fixture);

  /* Exactly where it was asked to listen, and nowhere else. */
  g_assert_cmpuint (fixture->listening->len, ==, 1);
  expected = g_strdup_printf ("127.0.0.5:%u", fixture->local_port);
  g_assert_cmpstr (g_ptr_array_index (fixture->listening, 0), ==, expected);
  fd = adit_test_connect ("127.0.0.5", fixture->local_port, 10, &error);
  g_assert_no_error (error);
  g_assert_true (adit_test_send_all (fd, "there\n", 6, &error));
  g_free (adit_test_read_line (fd, 16, &error));
  g_assert_no_error (error);
  close (fd);
  g_assert_false (adit_test_wait_port ("127.0.0.1", fixture->local_port, 100, NULL));
}

static void
test_agent (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *agent = g_find_program_in_path ("ssh-agent");
  g_autofree char *add = g_find_program_in_path ("ssh-add");
  g_autofree char *socket_path = NULL;
  g_autofree char *log = NULL;
  GPid agent_pid = 0;

  if (agent == NULL || add == NULL)
    {
      g_test_skip ("ssh-agent is not installed");
      return;
    }
  if (!start_sshd (fixture, NULL))
    return;

  /* A real agent holding the only key that works; no key file is given. */
  socket_path = g_build_filename (fixture->sshd->dir, "agent.sock", NULL);
  log = g_build_filename (fixture->sshd->dir, "agent.log", NULL);
  {
    const char *agent_argv[] = { agent, "-D", "-a", socket_path, NULL };

    g_assert_true (adit_test_spawn_server (agent_argv, log, &agent_pid, &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < 100 && !g_file_test (socket_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (20 * 1000);
  g_setenv ("SSH_AUTH_SOCK", socket_path, TRUE);
  {
    const char *add_argv[] = { add, "-q", fixture->sshd->client_key, NULL };

    g_assert_true (adit_test_run (add_argv, NULL, &error));
    g_assert_no_error (error);
  }

  fixture->echo = adit_test_echo_new (ADIT_TEST_ECHO_MODE_ECHO, 0);
  tunnel = tunnel_for (fixture, "127.0.0.1", fixture->echo->port);
  adit_tunnel_set_identity_file (tunnel, NULL);
  start (fixture, tunnel);
  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 0);
  g_assert_true (adit_test_round_trip (fixture->local_port, "signed by the agent", &error));
  g_assert_no_error (error);

  adit_connection_stop (fixture->connection);
  wait_stopped (fixture);
  g_unsetenv ("SSH_AUTH_SOCK");
  kill (agent_pid, SIGTERM);
  waitpid (agent_pid, NULL, 0);
  g_spawn_close_pid (agent_pid);
}

static void
test_password (Fixture       *fixture,
               gconstpointer  data)
{
  AditTestSshServer *server;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;

  server = start_login_server (fixture, ADIT_TEST_SERVER_AUTH_PASSWORD, &tunnel);
  /* A typo, then the right password. */
  fixture->first_answer = "tunnel-pass-7";
  fixture->answer = ADIT_TEST_SERVER_PASSWORD;
  start (fixture, tunnel);

  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 2);
  g_assert_cmpint (fixture->last_kind, ==, ADIT_QUESTION_PASSWORD);
  g_assert_false (fixture->last_echo[0]);
  g_assert_nonnull (strstr (fixture->last_message, "not accepted"));
  g_assert_cmpuint (adit_test_ssh_server_get_attempts (server), ==, 2);
  g_assert_cmpuint (adit_test_ssh_server_get_logins (server), ==, 1);
  g_assert_cmpuint (fixture->accepted, ==, 1u << ADIT_QUESTION_PASSWORD);
  g_assert_true (adit_test_round_trip (fixture->local_port, "after a password", &error));
  g_assert_no_error (error);
}

static void
test_saved_password (Fixture       *fixture,
                     gconstpointer  data)
{
  AditTestSshServer *server;
  g_autoptr(AditTunnel) tunnel = NULL;

  server = start_login_server (fixture, ADIT_TEST_SERVER_AUTH_PASSWORD, &tunnel);
  fixture->saved_password = ADIT_TEST_SERVER_PASSWORD;
  fixture->answer = NULL;
  start (fixture, tunnel);

  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 0);
  g_assert_cmpuint (fixture->accepted, ==, 0);
  g_assert_cmpuint (adit_test_ssh_server_get_attempts (server), ==, 1);
}

static void
test_saved_password_changed (Fixture       *fixture,
                             gconstpointer  data)
{
  AditTestSshServer *server;
  g_autoptr(AditTunnel) tunnel = NULL;

  server = start_login_server (fixture, ADIT_TEST_SERVER_AUTH_PASSWORD, &tunnel);
  /* The password changed on the server since it was saved. */
  fixture->saved_password = "the old password";
  fixture->answer = ADIT_TEST_SERVER_PASSWORD;
  start (fixture, tunnel);

  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 1);
  g_assert_nonnull (strstr (fixture->last_message, "saved password"));
  g_assert_cmpuint (fixture->accepted, ==, 1u << ADIT_QUESTION_PASSWORD);
  g_assert_cmpuint (adit_test_ssh_server_get_attempts (server), ==, 2);
}

static void
test_saved_password_prompt (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;

  /* Two prompts (a code, then the password) are not a password prompt: still asked. */
  start_login_server (fixture, ADIT_TEST_SERVER_AUTH_KEYBOARD_INTERACTIVE, &tunnel);
  fixture->saved_password = ADIT_TEST_SERVER_PASSWORD;
  fixture->answer = ADIT_TEST_SERVER_PASSWORD;
  start (fixture, tunnel);

  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 1);
  g_assert_cmpint (fixture->last_kind, ==, ADIT_QUESTION_KEYBOARD_INTERACTIVE);
}

static void
test_password_wrong_three_times (Fixture       *fixture,
                                 gconstpointer  data)
{
  AditTestSshServer *server;
  g_autoptr(AditTunnel) tunnel = NULL;

  server = start_login_server (fixture, ADIT_TEST_SERVER_AUTH_PASSWORD, &tunnel);
  fixture->answer = "not the password";
  start (fixture, tunnel);

  assert_failed_with (fixture, ADIT_ERROR_AUTH_FAILED);
  g_assert_cmpuint (fixture->questions, ==, 3);
  g_assert_cmpuint (adit_test_ssh_server_get_logins (server), ==, 0);
}

static void
test_keyboard_interactive (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;

  start_login_server (fixture, ADIT_TEST_SERVER_AUTH_KEYBOARD_INTERACTIVE, &tunnel);
  fixture->answer = ADIT_TEST_SERVER_PASSWORD;
  start (fixture, tunnel);

  wait_connected (fixture);
  g_assert_cmpuint (fixture->questions, ==, 1);
  g_assert_cmpint (fixture->last_kind, ==, ADIT_QUESTION_KEYBOARD_INTERACTIVE);
  /* The server's own words reach the person; the code is shown as typed, the password not. */
  g_assert_nonnull (strstr (fixture->last_message, "code from your phone"));
  g_assert_true (fixture->last_echo[0]);
  g_assert_false (fixture->last_echo[1]);
  g_assert_true (adit_test_round_trip (fixture->local_port, "after two prompts", &error));
  g_assert_no_error (error);
}

#define ADD(path, func) \
  g_test_add ("/adit/connection/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;

  g_test_init (&argc, &argv, NULL);

  /* The person's own keys, agent and known hosts must not change what a test sees. */
  home = adit_test_isolate_home ();
  ssh_init ();
  warm_up ();

  ADD ("round-trip", test_round_trip);
  ADD ("bulk-both-directions", test_bulk);
  ADD ("download/then-close", test_download_then_close);
  ADD ("download/slow-reader", test_download_slow_reader);
  ADD ("every-address-tried", test_every_address_tried);
  ADD ("concurrent-200", test_concurrent);
  ADD ("bind-address", test_bind_address);
  ADD ("host-key/ask-and-remember", test_host_key_ask);
  ADD ("host-key/declined", test_host_key_declined);
  ADD ("host-key/changed", test_host_key_changed);
  ADD ("host-key/changed-then-forgotten", test_host_key_changed_then_forgotten);
  ADD ("host-key/question-withdrawn", test_question_withdrawn);
  ADD ("host-key/strict-unknown", test_host_key_strict_unknown);
  ADD ("host-key/pinned", test_host_key_pinned);
  ADD ("host-key/pinned-wrong", test_host_key_pinned_wrong);
  ADD ("auth/failed", test_auth_failed);
  ADD ("auth/missing-key-file", test_missing_key_file);
  ADD ("auth/passphrase", test_passphrase);
  ADD ("auth/passphrase-cancelled", test_passphrase_cancelled);
  ADD ("auth/agent", test_agent);
  ADD ("auth/saved-passphrase", test_saved_passphrase);
  ADD ("auth/saved-password", test_saved_password);
  ADD ("auth/saved-password-changed", test_saved_password_changed);
  ADD ("auth/saved-password-not-for-two-prompts", test_saved_password_prompt);
  ADD ("auth/method-password-skips-keys", test_auth_method_password_skips_keys);
  ADD ("auth/password", test_password);
  ADD ("auth/password-wrong-three-times", test_password_wrong_three_times);
  ADD ("auth/keyboard-interactive", test_keyboard_interactive);
  ADD ("fault/forwarding-refused", test_forwarding_refused);
  ADD ("fault/target-unreachable", test_target_unreachable);
  ADD ("fault/port-in-use", test_port_in_use);
  g_test_add_func ("/adit/connection/fault/privileged-port", test_privileged_port);
  g_test_add_func ("/adit/connection/privileged-port/subprocess",
                   test_privileged_port_subprocess);
  ADD ("fault/host-not-found", test_host_not_found);
  ADD ("fault/connection-refused", test_connection_refused);
  ADD ("fault/timed-out", test_timed_out);
  ADD ("fault/server-dies", test_server_dies);
  ADD ("fault/keepalive-timeout", test_keepalive_timeout);
  ADD ("reconnect/server-restarts", test_reconnect_after_server_restarts);
  ADD ("reconnect/keepalive-timeout", test_reconnect_after_keepalive_timeout);
  ADD ("reconnect/retry-now-checks-session", test_retry_now_checks_session);
  ADD ("reconnect/retry-now-skips-wait", test_retry_now_skips_wait);
  ADD ("reconnect/not-to-changed-server", test_no_reconnect_to_changed_server);
  ADD ("keepalive-keeps-idle-tunnel", test_keepalive_keeps_idle_tunnel);
  ADD ("stop-closes-everything", test_stop_closes_everything);
  ADD ("mail-pop3", test_mail);

  {
    int status = g_test_run ();

    adit_test_remove_tree (home, NULL);
    ssh_finalize ();
    return status;
  }
}
