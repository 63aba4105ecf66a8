/* test-ssh-command.c — ssh command lines, as administrators write and paste them, read into
 * tunnels: options as ssh's getopt reads them, -o settings, destinations, and every refusal
 * named in a sentence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-error.h"
#include "adit-forward.h"
#include "adit-ssh-command.h"
#include "adit-test-util.h"
#include "adit-tunnel.h"

static AditTunnel *
parse_ok (const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = g_strescape (command, NULL);
  AditTunnel *tunnel;

  g_test_message ("command: %s", escaped);
  tunnel = adit_ssh_command_parse (command, &error);
  g_assert_no_error (error);
  g_assert_true (ADIT_IS_TUNNEL (tunnel));

  return tunnel;
}

static void
assert_command_error (const char *command,
                      int         code,
                      const char *mentions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autofree char *escaped = g_strescape (command, NULL);

  g_test_message ("command: %s", escaped);
  tunnel = adit_ssh_command_parse (command, &error);
  g_assert_null (tunnel);
  g_assert_error (error, ADIT_ERROR, code);
  adit_test_assert_mentions (error->message, mentions);
}

static const AditForward *
forward_at (AditTunnel *tunnel,
            guint       index)
{
  GPtrArray *forwards = adit_tunnel_get_forwards (tunnel);

  g_assert_cmpuint (index, <, forwards->len);

  return g_ptr_array_index (forwards, index);
}

static void
assert_forward (AditTunnel *tunnel,
                guint       index,
                const char *spec)
{
  g_autofree char *string = adit_forward_to_string (forward_at (tunnel, index));

  g_assert_cmpstr (string, ==, spec);
}

static void
test_mail (void)
{
  g_autoptr(AditTunnel) tunnel = parse_ok ("ssh -L 1100:mail.example.com:110 other.example.com");
  g_autofree char *description = adit_tunnel_describe (tunnel);

  g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, "other.example.com");
  g_assert_cmpuint (adit_tunnel_get_port (tunnel), ==, 22);
  g_assert_null (adit_tunnel_get_user (tunnel));
  g_assert_null (adit_tunnel_get_identity_file (tunnel));
  g_assert_null (adit_tunnel_get_known_hosts_file (tunnel));
  g_assert_cmpint (adit_tunnel_get_host_key_policy (tunnel), ==, ADIT_HOST_KEY_POLICY_ASK);
  g_assert_cmpuint (adit_tunnel_get_alive_interval (tunnel), ==, ADIT_DEFAULT_ALIVE_INTERVAL);
  g_assert_cmpuint (adit_tunnel_get_forwards (tunnel)->len, ==, 1);
  assert_forward (tunnel, 0, "1100:mail.example.com:110");
  g_assert_cmpstr (description, ==,
                   "localhost:1100 → mail.example.com:110 via other.example.com");
  g_assert_true (adit_tunnel_validate (tunnel, NULL));
}

static void
test_argv (void)
{
  const char *argv[] = { "adit-cli", "-N", "-L", "1100:mail.example.com:110", "-p", "2222",
                         "bob@other.example.com" };
  const char *no_destination[] = { "adit-cli", "-L", "1100:mail:110" };
  const char *only_program[] = { "adit-cli" };
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(AditTunnel) failed = NULL;

  /* argv[0] is ignored, whatever it is, and argv need not end in NULL. */
  tunnel = adit_ssh_command_parse_argv (G_N_ELEMENTS (argv), argv, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, "other.example.com");
  g_assert_cmpstr (adit_tunnel_get_user (tunnel), ==, "bob");
  g_assert_cmpuint (adit_tunnel_get_port (tunnel), ==, 2222);
  assert_forward (tunnel, 0, "1100:mail.example.com:110");

  failed = adit_ssh_command_parse_argv (G_N_ELEMENTS (no_destination), no_destination, &error);
  g_assert_null (failed);
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND);
  g_clear_error (&error);

  failed = adit_ssh_command_parse_argv (G_N_ELEMENTS (only_program), only_program, &error);
  g_assert_null (failed);
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND);
}

static void
test_program_and_prompt (void)
{
  static const char *commands[] = {
    "ssh -L 1100:mail:110 other",
    "/usr/bin/ssh -L 1100:mail:110 other",
    "-L 1100:mail:110 other",
    "$ ssh -L 1100:mail:110 other",
    "   $ ssh -L 1100:mail:110 other\n",
    "% ssh -L 1100:mail:110 other",
    "ssh -N -L 1100:mail:110 other &",
    "ssh -N \\\n  -L 1100:mail:110 \\\n  other",
    "ssh\t-L\t1100:mail:110\tother",
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(AditTunnel) tunnel = parse_ok (commands[i]);

      g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, "other");
      assert_forward (tunnel, 0, "1100:mail:110");
    }
}

static void
test_quoting (void)
{
  g_autoptr(AditTunnel) quoted = parse_ok ("ssh -L '1100:mail:110' \"other\"");
  g_autoptr(AditTunnel) key = parse_ok ("ssh -i \"/home/bob/my keys/id\" -L 1100:mail:110 other");
  g_autoptr(AditTunnel) escaped = parse_ok ("ssh -i /home/bob/my\\ keys/id -L 1100:mail:110 "
                                            "other");
  g_autoptr(AditTunnel) option = parse_ok ("ssh -o 'ServerAliveInterval 42' -L 1100:mail:110 "
                                           "other");
  g_autoptr(AditTunnel) bracket = parse_ok ("ssh -L '[::1]:1100:[2001:db8::1]:110' other");

  g_assert_cmpstr (adit_tunnel_get_host (quoted), ==, "other");
  assert_forward (quoted, 0, "1100:mail:110");
  g_assert_cmpstr (adit_tunnel_get_identity_file (key), ==, "/home/bob/my keys/id");
  g_assert_cmpstr (adit_tunnel_get_identity_file (escaped), ==, "/home/bob/my keys/id");
  g_assert_cmpuint (adit_tunnel_get_alive_interval (option), ==, 42);
  assert_forward (bracket, 0, "[::1]:1100:[2001:db8::1]:110");

  assert_command_error ("ssh -L '1100:mail:110 other", ADIT_ERROR_INVALID_COMMAND,
                        "quotation mark");
  assert_command_error ("ssh -L \"1100:mail:110 other", ADIT_ERROR_INVALID_COMMAND,
                        "quotation mark");
  assert_command_error ("ssh -L 1100:mail:110 other \\", ADIT_ERROR_INVALID_COMMAND, "“\\”");
  assert_command_error ("", ADIT_ERROR_INVALID_COMMAND, "empty");
  assert_command_error ("   ", ADIT_ERROR_INVALID_COMMAND, "empty");
}

static void
test_combined_flags (void)
{
  static const char *commands[] = {
    "ssh -fN -L 1100:mail:110 other",
    "ssh -NfL 1100:mail:110 other",
    "ssh -NfL1100:mail:110 other",
    "ssh -L1100:mail:110 other",
    "ssh -NTfnqvvvC -L 1100:mail:110 other",
    "ssh -xak2 -L 1100:mail:110 other",
    "ssh -e none -L 1100:mail:110 other",
  };
  g_autoptr(AditTunnel) port = parse_ok ("ssh -p2222 -L 1100:mail:110 other");
  g_autoptr(AditTunnel) attached_o = parse_ok ("ssh -oPort=2223 -L 1100:mail:110 other");
  g_autoptr(AditTunnel) user = parse_ok ("ssh -NlBob -L 1100:mail:110 other");

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(AditTunnel) tunnel = parse_ok (commands[i]);

      g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, "other");
      g_assert_cmpuint (adit_tunnel_get_forwards (tunnel)->len, ==, 1);
      assert_forward (tunnel, 0, "1100:mail:110");
    }

  g_assert_cmpuint (adit_tunnel_get_port (port), ==, 2222);
  g_assert_cmpuint (adit_tunnel_get_port (attached_o), ==, 2223);
  g_assert_cmpstr (adit_tunnel_get_user (user), ==, "Bob");

  assert_command_error ("ssh -NL", ADIT_ERROR_INVALID_COMMAND, "-L");
  assert_command_error ("ssh other -L 1100:mail:110 -p", ADIT_ERROR_INVALID_COMMAND, "-p");
  /* An unsupported flag inside a group is still found. */
  assert_command_error ("ssh -NfR 8080:localhost:80 other", ADIT_ERROR_UNSUPPORTED_OPTION, "-R");
  assert_command_error ("ssh -NAf -L 1100:mail:110 other", ADIT_ERROR_UNSUPPORTED_OPTION, "-A");
}

static void
test_several_forwards (void)
{
  g_autoptr(AditTunnel) tunnel = parse_ok ("ssh -L 1100:mail:110 -L 2525:mail:25 "
                                           "-o 'LocalForward 9930 mail:993' "
                                           "-o 'LocalForward=[::1]:8080 [2001:db8::1]:80' other");
  g_autofree char *description = adit_tunnel_describe (tunnel);

  g_assert_cmpuint (adit_tunnel_get_forwards (tunnel)->len, ==, 4);
  assert_forward (tunnel, 0, "1100:mail:110");
  assert_forward (tunnel, 1, "2525:mail:25");
  assert_forward (tunnel, 2, "9930:mail:993");
  assert_forward (tunnel, 3, "[::1]:8080:[2001:db8::1]:80");
  g_assert_cmpstr (description, ==, "localhost:1100 → mail:110 via other (+3 more)");
}

static void
test_bad_forward (void)
{
  assert_command_error ("ssh -L 1100:mail:99999 other", ADIT_ERROR_INVALID_PORT,
                        "“1100:mail:99999”");
  assert_command_error ("ssh -L 1100:mail:99999 other", ADIT_ERROR_INVALID_PORT, "“99999”");
  assert_command_error ("ssh -L 1100:mail other", ADIT_ERROR_INVALID_FORWARD, "“1100:mail”");
  assert_command_error ("ssh -L 1100:bad@mail:110 other", ADIT_ERROR_INVALID_HOST, "bad@mail");
  assert_command_error ("ssh -L 1100:2001:db8::1:110 other", ADIT_ERROR_INVALID_FORWARD,
                        "1100:2001:db8::1:110");
  assert_command_error ("ssh -o LocalForward=1100 other", ADIT_ERROR_INVALID_FORWARD,
                        "LocalForward");
  assert_command_error ("ssh -o 'LocalForward 1100 mail:0' other", ADIT_ERROR_INVALID_PORT,
                        "“0”");
  /* ssh would fail to listen twice on one port. */
  assert_command_error ("ssh -L 1100:mail:110 -L 1100:mail:25 other",
                        ADIT_ERROR_INVALID_FORWARD, "1100");
}

static void
test_unsupported_options (void)
{
  static const struct {
    const char *option;
    const char *explanation;
  } cases[] = {
    { "-R 8080:localhost:80", "remote forwarding" },
    { "-D 1080", "SOCKS" },
    { "-J jump.example.com", "jump server" },
    { "-W mail:110", NULL },
    { "-w 0:0", NULL },
    { "-X", "graphical" },
    { "-Y", "graphical" },
    { "-A", "keys" },
    { "-F /etc/ssh/other_config", "configuration file" },
    { "-E /tmp/ssh.log", "log" },
    { "-y", "log" },
    { "-b 10.0.0.1", NULL },
    { "-B eth0", NULL },
    { "-c aes128-ctr", "encryption" },
    { "-m hmac-sha2-256", NULL },
    { "-S /tmp/control", "sharing" },
    { "-M", "sharing" },
    { "-O check", "sharing" },
    { "-4", "IPv4" },
    { "-6", "IPv6" },
    { "-t", "terminal" },
    { "-s", NULL },
    { "-1", NULL },
    { "-G", NULL },
    { "-K", NULL },
    { "-I pkcs11.so", NULL },
    { "-P tag", NULL },
    { "-Q cipher", NULL },
    { "-V", NULL },
    { "-Z", NULL },
    { "-%", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *command = g_strdup_printf ("ssh -L 1100:mail:110 %s other",
                                                  cases[i].option);
      g_autofree char *name = g_strndup (cases[i].option, 2);
      g_autofree char *quoted = g_strdup_printf ("“%s”", name);

      assert_command_error (command, ADIT_ERROR_UNSUPPORTED_OPTION, quoted);
      assert_command_error (command, ADIT_ERROR_UNSUPPORTED_OPTION, cases[i].explanation);
    }
}

static void
test_user (void)
{
  static const struct {
    const char *command;
    const char *user;
  } cases[] = {
    { "ssh -L 1100:mail:110 alice@other", "alice" },
    { "ssh -L 1100:mail:110 -l bob other", "bob" },
    /* The first one given wins, as in ssh. */
    { "ssh -l bob -L 1100:mail:110 alice@other", "bob" },
    { "ssh -L 1100:mail:110 alice@other -l bob", "alice" },
    { "ssh -o User=carol -l bob -L 1100:mail:110 alice@other", "carol" },
    { "ssh -L 1100:mail:110 alice@other -o User=carol", "alice" },
    /* ssh splits at the last '@'. */
    { "ssh -L 1100:mail:110 alice@example.org@other", "alice@example.org" },
    { "ssh -L 1100:mail:110 'EXAMPLE\\alice@other'", "EXAMPLE\\alice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AditTunnel) tunnel = parse_ok (cases[i].command);

      g_assert_cmpstr (adit_tunnel_get_user (tunnel), ==, cases[i].user);
      g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, "other");
    }

  assert_command_error ("ssh -L 1100:mail:110 @other", ADIT_ERROR_INVALID_COMMAND, "“@other”");
  assert_command_error ("ssh -L 1100:mail:110 -l '' other", ADIT_ERROR_INVALID_COMMAND, "empty");
  assert_command_error ("ssh -L 1100:mail:110 -l 'a;b' other", ADIT_ERROR_INVALID_COMMAND,
                        "“a;b”");
  assert_command_error ("ssh -L 1100:mail:110 -l '-oProxyCommand=x' other",
                        ADIT_ERROR_INVALID_COMMAND, "-oProxyCommand=x");
  assert_command_error ("ssh -L 1100:mail:110 '$(id)@other'", ADIT_ERROR_INVALID_COMMAND,
                        "$(id)");
}

static void
test_destination (void)
{
  g_autoptr(AditTunnel) ipv6 = parse_ok ("ssh -L 1100:mail:110 bob@2001:db8::1");
  g_autoptr(AditTunnel) bare_ipv6 = parse_ok ("ssh -L 1100:mail:110 ::1");
  g_autoptr(AditTunnel) bracketed = parse_ok ("ssh -L 1100:mail:110 bob@[2001:db8::1]");
  g_autoptr(AditTunnel) ipv4 = parse_ok ("ssh -L 1100:mail:110 10.0.0.1");
  g_autoptr(AditTunnel) trailing_dot = parse_ok ("ssh -L 1100:mail:110 other.example.com.");

  g_assert_cmpstr (adit_tunnel_get_host (ipv6), ==, "2001:db8::1");
  g_assert_cmpstr (adit_tunnel_get_user (ipv6), ==, "bob");
  g_assert_cmpstr (adit_tunnel_get_host (bare_ipv6), ==, "::1");
  g_assert_cmpstr (adit_tunnel_get_host (bracketed), ==, "2001:db8::1");
  g_assert_cmpstr (adit_tunnel_get_host (ipv4), ==, "10.0.0.1");
  g_assert_cmpstr (adit_tunnel_get_host (trailing_dot), ==, "other.example.com.");

  assert_command_error ("ssh -L 1100:mail:110", ADIT_ERROR_INVALID_COMMAND, "server");
  assert_command_error ("ssh -L 1100:mail:110 other:2222", ADIT_ERROR_INVALID_HOST, "-p 2222");
  assert_command_error ("ssh -L 1100:mail:110 other:2222", ADIT_ERROR_INVALID_HOST,
                        "“other:2222”");
  assert_command_error ("ssh -L 1100:mail:110 'ot her'", ADIT_ERROR_INVALID_HOST, "ot her");
  assert_command_error ("ssh -L 1100:mail:110 bob@", ADIT_ERROR_INVALID_HOST, "missing");
  assert_command_error ("ssh -L 1100:mail:110 2001:db8::zz", ADIT_ERROR_INVALID_HOST,
                        "2001:db8::zz");
  assert_command_error ("ssh -L 1100:mail:110 -- -N", ADIT_ERROR_INVALID_HOST, "-N");
}

static void
test_uri (void)
{
  static const struct {
    const char *command;
    const char *user;
    const char *host;
    guint16 port;
  } cases[] = {
    { "ssh -L 1100:mail:110 ssh://other", NULL, "other", 22 },
    { "ssh -L 1100:mail:110 ssh://other/", NULL, "other", 22 },
    { "ssh -L 1100:mail:110 ssh://bob@other", "bob", "other", 22 },
    { "ssh -L 1100:mail:110 ssh://bob@other:2222", "bob", "other", 2222 },
    { "ssh -L 1100:mail:110 SSH://other:2222/", NULL, "other", 2222 },
    { "ssh -L 1100:mail:110 ssh://[2001:db8::1]:2222", NULL, "2001:db8::1", 2222 },
    { "ssh -L 1100:mail:110 ssh://bob@[::1]", "bob", "::1", 22 },
    { "ssh -L 1100:mail:110 ssh://b%40c@other", "b@c", "other", 22 },
    /* -p came first, so it wins over the port in the address. */
    { "ssh -p 2200 -L 1100:mail:110 ssh://other:2222", NULL, "other", 2200 },
    { "ssh -L 1100:mail:110 ssh://other:2222 -p 2200", NULL, "other", 2222 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AditTunnel) tunnel = parse_ok (cases[i].command);

      g_assert_cmpstr (adit_tunnel_get_user (tunnel), ==, cases[i].user);
      g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, cases[i].host);
      g_assert_cmpuint (adit_tunnel_get_port (tunnel), ==, cases[i].port);
    }

  assert_command_error ("ssh -L 1100:mail:110 ssh://other:99999", ADIT_ERROR_INVALID_PORT,
                        "99999");
  assert_command_error ("ssh -L 1100:mail:110 ssh://other:", ADIT_ERROR_INVALID_PORT, "missing");
  assert_command_error ("ssh -L 1100:mail:110 ssh://other/home", ADIT_ERROR_INVALID_COMMAND,
                        "ssh://other/home");
  assert_command_error ("ssh -L 1100:mail:110 ssh://[::1", ADIT_ERROR_INVALID_COMMAND,
                        "ssh://[::1");
  assert_command_error ("ssh -L 1100:mail:110 'ssh://bob;fingerprint=SHA256-x@other'",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "fingerprint");
  assert_command_error ("ssh -L 1100:mail:110 ssh://", ADIT_ERROR_INVALID_HOST, "missing");
}

static void
test_options_after_destination (void)
{
  g_autoptr(AditTunnel) tunnel = parse_ok ("ssh other -N -L 1100:mail:110 -p 2222");

  g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, "other");
  g_assert_cmpuint (adit_tunnel_get_port (tunnel), ==, 2222);
  assert_forward (tunnel, 0, "1100:mail:110");
}

static void
test_remote_command (void)
{
  assert_command_error ("ssh -L 1100:mail:110 other ls -l", ADIT_ERROR_INVALID_COMMAND,
                        "“ls -l”");
  assert_command_error ("ssh -L 1100:mail:110 other second", ADIT_ERROR_INVALID_COMMAND,
                        "“second”");
  /* After the destination, options are read until the first word that is not one. */
  assert_command_error ("ssh -L 1100:mail:110 other sleep -N 60", ADIT_ERROR_INVALID_COMMAND,
                        "“sleep -N 60”");
  /* "--" ends the options: what follows the destination is a command. */
  assert_command_error ("ssh -L 1100:mail:110 -- other -N", ADIT_ERROR_INVALID_COMMAND, "“-N”");
  assert_command_error ("ssh -L 1100:mail:110 other -- -N", ADIT_ERROR_INVALID_COMMAND, "“-N”");
  assert_command_error ("ssh -L 1100:mail:110 other 'sleep 60' &&", ADIT_ERROR_INVALID_COMMAND,
                        "sleep 60");
}

static void
test_no_forward (void)
{
  assert_command_error ("ssh other", ADIT_ERROR_INVALID_COMMAND, "-L");
  assert_command_error ("ssh -N -p 2222 bob@other", ADIT_ERROR_INVALID_COMMAND,
                        "no local port");
}

static void
test_port (void)
{
  g_autoptr(AditTunnel) first = parse_ok ("ssh -p 2222 -o Port=2200 -L 1100:mail:110 other");

  g_assert_cmpuint (adit_tunnel_get_port (first), ==, 2222);

  assert_command_error ("ssh -p 0 -L 1100:mail:110 other", ADIT_ERROR_INVALID_PORT, "“0”");
  assert_command_error ("ssh -p ssh -L 1100:mail:110 other", ADIT_ERROR_INVALID_PORT, "“ssh”");
  assert_command_error ("ssh -p 65536 -L 1100:mail:110 other", ADIT_ERROR_INVALID_PORT,
                        "“65536”");
  assert_command_error ("ssh -o Port=-1 -L 1100:mail:110 other", ADIT_ERROR_INVALID_PORT,
                        "“-1”");
}

static void
test_config_options (void)
{
  g_autoptr(AditTunnel) equals = parse_ok ("ssh -o ServerAliveInterval=60 -L 1100:mail:110 "
                                           "other");
  g_autoptr(AditTunnel) space = parse_ok ("ssh -o 'ServerAliveInterval 61' -L 1100:mail:110 "
                                          "other");
  g_autoptr(AditTunnel) spaced_equals = parse_ok ("ssh -o 'ServerAliveInterval = 62' "
                                                  "-L 1100:mail:110 other");
  g_autoptr(AditTunnel) lower = parse_ok ("ssh -o serveraliveinterval=1m -L 1100:mail:110 other");
  g_autoptr(AditTunnel) units = parse_ok ("ssh -o ConnectTimeout=1h30s -L 1100:mail:110 other");
  g_autoptr(AditTunnel) all = parse_ok ("ssh -o ServerAliveCountMax=5 -o ConnectTimeout=10 "
                                        "-o ServerAliveInterval=0 -o Port=2222 -o User=bob "
                                        "-o IdentityFile=/keys/id -o ExitOnForwardFailure=yes "
                                        "-o BatchMode=yes -o Compression=no "
                                        "-o UserKnownHostsFile=/tmp/kh "
                                        "-o StrictHostKeyChecking=accept-new "
                                        "-L 1100:mail:110 other");
  g_autoptr(AditTunnel) first = parse_ok ("ssh -o ServerAliveInterval=5 "
                                          "-o ServerAliveInterval=6 -L 1100:mail:110 other");

  g_assert_cmpuint (adit_tunnel_get_alive_interval (equals), ==, 60);
  g_assert_cmpuint (adit_tunnel_get_alive_interval (space), ==, 61);
  g_assert_cmpuint (adit_tunnel_get_alive_interval (spaced_equals), ==, 62);
  g_assert_cmpuint (adit_tunnel_get_alive_interval (lower), ==, 60);
  g_assert_cmpuint (adit_tunnel_get_connect_timeout (units), ==, 3630);
  g_assert_cmpuint (adit_tunnel_get_alive_interval (first), ==, 5);

  g_assert_cmpuint (adit_tunnel_get_alive_count_max (all), ==, 5);
  g_assert_cmpuint (adit_tunnel_get_connect_timeout (all), ==, 10);
  g_assert_cmpuint (adit_tunnel_get_alive_interval (all), ==, 0);
  g_assert_cmpuint (adit_tunnel_get_port (all), ==, 2222);
  g_assert_cmpstr (adit_tunnel_get_user (all), ==, "bob");
  g_assert_cmpstr (adit_tunnel_get_identity_file (all), ==, "/keys/id");
  g_assert_cmpstr (adit_tunnel_get_known_hosts_file (all), ==, "/tmp/kh");
  g_assert_cmpint (adit_tunnel_get_host_key_policy (all), ==, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);

  assert_command_error ("ssh -o ServerAliveInterval=soon -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "“soon”");
  assert_command_error ("ssh -o ServerAliveInterval=5x -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "“5x”");
  assert_command_error ("ssh -o ServerAliveCountMax=-1 -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "“-1”");
  assert_command_error ("ssh -o ConnectTimeout=99999999999 -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "99999999999");
  assert_command_error ("ssh -o BatchMode=maybe -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "“maybe”");
  assert_command_error ("ssh -o 'Port 22 23' -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "Port 22 23");
  /* ssh wants key and value in one word; "Port" alone has no value. */
  assert_command_error ("ssh -o Port 22 -L 1100:mail:110 other", ADIT_ERROR_INVALID_COMMAND,
                        "“-o Port”");
  assert_command_error ("ssh -o Port= -L 1100:mail:110 other", ADIT_ERROR_INVALID_COMMAND,
                        "“-o Port”");
  assert_command_error ("ssh -o '=22' -L 1100:mail:110 other", ADIT_ERROR_INVALID_COMMAND,
                        "“-o”");
  assert_command_error ("ssh -o 'User \"bob' -L 1100:mail:110 other", ADIT_ERROR_INVALID_COMMAND,
                        "quotation mark");
  assert_command_error ("ssh -o", ADIT_ERROR_INVALID_COMMAND, "“-o”");

  assert_command_error ("ssh -o ProxyJump=jump -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "ProxyJump");
  assert_command_error ("ssh -o 'ProxyCommand nc %h %p' -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "ProxyCommand");
  assert_command_error ("ssh -o RemoteForward='8080 localhost:80' -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "RemoteForward");
  assert_command_error ("ssh -o DynamicForward=1080 -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "DynamicForward");
  assert_command_error ("ssh -o Frobnicate=yes -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "“-o Frobnicate”");
  assert_command_error ("ssh -o HostName=mail -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "HostName");
}

static void
test_host_key_checking (void)
{
  static const struct {
    const char *value;
    AditHostKeyPolicy policy;
  } cases[] = {
    { "yes", ADIT_HOST_KEY_POLICY_STRICT },
    { "YES", ADIT_HOST_KEY_POLICY_STRICT },
    { "true", ADIT_HOST_KEY_POLICY_STRICT },
    { "no", ADIT_HOST_KEY_POLICY_OFF },
    { "off", ADIT_HOST_KEY_POLICY_OFF },
    { "false", ADIT_HOST_KEY_POLICY_OFF },
    { "ask", ADIT_HOST_KEY_POLICY_ASK },
    { "accept-new", ADIT_HOST_KEY_POLICY_ACCEPT_NEW },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *command = g_strdup_printf ("ssh -o StrictHostKeyChecking=%s "
                                                  "-L 1100:mail:110 other", cases[i].value);
      g_autoptr(AditTunnel) tunnel = parse_ok (command);

      g_assert_cmpint (adit_tunnel_get_host_key_policy (tunnel), ==, cases[i].policy);
    }

  assert_command_error ("ssh -o StrictHostKeyChecking=sometimes -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "“sometimes”");
}

static void
test_paths (void)
{
  const char *home = g_get_home_dir ();
  g_autofree char *expected_key = g_build_filename (home, ".ssh", "id_mail", NULL);
  g_autofree char *expected_kh = g_build_filename (home, ".ssh", "known_hosts", NULL);
  g_autofree char *expected_d = g_build_filename (home, "keys", "id", NULL);
  g_autofree char *command = NULL;
  g_autoptr(AditTunnel) tilde = parse_ok ("ssh -i ~/.ssh/id_mail -L 1100:mail:110 other");
  g_autoptr(AditTunnel) quoted = parse_ok ("ssh -i '~/.ssh/id_mail' -L 1100:mail:110 other");
  g_autoptr(AditTunnel) known = parse_ok ("ssh -o 'UserKnownHostsFile ~/.ssh/known_hosts "
                                          "/etc/ssh/other' -L 1100:mail:110 other");
  g_autoptr(AditTunnel) null = parse_ok ("ssh -o UserKnownHostsFile=/dev/null "
                                         "-L 1100:mail:110 other");
  g_autoptr(AditTunnel) none = parse_ok ("ssh -o UserKnownHostsFile=none -L 1100:mail:110 other");
  g_autoptr(AditTunnel) root = parse_ok ("ssh -i ~root/.ssh/id -L 1100:mail:110 other");
  g_autoptr(AditTunnel) token = parse_ok ("ssh -o IdentityFile=%d/keys/id -L 1100:mail:110 other");
  g_autoptr(AditTunnel) same = NULL;

  g_assert_cmpstr (adit_tunnel_get_identity_file (tilde), ==, expected_key);
  g_assert_cmpstr (adit_tunnel_get_identity_file (quoted), ==, expected_key);
  g_assert_cmpstr (adit_tunnel_get_known_hosts_file (known), ==, expected_kh);
  g_assert_cmpstr (adit_tunnel_get_known_hosts_file (null), ==, "/dev/null");
  g_assert_cmpstr (adit_tunnel_get_known_hosts_file (none), ==, "/dev/null");
  g_assert_true (g_str_has_suffix (adit_tunnel_get_identity_file (root), "/.ssh/id"));
  g_assert_false (g_str_has_prefix (adit_tunnel_get_identity_file (root), "~"));
  g_assert_cmpstr (adit_tunnel_get_identity_file (token), ==, expected_d);

  /* The same key twice is one key; two keys are more than a tunnel holds. */
  command = g_strdup_printf ("ssh -i ~/.ssh/id_mail -i %s -L 1100:mail:110 other", expected_key);
  same = parse_ok (command);
  g_assert_cmpstr (adit_tunnel_get_identity_file (same), ==, expected_key);

  assert_command_error ("ssh -i /keys/a -i /keys/b -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "/keys/b");
  assert_command_error ("ssh -i /keys/a -o IdentityFile=/keys/c -L 1100:mail:110 other",
                        ADIT_ERROR_UNSUPPORTED_OPTION, "/keys/c");
  assert_command_error ("ssh -i ~nosuchuserhere/id -L 1100:mail:110 other",
                        ADIT_ERROR_INVALID_COMMAND, "~nosuchuserhere");
  assert_command_error ("ssh -i %h/id -L 1100:mail:110 other", ADIT_ERROR_UNSUPPORTED_OPTION,
                        "%h/id");
  assert_command_error ("ssh -i '' -L 1100:mail:110 other", ADIT_ERROR_INVALID_COMMAND, "empty");
}

static void
test_gateway_ports (void)
{
  g_autoptr(AditTunnel) flag = parse_ok ("ssh -g -L 1100:mail:110 -L localhost:1101:mail:25 "
                                         "other");
  g_autoptr(AditTunnel) option = parse_ok ("ssh -o GatewayPorts=yes -L 1100:mail:110 other");
  g_autoptr(AditTunnel) off = parse_ok ("ssh -o GatewayPorts=no -L 1100:mail:110 other");

  assert_forward (flag, 0, "*:1100:mail:110");
  assert_forward (flag, 1, "localhost:1101:mail:25");
  g_assert_false (adit_forward_is_local_only (forward_at (flag, 0)));
  assert_forward (option, 0, "*:1100:mail:110");
  assert_forward (off, 0, "1100:mail:110");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/adit/engine/ssh-command/mail", test_mail);
  g_test_add_func ("/adit/engine/ssh-command/argv", test_argv);
  g_test_add_func ("/adit/engine/ssh-command/program-and-prompt", test_program_and_prompt);
  g_test_add_func ("/adit/engine/ssh-command/quoting", test_quoting);
  g_test_add_func ("/adit/engine/ssh-command/combined-flags", test_combined_flags);
  g_test_add_func ("/adit/engine/ssh-command/several-forwards", test_several_forwards);
  g_test_add_func ("/adit/engine/ssh-command/bad-forward", test_bad_forward);
  g_test_add_func ("/adit/engine/ssh-command/unsupported-options", test_unsupported_options);
  g_test_add_func ("/adit/engine/ssh-command/user", test_user);
  g_test_add_func ("/adit/engine/ssh-command/destination", test_destination);
  g_test_add_func ("/adit/engine/ssh-command/uri", test_uri);
  g_test_add_func ("/adit/engine/ssh-command/options-after-destination",
                   test_options_after_destination);
  g_test_add_func ("/adit/engine/ssh-command/remote-command", test_remote_command);
  g_test_add_func ("/adit/engine/ssh-command/no-forward", test_no_forward);
  g_test_add_func ("/adit/engine/ssh-command/port", test_port);
  g_test_add_func ("/adit/engine/ssh-command/config-options", test_config_options);
  g_test_add_func ("/adit/engine/ssh-command/host-key-checking", test_host_key_checking);
  g_test_add_func ("/adit/engine/ssh-command/paths", test_paths);
  g_test_add_func ("/adit/engine/ssh-command/gateway-ports", test_gateway_ports);

  return g_test_run ();
}
