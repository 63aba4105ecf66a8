/* adit-cli.c — adit-cli: the engine from a terminal, with the options of `ssh -L`.
 *
 *   adit-cli -L 1100:mail.example.com:110 other.example.com
 *
 * Stays in the foreground until SIGINT or SIGTERM, says when each listener is ready and when
 * connections open and close, asks its questions on the terminal, and on failure exits
 * non-zero with one plain sentence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libssh/libssh.h>

#include "adit-cli-prompt.h"
#include "adit-engine.h"

/* As ssh does: 255 for "could not connect or keep the connection". */
#define EXIT_CONNECTION_FAILED 255
#define EXIT_USAGE             2

typedef struct
{
  GMainLoop      *loop;
  AditConnection *connection;
  AditCliPrompt  *prompt;
  gboolean        interrupted;
  gboolean        reconnecting;
} Cli;

static void
print_help (void)
{
  g_autofree char *known_hosts = g_build_filename (g_get_user_data_dir (), "adit",
                                                   "known_hosts", NULL);

  g_print (_("Usage: adit-cli -L [bind_address:]port:host:hostport [-L …] [options] "
             "[user@]server\n"
             "\n"
             "Forwards local ports through an SSH server, like ssh -L, until interrupted.\n"
             "\n"
             "Options:\n"
             "  -L [bind_address:]port:host:hostport\n"
             "                 listen on port (on this computer only, unless a bind address\n"
             "                 is given) and connect through the server to host:hostport\n"
             "  -p PORT        the SSH server's port (22)\n"
             "  -l USER        the user name on the SSH server\n"
             "  -i FILE        the private key to log in with\n"
             "  -N             accepted for ssh compatibility (adit-cli never runs commands)\n"
             "  -o StrictHostKeyChecking=yes|accept-new|no|ask\n"
             "  -o UserKnownHostsFile=FILE\n"
             "  -o ServerAliveInterval=SECONDS   (15; 0 turns keep-alive off)\n"
             "  -o ServerAliveCountMax=COUNT     (3)\n"
             "  -o ConnectTimeout=SECONDS        (30)\n"
             "  --no-reconnect exit when the connection to the server is lost, instead of\n"
             "                 connecting again (the local ports stay open while it does)\n"
             "  --help         show this help\n"
             "  --version      show the version\n"
             "\n"
             "Known servers are kept in %s; ~/.ssh/known_hosts is read too.\n"),
           known_hosts);
}

/* ssh -L listens on this computer only unless told otherwise; say plainly when it is not. */
static void
warn_about_open_ports (AditTunnel *tunnel)
{
  GPtrArray *forwards = adit_tunnel_get_forwards (tunnel);

  for (guint i = 0; i < forwards->len; i++)
    {
      const AditForward *forward = g_ptr_array_index (forwards, i);

      if (adit_forward_is_local_only (forward))
        continue;
      if (g_strcmp0 (forward->bind_address, "*") == 0)
        g_printerr (_("adit-cli: Warning: port %u will be open to every computer that can "
                      "reach this one, and anyone who reaches it can use the tunnel.\n"),
                    forward->bind_port);
      else
        g_printerr (_("adit-cli: Warning: port %u will be open on %s, so other computers on "
                      "that network can use the tunnel.\n"),
                    forward->bind_port, forward->bind_address);
    }
}

static void
state_changed_cb (AditConnection *connection,
                  GParamSpec     *pspec,
                  Cli            *cli)
{
  AditConnectionState state = adit_connection_get_state (connection);

  if (state == ADIT_CONNECTION_STATE_CONNECTED)
    {
      AditTunnel *tunnel = adit_connection_get_tunnel (connection);
      g_autofree char *description = adit_tunnel_describe (tunnel);

      g_print (cli->reconnecting ? _("Connected again: %s\n") : _("Connected: %s\n"),
               description);
      cli->reconnecting = FALSE;
    }
  else if (state == ADIT_CONNECTION_STATE_RECONNECTING)
    cli->reconnecting = TRUE;
}

/* Each failed try, and when the next one comes. */
static void
retry_time_changed_cb (AditConnection *connection,
                       GParamSpec     *pspec,
                       Cli            *cli)
{
  const GError *error = adit_connection_get_error (connection);
  guint seconds;

  if (adit_connection_get_state (connection) != ADIT_CONNECTION_STATE_RECONNECTING ||
      adit_connection_get_retry_time (connection) == 0 || error == NULL)
    return;

  seconds = MAX (1, adit_connection_get_retry_seconds (connection));
  g_print (ngettext ("%s Connecting again in %u second; the local ports stay open.\n",
                     "%s Connecting again in %u seconds; the local ports stay open.\n",
                     seconds),
           error->message, seconds);
}

static void
network_changed_cb (AditNetworkWatch *watch,
                    Cli              *cli)
{
  adit_connection_retry_now (cli->connection);
}

static void
listening_cb (AditConnection *connection,
              const char     *address,
              Cli            *cli)
{
  g_print (_("Listening on %s\n"), address);
}

static void
client_opened_cb (AditConnection *connection,
                  const char     *peer,
                  guint           open,
                  Cli            *cli)
{
  g_print (ngettext ("Connection from %s opened (%u open)\n",
                     "Connection from %s opened (%u open)\n", open), peer, open);
}

static void
client_closed_cb (AditConnection *connection,
                  const char     *peer,
                  guint           open,
                  const GError   *error,
                  Cli            *cli)
{
  if (error != NULL)
    g_print (ngettext ("Connection from %s failed: %s (%u open)\n",
                       "Connection from %s failed: %s (%u open)\n", open),
             peer, error->message, open);
  else
    g_print (ngettext ("Connection from %s closed (%u open)\n",
                       "Connection from %s closed (%u open)\n", open), peer, open);
}

static void
question_cb (AditConnection *connection,
             AditQuestion   *question,
             Cli            *cli)
{
  adit_cli_prompt_ask (cli->prompt, question);
}

static void
stopped_cb (AditConnection *connection,
            Cli            *cli)
{
  g_main_loop_quit (cli->loop);
}

static gboolean
signal_cb (gpointer user_data)
{
  Cli *cli = user_data;

  /* A second Ctrl+C: the person does not want to wait for a clean goodbye. */
  if (cli->interrupted)
    {
      adit_cli_prompt_restore_terminal (cli->prompt);
      _exit (130);
    }

  cli->interrupted = TRUE;
  g_print (_("Disconnecting…\n"));
  adit_connection_stop (cli->connection);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(AditConnection) connection = NULL;
  g_autoptr(AditCliPrompt) prompt = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(AditNetworkWatch) network_watch = NULL;
  gboolean reconnect = TRUE;
  const GError *failure;
  guint sigint, sigterm;
  Cli cli = { 0 };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("adit-cli");

  /* adit-cli's own options, up to "--"; the rest are ssh's. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--no-reconnect"))
        {
          reconnect = FALSE;
          memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof *argv);
          argc--;
          i--;
          continue;
        }
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_help ();
          return 0;
        }
      if (g_str_equal (argv[i], "--version") || g_str_equal (argv[i], "-V"))
        {
          g_print ("adit-cli %s (libssh %s)\n", PACKAGE_VERSION, ssh_version (0));
          return 0;
        }
    }

  if (argc < 2)
    {
      g_printerr (_("adit-cli: Say which port to forward and through which server, for "
                    "example: adit-cli -L 1100:mail.example.com:110 other.example.com\n"));
      return EXIT_USAGE;
    }

  tunnel = adit_ssh_command_parse_argv (argc, (const char * const *)argv, &error);
  if (tunnel == NULL || !adit_tunnel_validate (tunnel, &error))
    {
      g_printerr ("adit-cli: %s\n", error->message);
      return EXIT_USAGE;
    }
  adit_tunnel_set_reconnect (tunnel, reconnect);

  warn_about_open_ports (tunnel);

  /* Lines as they happen, also when stdout is a pipe to a log. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  ssh_init ();

  loop = g_main_loop_new (NULL, FALSE);
  prompt = adit_cli_prompt_new ();
  connection = adit_connection_new (tunnel);
  cli.loop = loop;
  cli.connection = connection;
  cli.prompt = prompt;

  g_signal_connect (connection, "notify::state", G_CALLBACK (state_changed_cb), &cli);
  g_signal_connect (connection, "listening", G_CALLBACK (listening_cb), &cli);
  g_signal_connect (connection, "client-opened", G_CALLBACK (client_opened_cb), &cli);
  g_signal_connect (connection, "client-closed", G_CALLBACK (client_closed_cb), &cli);
  g_signal_connect (connection, "question", G_CALLBACK (question_cb), &cli);
  g_signal_connect (connection, "stopped", G_CALLBACK (stopped_cb), &cli);
  g_signal_connect (connection, "notify::retry-time", G_CALLBACK (retry_time_changed_cb), &cli);
  network_watch = adit_network_watch_new ();
  g_signal_connect (network_watch, "changed", G_CALLBACK (network_changed_cb), &cli);

  sigint = g_unix_signal_add (SIGINT, signal_cb, &cli);
  sigterm = g_unix_signal_add (SIGTERM, signal_cb, &cli);

  adit_connection_start (connection);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);

  failure = adit_connection_get_error (connection);
  if (failure != NULL)
    {
      g_printerr ("adit-cli: %s\n", failure->message);
      ssh_finalize ();
      return EXIT_CONNECTION_FAILED;
    }

  ssh_finalize ();
  return 0;
}
