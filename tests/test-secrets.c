/* test-secrets.c — saved passwords and key passphrases, through the real libsecret API against
 * its file backend (SECRET_BACKEND=file: an encrypted keyring file in a temporary folder, no
 * D-Bus needed): what is saved comes back for the same tunnel and kind only, forgetting a
 * tunnel forgets both of its kinds and nothing else, and the secret is never on disk in clear
 * text, neither in the keyring file nor in the tunnel's .sshtunnel file, nor in the log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "adit-engine-enums.h"
#include "adit-error.h"
#include "adit-question.h"
#include "adit-secrets.h"
#include "adit-test-util.h"
#include "adit-tunnel-file.h"

#define PASSWORD_A   "correct horse battery staple"
#define PASSPHRASE_A "Tr0ub4dor&3 of alice's key"
#define PASSWORD_B   "hunter2 for bob, not alice"

/* Set by main () before libsecret is first used, which is when it reads them. */
static char *keyring_path;

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return wait->result;
}

/* Once its result is taken, nothing may keep a task alive: no reference (and through it no
 * tunnel, error or secret) is left behind. */
static void
release_result (GAsyncResult *result)
{
  g_assert_finalize_object (result);
}

static char *
lookup (AditTunnel      *tunnel,
        AditSecretKind   kind,
        GError         **error)
{
  GAsyncResult *result;
  Wait wait = { NULL };
  char *secret;

  adit_secrets_lookup_async (tunnel, kind, NULL, done_cb, &wait);
  result = wait_result (&wait);
  secret = adit_secrets_lookup_finish (result, error);
  release_result (result);
  return secret;
}

static void
store (AditTunnel     *tunnel,
       AditSecretKind  kind,
       const char     *secret)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result;
  Wait wait = { NULL };

  adit_secrets_store_async (tunnel, kind, secret, NULL, done_cb, &wait);
  result = wait_result (&wait);
  g_assert_true (adit_secrets_store_finish (result, &error));
  g_assert_no_error (error);
  release_result (result);
}

static void
clear (AditTunnel *tunnel)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result;
  Wait wait = { NULL };

  adit_secrets_clear_async (tunnel, NULL, done_cb, &wait);
  result = wait_result (&wait);
  g_assert_true (adit_secrets_clear_finish (result, &error));
  g_assert_no_error (error);
  release_result (result);
}

static void
assert_saved (AditTunnel     *tunnel,
              AditSecretKind  kind,
              const char     *expected)
{
  g_autoptr(GError) error = NULL;
  char *secret = lookup (tunnel, kind, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, expected);
  adit_secret_free (secret);
}

static AditTunnel *
new_tunnel (const char *user,
            const char *host)
{
  AditTunnel *tunnel = adit_tunnel_new ();
  g_autoptr(AditForward) forward = adit_forward_new (NULL, 1100, "mail.example.com", 110);

  adit_tunnel_set_name (tunnel, "Mail");
  adit_tunnel_set_user (tunnel, user);
  adit_tunnel_set_host (tunnel, host);
  adit_tunnel_add_forward (tunnel, forward);
  return tunnel;
}

/* Whether @needle's bytes stand anywhere in @path's. */
static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize needle_length = strlen (needle);
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 0);

  /* Byte by byte: an encrypted file is full of NULs. */
  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (contents + i, needle, needle_length) == 0)
      return TRUE;
  return FALSE;
}

static void
test_store_lookup (void)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("alice", "other.example.com");

  store (tunnel, ADIT_SECRET_PASSWORD, PASSWORD_A);
  assert_saved (tunnel, ADIT_SECRET_PASSWORD, PASSWORD_A);

  /* Saving again replaces, it does not add a second item. */
  store (tunnel, ADIT_SECRET_PASSWORD, "a newer password");
  assert_saved (tunnel, ADIT_SECRET_PASSWORD, "a newer password");

  /* A copy of the tunnel (same uuid) finds it; the same settings under another uuid do not. */
  {
    g_autoptr(AditTunnel) copy = adit_tunnel_copy (tunnel);
    g_autoptr(AditTunnel) twin = new_tunnel ("alice", "other.example.com");

    assert_saved (copy, ADIT_SECRET_PASSWORD, "a newer password");
    assert_saved (twin, ADIT_SECRET_PASSWORD, NULL);
  }

  clear (tunnel);
}

/* Two tunnels to the same server: alice's with both kinds saved, bob's with a password. */
typedef struct
{
  AditTunnel *alice;
  AditTunnel *bob;
} TwoTunnels;

static void
two_tunnels_set_up (TwoTunnels    *f,
                    gconstpointer  data)
{
  f->alice = new_tunnel ("alice", "other.example.com");
  f->bob = new_tunnel ("bob", "other.example.com");

  store (f->alice, ADIT_SECRET_PASSWORD, PASSWORD_A);
  store (f->alice, ADIT_SECRET_PASSPHRASE, PASSPHRASE_A);
  store (f->bob, ADIT_SECRET_PASSWORD, PASSWORD_B);
}

static void
two_tunnels_tear_down (TwoTunnels    *f,
                       gconstpointer  data)
{
  clear (f->alice);
  clear (f->bob);
  g_assert_finalize_object (f->alice);
  g_assert_finalize_object (f->bob);
}

static void
test_kept_apart (TwoTunnels    *f,
                 gconstpointer  data)
{
  assert_saved (f->alice, ADIT_SECRET_PASSWORD, PASSWORD_A);
  assert_saved (f->alice, ADIT_SECRET_PASSPHRASE, PASSPHRASE_A);
  assert_saved (f->bob, ADIT_SECRET_PASSWORD, PASSWORD_B);
  assert_saved (f->bob, ADIT_SECRET_PASSPHRASE, NULL);
}

static void
test_clear (TwoTunnels    *f,
            gconstpointer  data)
{
  clear (f->alice);
  assert_saved (f->alice, ADIT_SECRET_PASSWORD, NULL);
  assert_saved (f->alice, ADIT_SECRET_PASSPHRASE, NULL);
  assert_saved (f->bob, ADIT_SECRET_PASSWORD, PASSWORD_B);

  /* Forgetting what is not there is no failure. */
  clear (f->alice);
  assert_saved (f->bob, ADIT_SECRET_PASSWORD, PASSWORD_B);
}

static void
test_lookup_nothing (void)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel (NULL, "never-saved.example.com");
  g_autoptr(GError) error = NULL;
  char *secret = lookup (tunnel, ADIT_SECRET_PASSPHRASE, &error);

  g_assert_no_error (error);
  g_assert_null (secret);
}

static void
test_not_in_clear_text (void)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("alice", "other.example.com");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("adit-test-secrets-XXXXXX", &error);
  g_autofree char *tunnel_path = NULL;
  g_autofree char *label = NULL;

  g_assert_no_error (error);

  store (tunnel, ADIT_SECRET_PASSWORD, PASSWORD_A);
  store (tunnel, ADIT_SECRET_PASSPHRASE, PASSPHRASE_A);
  tunnel_path = g_build_filename (dir, "mail.sshtunnel", NULL);
  adit_tunnel_file_save (tunnel, NULL, tunnel_path, &error);
  g_assert_no_error (error);

  /* The keyring file is where the secrets went (it is not empty), encrypted. */
  g_assert_true (g_file_test (keyring_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (file_contains (keyring_path, PASSWORD_A));
  g_assert_false (file_contains (keyring_path, PASSPHRASE_A));
  g_assert_false (file_contains (keyring_path, "correct horse"));

  /* The tunnel file is the one that is exported and mailed around: no trace at all. */
  g_assert_true (file_contains (tunnel_path, "other.example.com"));
  g_assert_false (file_contains (tunnel_path, PASSWORD_A));
  g_assert_false (file_contains (tunnel_path, PASSPHRASE_A));
  g_assert_false (file_contains (tunnel_path, "correct horse"));

  clear (tunnel);
  adit_test_remove_tree (dir, &error);
  g_assert_no_error (error);
}

/* Every call, with every debug message GLib and libsecret have turned on. */
static void
test_never_logged_subprocess (void)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  /* Here, before libsecret or anything else started a thread. */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  tunnel = new_tunnel ("alice", "other.example.com");

  store (tunnel, ADIT_SECRET_PASSWORD, PASSWORD_A);
  secret = lookup (tunnel, ADIT_SECRET_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, PASSWORD_A);
  adit_secret_free (secret);
  clear (tunnel);
}

static void
test_never_logged (void)
{
  g_autofree char *pattern = g_strdup_printf ("*%s*", PASSWORD_A);

  g_test_trap_subprocess ("/adit/engine/secrets/never-logged/subprocess", 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* The debug messages really were on. */
  g_test_trap_assert_stdout ("*DEBUG*");
  g_test_trap_assert_stdout_unmatched (pattern);
  g_test_trap_assert_stderr_unmatched (pattern);
}

/* A keyring that cannot be written: its file would go under a path that is a file, where not
 * even root can make a folder. */
static void
test_unreachable_subprocess (void)
{
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (g_get_home_dir (), "a-file", NULL);
  g_autofree char *bad_path = g_build_filename (file, "keyring", NULL);
  GAsyncResult *result;
  Wait wait = { NULL };

  g_file_set_contents (file, "", 0, &error);
  g_assert_no_error (error);
  /* Here, before libsecret read it. */
  g_setenv ("SECRET_FILE_TEST_PATH", bad_path, TRUE);
  tunnel = new_tunnel ("alice", "other.example.com");

  adit_secrets_store_async (tunnel, ADIT_SECRET_PASSWORD, PASSWORD_A, NULL, done_cb, &wait);
  result = wait_result (&wait);
  g_assert_false (adit_secrets_store_finish (result, &error));
  release_result (result);
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_KEYRING);
  g_assert_null (strstr (error->message, PASSWORD_A));
  g_print ("%s\n", error->message);
}

static void
test_unreachable (void)
{
  g_test_trap_subprocess ("/adit/engine/secrets/unreachable/subprocess", 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("Adit could not reach the keyring to save the password (*).\n");
}

static void
test_cancelled (void)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("alice", "other.example.com");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result;
  Wait wait = { NULL };

  g_cancellable_cancel (cancellable);
  adit_secrets_store_async (tunnel, ADIT_SECRET_PASSWORD, PASSWORD_A, cancellable, done_cb,
                            &wait);
  result = wait_result (&wait);
  g_assert_false (adit_secrets_store_finish (result, &error));
  release_result (result);
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_CANCELLED);
  g_test_message ("%s", error->message);

  /* Nothing was saved. */
  assert_saved (tunnel, ADIT_SECRET_PASSWORD, NULL);
}

static void
test_kind_type (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (ADIT_TYPE_SECRET_KIND);

  g_assert_nonnull (g_enum_get_value (klass, ADIT_SECRET_PASSWORD));
  g_assert_nonnull (g_enum_get_value (klass, ADIT_SECRET_PASSPHRASE));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  g_autofree char *path = g_build_filename (home, "keyring", "adit-test.keyring", NULL);
  int status;

  /* libsecret reads these once, on first use. No D-Bus: the file backend does it all. A
   * subprocess test keeps the keyring its parent chose. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", path, FALSE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "pw", TRUE);
  keyring_path = g_strdup (g_getenv ("SECRET_FILE_TEST_PATH"));

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/adit/engine/secrets/store-lookup", test_store_lookup);
  g_test_add ("/adit/engine/secrets/kept-apart", TwoTunnels, NULL,
              two_tunnels_set_up, test_kept_apart, two_tunnels_tear_down);
  g_test_add ("/adit/engine/secrets/clear-one-tunnel", TwoTunnels, NULL,
              two_tunnels_set_up, test_clear, two_tunnels_tear_down);
  g_test_add_func ("/adit/engine/secrets/lookup-nothing", test_lookup_nothing);
  g_test_add_func ("/adit/engine/secrets/not-in-clear-text", test_not_in_clear_text);
  g_test_add_func ("/adit/engine/secrets/never-logged", test_never_logged);
  g_test_add_func ("/adit/engine/secrets/never-logged/subprocess",
                   test_never_logged_subprocess);
  g_test_add_func ("/adit/engine/secrets/unreachable", test_unreachable);
  g_test_add_func ("/adit/engine/secrets/unreachable/subprocess", test_unreachable_subprocess);
  g_test_add_func ("/adit/engine/secrets/cancelled", test_cancelled);
  g_test_add_func ("/adit/engine/secrets/kind-type", test_kind_type);

  status = g_test_run ();
  adit_test_remove_tree (home, NULL);
  g_free (keyring_path);

  return status;
}
