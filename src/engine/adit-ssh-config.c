/* adit-ssh-config.c — see adit-ssh-config.h.
 *
 * Reading follows ssh_config(5) and OpenSSH's readconf.c where it matters for suggestions:
 * keywords in any case, "Key value", "Key=value" and "Key = value", arguments split on blanks
 * with "double" or 'single' quotes, "#" starting a comment. Each setting is remembered with
 * the block it was read in, in reading order; an alias then takes, setting by setting, the
 * first value from a block that applies to it — exactly ssh's "first obtained value wins".
 * A block read from an Include inside a Host block applies only where that Host block does.
 *
 * The files are someone else's and may be anything: each is read up to 1 MiB (a larger one is
 * skipped whole), overlong lines and lines that are not text are skipped, Include goes at most
 * 8 deep, never into a file it is already inside, and reads at most MAX_FILES files in all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glob.h>
#include <string.h>
#include <sys/stat.h>

#include "adit-file-private.h"
#include "adit-ssh-config.h"
#include "adit-ssh-config-private.h"

#define MAX_FILE_SIZE      (1024 * 1024)
#define MAX_LINE_LENGTH    4096
#define MAX_INCLUDE_DEPTH  8
#define MAX_FILES          64

G_DEFINE_BOXED_TYPE (AditSshConfigHost, adit_ssh_config_host,
                     adit_ssh_config_host_copy, adit_ssh_config_host_free)

AditSshConfigHost *
adit_ssh_config_host_copy (const AditSshConfigHost *host)
{
  AditSshConfigHost *copy;

  g_return_val_if_fail (host != NULL, NULL);

  copy = g_new0 (AditSshConfigHost, 1);
  copy->alias = g_strdup (host->alias);
  copy->hostname = g_strdup (host->hostname);
  copy->user = g_strdup (host->user);
  copy->port = host->port;
  copy->identity_file = g_strdup (host->identity_file);

  return copy;
}

void
adit_ssh_config_host_free (AditSshConfigHost *host)
{
  if (host == NULL)
    return;

  g_free (host->alias);
  g_free (host->hostname);
  g_free (host->user);
  g_free (host->identity_file);
  g_free (host);
}

typedef enum
{
  SETTING_HOSTNAME,
  SETTING_USER,
  SETTING_PORT,
  SETTING_IDENTITY_FILE,
  N_SETTINGS
} SettingKey;

static const char * const setting_keywords[N_SETTINGS] = {
  [SETTING_HOSTNAME] = "hostname",
  [SETTING_USER] = "user",
  [SETTING_PORT] = "port",
  [SETTING_IDENTITY_FILE] = "identityfile",
};

typedef struct _Block Block;
struct _Block
{
  Block     *parent;     /* the block an Include was read in; NULL at the top */
  GStrv      patterns;   /* lowercase, "!" kept; NULL for a Match block, which never applies */
};

typedef struct
{
  Block      *block;     /* NULL: before any Host or Match, which applies to every host */
  SettingKey  key;
  char       *value;
} Setting;

typedef struct
{
  GPtrArray *blocks;     /* owns Block */
  GArray    *settings;   /* Setting, in reading order */
  GPtrArray *aliases;    /* char *, first appearance first */
  GHashTable *seen;      /* lowercase aliases already in @aliases */
  GArray    *stack;      /* struct stat of the files being read, for loops */
  guint      n_files;
} Parser;

static void
block_free (gpointer data)
{
  Block *block = data;

  g_strfreev (block->patterns);
  g_free (block);
}

static void
setting_clear (gpointer data)
{
  Setting *setting = data;

  g_free (setting->value);
}

static gboolean
is_pattern (const char *word)
{
  return strpbrk (word, "*?!") != NULL;
}

gboolean
_adit_ssh_patterns_match (const char * const *patterns,
                          const char         *host)
{
  gboolean matched = FALSE;

  for (guint i = 0; patterns[i] != NULL; i++)
    {
      const char *pattern = patterns[i];

      if (*pattern == '!')
        {
          /* A negated pattern that matches rules the list out, whatever else does. */
          if (g_pattern_match_simple (pattern + 1, host))
            return FALSE;
        }
      else if (g_pattern_match_simple (pattern, host))
        matched = TRUE;
    }

  return matched;
}

static gboolean
block_applies (const Block *block,
               const char  *host)
{
  for (; block != NULL; block = block->parent)
    if (block->patterns == NULL ||
        !_adit_ssh_patterns_match ((const char * const *) block->patterns, host))
      return FALSE;

  return TRUE;
}

/* Splits what follows the keyword the way OpenSSH's argv_split () does. NULL when a quote is
 * left open. */
static GPtrArray *
split_arguments (const char *text)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  for (;;)
    {
      GString *arg;

      while (*p == ' ' || *p == '\t')
        p++;
      /* "#" at the start of an argument ends the line. */
      if (*p == '\0' || *p == '#')
        break;

      arg = g_string_new (NULL);
      while (*p != '\0' && *p != ' ' && *p != '\t')
        {
          if (*p == '"' || *p == '\'')
            {
              char quote = *p++;

              while (*p != '\0' && *p != quote)
                {
                  if (*p == '\\' && (p[1] == quote || p[1] == '\\'))
                    p++;
                  g_string_append_c (arg, *p++);
                }
              if (*p != quote)
                {
                  g_string_free (arg, TRUE);
                  return NULL;
                }
              p++;
            }
          else
            {
              if (*p == '\\' && (p[1] == '"' || p[1] == '\'' || p[1] == '\\' ||
                                 p[1] == ' ' || p[1] == '\t'))
                p++;
              g_string_append_c (arg, *p++);
            }
        }

      g_ptr_array_add (args, g_string_free (arg, FALSE));
    }

  return g_steal_pointer (&args);
}

/* The keyword, lowercased, and its arguments; FALSE for a line to skip. */
static gboolean
split_line (const char  *line,
            char       **keyword,
            GPtrArray  **args)
{
  const char *p = line;
  const char *start;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0' || *p == '#')
    return FALSE;

  start = p;
  while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '=')
    p++;
  if (p == start)
    return FALSE;

  /* "Key value", "Key=value", "Key = value": one "=" at most, with blanks around it. */
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '=')
    p++;

  *args = split_arguments (p);
  if (*args == NULL)
    return FALSE;

  *keyword = g_ascii_strdown (start, strcspn (start, " \t="));
  return TRUE;
}

static void parse_file (Parser     *parser,
                        const char *path,
                        Block      *parent,
                        guint       depth);

static char *
expand_home (const char *path)
{
  if (strcmp (path, "~") == 0)
    return g_strdup (g_get_home_dir ());
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);
  return g_strdup (path);
}

static void
include (Parser     *parser,
         const char *argument,
         Block      *current,
         guint       depth)
{
  g_autofree char *expanded = expand_home (argument);
  g_autofree char *pattern = NULL;
  glob_t matches = { 0 };

  /* Relative to ~/.ssh, as for a person's own config (what ssh does for ~/.ssh/config). */
  if (g_path_is_absolute (expanded))
    pattern = g_steal_pointer (&expanded);
  else
    pattern = g_build_filename (g_get_home_dir (), ".ssh", expanded, NULL);

  if (glob (pattern, 0, NULL, &matches) != 0)
    {
      globfree (&matches);
      return;
    }

  for (gsize i = 0; i < matches.gl_pathc; i++)
    parse_file (parser, matches.gl_pathv[i], current, depth + 1);

  globfree (&matches);
}

static void
add_alias (Parser     *parser,
           const char *alias)
{
  g_autofree char *key = g_ascii_strdown (alias, -1);

  if (g_hash_table_contains (parser->seen, key))
    return;

  g_ptr_array_add (parser->aliases, g_strdup (alias));
  g_hash_table_add (parser->seen, g_steal_pointer (&key));
}

static Block *
new_block (Parser    *parser,
           Block     *parent,
           GPtrArray *patterns)
{
  Block *block = g_new0 (Block, 1);

  block->parent = parent;
  if (patterns != NULL)
    {
      block->patterns = g_new0 (char *, patterns->len + 1);
      for (guint i = 0; i < patterns->len; i++)
        block->patterns[i] = g_ascii_strdown (g_ptr_array_index (patterns, i), -1);
    }
  g_ptr_array_add (parser->blocks, block);

  return block;
}

static void
parse_line (Parser      *parser,
            const char  *line,
            Block       *parent,
            Block      **current,
            guint        depth)
{
  g_autofree char *keyword = NULL;
  g_autoptr(GPtrArray) args = NULL;

  if (!split_line (line, &keyword, &args))
    return;

  if (strcmp (keyword, "host") == 0)
    {
      if (args->len == 0)
        return;
      *current = new_block (parser, parent, args);
      for (guint i = 0; i < args->len; i++)
        if (!is_pattern (g_ptr_array_index (args, i)))
          add_alias (parser, g_ptr_array_index (args, i));
      return;
    }

  if (strcmp (keyword, "match") == 0)
    {
      *current = new_block (parser, parent, NULL);
      return;
    }

  if (strcmp (keyword, "include") == 0)
    {
      for (guint i = 0; i < args->len; i++)
        include (parser, g_ptr_array_index (args, i), *current, depth);
      return;
    }

  if (args->len == 0)
    return;

  for (guint key = 0; key < N_SETTINGS; key++)
    if (strcmp (keyword, setting_keywords[key]) == 0)
      {
        Setting setting = { *current, key, g_strdup (g_ptr_array_index (args, 0)) };

        g_array_append_val (parser->settings, setting);
        return;
      }
}

static gboolean
is_being_read (Parser            *parser,
               const struct stat *st)
{
  for (guint i = 0; i < parser->stack->len; i++)
    {
      const struct stat *other = &g_array_index (parser->stack, struct stat, i);

      if (other->st_dev == st->st_dev && other->st_ino == st->st_ino)
        return TRUE;
    }

  return FALSE;
}

/* @parent: the block an Include was read in, NULL for the top file. Blocks in this file hang
 * below it; lines before the file's first Host belong to @parent itself. */
static void
parse_file (Parser     *parser,
            const char *path,
            Block      *parent,
            guint       depth)
{
  g_autofree char *contents = NULL;
  Block *current = parent;
  struct stat st;
  gsize length = 0;
  const char *p;
  const char *end;

  if (depth > MAX_INCLUDE_DEPTH || parser->n_files >= MAX_FILES)
    return;
  if (stat (path, &st) != 0 || is_being_read (parser, &st))
    return;
  if (_adit_read_file (path, MAX_FILE_SIZE, &contents, &length, NULL) != ADIT_READ_OK)
    return;

  parser->n_files++;
  g_array_append_val (parser->stack, st);

  for (p = contents, end = contents + length; p < end;)
    {
      const char *newline = memchr (p, '\n', (gsize) (end - p));
      gsize line_length = (gsize) ((newline != NULL ? newline : end) - p);

      /* The line is NUL-terminated in place: the buffer is ours. A "\r" may end it (a file
       * from Windows); anywhere else it is junk, like any other control character. */
      if (line_length <= MAX_LINE_LENGTH && _adit_is_text (p, line_length))
        {
          char *line = (char *) p;

          line[line_length] = '\0';
          if (line_length > 0 && line[line_length - 1] == '\r')
            line[line_length - 1] = '\0';
          if (strchr (line, '\r') == NULL)
            parse_line (parser, line, parent, &current, depth);
        }

      p += line_length + 1;
    }

  g_array_set_size (parser->stack, parser->stack->len - 1);
}

static char *
expand_hostname (const char *value,
                 const char *alias)
{
  GString *out = g_string_new (NULL);

  /* "%h" is the alias as ssh sees it (lowercase) and "%%" a percent sign; ssh allows no
   * other token here. */
  for (const char *p = value; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 'h')
        {
          g_string_append (out, alias);
          p++;
        }
      else if (p[0] == '%' && p[1] == '%')
        {
          g_string_append_c (out, '%');
          p++;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static guint16
parse_port (const char *text)
{
  guint64 port = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &port, NULL))
    return 0;
  return (guint16) port;
}

static AditSshConfigHost *
resolve (Parser     *parser,
         const char *alias)
{
  g_autofree char *host = g_ascii_strdown (alias, -1);
  AditSshConfigHost *result = g_new0 (AditSshConfigHost, 1);
  gboolean found[N_SETTINGS] = { FALSE, };

  result->alias = g_strdup (alias);

  for (guint i = 0; i < parser->settings->len; i++)
    {
      const Setting *setting = &g_array_index (parser->settings, Setting, i);

      if (found[setting->key] || !block_applies (setting->block, host))
        continue;
      found[setting->key] = TRUE;

      switch (setting->key)
        {
        case SETTING_HOSTNAME:
          result->hostname = expand_hostname (setting->value, host);
          break;
        case SETTING_USER:
          result->user = g_strdup (setting->value);
          break;
        case SETTING_PORT:
          /* ssh would refuse the whole file; a suggestion just goes without. */
          result->port = parse_port (setting->value);
          break;
        case SETTING_IDENTITY_FILE:
          result->identity_file = expand_home (setting->value);
          break;
        case N_SETTINGS:
        default:
          g_assert_not_reached ();
        }
    }

  return result;
}

GPtrArray *
adit_ssh_config_hosts (const char *path)
{
  g_autofree char *default_path = NULL;
  GPtrArray *hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) adit_ssh_config_host_free);
  Parser parser = { 0 };

  if (path == NULL)
    path = default_path = g_build_filename (g_get_home_dir (), ".ssh", "config", NULL);

  parser.blocks = g_ptr_array_new_with_free_func (block_free);
  parser.settings = g_array_new (FALSE, FALSE, sizeof (Setting));
  g_array_set_clear_func (parser.settings, setting_clear);
  parser.aliases = g_ptr_array_new_with_free_func (g_free);
  parser.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parser.stack = g_array_new (FALSE, FALSE, sizeof (struct stat));

  parse_file (&parser, path, NULL, 0);

  for (guint i = 0; i < parser.aliases->len; i++)
    g_ptr_array_add (hosts, resolve (&parser, g_ptr_array_index (parser.aliases, i)));

  g_ptr_array_unref (parser.blocks);
  g_array_unref (parser.settings);
  g_ptr_array_unref (parser.aliases);
  g_hash_table_unref (parser.seen);
  g_array_unref (parser.stack);

  return hosts;
}
