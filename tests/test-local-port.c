/* test-local-port.c — what the editor says about a local port, against real sockets: a port
 * another program listens on is taken, named after that program when this user may see it,
 * and a free one is offered instead; a port below 1024 needs administrator rights only for
 * people who do not have them (checked as an ordinary user in a subprocess); odd lines in
 * /proc's socket tables are skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "adit-error.h"
#include "adit-local-port.h"
#include "adit-local-port-private.h"
#include "adit-test-util.h"

/* The port a subprocess test works on, handed over by its parent. */
#define PORT_ENV "ADIT_TEST_LOCAL_PORT"

static guint16
free_port (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = adit_test_free_port ("127.0.0.1", &error);

  g_assert_no_error (error);
  /* Ephemeral ports are far above 1024: nothing here is about privileged ports. */
  g_assert_cmpuint (port, >=, 1024);
  return port;
}

static char *
own_name (void)
{
  g_autofree char *comm = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/comm", &comm, NULL, NULL));
  return g_strdup (g_strchomp (comm));
}

static gboolean
have_ipv6 (void)
{
  g_autoptr(GError) error = NULL;

  return adit_test_free_port ("::1", &error) != 0;
}

static gboolean
can_open_port_110 (void)
{
  g_autofree char *start = NULL;

  if (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &start, NULL,
                           NULL) && atoi (start) <= 110)
    return TRUE;
  return getuid () == 0;
}

static void
test_free (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) taken = NULL;
  guint16 port = free_port ();
  guint16 suggestion = 1;

  g_assert_true (adit_local_port_is_free (NULL, port));
  g_assert_true (adit_local_port_is_free ("localhost", port));
  g_assert_true (adit_local_port_is_free ("127.0.0.1", port));
  g_assert_true (adit_local_port_is_free ("*", port));
  g_assert_null (adit_local_port_owner (port));

  g_assert_true (adit_local_port_check (NULL, port, &suggestion, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (suggestion, ==, 0);

  /* What was probed is free again for the tunnel: nothing was left bound. */
  taken = adit_test_occupy_port ("127.0.0.1", port);
  g_socket_close (taken, NULL);
  g_assert_true (adit_local_port_is_free (NULL, port));
}

static void
test_in_use (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) taken = NULL;
  g_autoptr(GSocket) offered = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *name = own_name ();
  g_autofree char *expected = NULL;
  guint16 port = free_port ();
  guint16 suggestion = 0;

  taken = adit_test_occupy_port ("127.0.0.1", port);

  g_assert_false (adit_local_port_is_free (NULL, port));
  g_assert_false (adit_local_port_is_free ("127.0.0.1", port));
  /* [::] serves IPv4 too, so it clashes with a program on 127.0.0.1. */
  g_assert_false (adit_local_port_is_free ("*", port));

  owner = adit_local_port_owner (port);
  g_assert_cmpstr (owner, ==, name);

  g_assert_false (adit_local_port_check (NULL, port, &suggestion, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_PORT_IN_USE);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (suggestion, >, port);
  expected = g_strdup_printf ("Port %u is already used by %s. Use %u instead?",
                              port, name, suggestion);
  g_assert_cmpstr (error->message, ==, expected);

  /* The port offered really is one a tunnel can listen on. */
  g_assert_true (adit_local_port_is_free (NULL, suggestion));
  offered = adit_test_occupy_port ("127.0.0.1", suggestion);
  g_socket_close (offered, NULL);

  g_socket_close (taken, NULL);
  g_assert_true (adit_local_port_is_free (NULL, port));
}

static void
test_in_use_ipv6 (void)
{
  g_autoptr(GSocket) taken = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *name = own_name ();
  guint16 port;

  if (!have_ipv6 ())
    {
      g_test_skip ("this computer has no IPv6");
      return;
    }

  /* A program on ::1 only: a tunnel listens there too, so the port is taken. */
  port = free_port ();
  taken = adit_test_occupy_port ("::1", port);
  g_assert_false (adit_local_port_is_free (NULL, port));
  owner = adit_local_port_owner (port);
  g_assert_cmpstr (owner, ==, name);
  /* … but a tunnel on 127.0.0.1 alone does not clash with it. */
  g_assert_true (adit_local_port_is_free ("127.0.0.1", port));
  g_socket_close (taken, NULL);
}

static void
test_suggest (void)
{
  g_autoptr(GSocket) taken = NULL;
  guint16 port = free_port ();
  guint16 suggestion;

  g_assert_cmpuint (adit_suggest_unprivileged_port (110), ==, 1100);
  g_assert_cmpuint (adit_suggest_unprivileged_port (143), ==, 1430);
  g_assert_cmpuint (adit_suggest_unprivileged_port (80), ==, 8080);
  g_assert_cmpuint (adit_suggest_unprivileged_port (22), ==, 8022);
  g_assert_cmpuint (adit_suggest_unprivileged_port (5000), ==, 5000);

  /* Never below 1024, whatever is asked. */
  suggestion = adit_local_port_suggest_free (NULL, 80);
  g_assert_cmpuint (suggestion, >=, 1024);
  g_assert_true (adit_local_port_is_free (NULL, suggestion));

  taken = adit_test_occupy_port ("127.0.0.1", port);
  suggestion = adit_local_port_suggest_free (NULL, port);
  g_assert_cmpuint (suggestion, >, port);
  g_assert_true (adit_local_port_is_free (NULL, suggestion));
  g_socket_close (taken, NULL);

  /* The top of the range: nothing above 65535 is tried. */
  suggestion = adit_local_port_suggest_free (NULL, 65535);
  g_assert_true (suggestion == 0 || suggestion == 65535);
}

static void
test_address_not_here (void)
{
  g_autoptr(GError) error = NULL;
  guint16 suggestion = 1;
  guint16 port = free_port ();

  /* 192.0.2.1 is for documentation: no computer has it. */
  g_assert_false (adit_local_port_is_free ("192.0.2.1", port));
  g_assert_false (adit_local_port_check ("192.0.2.1", port, &suggestion, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_BIND_FAILED);
  adit_test_assert_mentions (error->message, "192.0.2.1");
  g_assert_cmpuint (suggestion, ==, 0);
}

/* Port 110 for whoever runs the suite: root may open it, and it is then allowed. */
static void
test_privileged_as_is (void)
{
  g_autoptr(GError) error = NULL;
  guint16 suggestion = 0;

  if (!can_open_port_110 ())
    {
      g_test_skip ("the ordinary-user case is /adit/engine/local-port/privileged");
      return;
    }

  if (adit_local_port_check (NULL, 110, &suggestion, &error))
    return;

  /* Only a POP3 server running here could make it fail. */
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_PORT_IN_USE);
  g_test_message ("%s", error->message);
}

static void
drop_root (void)
{
  if (getuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
    g_error ("dropping to uid 65534: %s", g_strerror (errno));
}

static void
test_privileged_subprocess (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  guint16 suggestion = 0;

  drop_root ();

  g_assert_false (adit_local_port_is_free (NULL, 110));
  g_assert_false (adit_local_port_check (NULL, 110, &suggestion, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_PRIVILEGED_PORT);
  /* 1100, unless some program here has it. */
  g_assert_cmpuint (suggestion, ==, adit_local_port_suggest_free (NULL, 1100));
  expected = g_strdup_printf ("Use %u instead?", suggestion);
  adit_test_assert_mentions (error->message, expected);
  g_print ("%s\n", error->message);
}

static void
test_privileged (void)
{
  g_autofree char *start = NULL;

  if (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &start, NULL,
                           NULL) && atoi (start) <= 110)
    {
      g_test_skip ("this computer lets everybody open ports below 1024");
      return;
    }

  g_test_trap_subprocess ("/adit/engine/local-port/privileged/subprocess", 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  if (adit_local_port_is_free (NULL, 1100))
    g_test_trap_assert_stdout ("Port 110 is below 1024, which needs administrator rights. "
                               "Use 1100 instead?\n");
  else
    g_test_trap_assert_stdout ("Port 110 is below 1024, which needs administrator rights.*");
}

static void
test_owner_hidden_subprocess (void)
{
  g_autoptr(GError) error = NULL;
  const char *text = g_getenv (PORT_ENV);
  guint16 port;
  guint16 suggestion = 0;

  g_assert_nonnull (text);
  port = (guint16) atoi (text);

  drop_root ();

  /* Another user's program: the port is taken, and who has it cannot be told. */
  g_assert_false (adit_local_port_is_free (NULL, port));
  g_assert_null (adit_local_port_owner (port));
  g_assert_false (adit_local_port_check (NULL, port, &suggestion, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_PORT_IN_USE);
  g_assert_cmpuint (suggestion, !=, 0);
  g_print ("%s\n", error->message);
}

static void
test_owner_hidden (void)
{
  g_autoptr(GSocket) taken = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pattern = NULL;
  guint16 port;

  if (getuid () != 0)
    {
      g_test_skip ("needs root, to run a program as another user");
      return;
    }

  port = free_port ();
  taken = adit_test_occupy_port ("127.0.0.1", port);
  text = g_strdup_printf ("%u", port);
  g_setenv (PORT_ENV, text, TRUE);

  g_test_trap_subprocess ("/adit/engine/local-port/owner-hidden/subprocess",
                          30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  pattern = g_strdup_printf ("Port %u is already used by another program on this computer. "
                             "Use * instead?\n", port);
  g_test_trap_assert_stdout (pattern);

  g_unsetenv (PORT_ENV);
  g_socket_close (taken, NULL);
}

static void
test_proc_table (void)
{
  static const char table[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n"
    /* listening on 1100 (0x044C): counted */
    "   0: 0100007F:044C 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        "
    "0 111 1 0000000000000000 100 0 0 10 0\n"
    /* an established connection from port 1100: not a listener */
    "   1: 0100007F:044C 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        "
    "0 222 1 0000000000000000 20 4 30 10 -1\n"
    /* IPv6 shape, listening on 1100 */
    "   2: 00000000000000000000000001000000:044C 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 333 1 0000000000000000 100 0 0 10 0\n"
    /* another port */
    "   3: 0100007F:044D 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 444\n"
    /* hostile: short, no colon, not hex, huge numbers, inode 0, empty, spaces only */
    "   4: 0100007F:044C 00000000:0000 0A\n"
    "   5: 0100007F044C 00000000:0000 0A 0 0 0 0 0 555\n"
    "   6: 0100007F:XYZW 00000000:0000 0A 0 0 0 0 0 666\n"
    "   7: 0100007F:1044C 00000000:0000 0A 0 0 0 0 0 777\n"
    "   8: 0100007F:044C 00000000:0000 0A 0 0 0 0 0 0\n"
    "   9: 0100007F:044C 00000000:0000 0A 0 0 0 0 0 99999999999999999999999\n"
    "  10: 0100007F:044C 00000000:0000 0A 0 0 0 0 0 -5\n"
    "  11: 0100007F: 00000000:0000 0A 0 0 0 0 0 888\n"
    "\n"
    "        \n"
    "\t\t\t\n"
    /* no newline at the end */
    "  12: 0100007F:044C 00000000:0000 0A 0 0 0 0 0 999";
  g_autoptr(GArray) inodes = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("adit-test-local-port-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *binary = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "tcp", NULL);
  g_file_set_contents (path, table, -1, &error);
  g_assert_no_error (error);

  _adit_local_port_listening_inodes (path, 1100, inodes);
  g_assert_cmpuint (inodes->len, ==, 3);
  g_assert_cmpuint (g_array_index (inodes, guint64, 0), ==, 111);
  g_assert_cmpuint (g_array_index (inodes, guint64, 1), ==, 333);
  g_assert_cmpuint (g_array_index (inodes, guint64, 2), ==, 999);

  /* Bytes that are no table at all, NULs included, and a file that is not there. */
  g_array_set_size (inodes, 0);
  binary = g_malloc (4096);
  for (guint i = 0; i < 4096; i++)
    binary[i] = (char) g_test_rand_int_range (0, 256);
  g_file_set_contents (path, binary, 4096, &error);
  g_assert_no_error (error);
  _adit_local_port_listening_inodes (path, 1100, inodes);
  _adit_local_port_listening_inodes ("/nonexistent/tcp", 1100, inodes);
  g_assert_cmpuint (inodes->len, ==, 0);

  adit_test_remove_tree (dir, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/adit/engine/local-port/free", test_free);
  g_test_add_func ("/adit/engine/local-port/in-use", test_in_use);
  g_test_add_func ("/adit/engine/local-port/in-use-ipv6", test_in_use_ipv6);
  g_test_add_func ("/adit/engine/local-port/suggest", test_suggest);
  g_test_add_func ("/adit/engine/local-port/address-not-here", test_address_not_here);
  g_test_add_func ("/adit/engine/local-port/privileged-as-is", test_privileged_as_is);
  g_test_add_func ("/adit/engine/local-port/privileged", test_privileged);
  g_test_add_func ("/adit/engine/local-port/privileged/subprocess",
                   test_privileged_subprocess);
  g_test_add_func ("/adit/engine/local-port/owner-hidden", test_owner_hidden);
  g_test_add_func ("/adit/engine/local-port/owner-hidden/subprocess",
                   test_owner_hidden_subprocess);
  g_test_add_func ("/adit/engine/local-port/proc-table", test_proc_table);

  return g_test_run ();
}
