/* test-known-hosts.c — forgetting a server's identity after it changed, against real files:
 * the server's entries go (plain, "[host]:port", hashed by OpenSSH's own ssh-keygen -H),
 * every other line stays byte for byte, the file keeps its mode, a symbolic link stays a link,
 * a missing file is nothing to forget, and ~/.ssh/known_hosts is never changed — it is only
 * read, to tell whether the old identity is in the person's own SSH settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "adit-error.h"
#include "adit-known-hosts.h"
#include "adit-test-util.h"

/* Two real ed25519 public keys: the server's old one and someone else's. */
#define KEY_OLD   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFI6PqGzF1Sau8mTFxRGXFCZ3trPo7Mmko4OKgQRNfzp"
#define KEY_OTHER "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICOYOINtM+9p35VXwE0OUZJIDmIwIMgmOS1u5mRlparJ"

typedef struct
{
  char *user_path;     /* Adit's own: $XDG_DATA_HOME/adit/known_hosts */
  char *global_path;   /* ~/.ssh/known_hosts */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();

  f->user_path = adit_known_hosts_user_path (tunnel);
  f->global_path = adit_known_hosts_global_path ();
  g_assert_true (g_str_has_prefix (f->user_path, g_get_home_dir ()));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unlink (f->user_path);
  g_unlink (f->global_path);
  g_free (f->user_path);
  g_free (f->global_path);
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* Replaced, not written over: GLib 2.74 does not truncate with G_FILE_SET_CONTENTS_NONE. */
  g_unlink (path);
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
  /* Whatever the umask said. */
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static AditTunnel *
new_tunnel (const char *host,
            guint16     port)
{
  AditTunnel *tunnel = adit_tunnel_new ();

  adit_tunnel_set_host (tunnel, host);
  adit_tunnel_set_port (tunnel, port);
  return tunnel;
}

static guint
forget (AditTunnel *tunnel)
{
  g_autoptr(GError) error = NULL;
  guint removed = 12345;

  g_assert_true (adit_known_hosts_forget (tunnel, &removed, &error));
  g_assert_no_error (error);
  return removed;
}

static void
test_forget_plain (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 22);
  g_autofree char *after = NULL;
  struct stat st;

  write_file (f->user_path,
              "# servers Adit met\n"
              "mail.example.com " KEY_OTHER "\n"
              "other.example.com " KEY_OLD "\n"
              "\n"
              "OTHER.example.COM ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 old rsa\n"
              "[other.example.com]:2222 " KEY_OTHER "\n"
              "web.example.com,other.example.com,192.0.2.7 " KEY_OLD " a comment\n"
              "  other.example.com\t" KEY_OLD "\n"
              "*.example.com " KEY_OTHER "\n"
              "@revoked other.example.com " KEY_OTHER "\n"
              "@cert-authority *.example.com " KEY_OTHER "\n"
              "old.example.com " KEY_OTHER "\r\n"
              "other.example.com.evil " KEY_OTHER "\n"
              "last.example.com " KEY_OTHER,
              0600);

  /* Three lines, and one name of a line that lists three. */
  g_assert_cmpuint (forget (tunnel), ==, 4);

  after = read_file (f->user_path);
  g_assert_cmpstr (after, ==,
                   "# servers Adit met\n"
                   "mail.example.com " KEY_OTHER "\n"
                   "\n"
                   "[other.example.com]:2222 " KEY_OTHER "\n"
                   "web.example.com,192.0.2.7 " KEY_OLD " a comment\n"
                   "*.example.com " KEY_OTHER "\n"
                   "@revoked other.example.com " KEY_OTHER "\n"
                   "@cert-authority *.example.com " KEY_OTHER "\n"
                   "old.example.com " KEY_OTHER "\r\n"
                   "other.example.com.evil " KEY_OTHER "\n"
                   "last.example.com " KEY_OTHER);

  g_assert_cmpint (g_stat (f->user_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  /* Again: nothing left to forget, and the file is not rewritten. */
  {
    struct stat again;

    g_assert_cmpuint (forget (tunnel), ==, 0);
    g_assert_cmpint (g_stat (f->user_path, &again), ==, 0);
    g_assert_cmpuint (again.st_ino, ==, st.st_ino);
  }
}

static void
test_forget_port (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 2222);
  g_autofree char *after = NULL;
  struct stat st;

  write_file (f->user_path,
              "other.example.com " KEY_OTHER "\n"
              "[other.example.com]:2222 " KEY_OLD "\n"
              "[other.example.com]:22222 " KEY_OTHER "\n"
              "[other.example.com]:2222,[web.example.com]:2222 " KEY_OLD "\n",
              0640);

  /* The plain line is the server on port 22, which may be another one. */
  g_assert_cmpuint (forget (tunnel), ==, 2);

  after = read_file (f->user_path);
  g_assert_cmpstr (after, ==,
                   "other.example.com " KEY_OTHER "\n"
                   "[other.example.com]:22222 " KEY_OTHER "\n"
                   "[web.example.com]:2222 " KEY_OLD "\n");

  /* Not 0600: the mode the person chose stays. */
  g_assert_cmpint (g_stat (f->user_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
}

/* `ssh-keygen -F NAME -f PATH` finds an entry for NAME. */
static gboolean
ssh_keygen_finds (const char *keygen,
                  const char *name,
                  const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  const char *argv[] = { keygen, "-F", name, "-f", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) && out != NULL && *out != '\0';
}

/* Hashes every name in @path in place, as HashKnownHosts=yes writes them, and returns the
 * new contents. */
static char *
hash_with_ssh_keygen (const char *keygen,
                      const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old_path = g_strconcat (path, ".old", NULL);
  const char *argv[] = { keygen, "-H", "-f", path, NULL };

  adit_test_run (argv, NULL, &error);
  g_assert_no_error (error);
  g_unlink (old_path);

  return read_file (path);
}

static void
test_forget_hashed (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 22);
  g_autoptr(AditTunnel) tunnel_port = new_tunnel ("other.example.com", 2222);
  g_autofree char *hashed = NULL;
  g_auto(GStrv) lines = NULL;

  if (keygen == NULL)
    {
      g_test_skip ("ssh-keygen (OpenSSH) is not installed");
      return;
    }

  write_file (f->user_path,
              "mail.example.com " KEY_OTHER "\n"
              "other.example.com " KEY_OLD "\n"
              "[other.example.com]:2222 " KEY_OLD "\n"
              "web.example.com " KEY_OTHER "\n",
              0600);

  /* OpenSSH's own hashing, as HashKnownHosts=yes writes it. */
  hashed = hash_with_ssh_keygen (keygen, f->user_path);
  g_test_message ("hashed:\n%s", hashed);
  g_assert_null (strstr (hashed, "other.example.com"));
  g_assert_true (ssh_keygen_finds (keygen, "other.example.com", f->user_path));
  g_assert_true (ssh_keygen_finds (keygen, "[other.example.com]:2222", f->user_path));

  g_assert_cmpuint (forget (tunnel), ==, 1);
  g_assert_false (ssh_keygen_finds (keygen, "other.example.com", f->user_path));
  g_assert_true (ssh_keygen_finds (keygen, "[other.example.com]:2222", f->user_path));

  g_assert_cmpuint (forget (tunnel_port), ==, 1);
  g_assert_false (ssh_keygen_finds (keygen, "[other.example.com]:2222", f->user_path));

  /* The other two, hashed as they were. */
  g_assert_true (ssh_keygen_finds (keygen, "mail.example.com", f->user_path));
  g_assert_true (ssh_keygen_finds (keygen, "web.example.com", f->user_path));
  lines = g_strsplit (hashed, "\n", -1);
  {
    g_autofree char *after = read_file (f->user_path);
    g_autofree char *expected = g_strconcat (lines[0], "\n", lines[3], "\n", NULL);

    g_assert_cmpstr (after, ==, expected);
  }
}

static void
forget_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Drops the last reference to a thread task's result: the worker thread may let go of its
 * own a moment after the callback ran. */
static void
assert_released (GAsyncResult *result)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gpointer weak = result;

  g_object_add_weak_pointer (G_OBJECT (result), &weak);
  g_object_unref (result);
  while (g_atomic_pointer_get (&weak) != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (g_atomic_pointer_get (&weak));
}

/* The main thread's way: the file is changed in a worker thread, on a copy of the tunnel. */
static void
test_forget_async (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 22);
  g_autoptr(AditTunnel) global = new_tunnel ("other.example.com", 22);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  GAsyncResult *result = NULL;
  guint removed = 0;

  write_file (f->user_path, "other.example.com " KEY_OLD "\nweb.example.com " KEY_OTHER "\n",
              0600);
  adit_known_hosts_forget_async (tunnel, NULL, forget_done_cb, &result);
  /* Changing the tunnel now changes nothing of what the worker does. */
  adit_tunnel_set_host (tunnel, "web.example.com");
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (adit_known_hosts_forget_finish (result, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
  assert_released (result);
  after = read_file (f->user_path);
  g_assert_cmpstr (after, ==, "web.example.com " KEY_OTHER "\n");

  /* Errors come back the same way. */
  result = NULL;
  adit_tunnel_set_known_hosts_file (global, f->global_path);
  adit_known_hosts_forget_async (global, NULL, forget_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  removed = 7;
  g_assert_false (adit_known_hosts_forget_finish (result, &removed, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS);
  g_assert_cmpuint (removed, ==, 0);
  assert_released (result);
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 22);

  g_assert_false (g_file_test (f->user_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (forget (tunnel), ==, 0);
  g_assert_false (g_file_test (f->user_path, G_FILE_TEST_EXISTS));
}

static void
test_never_global (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 2222);
  g_autoptr(AditTunnel) by_link = new_tunnel ("other.example.com", 2222);
  g_autoptr(GError) error = NULL;
  g_autofree char *link_path = NULL;
  g_autofree char *after = NULL;
  const char *contents = "[other.example.com]:2222 " KEY_OLD "\n";
  guint removed = 1;

  write_file (f->global_path, contents, 0644);

  /* A tunnel imported from `ssh -o UserKnownHostsFile=~/.ssh/known_hosts`. */
  adit_tunnel_set_known_hosts_file (tunnel, f->global_path);
  g_assert_false (adit_known_hosts_forget (tunnel, &removed, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS);
  g_test_message ("%s", error->message);
  adit_test_assert_mentions (error->message, f->global_path);
  adit_test_assert_mentions (error->message, "ssh-keygen -R '[other.example.com]:2222'");
  g_assert_cmpuint (removed, ==, 0);
  g_clear_error (&error);

  /* … or reaching it through a symbolic link. */
  link_path = g_build_filename (g_get_home_dir (), "known_hosts-link", NULL);
  g_assert_cmpint (symlink (f->global_path, link_path), ==, 0);
  adit_tunnel_set_known_hosts_file (by_link, link_path);
  g_assert_false (adit_known_hosts_forget (by_link, NULL, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS);

  after = read_file (f->global_path);
  g_assert_cmpstr (after, ==, contents);
  g_unlink (link_path);
}

static void
test_symlink_kept (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 22);
  g_autofree char *real_path = g_build_filename (g_get_home_dir (), "synced", "known_hosts",
                                                 NULL);
  g_autofree char *after = NULL;
  g_autofree char *dir = g_path_get_dirname (f->user_path);

  write_file (real_path, "other.example.com " KEY_OLD "\nweb.example.com " KEY_OTHER "\n",
              0600);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (symlink (real_path, f->user_path), ==, 0);

  g_assert_cmpuint (forget (tunnel), ==, 1);
  g_assert_true (g_file_test (f->user_path, G_FILE_TEST_IS_SYMLINK));
  after = read_file (real_path);
  g_assert_cmpstr (after, ==, "web.example.com " KEY_OTHER "\n");
  g_unlink (real_path);
}

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_tunnel ("other.example.com", 22);
  g_autoptr(GError) error = NULL;
  g_autofree char *bytes = g_malloc (65536);
  g_autofree char *after = NULL;
  GString *odd = g_string_new (NULL);
  gsize length = 0;

  /* Random bytes, NULs included: no crash, and nothing of them lost. */
  for (guint i = 0; i < 65536; i++)
    bytes[i] = (char) g_test_rand_int_range (0, 256);
  write_file (f->user_path, "", 0600);
  g_file_set_contents (f->user_path, bytes, 65536, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forget (tunnel), ==, 0);

  /* Half-written entries around a real one. */
  g_string_append (odd, "|1|\n|1|||\n|1|not base64|x " KEY_OTHER "\n");
  g_string_append (odd, "|1|AAAA|AAAA " KEY_OTHER "\n");
  g_string_append (odd, ",,other.example.com,, " KEY_OLD "\n");
  g_string_append (odd, "other.example.com\n@\n@revoked\n,\n \t \n");
  write_file (f->user_path, odd->str, 0600);
  g_assert_cmpuint (forget (tunnel), ==, 2);
  g_file_get_contents (f->user_path, &after, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==,
                   "|1|\n|1|||\n|1|not base64|x " KEY_OTHER "\n"
                   "|1|AAAA|AAAA " KEY_OTHER "\n"
                   "@\n@revoked\n,\n \t \n");
  g_string_free (odd, TRUE);

  /* A folder where the file should be. */
  g_unlink (f->user_path);
  g_assert_cmpint (g_mkdir (f->user_path, 0700), ==, 0);
  g_assert_false (adit_known_hosts_forget (tunnel, NULL, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_KNOWN_HOSTS);
  g_test_message ("%s", error->message);
  g_rmdir (f->user_path);
}

static void
test_in_global_file (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");
  static const struct {
    const char *host;
    guint16     port;
    gboolean    expected;
  } cases[] = {
    { "other.example.com", 22, TRUE },
    { "Other.Example.COM", 22, TRUE },      /* names are not case-sensitive */
    { "other.example.com", 2222, FALSE },   /* a plain line is about port 22 */
    { "mail.example.com", 2222, TRUE },
    { "web1.internal", 22, TRUE },          /* a pattern */
    { "bad.internal", 22, FALSE },          /* … that rules this one out */
    { "hashed.example.com", 22, TRUE },
    { "revoked.example.com", 22, FALSE },   /* a @revoked line is no identity */
    { "unknown.example.com", 22, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AditTunnel) tunnel = new_tunnel (cases[i].host, cases[i].port);

      /* No file at all. */
      g_assert_false (adit_known_hosts_in_global_file (tunnel));
    }

  write_file (f->global_path, "hashed.example.com " KEY_OLD "\n", 0600);
  if (keygen != NULL)
    {
      g_autofree char *hashed = hash_with_ssh_keygen (keygen, f->global_path);

      g_assert_true (g_str_has_prefix (hashed, "|1|"));
    }

  {
    g_autofree char *hashed = read_file (f->global_path);
    g_autofree char *contents = g_strconcat (hashed,
                                             "# other.example.com in a comment\n"
                                             "other.example.com " KEY_OLD "\n"
                                             "[mail.example.com]:2222 " KEY_OLD "\n"
                                             "*.internal,!bad.internal " KEY_OLD "\n"
                                             "@revoked revoked.example.com " KEY_OLD "\n",
                                             NULL);

    write_file (f->global_path, contents, 0600);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AditTunnel) tunnel = new_tunnel (cases[i].host, cases[i].port);

      g_test_message ("%s port %u", cases[i].host, cases[i].port);
      g_assert_cmpint (adit_known_hosts_in_global_file (tunnel), ==, cases[i].expected);
    }

  /* Adit's own file is not the global one. */
  write_file (f->user_path, "unknown.example.com " KEY_OLD "\n", 0600);
  {
    g_autoptr(AditTunnel) tunnel = new_tunnel ("unknown.example.com", 22);

    g_assert_false (adit_known_hosts_in_global_file (tunnel));
  }
}

#define ADD(path, func) \
  g_test_add ("/adit/engine/known-hosts/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  int status;

  g_test_init (&argc, &argv, NULL);

  ADD ("forget-plain", test_forget_plain);
  ADD ("forget-port", test_forget_port);
  ADD ("forget-hashed", test_forget_hashed);
  ADD ("forget-async", test_forget_async);
  ADD ("missing-file", test_missing_file);
  ADD ("never-global", test_never_global);
  ADD ("symlink-kept", test_symlink_kept);
  ADD ("hostile", test_hostile);
  ADD ("in-global-file", test_in_global_file);

  status = g_test_run ();
  adit_test_remove_tree (home, NULL);

  return status;
}
