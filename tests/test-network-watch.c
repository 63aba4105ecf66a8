/* test-network-watch.c — AditNetworkWatch hears the computer wake up: logind's PrepareForSleep
 * on a system bus of the test's own (GTestDBus), sent the way logind sends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-engine.h"
#include "adit-test-util.h"

#define WAIT_SECONDS 10

typedef struct
{
  GDBusConnection *logind;   /* owns org.freedesktop.login1 */
  guint            changed;
} Fixture;

static void
changed_cb (AditNetworkWatch *watch,
            Fixture          *fixture)
{
  fixture->changed++;
}

static void
prepare_for_sleep (Fixture  *fixture,
                   gboolean  going_to_sleep)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (fixture->logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", going_to_sleep), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (fixture->logind, NULL, NULL);
}

static void
test_resume_from_sleep (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(AditNetworkWatch) watch = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  gint64 deadline;
  GVariant *reply;

  g_test_dbus_up (bus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (bus), TRUE);

  fixture.logind = adit_test_dbus_connect (bus);
  reply = g_dbus_connection_call_sync (fixture.logind, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1", 0),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_unref (reply);

  watch = adit_network_watch_new ();
  g_signal_connect (watch, "changed", G_CALLBACK (changed_cb), &fixture);

  /* The watch reaches the system bus asynchronously: wake up until it hears it. */
  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (fixture.changed == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      prepare_for_sleep (&fixture, FALSE);
      adit_test_iterate_for (50);
    }

  /* Going to sleep is nothing to act on; waking up is, each time. */
  fixture.changed = 0;
  prepare_for_sleep (&fixture, TRUE);
  adit_test_iterate_for (300);
  g_assert_cmpuint (fixture.changed, ==, 0);
  prepare_for_sleep (&fixture, FALSE);
  adit_test_iterate_for (300);
  g_assert_cmpuint (fixture.changed, ==, 1);

  /* Someone else on the bus saying the same is not logind. */
  {
    g_autoptr(GDBusConnection) stranger = adit_test_dbus_connect (bus);

    g_dbus_connection_emit_signal (stranger, NULL, "/org/freedesktop/login1",
                                   "org.freedesktop.login1.Manager", "PrepareForSleep",
                                   g_variant_new ("(b)", FALSE), &error);
    g_assert_no_error (error);
    g_dbus_connection_flush_sync (stranger, NULL, NULL);
    adit_test_iterate_for (300);
    g_assert_cmpuint (fixture.changed, ==, 1);
    g_dbus_connection_close_sync (stranger, NULL, NULL);
  }

  g_clear_object (&watch);
  g_dbus_connection_close_sync (fixture.logind, NULL, NULL);
  g_clear_object (&fixture.logind);
  g_test_dbus_stop (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/adit/network-watch/resume-from-sleep", test_resume_from_sleep);

  return g_test_run ();
}
