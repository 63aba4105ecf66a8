/* test-ssh-config.c — host suggestions from ~/.ssh/config, written to a temporary home: the
 * forms people write (any case, "=", quotes, comments), what ssh would use for each alias
 * ("Host *" defaults, the first value winning), Include (relative, globs, nested, loops, too
 * deep), Match blocks left out, and files that are broken or hostile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "adit-ssh-config.h"
#include "adit-test-util.h"

typedef struct
{
  char *ssh_dir;
  char *config;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  f->config = g_build_filename (f->ssh_dir, "config", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->ssh_dir, 0700), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  adit_test_remove_tree (f->ssh_dir, &error);
  g_assert_no_error (error);
  g_free (f->ssh_dir);
  g_free (f->config);
}

/* Writes @contents (@length -1: a string) to @name under ~/.ssh, making folders. */
static void
write_ssh_file (Fixture    *f,
                const char *name,
                const char *contents,
                gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->ssh_dir, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static const AditSshConfigHost *
find (GPtrArray  *hosts,
      const char *alias)
{
  for (guint i = 0; i < hosts->len; i++)
    {
      const AditSshConfigHost *host = g_ptr_array_index (hosts, i);

      if (strcmp (host->alias, alias) == 0)
        return host;
    }

  g_test_message ("no host “%s”", alias);
  g_test_fail ();
  return NULL;
}

static void
assert_host (GPtrArray  *hosts,
             const char *alias,
             const char *hostname,
             const char *user,
             guint16     port,
             const char *identity_file)
{
  const AditSshConfigHost *host = find (hosts, alias);

  if (host == NULL)
    return;
  g_assert_cmpstr (host->hostname, ==, hostname);
  g_assert_cmpstr (host->user, ==, user);
  g_assert_cmpuint (host->port, ==, port);
  g_assert_cmpstr (host->identity_file, ==, identity_file);
}

/* The aliases, in order, joined by spaces: "a b c". */
static char *
aliases (GPtrArray *hosts)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < hosts->len; i++)
    {
      const AditSshConfigHost *host = g_ptr_array_index (hosts, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, host->alias);
    }

  return g_string_free (out, FALSE);
}

/* Writes @contents (unless NULL) as ~/.ssh/config, reads it back, and checks the aliases. */
static GPtrArray *
read_config (Fixture    *f,
             const char *contents,
             gssize      length,
             const char *expected_aliases)
{
  GPtrArray *hosts;
  g_autofree char *names = NULL;

  if (contents != NULL)
    write_ssh_file (f, "config", contents, length);
  hosts = adit_ssh_config_hosts (f->config);
  g_assert_nonnull (hosts);
  names = aliases (hosts);
  g_assert_cmpstr (names, ==, expected_aliases);

  return hosts;
}

static char *
home_path (const char *relative)
{
  return g_build_filename (g_get_home_dir (), relative, NULL);
}

static void
test_forms (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) hosts = NULL;
  g_autofree char *key = home_path (".ssh/id_work");
  g_autofree char *spaced = home_path (".ssh/my key");

  hosts = read_config (f,
                       "# my servers\n"
                       "\n"
                       "Host work\n"
                       "    HostName work.example.com\n"
                       "    User alice\n"
                       "    Port 2222\n"
                       "    IdentityFile ~/.ssh/id_work\n"
                       "\n"
                       "HOST mail\r\n"
                       "\tHOSTNAME=mail.example.com\r\n"
                       "\tuser = bob\r\n"
                       "\tpOrT\t=\t2200   # a comment after the value\r\n"
                       "\n"
                       "Host=quoted\n"
                       "  HostName \"quoted.example.com\"\n"
                       "  IdentityFile \"~/.ssh/my key\"\n"
                       "  User 'carol'\n"
                       "\n"
                       "Host one two\n"
                       "  HostName %h.example.com\n"
                       "\n"
                       "Host bare\n",
                       -1, "work mail quoted one two bare");

  assert_host (hosts, "work", "work.example.com", "alice", 2222, key);
  assert_host (hosts, "mail", "mail.example.com", "bob", 2200, NULL);
  assert_host (hosts, "quoted", "quoted.example.com", "carol", 0, spaced);
  /* One block for two aliases, and %h is each one's own name. */
  assert_host (hosts, "one", "one.example.com", NULL, 0, NULL);
  assert_host (hosts, "two", "two.example.com", NULL, 0, NULL);
  assert_host (hosts, "bare", NULL, NULL, 0, NULL);
}

static void
test_patterns_and_defaults (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) hosts = NULL;

  /* Patterns are not servers; an alias named twice (in any case) is listed once. */
  hosts = read_config (f,
                       /* Before any Host: for every host, and first, so it wins. */
                       "Port 2022\n"
                       "Host early\n"
                       "  Port 9999\n"
                       "  User early-user\n"
                       "Host *.example.com web? !bad *\n"
                       "  User everybody\n"
                       "Host late\n"
                       "  User too-late\n"
                       "  HostName late.example.com\n"
                       "  HostName second.example.com\n"
                       "Host excluded !excluded\n"
                       "  HostName never.example.com\n"
                       "Host WEB1 web1\n"
                       "Host db\n"
                       "Host *\n"
                       "  HostName %h.default.example.com\n",
                       -1, "early late excluded WEB1 db");

  assert_host (hosts, "early", "early.default.example.com", "early-user", 2022, NULL);
  /* "Host *" came before "Host late": its User wins, as with ssh. */
  assert_host (hosts, "late", "late.example.com", "everybody", 2022, NULL);
  /* A matching negation rules its block out. */
  assert_host (hosts, "excluded", "excluded.default.example.com", "everybody", 2022, NULL);
  /* Patterns match in any case; %h is the alias in lowercase, as ssh uses it. */
  assert_host (hosts, "WEB1", "web1.default.example.com", "everybody", 2022, NULL);
  assert_host (hosts, "db", "db.default.example.com", "everybody", 2022, NULL);
}

static void
test_match_skipped (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) hosts = NULL;

  hosts = read_config (f,
                       "Match host work exec \"true\"\n"
                       "  User from-match\n"
                       "  Port 1\n"
                       "Host work\n"
                       "  User alice\n"
                       "Match all\n"
                       "  HostName from-match.example.com\n"
                       "Host home\n"
                       "  HostName home.example.com\n",
                       -1, "work home");
  assert_host (hosts, "work", NULL, "alice", 0, NULL);
  assert_host (hosts, "home", "home.example.com", NULL, 0, NULL);
}

static void
test_include (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) hosts = NULL;
  g_autofree char *absolute = g_build_filename (f->ssh_dir, "elsewhere", "abs.conf", NULL);
  g_autofree char *config = NULL;

  write_ssh_file (f, "config.d/20-b.conf", "Host b\n  HostName b.example.com\n", -1);
  write_ssh_file (f, "config.d/10-a.conf", "Host a\n  HostName a.example.com\n", -1);
  write_ssh_file (f, "config.d/notes.txt", "Host not-included\n", -1);
  write_ssh_file (f, "elsewhere/abs.conf", "Host abs\n  User abs-user\n", -1);
  /* Read inside "Host inner-parent": applies only where that block does. */
  write_ssh_file (f, "inner.conf",
                  "User inner-user\n"
                  "Host inner\n"
                  "  HostName inner.example.com\n",
                  -1);

  config = g_strdup_printf ("Include config.d/*.conf\n"
                            "include %s ~/.ssh/missing.conf\n"
                            "Host inner-parent inner\n"
                            "  Include inner.conf\n"
                            "  Port 2200\n"
                            "Host last\n",
                            absolute);
  /* Globs in the order of their names. */
  hosts = read_config (f, config, -1, "a b abs inner-parent inner last");

  assert_host (hosts, "a", "a.example.com", NULL, 0, NULL);
  assert_host (hosts, "b", "b.example.com", NULL, 0, NULL);
  assert_host (hosts, "abs", NULL, "abs-user", 0, NULL);
  /* After the Include, "Port 2200" still belongs to the block the Include was in. */
  assert_host (hosts, "inner-parent", NULL, "inner-user", 2200, NULL);
  assert_host (hosts, "inner", "inner.example.com", "inner-user", 2200, NULL);
  assert_host (hosts, "last", NULL, NULL, 0, NULL);
}

static void
test_include_loops (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) hosts = NULL;
  GString *expected = g_string_new ("top self a b");

  write_ssh_file (f, "config",
                  "Host top\n"
                  "Include config\n"
                  "Include self.conf a.conf deep0.conf\n",
                  -1);
  write_ssh_file (f, "self.conf", "Host self\nInclude self.conf\n", -1);
  write_ssh_file (f, "a.conf", "Host a\nInclude b.conf\n", -1);
  write_ssh_file (f, "b.conf", "Host b\nInclude a.conf config\n", -1);

  /* A chain of 20 files, each including the next: only 8 levels below the config are read. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("deep%u.conf", i);
      g_autofree char *contents = g_strdup_printf ("Host deep%u\nInclude deep%u.conf\n",
                                                   i, i + 1);

      write_ssh_file (f, name, contents, -1);
      if (i < 8)
        g_string_append_printf (expected, " deep%u", i);
    }

  hosts = read_config (f, NULL, -1, expected->str);
  g_string_free (expected, TRUE);
}

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) hosts = NULL;
  GString *config = g_string_new (NULL);

  g_string_append (config, "Host good1\n  Port 99999\n  User alice\n");
  g_string_append (config, "Host bad-port\n  Port twenty\n  Port 22\n");
  /* A line too long to be a setting anyone wrote, then life goes on. */
  g_string_append (config, "Host long");
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (config, 'x');
  g_string_append (config, "\n");
  g_string_append (config, "Host open-quote \"never closed\n");
  g_string_append (config, "Host bad-utf8-\xff\xfe\n");
  g_string_append (config, "Host control-\x1b[31m\n");
  g_string_append (config, "Host carriage-\rreturn\n");
  g_string_append_len (config, "Host nul-\0-inside\n", 18);
  g_string_append (config, "Host\n");
  g_string_append (config, "=\n");
  g_string_append (config, "   \t  \n");
  g_string_append (config, "Host good2\n  HostName\n  HostName good2.example.com\n");
  g_string_append (config, "Host good3");   /* no newline at the end */
  hosts = read_config (f, config->str, (gssize) config->len, "good1 bad-port good2 good3");
  g_string_free (config, TRUE);
  /* A port out of range is left out, the first value still counts as found. */
  assert_host (hosts, "good1", NULL, "alice", 0, NULL);
  assert_host (hosts, "bad-port", NULL, NULL, 0, NULL);
  assert_host (hosts, "good2", "good2.example.com", NULL, 0, NULL);
}

static void
test_hostile_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GPtrArray) large = NULL;
  g_autoptr(GPtrArray) folder = NULL;
  g_autoptr(GPtrArray) random = NULL;
  g_autoptr(GPtrArray) device = NULL;
  g_autofree char *missing_path = g_build_filename (f->ssh_dir, "no-such-config", NULL);
  GString *big = g_string_new ("Host big\n");
  g_autofree char *bytes = g_malloc (65536);

  missing = adit_ssh_config_hosts (missing_path);
  g_assert_nonnull (missing);
  g_assert_cmpuint (missing->len, ==, 0);

  /* Over 1 MiB: not read at all. */
  while (big->len <= 1024 * 1024)
    g_string_append (big, "# padding padding padding padding padding padding padding\n");
  write_ssh_file (f, "config", big->str, (gssize) big->len);
  g_string_free (big, TRUE);
  large = adit_ssh_config_hosts (f->config);
  g_assert_cmpuint (large->len, ==, 0);

  folder = adit_ssh_config_hosts (f->ssh_dir);
  g_assert_cmpuint (folder->len, ==, 0);
  device = adit_ssh_config_hosts ("/dev/zero");
  g_assert_cmpuint (device->len, ==, 0);

  for (guint i = 0; i < 65536; i++)
    bytes[i] = (char) g_test_rand_int_range (0, 256);
  write_ssh_file (f, "config", bytes, 65536);
  random = adit_ssh_config_hosts (f->config);
  g_assert_nonnull (random);
}

/* NULL reads ~/.ssh/config. */
static void
test_default_path (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) hosts = NULL;

  none = adit_ssh_config_hosts (NULL);
  g_assert_cmpuint (none->len, ==, 0);

  write_ssh_file (f, "config", "Host default\n  HostName default.example.com\n", -1);
  hosts = adit_ssh_config_hosts (NULL);
  g_assert_cmpuint (hosts->len, ==, 1);
  assert_host (hosts, "default", "default.example.com", NULL, 0, NULL);
}

static void
test_boxed (void)
{
  AditSshConfigHost host = { "work", "work.example.com", "alice", 2222, "/k" };
  g_autoptr(AditSshConfigHost) copy = g_boxed_copy (ADIT_TYPE_SSH_CONFIG_HOST, &host);

  g_assert_cmpstr (copy->alias, ==, "work");
  g_assert_cmpstr (copy->hostname, ==, "work.example.com");
  g_assert_cmpstr (copy->user, ==, "alice");
  g_assert_cmpuint (copy->port, ==, 2222);
  g_assert_cmpstr (copy->identity_file, ==, "/k");
}

#define ADD(path, func) \
  g_test_add ("/adit/engine/ssh-config/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = adit_test_isolate_home ();
  int status;

  g_test_init (&argc, &argv, NULL);

  ADD ("forms", test_forms);
  ADD ("patterns-and-defaults", test_patterns_and_defaults);
  ADD ("match-skipped", test_match_skipped);
  ADD ("include", test_include);
  ADD ("include-loops", test_include_loops);
  ADD ("hostile-lines", test_hostile);
  ADD ("hostile-files", test_hostile_files);
  ADD ("default-path", test_default_path);
  g_test_add_func ("/adit/engine/ssh-config/boxed", test_boxed);

  status = g_test_run ();
  adit_test_remove_tree (home, NULL);

  return status;
}
