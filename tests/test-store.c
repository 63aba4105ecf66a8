/* test-store.c — the .sshtunnel format and AditStore, against real files in temporary
 * folders: every field read back as written, unknown keys kept, saves that are atomic and
 * private, hostile files refused in words, broken files set aside rather than lost, the
 * administrator's tunnels read-only, and a list that stays sorted as tunnels change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "adit-error.h"
#include "adit-store.h"
#include "adit-test-util.h"
#include "adit-tunnel-file.h"

#define MAIL_FILE \
  "[Tunnel]\n" \
  "Version=1\n" \
  "Name=Mail\n" \
  "Host=other.example.com\n" \
  "LocalForward=1100:mail.example.com:110;\n"

typedef struct
{
  char *root;
  char *user_dir;        /* not created: the store makes it on the first save */
  char *system_dir;
  char *system_dir2;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("adit-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->user_dir = g_build_filename (f->root, "config", "adit", "tunnels", NULL);
  f->system_dir = g_build_filename (f->root, "etc", "adit", "tunnels", NULL);
  f->system_dir2 = g_build_filename (f->root, "usr", "adit", "tunnels", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->system_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->system_dir2, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* A test that failed half-way may have left a folder read-only. */
  g_chmod (f->user_dir, 0700);
  adit_test_remove_tree (f->root, &error);
  g_assert_no_error (error);

  g_free (f->root);
  g_free (f->user_dir);
  g_free (f->system_dir);
  g_free (f->system_dir2);
}

static AditStore *
fixture_new_store (Fixture *f)
{
  const char * const system_dirs[] = { f->system_dir, f->system_dir2, NULL };

  return adit_store_new (f->user_dir, system_dirs);
}

static char *
write_file (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  return path;
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

/* One sentence (or two) a person can read: valid UTF-8, ends like a sentence. */
/* @path's bytes, shown in the test log, after checking that they hold every one of @parts. */
static GBytes *
read_and_check (const char         *path,
                const char * const *parts)
{
  GBytes *bytes = read_bytes (path);
  const char *text = g_bytes_get_data (bytes, NULL);

  g_test_message ("%s:\n%s", path, text);
  for (guint i = 0; parts[i] != NULL; i++)
    adit_test_assert_mentions (text, parts[i]);

  return bytes;
}

static void
assert_sentence (const char *message)
{
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_cmpuint (strlen (message), <, 600);
  g_assert_true (g_str_has_suffix (message, "."));
}

static void
add_forward (AditTunnel *tunnel,
             const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AditForward) forward = adit_forward_parse (spec, &error);

  g_assert_no_error (error);
  adit_tunnel_add_forward (tunnel, forward);
}

static AditTunnel *
new_tunnel (const char *name,
            const char *spec)
{
  AditTunnel *tunnel = adit_tunnel_new ();

  adit_tunnel_set_name (tunnel, name);
  adit_tunnel_set_host (tunnel, "other.example.com");
  add_forward (tunnel, spec);

  return tunnel;
}

static AditTunnel *
new_full_tunnel (void)
{
  AditTunnel *tunnel = new_tunnel ("Mail, “work” & more", "1100:mail.example.com:110");

  adit_tunnel_set_port (tunnel, 2222);
  adit_tunnel_set_user (tunnel, "alice");
  adit_tunnel_set_identity_file (tunnel, "/home/alice/.ssh/id_ed25519");
  adit_tunnel_set_auth_method (tunnel, ADIT_AUTH_METHOD_PASSWORD);
  adit_tunnel_set_host_key_policy (tunnel, ADIT_HOST_KEY_POLICY_ACCEPT_NEW);
  adit_tunnel_set_known_hosts_file (tunnel, "/home/alice/.ssh/known_hosts_work");
  adit_tunnel_set_alive_interval (tunnel, 0);
  adit_tunnel_set_alive_count_max (tunnel, 7);
  adit_tunnel_set_connect_timeout (tunnel, 120);
  adit_tunnel_set_autostart (tunnel, TRUE);
  adit_tunnel_set_host_key_fingerprint (tunnel, "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
  add_forward (tunnel, "[::1]:2200:[2001:db8::1]:22");
  add_forward (tunnel, "*:8080:10.0.0.1:80");
  add_forward (tunnel, "localhost:1143:[fe80::1%eth0]:143");

  return tunnel;
}

static void
assert_same_tunnel (AditTunnel *a,
                    AditTunnel *b)
{
  GPtrArray *fa = adit_tunnel_get_forwards (a);
  GPtrArray *fb = adit_tunnel_get_forwards (b);

  g_assert_cmpstr (adit_tunnel_get_name (a), ==, adit_tunnel_get_name (b));
  g_assert_cmpstr (adit_tunnel_get_host (a), ==, adit_tunnel_get_host (b));
  g_assert_cmpuint (adit_tunnel_get_port (a), ==, adit_tunnel_get_port (b));
  g_assert_cmpstr (adit_tunnel_get_user (a), ==, adit_tunnel_get_user (b));
  g_assert_cmpstr (adit_tunnel_get_identity_file (a), ==, adit_tunnel_get_identity_file (b));
  g_assert_cmpint (adit_tunnel_get_auth_method (a), ==, adit_tunnel_get_auth_method (b));
  g_assert_cmpint (adit_tunnel_get_host_key_policy (a), ==, adit_tunnel_get_host_key_policy (b));
  g_assert_cmpstr (adit_tunnel_get_known_hosts_file (a), ==,
                   adit_tunnel_get_known_hosts_file (b));
  g_assert_cmpuint (adit_tunnel_get_alive_interval (a), ==, adit_tunnel_get_alive_interval (b));
  g_assert_cmpuint (adit_tunnel_get_alive_count_max (a), ==,
                    adit_tunnel_get_alive_count_max (b));
  g_assert_cmpuint (adit_tunnel_get_connect_timeout (a), ==,
                    adit_tunnel_get_connect_timeout (b));
  g_assert_cmpint (adit_tunnel_get_autostart (a), ==, adit_tunnel_get_autostart (b));
  g_assert_cmpint (adit_tunnel_get_reconnect (a), ==, adit_tunnel_get_reconnect (b));
  g_assert_cmpstr (adit_tunnel_get_host_key_fingerprint (a), ==,
                   adit_tunnel_get_host_key_fingerprint (b));

  g_assert_cmpuint (fa->len, ==, fb->len);
  for (guint i = 0; i < fa->len; i++)
    g_assert_true (adit_forward_equal (g_ptr_array_index (fa, i), g_ptr_array_index (fb, i)));
}

/* Where a stored tunnel lives: its uuid is its file name. */
static char *
tunnel_path (const char *dir,
             AditTunnel *tunnel)
{
  g_autofree char *name = g_strconcat (adit_tunnel_get_uuid (tunnel), ".sshtunnel", NULL);

  return g_build_filename (dir, name, NULL);
}

static AditTunnel *
load_ok (const char *path,
         GKeyFile  **key_file)
{
  g_autoptr(GError) error = NULL;
  AditTunnel *tunnel = adit_tunnel_file_load (path, key_file, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tunnel);

  return tunnel;
}

static void
save_ok (AditStore  *store,
         AditTunnel *tunnel)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (adit_store_save (store, tunnel, &error));
  g_assert_no_error (error);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(AditTunnel) tunnel = new_full_tunnel ();
  g_autofree char *path = tunnel_path (f->root, tunnel);
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTunnel) again = NULL;
  g_autoptr(GBytes) written = NULL;
  const char *text;

  adit_tunnel_set_reconnect (tunnel, FALSE);
  g_assert_true (adit_tunnel_file_save (tunnel, NULL, path, &error));
  g_assert_no_error (error);

  written = read_and_check (path, (const char *[]) {
    "\nPort=2222\n",
    "\nAuthentication=password\n",
    "\nStrictHostKeyChecking=accept-new\n",
    "\nConnectAtStart=true\n",
    "\nReconnect=false\n",
    "\nHostKeyFingerprint=SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s\n",
    "\nLocalForward=1100:mail.example.com:110;[::1]:2200:[2001:db8::1]:22;"
      "*:8080:10.0.0.1:80;localhost:1143:[fe80::1%eth0]:143;\n",
    NULL });
  text = g_bytes_get_data (written, NULL);
  g_assert_true (g_str_has_prefix (text, "[Tunnel]\nVersion=1\n"));

  again = load_ok (path, NULL);
  assert_same_tunnel (tunnel, again);
  /* A stored tunnel's uuid is its file name, not a key. */
  g_assert_cmpstr (adit_tunnel_get_uuid (again), ==, adit_tunnel_get_uuid (tunnel));
  g_assert_null (strstr (text, adit_tunnel_get_uuid (tunnel)));
  g_assert_false (adit_tunnel_get_read_only (again));

  /* Every choice of every enumeration, and the defaults, come back. */
  for (int method = ADIT_AUTH_METHOD_AUTOMATIC; method <= ADIT_AUTH_METHOD_PASSWORD; method++)
    for (int policy = ADIT_HOST_KEY_POLICY_ASK; policy <= ADIT_HOST_KEY_POLICY_OFF; policy++)
      {
        g_autoptr(AditTunnel) plain = new_tunnel ("Plain", "1100:mail:110");
        g_autoptr(AditTunnel) read = NULL;

        adit_tunnel_set_auth_method (plain, (AditAuthMethod) method);
        adit_tunnel_set_host_key_policy (plain, (AditHostKeyPolicy) policy);
        g_assert_true (adit_tunnel_file_save (plain, NULL, path, &error));
        g_assert_no_error (error);
        read = load_ok (path, NULL);
        assert_same_tunnel (plain, read);
      }
}

static void
test_fingerprint_forms (void)
{
  static const struct { const char *text, *normalized; } cases[] = {
    { "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
      "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s" },
    /* without the prefix, padded, with spaces around: as people paste them */
    { "  uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s= ",
      "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s" },
    { "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2", NULL },      /* one short */
    { "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s!", NULL },    /* not base64 */
    { "SHA256:uNiVztksCsDhcc0u9e8Buj-XVUpKZIDTMczCvj3tD2s", NULL },     /* base64url */
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = adit_host_key_fingerprint_normalize (cases[i].text);

      g_assert_cmpstr (normalized, ==, cases[i].normalized);
    }
}

static void
test_read_by_hand (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *key_path = g_build_filename (g_get_home_dir (), ".ssh", "id_ed25519", NULL);
  g_autoptr(AditTunnel) mail = NULL;
  g_autoptr(AditTunnel) minimal = NULL;
  g_autoptr(AditTunnel) spaced = NULL;
  g_autofree char *mail_path = NULL;
  g_autofree char *minimal_path = NULL;
  g_autofree char *spaced_path = NULL;
  GPtrArray *forwards;

  /* docs/tunnel-file.md's example, as an administrator would write it. */
  mail_path = write_file (f->root, "mail.sshtunnel",
                          "# Mail for the whole office\n"
                          "[Tunnel]\n"
                          "Version=1\n"
                          "Name=Mail\n"
                          "Host=other.example.com\n"
                          "User=alice\n"
                          "IdentityFile=~/.ssh/id_ed25519\n"
                          "Authentication=key-file\n"
                          "StrictHostKeyChecking=Yes\n"
                          "ConnectAtStart=true\n"
                          "LocalForward=1100:mail.example.com:110;\n", -1);
  mail = load_ok (mail_path, NULL);
  g_assert_cmpstr (adit_tunnel_get_uuid (mail), ==, "mail");
  g_assert_cmpstr (adit_tunnel_get_name (mail), ==, "Mail");
  g_assert_cmpstr (adit_tunnel_get_identity_file (mail), ==, key_path);
  g_assert_cmpint (adit_tunnel_get_auth_method (mail), ==, ADIT_AUTH_METHOD_KEY_FILE);
  g_assert_cmpint (adit_tunnel_get_host_key_policy (mail), ==, ADIT_HOST_KEY_POLICY_STRICT);
  g_assert_true (adit_tunnel_get_autostart (mail));

  /* Only what cannot be guessed: no version, no name, one forward without ";". */
  minimal_path = write_file (f->root, "minimal.sshtunnel",
                             "[Tunnel]\nHost=other.example.com\nLocalForward=1100:mail:110\n", -1);
  minimal = load_ok (minimal_path, NULL);
  g_assert_cmpstr (adit_tunnel_get_name (minimal), ==, "other.example.com");
  g_assert_cmpuint (adit_tunnel_get_port (minimal), ==, ADIT_DEFAULT_SSH_PORT);
  g_assert_null (adit_tunnel_get_user (minimal));
  g_assert_cmpint (adit_tunnel_get_auth_method (minimal), ==, ADIT_AUTH_METHOD_AUTOMATIC);
  g_assert_cmpint (adit_tunnel_get_host_key_policy (minimal), ==, ADIT_HOST_KEY_POLICY_ASK);
  g_assert_true (adit_tunnel_get_reconnect (minimal));
  g_assert_cmpuint (adit_tunnel_get_alive_interval (minimal), ==, ADIT_DEFAULT_ALIVE_INTERVAL);
  g_assert_cmpuint (adit_tunnel_get_alive_count_max (minimal), ==, ADIT_DEFAULT_ALIVE_COUNT_MAX);
  g_assert_cmpuint (adit_tunnel_get_connect_timeout (minimal), ==, ADIT_DEFAULT_CONNECT_TIMEOUT);
  g_assert_false (adit_tunnel_get_autostart (minimal));
  g_assert_cmpuint (adit_tunnel_get_forwards (minimal)->len, ==, 1);

  /* Spaces around ";" and empty entries are easy to type and mean nothing. */
  spaced_path = write_file (f->root, "spaced.sshtunnel",
                            "[Tunnel]\nHost=h\nLocalForward=1100:a:110; ;  1101:b:110 ;;\n", -1);
  spaced = load_ok (spaced_path, NULL);
  forwards = adit_tunnel_get_forwards (spaced);
  g_assert_cmpuint (forwards->len, ==, 2);
  g_assert_cmpstr (((AditForward *) g_ptr_array_index (forwards, 1))->host, ==, "b");
}

static void
test_unknown_keys (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autoptr(AditTunnel) tunnel = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autofree char *path = NULL;
  const char *text;

  path = write_file (f->user_dir, "mail.sshtunnel",
                     "# Written by hand; keep this comment.\n"
                     "[Tunnel]\n"
                     "Version=1\n"
                     "Name=Mail\n"
                     "Name[de]=Post\n"
                     "Host=other.example.com\n"
                     "Port=2222\n"
                     "User=alice\n"
                     "IdentityFile=~/.ssh/id_ed25519\n"
                     "FutureKey=from a newer Adit\n"
                     "LocalForward=1100:mail.example.com:110;\n"
                     "\n"
                     "[Notes]\n"
                     "Owner=IT department\n", -1);

  adit_store_load (store);
  g_assert_cmpuint (adit_store_get_problems (store)->len, ==, 0);
  tunnel = adit_store_lookup (store, "mail");
  g_assert_nonnull (tunnel);
  g_object_ref (tunnel);

  /* A change elsewhere leaves the keys and spellings Adit does not own alone. */
  adit_tunnel_set_connect_timeout (tunnel, 45);
  save_ok (store, tunnel);
  first = read_and_check (path, (const char *[]) {
    "\nName[de]=Post\n",
    "\nIdentityFile=~/.ssh/id_ed25519\n",
    "\nFutureKey=from a newer Adit\n",
    "\n[Notes]\nOwner=IT department\n",
    "\nConnectTimeout=45\n",
    NULL });
  text = g_bytes_get_data (first, NULL);
  g_assert_true (g_str_has_prefix (text, "# Written by hand; keep this comment.\n"));

  /* Saving what did not change changes nothing: nothing piles up across saves. */
  save_ok (store, tunnel);
  second = read_bytes (path);
  g_assert_true (g_bytes_equal (first, second));
  g_clear_pointer (&second, g_bytes_unref);

  /* A new name replaces its translations; unset keys go; the rest stays. */
  adit_tunnel_set_name (tunnel, "Office mail");
  adit_tunnel_set_port (tunnel, ADIT_DEFAULT_SSH_PORT);
  adit_tunnel_set_user (tunnel, NULL);
  adit_tunnel_set_identity_file (tunnel, "/srv/keys/mail");
  save_ok (store, tunnel);
  second = read_and_check (path, (const char *[]) {
    "\nName=Office mail\n",
    "\nIdentityFile=/srv/keys/mail\n",
    "\nFutureKey=from a newer Adit\n",
    "\n[Notes]\nOwner=IT department\n",
    NULL });
  text = g_bytes_get_data (second, NULL);
  g_assert_null (strstr (text, "Name[de]"));
  g_assert_null (strstr (text, "Port="));
  g_assert_null (strstr (text, "User="));

  /* And a fresh store reads back what was saved. */
  {
    g_autoptr(AditStore) reread = fixture_new_store (f);

    adit_store_load (reread);
    assert_same_tunnel (tunnel, adit_store_lookup (reread, "mail"));
  }
}

static void
assert_only_file (const char *dir,
                  const char *name)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *entry;
  guint n = 0;

  g_assert_nonnull (listing);
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_assert_cmpstr (entry, ==, name);
      n++;
    }
  g_assert_cmpuint (n, ==, 1);
}

/* Every folder from @root down to @dir searchable by anyone, for a test under another uid. */
static void
make_reachable (const char *root,
                const char *dir)
{
  if (strlen (dir) > strlen (root))
    {
      g_autofree char *parent = g_path_get_dirname (dir);

      make_reachable (root, parent);
    }

  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
}

static void
test_atomic_save (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autoptr(AditTunnel) tunnel = new_full_tunnel ();
  g_autofree char *path = tunnel_path (f->user_dir, tunnel);
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTunnel) read = NULL;
  struct rlimit saved_limit, limit;
  struct stat st;

  save_ok (store, tunnel);

  /* Complete, private, in a private folder. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpint (g_stat (f->user_dir, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
  read = load_ok (path, NULL);
  assert_same_tunnel (tunnel, read);
  before = read_bytes (path);

  adit_tunnel_set_name (tunnel, "A longer name that needs more bytes than there is room for");

  /* A full disk: the write of the temporary file fails half-way. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  signal (SIGXFSZ, SIG_IGN);
  limit = saved_limit;
  limit.rlim_cur = 16;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  g_assert_false (adit_store_save (store, tunnel, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE);
  assert_sentence (error->message);
  g_clear_error (&error);

  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  assert_only_file (f->user_dir, name);
  g_clear_pointer (&after, g_bytes_unref);

  /* A folder that cannot be written to. Root writes anywhere, so drop that right for file
   * access while saving (a no-op for anyone else). */
  make_reachable (f->root, f->user_dir);
  g_assert_cmpint (g_chmod (f->user_dir, 0555), ==, 0);
  setfsuid (65534);
  g_assert_false (adit_store_save (store, tunnel, &error));
  setfsuid (getuid ());
  g_assert_cmpint (g_chmod (f->user_dir, 0700), ==, 0);
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE);
  assert_sentence (error->message);
  g_test_message ("%s", error->message);

  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  assert_only_file (f->user_dir, name);
}

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  static const struct {
    const char *contents;
    gssize length;
    const char *mentions;
  } cases[] = {
    { "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\xff\xfe", 14, "not text" },
    { "[Tunnel]\nName=\xc3\x28\nHost=h\nLocalForward=1:h:1\n", -1, "not text" },
    { "[Tunnel]\nName=a\x1b[31mb\nHost=h\nLocalForward=1:h:1\n", -1, "not text" },
    { "", -1, "[Tunnel]" },
    { "[Other]\nHost=h\n", -1, "[Tunnel]" },
    { "hello world\n", -1, "hello world" },
    { "Host=h\n[Tunnel]\n", -1, "not a tunnel file" },
    { "[Tunnel]\nVersion=2\n" "Host=h\nLocalForward=1:h:1\n", -1,
      "This tunnel file was made by a newer version of Adit." },
    { "[Tunnel]\nVersion=0\nHost=h\nLocalForward=1:h:1\n", -1, "“0”" },
    { "[Tunnel]\nVersion=one\nHost=h\nLocalForward=1:h:1\n", -1, "“one”" },
    { "[Tunnel]\nHost=h\nPort=0\nLocalForward=1:h:1\n", -1, "“0”" },
    { "[Tunnel]\nHost=h\nPort=70000\nLocalForward=1:h:1\n", -1, "“70000”" },
    { "[Tunnel]\nHost=h\nPort=-22\nLocalForward=1:h:1\n", -1, "Port" },
    { "[Tunnel]\nHost=h\nPort=22x\nLocalForward=1:h:1\n", -1, "“22x”" },
    { "[Tunnel]\nName=Mail\nLocalForward=1100:mail:110\n", -1, "server" },
    { "[Tunnel]\nHost=ma il\nLocalForward=1100:mail:110\n", -1, "ma il" },
    { "[Tunnel]\nHost=h\\x\nLocalForward=1100:mail:110\n", -1, "Host" },
    { "[Tunnel]\nHost=h\nIdentityFile=C:\\keys\nLocalForward=1:h:1\n", -1, "“IdentityFile”" },
    { "[Tunnel]\nHost=h\nLocalForward=1:h:1;2:a\\b:1\n", -1, "“LocalForward”" },
    { "[Tunnel]\nHost=h\n", -1, "local port" },
    { "[Tunnel]\nHost=h\nLocalForward=\n", -1, "local port" },
    { "[Tunnel]\nHost=h\nLocalForward= ; ;\n", -1, "local port" },
    { "[Tunnel]\nHost=h\nLocalForward=1100:mail.example.com\n", -1, "1100:mail.example.com" },
    { "[Tunnel]\nHost=h\nLocalForward=1100:mail:110;99999:mail:110\n", -1, "99999" },
    { "[Tunnel]\nHost=h\nLocalForward=1100:2001:db8::1:110\n", -1, "square brackets" },
    { "[Tunnel]\nHost=h\nLocalForward=1100:a:1;1100:b:2\n", -1, "1100" },
    { "[Tunnel]\nHost=h\nServerAliveInterval=-5\nLocalForward=1:h:1\n", -1,
      "ServerAliveInterval" },
    { "[Tunnel]\nHost=h\nConnectTimeout=1e3\nLocalForward=1:h:1\n", -1, "“1e3”" },
    { "[Tunnel]\nHost=h\nServerAliveCountMax=99999999999\nLocalForward=1:h:1\n", -1,
      "ServerAliveCountMax" },
    { "[Tunnel]\nHost=h\nConnectAtStart=maybe\nLocalForward=1:h:1\n", -1, "“maybe”" },
    { "[Tunnel]\nHost=h\nReconnect=often\nLocalForward=1:h:1\n", -1, "“often”" },
    /* An MD5 fingerprint, as old ssh-keygen printed them: not accepted as a pin. */
    { "[Tunnel]\nHost=h\nHostKeyFingerprint=MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48\n"
      "LocalForward=1:h:1\n", -1, "MD5:16:27" },
    { "[Tunnel]\nHost=h\nAuthentication=magic\nLocalForward=1:h:1\n", -1, "“magic”" },
    { "[Tunnel]\nHost=h\nStrictHostKeyChecking=sometimes\nLocalForward=1:h:1\n", -1,
      "“sometimes”" },
  };
  g_autofree char *fifo = g_build_filename (f->root, "fifo.sshtunnel", NULL);
  g_autofree char *huge_path = NULL;
  g_autofree char *missing = g_build_filename (f->root, "missing.sshtunnel", NULL);
  g_autoptr(GString) huge = g_string_new ("[Tunnel]\nHost=h\nLocalForward=1:h:1\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (f->root, "hostile.sshtunnel",
                                          cases[i].contents, cases[i].length);
      g_autoptr(AditTunnel) tunnel = NULL;

      tunnel = adit_tunnel_file_load (path, NULL, &error);
      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(loaded)");
      g_assert_null (tunnel);
      g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE);
      assert_sentence (error->message);
      adit_test_assert_mentions (error->message, cases[i].mentions);
      g_clear_error (&error);
    }

  /* Far too large, even though every line is harmless. */
  while (huge->len <= ADIT_TUNNEL_FILE_MAX_SIZE)
    g_string_append (huge, "# padding padding padding padding padding padding padding\n");
  huge_path = write_file (f->root, "huge.sshtunnel", huge->str, (gssize) huge->len);
  g_assert_null (adit_tunnel_file_load (huge_path, NULL, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE);
  adit_test_assert_mentions (error->message, "1 MiB");
  g_clear_error (&error);

  /* A FIFO would block a plain open () forever. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (adit_tunnel_file_load (fifo, NULL, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE);
  adit_test_assert_mentions (error->message, "ordinary file");
  g_clear_error (&error);

  /* Not there at all is a reading problem, not a bad file. */
  g_assert_null (adit_tunnel_file_load (missing, NULL, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE);
  assert_sentence (error->message);
}

static void
test_set_aside (Fixture       *f,
                gconstpointer  data)
{
  static const char junk[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  static const char newer[] = "[Tunnel]\nVersion=3\nHost=h\nLocalForward=1:h:1\n";
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autoptr(GBytes) junk_bytes = g_bytes_new_static (junk, sizeof junk - 1);
  g_autoptr(GBytes) newer_bytes = g_bytes_new_static (newer, sizeof newer - 1);
  g_autoptr(GBytes) aside = NULL;
  g_autoptr(GBytes) aside2 = NULL;
  g_autofree char *good = write_file (f->user_dir, "good.sshtunnel", MAIL_FILE, -1);
  g_autofree char *broken = write_file (f->user_dir, "broken.sshtunnel", junk, sizeof junk - 1);
  g_autofree char *broken_aside = g_strconcat (broken, ".broken", NULL);
  g_autofree char *broken_aside2 = g_strconcat (broken, ".broken-2", NULL);
  GPtrArray *problems;
  GError *problem;

  adit_store_load (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_nonnull (adit_store_lookup (store, "good"));

  problems = adit_store_get_problems (store);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_test_message ("%s", problem->message);
  g_assert_error (problem, ADIT_ERROR, ADIT_ERROR_INVALID_FILE);
  assert_sentence (problem->message);
  adit_test_assert_mentions (problem->message, "“broken.sshtunnel”");
  adit_test_assert_mentions (problem->message, "“broken.sshtunnel.broken”");
  adit_test_assert_mentions (problem->message, "not text");

  /* Moved, never changed. */
  g_assert_false (g_file_test (broken, G_FILE_TEST_EXISTS));
  aside = read_bytes (broken_aside);
  g_assert_true (g_bytes_equal (aside, junk_bytes));

  /* The same name breaks again: the first copy is kept, the second gets its own name. */
  g_free (write_file (f->user_dir, "broken.sshtunnel", newer, -1));
  adit_store_load (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  problems = adit_store_get_problems (store);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_test_message ("%s", problem->message);
  adit_test_assert_mentions (problem->message, "“broken.sshtunnel.broken-2”");
  adit_test_assert_mentions (problem->message, "newer version of Adit");
  g_assert_false (g_file_test (broken, G_FILE_TEST_EXISTS));
  g_clear_pointer (&aside, g_bytes_unref);
  aside = read_bytes (broken_aside);
  g_assert_true (g_bytes_equal (aside, junk_bytes));
  aside2 = read_bytes (broken_aside2);
  g_assert_true (g_bytes_equal (aside2, newer_bytes));

  /* Set-aside files are not tunnels, and a clean load reports nothing. */
  adit_store_load (store);
  g_assert_cmpuint (adit_store_get_problems (store)->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
}

static void
test_system_read_only (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autofree char *path = write_file (f->system_dir, "office.sshtunnel", MAIL_FILE, -1);
  g_autofree char *broken = write_file (f->system_dir, "broken.sshtunnel", "[Tunnel]\n", -1);
  g_autofree char *user_copy = g_build_filename (f->user_dir, "office.sshtunnel", NULL);
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AditTunnel) edited = NULL;
  AditTunnel *office;
  GError *problem;

  adit_store_load (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  office = adit_store_lookup (store, "office");
  g_assert_nonnull (office);
  g_assert_true (adit_tunnel_get_read_only (office));

  /* The administrator's broken file is reported, and left where it is. */
  g_assert_cmpuint (adit_store_get_problems (store)->len, ==, 1);
  problem = g_ptr_array_index (adit_store_get_problems (store), 0);
  g_test_message ("%s", problem->message);
  adit_test_assert_mentions (problem->message, broken);
  adit_test_assert_mentions (problem->message, "server");
  g_assert_true (g_file_test (broken, G_FILE_TEST_EXISTS));

  adit_tunnel_set_connect_timeout (office, 99);
  g_assert_false (adit_store_save (store, office, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_READ_ONLY);
  assert_sentence (error->message);
  adit_test_assert_mentions (error->message, "administrator");
  g_clear_error (&error);

  edited = adit_tunnel_copy (office);
  g_assert_false (adit_store_save (store, edited, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_assert_false (adit_store_remove (store, office, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_READ_ONLY);
  assert_sentence (error->message);
  g_clear_error (&error);

  /* Even a writable copy with its uuid cannot remove the administrator's. */
  adit_tunnel_set_read_only (edited, FALSE);
  g_assert_false (adit_store_remove (store, edited, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_READ_ONLY);
  g_clear_error (&error);

  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (user_copy, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
}

static void
test_user_overrides_system (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autoptr(GError) error = NULL;
  AditTunnel *tunnel;

  g_free (write_file (f->system_dir2, "office.sshtunnel",
                      "[Tunnel]\nName=Least important\nHost=h\nLocalForward=1:h:1\n", -1));
  g_free (write_file (f->system_dir, "office.sshtunnel",
                      "[Tunnel]\nName=Administrator\nHost=h\nLocalForward=1:h:1\n", -1));
  g_free (write_file (f->system_dir2, "other.sshtunnel",
                      "[Tunnel]\nName=Other\nHost=h\nLocalForward=2:h:1\n", -1));
  g_free (write_file (f->user_dir, "office.sshtunnel",
                      "[Tunnel]\nName=Mine\nHost=h\nLocalForward=1:h:1\n", -1));

  adit_store_load (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  tunnel = adit_store_lookup (store, "office");
  g_assert_cmpstr (adit_tunnel_get_name (tunnel), ==, "Mine");
  g_assert_false (adit_tunnel_get_read_only (tunnel));
  g_assert_true (adit_tunnel_get_read_only (adit_store_lookup (store, "other")));

  /* Without the person's own version, the administrator's is there again. */
  g_assert_true (adit_store_remove (store, tunnel, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  tunnel = adit_store_lookup (store, "office");
  g_assert_cmpstr (adit_tunnel_get_name (tunnel), ==, "Administrator");
  g_assert_true (adit_tunnel_get_read_only (tunnel));
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = { position, removed, added };

  /* The model already is what the signal says. */
  g_assert_cmpuint (position + added, <=, g_list_model_get_n_items (model));
  g_array_append_val (changes, change);
}

static void
assert_changes (GArray      *changes,
                const Change *expected,
                guint         n_expected)
{
  g_assert_cmpuint (changes->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      Change *change = &g_array_index (changes, Change, i);

      g_assert_cmpuint (change->position, ==, expected[i].position);
      g_assert_cmpuint (change->removed, ==, expected[i].removed);
      g_assert_cmpuint (change->added, ==, expected[i].added);
    }
  g_array_set_size (changes, 0);
}

static void
assert_names (GListModel  *model,
              const char  *expected)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AditTunnel) tunnel = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append_c (names, ',');
      g_string_append (names, adit_tunnel_get_name (tunnel));
    }

  g_assert_cmpstr (names->str, ==, expected);
}

static void
test_sorted (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autoptr(AditStore) reread = fixture_new_store (f);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(AditTunnel) beta = new_tunnel ("beta", "1:h:1");
  g_autoptr(AditTunnel) alpha = new_tunnel ("Alpha", "2:h:1");
  g_autoptr(AditTunnel) gamma = new_tunnel ("Gamma", "3:h:1");
  g_autoptr(AditTunnel) replacement = NULL;
  GListModel *model = G_LIST_MODEL (store);

  g_assert_true (g_list_model_get_item_type (model) == ADIT_TYPE_TUNNEL);
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), changes);
  adit_store_load (store);
  assert_changes (changes, NULL, 0);

  save_ok (store, beta);
  assert_changes (changes, (Change[]) { { 0, 0, 1 } }, 1);
  save_ok (store, alpha);
  assert_changes (changes, (Change[]) { { 0, 0, 1 } }, 1);
  save_ok (store, gamma);
  assert_changes (changes, (Change[]) { { 2, 0, 1 } }, 1);
  assert_names (model, "Alpha,beta,Gamma");
  g_assert_null (g_list_model_get_item (model, 3));

  /* Saving again without a change moves nothing. */
  save_ok (store, beta);
  assert_changes (changes, NULL, 0);

  /* A rename moves the row at once (the list is never out of order), the save after it
   * has nothing left to do. */
  adit_tunnel_set_name (alpha, "zeta");
  assert_changes (changes, (Change[]) { { 0, 1, 0 }, { 2, 0, 1 } }, 2);
  save_ok (store, alpha);
  assert_changes (changes, NULL, 0);
  assert_names (model, "beta,Gamma,zeta");

  /* A rename that keeps the order is no change to the list. */
  adit_tunnel_set_name (gamma, "Gamma ray");
  save_ok (store, gamma);
  assert_changes (changes, NULL, 0);

  /* An edited copy replaces the original: in place, or moved to where its name goes. */
  replacement = adit_tunnel_copy (gamma);
  adit_tunnel_set_connect_timeout (replacement, 5);
  save_ok (store, replacement);
  assert_changes (changes, (Change[]) { { 1, 1, 1 } }, 1);
  g_assert_true (adit_store_lookup (store, adit_tunnel_get_uuid (gamma)) == replacement);
  g_clear_object (&replacement);

  replacement = adit_tunnel_copy (beta);
  adit_tunnel_set_name (replacement, "omega");
  save_ok (store, replacement);
  assert_changes (changes, (Change[]) { { 0, 1, 0 }, { 1, 0, 1 } }, 2);
  assert_names (model, "Gamma ray,omega,zeta");

  /* The old object is no longer followed. */
  adit_tunnel_set_name (beta, "aaa");
  assert_changes (changes, NULL, 0);

  adit_store_load (reread);
  assert_names (G_LIST_MODEL (reread), "Gamma ray,omega,zeta");
  g_assert_cmpuint (adit_tunnel_get_connect_timeout (adit_store_lookup (reread,
                      adit_tunnel_get_uuid (gamma))), ==, 5);

  /* Loading again replaces the whole list in one change. */
  adit_store_load (store);
  assert_changes (changes, (Change[]) { { 0, 3, 3 } }, 1);
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(AditTunnel) first = new_tunnel ("First", "1:h:1");
  g_autoptr(AditTunnel) second = new_tunnel ("Second", "2:h:1");
  g_autofree char *path = tunnel_path (f->user_dir, second);
  g_autoptr(GError) error = NULL;

  save_ok (store, first);
  save_ok (store, second);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), changes);
  g_assert_true (adit_store_remove (store, second, &error));
  g_assert_no_error (error);
  assert_changes (changes, (Change[]) { { 1, 1, 0 } }, 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_null (adit_store_lookup (store, adit_tunnel_get_uuid (second)));
  g_assert_nonnull (adit_store_lookup (store, adit_tunnel_get_uuid (first)));

  /* No longer followed once removed. */
  adit_tunnel_set_name (second, "A");
  assert_changes (changes, NULL, 0);

  /* Gone for a fresh store too. */
  adit_store_load (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
}

static void
test_save_refused (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AditStore) store = fixture_new_store (f);
  g_autoptr(AditTunnel) no_host = adit_tunnel_new ();
  g_autoptr(AditTunnel) sneaky = new_tunnel ("Sneaky", "1:h:1");
  g_autoptr(GError) error = NULL;

  /* What would not load again is not written. */
  add_forward (no_host, "1:h:1");
  g_assert_false (adit_store_save (store, no_host, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST);
  g_clear_error (&error);

  /* The uuid names a file: it cannot lead out of the folder. */
  adit_tunnel_set_uuid (sneaky, "../escaped");
  g_assert_false (adit_store_save (store, sneaky, &error));
  g_assert_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE);
  assert_sentence (error->message);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_test (f->user_dir, G_FILE_TEST_EXISTS));
}

/* NULL folders mean the XDG ones, which main () pointed into the isolated home. */
static void
test_default_dirs (void)
{
  g_autofree char *user_dir = g_build_filename (g_get_user_config_dir (), "adit", "tunnels",
                                                NULL);
  g_autofree char *system_dir = g_build_filename (g_get_system_config_dirs ()[0], "adit",
                                                  "tunnels", NULL);
  g_autofree char *path = write_file (system_dir, "office.sshtunnel", MAIL_FILE, -1);
  g_autoptr(AditStore) store = adit_store_new (NULL, NULL);

  g_assert_cmpstr (adit_store_get_user_dir (store), ==, user_dir);
  adit_store_load (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_true (adit_tunnel_get_read_only (adit_store_lookup (store, "office")));

  g_assert_finalize_object (g_steal_pointer (&store));
  g_unlink (path);
}

#define ADD_STORE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  g_autofree char *config_home = g_build_filename (home, "config", NULL);
  g_autofree char *config_dirs = g_build_filename (home, "xdg", NULL);
  int status;

  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("XDG_CONFIG_DIRS", config_dirs, TRUE);
  g_test_init (&argc, &argv, NULL);

  ADD_STORE_TEST ("/adit/engine/tunnel-file/round-trip", test_round_trip);
  ADD_STORE_TEST ("/adit/engine/tunnel-file/read-by-hand", test_read_by_hand);
  ADD_STORE_TEST ("/adit/engine/tunnel-file/hostile", test_hostile);
  ADD_STORE_TEST ("/adit/engine/store/unknown-keys", test_unknown_keys);
  ADD_STORE_TEST ("/adit/engine/store/atomic-save", test_atomic_save);
  ADD_STORE_TEST ("/adit/engine/store/set-aside", test_set_aside);
  ADD_STORE_TEST ("/adit/engine/store/system-read-only", test_system_read_only);
  ADD_STORE_TEST ("/adit/engine/store/user-overrides-system", test_user_overrides_system);
  ADD_STORE_TEST ("/adit/engine/store/sorted", test_sorted);
  ADD_STORE_TEST ("/adit/engine/store/remove", test_remove);
  ADD_STORE_TEST ("/adit/engine/store/save-refused", test_save_refused);
  g_test_add_func ("/adit/engine/store/default-dirs", test_default_dirs);
  g_test_add_func ("/adit/engine/store/fingerprint-forms", test_fingerprint_forms);

  status = g_test_run ();
  adit_test_remove_tree (home, NULL);

  return status;
}
