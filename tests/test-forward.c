/* test-forward.c — the `-L` spec parser, host and port validation, and the AditTunnel
 * definition object (properties, copy, description, validation).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "adit-error.h"
#include "adit-forward.h"
#include "adit-test-util.h"
#include "adit-tunnel.h"

static AditForward *
parse_ok (const char *spec)
{
  g_autoptr(GError) error = NULL;
  AditForward *forward = adit_forward_parse (spec, &error);

  g_assert_no_error (error);
  g_assert_nonnull (forward);

  return forward;
}

static void
assert_forward_error (const char *spec,
                      int         code,
                      const char *mentions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AditForward) forward = NULL;
  g_autofree char *escaped = g_strescape (spec, NULL);

  g_test_message ("spec “%s”", escaped);
  forward = adit_forward_parse (spec, &error);
  g_assert_null (forward);
  g_assert_error (error, ADIT_ERROR, code);
  adit_test_assert_mentions (error->message, mentions);
}

static void
test_parse_basic (void)
{
  g_autoptr(AditForward) forward = parse_ok ("1100:mail.example.com:110");

  g_assert_null (forward->bind_address);
  g_assert_cmpuint (forward->bind_port, ==, 1100);
  g_assert_cmpstr (forward->host, ==, "mail.example.com");
  g_assert_cmpuint (forward->host_port, ==, 110);
  g_assert_true (adit_forward_is_local_only (forward));
}

static void
test_parse_bind_address (void)
{
  static const struct {
    const char *spec;
    const char *bind_address;
    gboolean local_only;
  } cases[] = {
    { "127.0.0.1:1100:h:110", "127.0.0.1", TRUE },
    { "localhost:1100:h:110", "localhost", TRUE },
    { "LocalHost:1100:h:110", "LocalHost", TRUE },
    { "127.0.0.2:1100:h:110", "127.0.0.2", TRUE },
    { "*:1100:h:110", "*", FALSE },
    { ":1100:h:110", "*", FALSE },
    { "[]:1100:h:110", "*", FALSE },
    { "0.0.0.0:1100:h:110", "0.0.0.0", FALSE },
    { "192.168.1.5:1100:h:110", "192.168.1.5", FALSE },
    { "office.example.com:1100:h:110", "office.example.com", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AditForward) forward = parse_ok (cases[i].spec);

      g_assert_cmpstr (forward->bind_address, ==, cases[i].bind_address);
      g_assert_cmpuint (forward->bind_port, ==, 1100);
      g_assert_cmpstr (forward->host, ==, "h");
      g_assert_cmpuint (forward->host_port, ==, 110);
      g_assert_cmpint (adit_forward_is_local_only (forward), ==, cases[i].local_only);
    }
}

static void
test_parse_ipv6 (void)
{
  g_autoptr(AditForward) both = parse_ok ("[::1]:1100:[2001:db8::1]:110");
  g_autoptr(AditForward) host = parse_ok ("1100:[2001:db8::1]:110");
  g_autoptr(AditForward) any = parse_ok ("[::]:1100:h:110");
  g_autoptr(AditForward) zone = parse_ok ("1100:[fe80::1%eth0]:110");
  g_autoptr(AditForward) v4 = parse_ok ("1100:[10.0.0.1]:110");

  g_assert_cmpstr (both->bind_address, ==, "::1");
  g_assert_cmpuint (both->bind_port, ==, 1100);
  g_assert_cmpstr (both->host, ==, "2001:db8::1");
  g_assert_cmpuint (both->host_port, ==, 110);
  g_assert_true (adit_forward_is_local_only (both));

  g_assert_null (host->bind_address);
  g_assert_cmpstr (host->host, ==, "2001:db8::1");

  g_assert_cmpstr (any->bind_address, ==, "::");
  g_assert_false (adit_forward_is_local_only (any));

  g_assert_cmpstr (zone->host, ==, "fe80::1%eth0");
  g_assert_cmpstr (v4->host, ==, "10.0.0.1");

  /* Without brackets the colons cannot be told apart. */
  assert_forward_error ("1100:2001:db8::1:110", ADIT_ERROR_INVALID_FORWARD, "square brackets");
  assert_forward_error ("::1:1100:h:110", ADIT_ERROR_INVALID_FORWARD, "::1:1100:h:110");
  assert_forward_error ("1100:[2001:db8::zz]:110", ADIT_ERROR_INVALID_HOST, "2001:db8::zz");
  assert_forward_error ("1100:[:::]:110", ADIT_ERROR_INVALID_HOST, ":::");
  assert_forward_error ("[::1:1100:h:110", ADIT_ERROR_INVALID_FORWARD, "[::1:1100:h:110");
  assert_forward_error ("[::1]x:1100:h:110", ADIT_ERROR_INVALID_FORWARD, "[::1]x:1100:h:110");
  assert_forward_error ("1100:[fe80::1%]:110", ADIT_ERROR_INVALID_HOST, "fe80::1%");
  assert_forward_error ("1100:[fe80::1%e/0]:110", ADIT_ERROR_INVALID_HOST, "fe80::1%e/0");
}

static void
test_parse_ports (void)
{
  static const char *bad[] = { "0", "65536", "99999", "1e3", " 80", "80 ", "+80", "-1", "0x50",
                               "8o", "4294967297", "١٠٠" };
  g_autoptr(AditForward) low = parse_ok ("1:h:1");
  g_autoptr(AditForward) high = parse_ok ("65535:h:65535");
  g_autoptr(AditForward) zeros = parse_ok ("01100:h:0110");

  g_assert_cmpuint (low->bind_port, ==, 1);
  g_assert_cmpuint (high->host_port, ==, 65535);
  g_assert_cmpuint (zeros->bind_port, ==, 1100);
  g_assert_cmpuint (zeros->host_port, ==, 110);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *local = g_strdup_printf ("%s:mail:110", bad[i]);
      g_autofree char *remote = g_strdup_printf ("1100:mail:%s", bad[i]);
      g_autofree char *quoted = g_strdup_printf ("“%s”", bad[i]);

      assert_forward_error (local, ADIT_ERROR_INVALID_PORT, quoted);
      assert_forward_error (local, ADIT_ERROR_INVALID_PORT, local);
      assert_forward_error (remote, ADIT_ERROR_INVALID_PORT, quoted);
      assert_forward_error (remote, ADIT_ERROR_INVALID_PORT, remote);
    }

  /* An empty port cannot be quoted; the message names the whole spec instead. */
  assert_forward_error (":mail:110", ADIT_ERROR_INVALID_PORT, ":mail:110");
  assert_forward_error ("1100:mail:[]", ADIT_ERROR_INVALID_PORT, "1100:mail:[]");
}

static void
test_port_parse (void)
{
  static const struct {
    const char *text;
    guint16 port;
  } good[] = { { "1", 1 }, { "22", 22 }, { "080", 80 }, { "65535", 65535 } };
  static const char *bad[] = { "0", "00", "65536", "1e3", " 80", "80 ", "+80", "-1", "0x50",
                               "80.0", "ssh" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint16 port = 0;

      g_assert_true (adit_port_parse (good[i].text, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (port, ==, good[i].port);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", bad[i]);
      guint16 port = 4242;

      g_assert_false (adit_port_parse (bad[i], &port, &error));
      g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_PORT);
      adit_test_assert_mentions (error->message, quoted);
      g_assert_cmpuint (port, ==, 4242);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (adit_port_parse ("", NULL, &error));
    g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_PORT);
    g_assert_false (adit_port_parse (NULL, NULL, NULL));
  }
}

static void
test_host_valid (void)
{
  g_autofree char *label63 = g_strnfill (63, 'a');
  g_autofree char *name253 = NULL;
  static const char *good[] = {
    "mail.example.com", "mail.example.com.", "localhost", "x", "_dmarc.example.com",
    "mail-1.example.com", "MAIL.Example.COM", "10.0.0.1", "255.255.255.255", "2001:db8::1",
    "::1", "::", "fe80::1%eth0", "::ffff:10.0.0.1", "1password.com", "a.b-c.d_e",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("host “%s”", good[i]);
      g_assert_true (adit_host_is_valid (good[i], &error));
      g_assert_no_error (error);
    }

  /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
  name253 = g_strdup_printf ("%s.%s.%s.%.61s", label63, label63, label63, label63);
  g_assert_cmpuint (strlen (name253), ==, 253);
  g_assert_true (adit_host_is_valid (label63, NULL));
  g_assert_true (adit_host_is_valid (name253, NULL));
}

static void
assert_host_error (const char *host,
                   const char *mentions)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = g_strescape (host != NULL ? host : "(null)", NULL);

  g_test_message ("host “%s”", escaped);
  g_assert_false (adit_host_is_valid (host, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  adit_test_assert_mentions (error->message, mentions);
}

static void
test_host_invalid (void)
{
  g_autofree char *label64 = g_strnfill (64, 'a');
  g_autofree char *label63 = g_strnfill (63, 'a');
  g_autofree char *name254 = g_strdup_printf ("%s.%s.%s.%.62s", label63, label63, label63,
                                              label63);

  assert_host_error ("ma il", "a space");
  assert_host_error ("bob@mail", "“@”");
  assert_host_error ("mail/x", "“/”");
  assert_host_error ("mail,example", "“,”");
  assert_host_error ("mail;rm", "“;”");
  assert_host_error ("a\tb", "control character");
  assert_host_error ("a\nb", "control character");
  assert_host_error ("a..b", "a..b");
  assert_host_error (".example.com", ".example.com");
  assert_host_error ("mail.example.com..", "mail.example.com..");
  assert_host_error (".", "“.”");
  assert_host_error ("-mail.example.com", "-mail.example.com");
  assert_host_error ("mail-.example.com", "mail-.example.com");
  assert_host_error (label64, "63");
  assert_host_error (name254, "253");
  assert_host_error ("256.1.1.1", "256.1.1.1");
  assert_host_error ("10.0.0", "10.0.0");
  assert_host_error ("010.0.0.1", "010.0.0.1");
  assert_host_error ("1.2.3.4.", "1.2.3.4.");
  assert_host_error ("1100", "1100");
  assert_host_error ("2001:db8::g", "2001:db8::g");
  assert_host_error ("bücher.example", "xn--bcher-kva.example");
  assert_host_error ("\xff\xfe", NULL);
  assert_host_error ("", "missing");
  assert_host_error (NULL, "missing");
}

static void
test_parse_hosts (void)
{
  g_autoptr(AditForward) underscore = parse_ok ("1100:_srv.example.com:110");
  g_autoptr(AditForward) dot = parse_ok ("1100:mail.example.com.:110");

  g_assert_cmpstr (underscore->host, ==, "_srv.example.com");
  g_assert_cmpstr (dot->host, ==, "mail.example.com.");

  assert_forward_error ("1100::110", ADIT_ERROR_INVALID_HOST, "1100::110");
  assert_forward_error ("1100:ma il:110", ADIT_ERROR_INVALID_HOST, "“ma il”");
  assert_forward_error ("1100:ma il:110", ADIT_ERROR_INVALID_HOST, "1100:ma il:110");
  assert_forward_error ("1100:bob@mail:110", ADIT_ERROR_INVALID_HOST, "bob@mail");
  assert_forward_error ("1100:a..b:110", ADIT_ERROR_INVALID_HOST, "a..b");
  assert_forward_error ("1100:-a:110", ADIT_ERROR_INVALID_HOST, "-a");
  assert_forward_error ("1100:999.0.0.1:110", ADIT_ERROR_INVALID_HOST, "999.0.0.1");
  assert_forward_error ("bad host:1100:h:110", ADIT_ERROR_INVALID_HOST, "bad host");
  assert_forward_error ("[*]:1100:h:110", ADIT_ERROR_INVALID_HOST, "*");
  assert_forward_error ("1100:mail\x01:110", ADIT_ERROR_INVALID_HOST, "control character");
}

static void
test_parse_shape (void)
{
  assert_forward_error ("", ADIT_ERROR_INVALID_FORWARD, "1100:mail.example.com:110");
  assert_forward_error ("1100", ADIT_ERROR_INVALID_FORWARD, "“1100”");
  assert_forward_error ("1100:mail", ADIT_ERROR_INVALID_FORWARD, "“1100:mail”");
  assert_forward_error ("a:1100:mail:110:x", ADIT_ERROR_INVALID_FORWARD, "a:1100:mail:110:x");
  assert_forward_error ("1100:mail:110:", ADIT_ERROR_INVALID_FORWARD, "1100:mail:110:");
  assert_forward_error ("/tmp/socket:mail:110", ADIT_ERROR_INVALID_FORWARD, "Unix socket");
  assert_forward_error ("1100:/run/mail.sock", ADIT_ERROR_INVALID_FORWARD, "/run/mail.sock");
}

static void
test_message_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_spec = NULL;
  g_autofree char *long_host = g_strnfill (500, 'h');

  /* Someone's paste can be anything; the message must stay readable. */
  g_assert_null (adit_forward_parse ("1100:m\xc3\x28il:110", &error));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  long_spec = g_strdup_printf ("1100:%s@:110", long_host);
  g_assert_null (adit_forward_parse (long_spec, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST);
  g_assert_cmpuint (strlen (error->message), <, 500);
  adit_test_assert_mentions (error->message, "…");
}

static void
test_to_string (void)
{
  static const struct {
    const char *spec;
    const char *string;
  } cases[] = {
    { "1100:mail.example.com:110", "1100:mail.example.com:110" },
    { "localhost:1100:mail:110", "localhost:1100:mail:110" },
    { "*:1100:mail:110", "*:1100:mail:110" },
    { ":1100:mail:110", "*:1100:mail:110" },
    { "[::1]:1100:[2001:db8::1]:110", "[::1]:1100:[2001:db8::1]:110" },
    { "1100:[2001:db8::1]:110", "1100:[2001:db8::1]:110" },
    { "0.0.0.0:8080:10.0.0.1:80", "0.0.0.0:8080:10.0.0.1:80" },
    { "1100:[mail]:110", "1100:mail:110" },
    { "01100:mail:0110", "1100:mail:110" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AditForward) forward = parse_ok (cases[i].spec);
      g_autofree char *string = adit_forward_to_string (forward);
      g_autoptr(AditForward) again = parse_ok (string);

      g_assert_cmpstr (string, ==, cases[i].string);
      g_assert_true (adit_forward_equal (forward, again));
    }
}

static void
test_new_copy_equal (void)
{
  g_autoptr(AditForward) forward = adit_forward_new (NULL, 1100, "mail", 110);
  g_autoptr(AditForward) copy = adit_forward_copy (forward);
  g_autoptr(AditForward) boxed = g_boxed_copy (ADIT_TYPE_FORWARD, forward);
  g_autoptr(AditForward) other_bind = adit_forward_new ("localhost", 1100, "mail", 110);
  g_autoptr(AditForward) other_port = adit_forward_new (NULL, 1101, "mail", 110);
  g_autoptr(AditForward) other_host = adit_forward_new (NULL, 1100, "mail2", 110);
  g_autoptr(AditForward) other_host_port = adit_forward_new (NULL, 1100, "mail", 111);
  g_autoptr(AditForward) empty_bind = adit_forward_new ("", 1100, "mail", 110);

  g_assert_true (G_TYPE_IS_BOXED (ADIT_TYPE_FORWARD));
  g_assert_true (adit_forward_equal (forward, copy));
  g_assert_true (adit_forward_equal (forward, boxed));
  g_assert_true (copy->host != forward->host);
  g_assert_false (adit_forward_equal (forward, other_bind));
  g_assert_false (adit_forward_equal (forward, other_port));
  g_assert_false (adit_forward_equal (forward, other_host));
  g_assert_false (adit_forward_equal (forward, other_host_port));
  g_assert_false (adit_forward_equal (forward, NULL));
  g_assert_true (adit_forward_equal (NULL, NULL));
  g_assert_cmpstr (empty_bind->bind_address, ==, "*");

  adit_forward_free (NULL);
}

static void
test_local_only (void)
{
  static const struct {
    const char *bind_address;
    gboolean local_only;
  } cases[] = {
    { NULL, TRUE }, { "localhost", TRUE }, { "LOCALHOST", TRUE }, { "127.0.0.1", TRUE },
    { "127.1.2.3", TRUE }, { "::1", TRUE }, { "*", FALSE }, { "0.0.0.0", FALSE }, { "::", FALSE },
    { "192.168.0.10", FALSE }, { "example.com", FALSE }, { "localhost.example.com", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AditForward) forward = adit_forward_new (cases[i].bind_address, 1, "h", 1);

      g_assert_cmpint (adit_forward_is_local_only (forward), ==, cases[i].local_only);
    }
}

/* AditTunnel */

static void
test_tunnel_defaults (void)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  AditHostKeyPolicy policy;
  guint port, interval, count, timeout;
  g_autofree char *host = NULL;

  g_assert_null (adit_tunnel_get_name (tunnel));
  g_assert_null (adit_tunnel_get_host (tunnel));
  g_assert_cmpuint (adit_tunnel_get_port (tunnel), ==, ADIT_DEFAULT_SSH_PORT);
  g_assert_null (adit_tunnel_get_user (tunnel));
  g_assert_null (adit_tunnel_get_identity_file (tunnel));
  g_assert_cmpint (adit_tunnel_get_host_key_policy (tunnel), ==, ADIT_HOST_KEY_POLICY_ASK);
  g_assert_null (adit_tunnel_get_known_hosts_file (tunnel));
  g_assert_cmpuint (adit_tunnel_get_alive_interval (tunnel), ==, ADIT_DEFAULT_ALIVE_INTERVAL);
  g_assert_cmpuint (adit_tunnel_get_alive_count_max (tunnel), ==, ADIT_DEFAULT_ALIVE_COUNT_MAX);
  g_assert_cmpuint (adit_tunnel_get_connect_timeout (tunnel), ==, ADIT_DEFAULT_CONNECT_TIMEOUT);
  g_assert_cmpuint (adit_tunnel_get_forwards (tunnel)->len, ==, 0);

  g_object_get (tunnel,
                "host", &host,
                "port", &port,
                "host-key-policy", &policy,
                "alive-interval", &interval,
                "alive-count-max", &count,
                "connect-timeout", &timeout,
                NULL);
  g_assert_null (host);
  g_assert_cmpuint (port, ==, 22);
  g_assert_cmpint (policy, ==, ADIT_HOST_KEY_POLICY_ASK);
  g_assert_cmpuint (interval, ==, 15);
  g_assert_cmpuint (count, ==, 3);
  g_assert_cmpuint (timeout, ==, 30);

  g_assert_true (G_TYPE_IS_ENUM (ADIT_TYPE_HOST_KEY_POLICY));
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
assert_notifies_once (AditTunnel   *tunnel,
                      const char   *property,
                      const GValue *first,
                      const GValue *second)
{
  g_autofree char *signal = g_strdup_printf ("notify::%s", property);
  guint count = 0;
  gulong handler;

  handler = g_signal_connect (tunnel, signal, G_CALLBACK (count_notify_cb), &count);

  g_object_set_property (G_OBJECT (tunnel), property, first);
  g_assert_cmpuint (count, ==, 1);
  g_object_set_property (G_OBJECT (tunnel), property, first);
  g_assert_cmpuint (count, ==, 1);
  g_object_set_property (G_OBJECT (tunnel), property, second);
  g_assert_cmpuint (count, ==, 2);
  g_object_set_property (G_OBJECT (tunnel), property, second);
  g_assert_cmpuint (count, ==, 2);

  g_signal_handler_disconnect (tunnel, handler);
}

static void
test_tunnel_notify (void)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  static const char *strings[] = { "name", "host", "user", "identity-file", "known-hosts-file" };
  static const char *uints[] = { "port", "alive-interval", "alive-count-max", "connect-timeout" };
  guint count = 0;

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_auto(GValue) first = G_VALUE_INIT;
      g_auto(GValue) second = G_VALUE_INIT;

      g_value_init (&first, G_TYPE_STRING);
      g_value_set_string (&first, "one");
      g_value_init (&second, G_TYPE_STRING);
      g_value_set_string (&second, "two");
      assert_notifies_once (tunnel, strings[i], &first, &second);
    }

  for (guint i = 0; i < G_N_ELEMENTS (uints); i++)
    {
      g_auto(GValue) first = G_VALUE_INIT;
      g_auto(GValue) second = G_VALUE_INIT;

      g_value_init (&first, G_TYPE_UINT);
      g_value_set_uint (&first, 2222);
      g_value_init (&second, G_TYPE_UINT);
      g_value_set_uint (&second, 1);
      assert_notifies_once (tunnel, uints[i], &first, &second);
    }

  {
    g_auto(GValue) first = G_VALUE_INIT;
    g_auto(GValue) second = G_VALUE_INIT;

    g_value_init (&first, ADIT_TYPE_HOST_KEY_POLICY);
    g_value_set_enum (&first, ADIT_HOST_KEY_POLICY_STRICT);
    g_value_init (&second, ADIT_TYPE_HOST_KEY_POLICY);
    g_value_set_enum (&second, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);
    assert_notifies_once (tunnel, "host-key-policy", &first, &second);
  }

  /* The setters behave the same; "" is "not set", the same as NULL. */
  g_signal_connect (tunnel, "notify", G_CALLBACK (count_notify_cb), &count);
  adit_tunnel_set_host (tunnel, "other.example.com");
  adit_tunnel_set_host (tunnel, "other.example.com");
  g_assert_cmpuint (count, ==, 1);
  adit_tunnel_set_user (tunnel, NULL);
  g_assert_cmpuint (count, ==, 2);
  adit_tunnel_set_user (tunnel, "");
  g_assert_null (adit_tunnel_get_user (tunnel));
  g_assert_cmpuint (count, ==, 2);
  adit_tunnel_set_port (tunnel, 1);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);
  adit_tunnel_set_alive_interval (tunnel, 1);
  g_assert_cmpuint (count, ==, 2);
  adit_tunnel_set_alive_interval (tunnel, 0);
  g_assert_cmpuint (count, ==, 3);
  g_assert_cmpuint (adit_tunnel_get_alive_interval (tunnel), ==, 0);
}

static AditTunnel *
mail_tunnel (void)
{
  AditTunnel *tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, 1100, "mail.example.com", 110);

  adit_tunnel_set_host (tunnel, "other.example.com");
  adit_tunnel_add_forward (tunnel, forward);

  return tunnel;
}

static void
test_tunnel_copy (void)
{
  AditTunnel *tunnel = mail_tunnel ();
  AditTunnel *copy;
  g_autoptr(AditForward) extra = adit_forward_new ("*", 8080, "web", 80);
  AditForward *original_forward;
  AditForward *copied_forward;

  adit_tunnel_set_name (tunnel, "Mail");
  adit_tunnel_set_port (tunnel, 2222);
  adit_tunnel_set_user (tunnel, "bob");
  adit_tunnel_set_identity_file (tunnel, "/home/bob/.ssh/id_ed25519");
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_STRICT);
  adit_tunnel_set_known_hosts_file (tunnel, "/dev/null");
  adit_tunnel_set_alive_interval (tunnel, 5);
  adit_tunnel_set_alive_count_max (tunnel, 7);
  adit_tunnel_set_connect_timeout (tunnel, 9);

  copy = adit_tunnel_copy (tunnel);
  g_assert_true (copy != tunnel);
  g_assert_cmpstr (adit_tunnel_get_name (copy), ==, "Mail");
  g_assert_cmpstr (adit_tunnel_get_host (copy), ==, "other.example.com");
  g_assert_cmpuint (adit_tunnel_get_port (copy), ==, 2222);
  g_assert_cmpstr (adit_tunnel_get_user (copy), ==, "bob");
  g_assert_cmpstr (adit_tunnel_get_identity_file (copy), ==, "/home/bob/.ssh/id_ed25519");
  g_assert_cmpint (adit_tunnel_get_host_key_policy (copy), ==, ADIT_HOST_KEY_POLICY_STRICT);
  g_assert_cmpstr (adit_tunnel_get_known_hosts_file (copy), ==, "/dev/null");
  g_assert_cmpuint (adit_tunnel_get_alive_interval (copy), ==, 5);
  g_assert_cmpuint (adit_tunnel_get_alive_count_max (copy), ==, 7);
  g_assert_cmpuint (adit_tunnel_get_connect_timeout (copy), ==, 9);

  /* Deep: the forwards are equal but not shared. */
  g_assert_cmpuint (adit_tunnel_get_forwards (copy)->len, ==, 1);
  original_forward = g_ptr_array_index (adit_tunnel_get_forwards (tunnel), 0);
  copied_forward = g_ptr_array_index (adit_tunnel_get_forwards (copy), 0);
  g_assert_true (original_forward != copied_forward);
  g_assert_true (adit_forward_equal (original_forward, copied_forward));

  /* Changing one leaves the other alone. */
  adit_tunnel_set_host (copy, "elsewhere.example.com");
  adit_tunnel_set_user (copy, NULL);
  adit_tunnel_add_forward (copy, extra);
  g_assert_cmpstr (adit_tunnel_get_host (tunnel), ==, "other.example.com");
  g_assert_cmpstr (adit_tunnel_get_user (tunnel), ==, "bob");
  g_assert_cmpuint (adit_tunnel_get_forwards (tunnel)->len, ==, 1);

  adit_tunnel_clear_forwards (tunnel);
  g_assert_cmpuint (adit_tunnel_get_forwards (tunnel)->len, ==, 0);
  g_assert_cmpuint (adit_tunnel_get_forwards (copy)->len, ==, 2);

  g_assert_finalize_object (tunnel);
  g_assert_finalize_object (copy);
}

static void
test_tunnel_describe (void)
{
  g_autoptr(AditTunnel) tunnel = mail_tunnel ();
  g_autoptr(AditTunnel) empty = adit_tunnel_new ();
  g_autoptr(AditForward) second = adit_forward_new (NULL, 2525, "mail.example.com", 25);
  g_autoptr(AditForward) third = adit_forward_new (NULL, 9930, "mail.example.com", 993);
  g_autoptr(AditForward) open = adit_forward_new ("0.0.0.0", 1100, "mail.example.com", 110);
  g_autoptr(AditForward) ipv6 = adit_forward_new ("::", 1100, "2001:db8::1", 110);
  g_autoptr(AditForward) loopback = adit_forward_new ("127.0.0.1", 1100, "mail", 110);
  char *text;

  text = adit_tunnel_describe (tunnel);
  g_assert_cmpstr (text, ==, "localhost:1100 → mail.example.com:110 via other.example.com");
  g_free (text);

  adit_tunnel_add_forward (tunnel, second);
  text = adit_tunnel_describe (tunnel);
  g_assert_cmpstr (text, ==,
                   "localhost:1100 → mail.example.com:110 via other.example.com (+1 more)");
  g_free (text);

  adit_tunnel_add_forward (tunnel, third);
  text = adit_tunnel_describe (tunnel);
  g_assert_cmpstr (text, ==,
                   "localhost:1100 → mail.example.com:110 via other.example.com (+2 more)");
  g_free (text);

  adit_tunnel_clear_forwards (tunnel);
  adit_tunnel_add_forward (tunnel, open);
  text = adit_tunnel_describe (tunnel);
  g_assert_cmpstr (text, ==, "0.0.0.0:1100 → mail.example.com:110 via other.example.com");
  g_free (text);

  adit_tunnel_clear_forwards (tunnel);
  adit_tunnel_add_forward (tunnel, ipv6);
  text = adit_tunnel_describe (tunnel);
  g_assert_cmpstr (text, ==, "[::]:1100 → [2001:db8::1]:110 via other.example.com");
  g_free (text);

  adit_tunnel_clear_forwards (tunnel);
  adit_tunnel_add_forward (tunnel, loopback);
  text = adit_tunnel_describe (tunnel);
  g_assert_cmpstr (text, ==, "localhost:1100 → mail:110 via other.example.com");
  g_free (text);

  adit_tunnel_clear_forwards (tunnel);
  text = adit_tunnel_describe (tunnel);
  g_assert_cmpstr (text, ==, "other.example.com");
  g_free (text);

  text = adit_tunnel_describe (empty);
  g_assert_cmpstr (text, ==, "");
  g_free (text);
}

static void
test_tunnel_validate (void)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, 1100, "mail", 110);
  g_autoptr(AditForward) same_port = adit_forward_new ("localhost", 1100, "mail", 25);
  g_autoptr(AditForward) everywhere = adit_forward_new ("*", 1100, "mail", 25);
  g_autoptr(AditForward) other_port = adit_forward_new (NULL, 1101, "mail", 25);
  g_autoptr(GError) error = NULL;

  g_assert_false (adit_tunnel_validate (tunnel, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST);
  adit_test_assert_mentions (error->message, "server");
  g_clear_error (&error);

  adit_tunnel_set_host (tunnel, "bad host");
  g_assert_false (adit_tunnel_validate (tunnel, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST);
  adit_test_assert_mentions (error->message, "bad host");
  g_clear_error (&error);

  adit_tunnel_set_host (tunnel, "other.example.com");
  g_assert_false (adit_tunnel_validate (tunnel, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD);
  adit_test_assert_mentions (error->message, "at least one local port");
  g_clear_error (&error);

  adit_tunnel_add_forward (tunnel, forward);
  adit_tunnel_add_forward (tunnel, other_port);
  g_assert_true (adit_tunnel_validate (tunnel, &error));
  g_assert_no_error (error);

  adit_tunnel_add_forward (tunnel, same_port);
  g_assert_false (adit_tunnel_validate (tunnel, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD);
  adit_test_assert_mentions (error->message, "1100");
  g_clear_error (&error);

  adit_tunnel_clear_forwards (tunnel);
  adit_tunnel_add_forward (tunnel, forward);
  adit_tunnel_add_forward (tunnel, everywhere);
  g_assert_false (adit_tunnel_validate (tunnel, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/adit/engine/forward-spec/parse-basic", test_parse_basic);
  g_test_add_func ("/adit/engine/forward-spec/parse-bind-address", test_parse_bind_address);
  g_test_add_func ("/adit/engine/forward-spec/parse-ipv6", test_parse_ipv6);
  g_test_add_func ("/adit/engine/forward-spec/parse-ports", test_parse_ports);
  g_test_add_func ("/adit/engine/forward-spec/parse-hosts", test_parse_hosts);
  g_test_add_func ("/adit/engine/forward-spec/parse-shape", test_parse_shape);
  g_test_add_func ("/adit/engine/forward-spec/message-text", test_message_text);
  g_test_add_func ("/adit/engine/forward-spec/to-string", test_to_string);
  g_test_add_func ("/adit/engine/forward-spec/new-copy-equal", test_new_copy_equal);
  g_test_add_func ("/adit/engine/forward-spec/local-only", test_local_only);
  g_test_add_func ("/adit/engine/port/parse", test_port_parse);
  g_test_add_func ("/adit/engine/host/valid", test_host_valid);
  g_test_add_func ("/adit/engine/host/invalid", test_host_invalid);
  g_test_add_func ("/adit/engine/tunnel/defaults", test_tunnel_defaults);
  g_test_add_func ("/adit/engine/tunnel/notify", test_tunnel_notify);
  g_test_add_func ("/adit/engine/tunnel/copy", test_tunnel_copy);
  g_test_add_func ("/adit/engine/tunnel/describe", test_tunnel_describe);
  g_test_add_func ("/adit/engine/tunnel/validate", test_tunnel_validate);

  return g_test_run ();
}
