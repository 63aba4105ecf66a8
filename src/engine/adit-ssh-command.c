/* adit-ssh-command.c — reads an ssh command line (`ssh -L 1100:mail:110 other`) into an
 * AditTunnel.
 *
 * Options are read as OpenSSH's BSD getopt() reads them: flags combine (`-NfL 1100:h:110`),
 * a value may be attached (`-p2222`) or the next word, parsing stops at the first word that
 * is not an option, and — as ssh does — starts again after the destination, so
 * `ssh other -N -L …` works too. Whatever follows is a remote command, which Adit refuses.
 *
 * Where a setting is given twice, the first one wins, as in ssh: `-l`, the user in
 * `user@host`, and `-o User=` fill the same slot, in command-line order, so
 * `ssh -l bob alice@host` logs in as bob and `ssh alice@host -l bob` as alice. The same holds
 * for `-p`, the port in `ssh://host:port` and `-o Port=`, and for every other -o setting.
 *
 * Every option that would change what the command does and that Adit cannot do is refused
 * with ADIT_ERROR_UNSUPPORTED_OPTION, named in the message; options that change nothing for
 * a tunnel (-N, -f, -T, -n, -q, -v, -C…) are accepted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "adit-error.h"
#include "adit-forward-private.h"
#include "adit-ssh-command.h"

#define UNSET (-1)

typedef struct
{
  char      *host;
  char      *user;
  int        port;
  char      *identity_file;
  char      *known_hosts_file;
  int        host_key_policy;
  gint64     alive_interval;
  gint64     alive_count_max;
  gint64     connect_timeout;
  int        gateway_ports;
  gboolean   gateway_flag;
  GPtrArray *forwards;
} Parser;

static void
parser_init (Parser *parser)
{
  memset (parser, 0, sizeof (*parser));
  parser->port = UNSET;
  parser->host_key_policy = UNSET;
  parser->alive_interval = UNSET;
  parser->alive_count_max = UNSET;
  parser->connect_timeout = UNSET;
  parser->gateway_ports = UNSET;
  parser->forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) adit_forward_free);
}

static void
parser_clear (Parser *parser)
{
  g_clear_pointer (&parser->host, g_free);
  g_clear_pointer (&parser->user, g_free);
  g_clear_pointer (&parser->identity_file, g_free);
  g_clear_pointer (&parser->known_hosts_file, g_free);
  g_clear_pointer (&parser->forwards, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parser, parser_clear)

/* ssh refuses user names a shell could misread (CVE-2023-51385); so do we, because the
 * name may end up in a command line someone copies from Adit. */
static gboolean
check_user (const char  *user,
            GError     **error)
{
  g_autofree char *shown = _adit_text_for_message (user);
  const char *p;

  if (*user == '\0')
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("The user name is empty."));
      return FALSE;
    }

  if (*user == '-')
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                   _("“%s” cannot be a user name because it starts with “-”."), shown);
      return FALSE;
    }

  for (p = user; *p != '\0'; p++)
    {
      if (g_ascii_iscntrl (*p))
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("“%s” cannot be a user name because it contains a control character."),
                       shown);
          return FALSE;
        }

      if (strchr ("'`\";&<>|(){}$*?", *p) != NULL)
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("“%s” cannot be a user name because “%c” is not allowed in one."),
                       shown, *p);
          return FALSE;
        }
    }

  return TRUE;
}

static char *
home_of_user (const char *name)
{
  struct passwd entry, *result = NULL;
  g_autofree char *buffer = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);

  if (size <= 0)
    size = 16384;
  buffer = g_malloc ((gsize) size);

  if (getpwnam_r (name, &entry, buffer, (size_t) size, &result) != 0 || result == NULL)
    return NULL;

  return g_strdup (result->pw_dir);
}

/* ssh's tilde_expand_filename() and the %d, %u and %% tokens of ssh_config paths; other
 * tokens depend on the connection and have no fixed meaning in a saved tunnel. */
static char *
expand_path (const char  *path,
             GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *shown = _adit_text_for_message (path);
  const char *p = path;

  if (*path == '\0')
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("A file name is empty."));
      return NULL;
    }

  if (path[0] == '~')
    {
      const char *slash = strchr (path, '/');
      g_autofree char *name = NULL;
      g_autofree char *home = NULL;

      name = slash != NULL ? g_strndup (path + 1, (gsize) (slash - path - 1)) : g_strdup (path + 1);
      if (*name == '\0')
        home = g_strdup (g_get_home_dir ());
      else
        home = home_of_user (name);

      if (home == NULL)
        {
          g_autofree char *shown_name = _adit_text_for_message (name);

          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("In “%s”, “~%s” names a user this computer does not have."),
                       shown, shown_name);
          return NULL;
        }

      g_string_append (out, home);
      p = slash != NULL ? slash : path + strlen (path);
    }

  for (; *p != '\0'; p++)
    {
      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }

      switch (p[1])
        {
        case '%':
          g_string_append_c (out, '%');
          break;

        case 'd':
          g_string_append (out, g_get_home_dir ());
          break;

        case 'u':
          g_string_append (out, g_get_user_name ());
          break;

        default:
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                       _("In “%s”, only the “%%d”, “%%u” and “%%%%” tokens are supported."),
                       shown);
          return NULL;
        }
      p++;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
set_identity_file (Parser      *parser,
                   const char  *path,
                   GError     **error)
{
  g_autofree char *expanded = expand_path (path, error);

  if (expanded == NULL)
    return FALSE;

  if (parser->identity_file == NULL)
    {
      parser->identity_file = g_steal_pointer (&expanded);
      return TRUE;
    }

  /* ssh would try each key in turn; a tunnel holds one, and dropping the others could make
   * a working command fail to log in. */
  if (strcmp (parser->identity_file, expanded) != 0)
    {
      g_autofree char *first = _adit_text_for_message (parser->identity_file);
      g_autofree char *second = _adit_text_for_message (expanded);

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                   _("Adit can use only one key file, but the command gives both “%s” and “%s”."),
                   first, second);
      return FALSE;
    }

  return TRUE;
}

static gboolean
set_user (Parser      *parser,
          const char  *user,
          GError     **error)
{
  if (!check_user (user, error))
    return FALSE;

  if (parser->user == NULL)
    parser->user = g_strdup (user);

  return TRUE;
}

static gboolean
set_port (Parser      *parser,
          const char  *text,
          GError     **error)
{
  guint16 port;

  if (!adit_port_parse (text, &port, error))
    return FALSE;

  if (parser->port == UNSET)
    parser->port = port;

  return TRUE;
}

static gboolean
add_forward (Parser      *parser,
             const char  *spec,
             GError     **error)
{
  AditForward *forward = adit_forward_parse (spec, error);

  if (forward == NULL)
    return FALSE;

  g_ptr_array_add (parser->forwards, forward);

  return TRUE;
}

/* `[user@]host`, or `ssh://[user@]host[:port]` as OpenSSH's parse_ssh_uri() reads it. */
static gboolean
parse_destination (Parser      *parser,
                   const char  *destination,
                   GError     **error)
{
  g_autofree char *shown = _adit_text_for_message (destination);
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;

  if (g_ascii_strncasecmp (destination, "ssh://", 6) == 0)
    {
      g_autofree char *rest = g_strdup (destination + 6);
      char *at;
      char *end;
      char *hostport;

      if (g_str_has_suffix (rest, "/"))
        rest[strlen (rest) - 1] = '\0';

      if (strpbrk (rest, "/?#") != NULL)
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("“%s” is not an ssh address Adit understands; it should look like "
                         "ssh://user@host:port."), shown);
          return FALSE;
        }

      hostport = rest;
      at = strrchr (rest, '@');
      if (at != NULL)
        {
          *at = '\0';
          hostport = at + 1;

          /* ssh:// user info may carry ";fingerprint=…" parameters that ssh refuses too. */
          if (strchr (rest, ';') != NULL)
            {
              g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“%s” has connection parameters after “;”, which Adit does not "
                             "support."), shown);
              return FALSE;
            }

          user = g_uri_unescape_string (rest, NULL);
          if (user == NULL)
            {
              g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("The user name in “%s” cannot be read."), shown);
              return FALSE;
            }
        }

      if (*hostport == '[')
        {
          end = strchr (hostport, ']');
          if (end == NULL || (end[1] != '\0' && end[1] != ':'))
            {
              g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("In “%s”, a “[” has no matching “]”."), shown);
              return FALSE;
            }
          host = g_strndup (hostport + 1, (gsize) (end - hostport - 1));
          end++;
        }
      else
        {
          end = strchr (hostport, ':');
          if (end == NULL)
            end = hostport + strlen (hostport);
          host = g_strndup (hostport, (gsize) (end - hostport));
        }

      if (*end == ':')
        port = g_strdup (end + 1);
    }
  else
    {
      const char *at = strrchr (destination, '@');
      const char *bare;

      if (at == destination)
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("“%s” has no user name before the “@”."), shown);
          return FALSE;
        }

      if (at != NULL)
        user = g_strndup (destination, (gsize) (at - destination));
      bare = at != NULL ? at + 1 : destination;

      /* ssh itself would not strip these, but "[::1]" can only mean one thing. */
      if (bare[0] == '[' && g_str_has_suffix (bare, "]"))
        host = g_strndup (bare + 1, strlen (bare) - 2);
      else
        host = g_strdup (bare);

      /* "host:2222" is scp's way, or a guess; with one ':' it cannot be an IPv6 address. */
      if (strchr (host, ':') != NULL && strchr (host, ':') == strrchr (host, ':'))
        {
          const char *colon = strchr (host, ':');
          g_autofree char *shown_port = _adit_text_for_message (colon + 1);

          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                       _("“%s” is not a server name; ssh takes the port on its own, as in "
                         "“-p %s”."), shown, shown_port);
          return FALSE;
        }
    }

  if (!adit_host_is_valid (host, error))
    return FALSE;

  if (user != NULL && !set_user (parser, user, error))
    return FALSE;

  if (port != NULL && !set_port (parser, port, error))
    return FALSE;

  parser->host = g_steal_pointer (&host);

  return TRUE;
}

/* Words of an ssh_config line: blanks separate them, double quotes group them. */
static GStrv
split_values (const char  *text,
              const char  *shown_option,
              GError     **error)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  for (;;)
    {
      const char *start;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;

      if (*p == '"')
        {
          const char *end = strchr (p + 1, '"');

          if (end == NULL)
            {
              g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("In “%s”, a quotation mark is never closed."), shown_option);
              return NULL;
            }
          g_ptr_array_add (words, g_strndup (p + 1, (gsize) (end - p - 1)));
          p = end + 1;
          continue;
        }

      start = p;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
      g_ptr_array_add (words, g_strndup (start, (gsize) (p - start)));
    }

  g_ptr_array_add (words, NULL);
  g_ptr_array_set_free_func (words, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

/* ssh_config's time format: "30", "30s", "5m", "1h30m". */
static gboolean
parse_time (const char *text,
            gint64     *seconds)
{
  gint64 total = 0;
  const char *p = text;

  if (*p == '\0')
    return FALSE;

  while (*p != '\0')
    {
      gint64 value = 0;
      gint64 unit = 1;

      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (*p++ - '0');
          if (value > G_MAXINT)
            return FALSE;
        }

      switch (g_ascii_tolower (*p))
        {
        case '\0':
          break;
        case 's':
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 60 * 60;
          break;
        case 'd':
          unit = 24 * 60 * 60;
          break;
        case 'w':
          unit = 7 * 24 * 60 * 60;
          break;
        default:
          return FALSE;
        }
      if (*p != '\0')
        p++;

      total += value * unit;
      if (total > G_MAXINT)
        return FALSE;
    }

  *seconds = total;
  return TRUE;
}

static gboolean
parse_count (const char *text,
             gint64     *count)
{
  gint64 value = 0;
  const char *p;

  if (*text == '\0')
    return FALSE;

  for (p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (*p - '0');
      if (value > G_MAXINT)
        return FALSE;
    }

  *count = value;
  return TRUE;
}

/* ssh's multistate_flag: yes/true, no/false. */
static gboolean
parse_yes_no (const char *text,
              gboolean   *value)
{
  if (g_ascii_strcasecmp (text, "yes") == 0 || g_ascii_strcasecmp (text, "true") == 0)
    *value = TRUE;
  else if (g_ascii_strcasecmp (text, "no") == 0 || g_ascii_strcasecmp (text, "false") == 0)
    *value = FALSE;
  else
    return FALSE;

  return TRUE;
}

static gboolean
parse_host_key_policy (const char *text,
                       int        *policy)
{
  static const struct {
    const char *name;
    AditHostKeyPolicy policy;
  } names[] = {
    { "yes", ADIT_HOST_KEY_POLICY_STRICT },
    { "true", ADIT_HOST_KEY_POLICY_STRICT },
    { "no", ADIT_HOST_KEY_POLICY_OFF },
    { "false", ADIT_HOST_KEY_POLICY_OFF },
    { "off", ADIT_HOST_KEY_POLICY_OFF },
    { "ask", ADIT_HOST_KEY_POLICY_ASK },
    { "accept-new", ADIT_HOST_KEY_POLICY_ACCEPT_NEW },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (text, names[i].name) == 0)
      {
        *policy = names[i].policy;
        return TRUE;
      }

  return FALSE;
}

static gboolean
is_key (const char *key,
        const char *name)
{
  return g_ascii_strcasecmp (key, name) == 0;
}

static gboolean
is_supported_key (const char *key)
{
  static const char * const keys[] = {
    "StrictHostKeyChecking", "UserKnownHostsFile", "ServerAliveInterval", "ConnectTimeout",
    "ServerAliveCountMax", "Port", "User", "IdentityFile", "LocalForward", "GatewayPorts",
    "ExitOnForwardFailure", "BatchMode", "Compression",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (is_key (key, keys[i]))
      return TRUE;

  return FALSE;
}

static gboolean
unsupported_config_key (const char  *key,
                        GError     **error)
{
  g_autofree char *shown = _adit_text_for_message (key);

  if (is_key (key, "RemoteForward"))
    g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                         _("“-o RemoteForward” (remote forwarding) is not supported yet; "
                           "Adit makes local tunnels (-L)."));
  else if (is_key (key, "DynamicForward"))
    g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                         _("“-o DynamicForward” (a SOCKS proxy) is not supported yet; "
                           "Adit makes local tunnels (-L)."));
  else if (is_key (key, "ProxyJump") || is_key (key, "ProxyCommand"))
    g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                 _("“-o %s” (connecting through another server or program) is not "
                   "supported yet."), shown);
  else
    g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                 _("The ssh setting “-o %s” is not supported by Adit."), shown);

  return FALSE;
}

/* One -o argument: "Key=Value", "Key Value" or "Key = Value", key case-insensitive, as
 * OpenSSH's process_config_line() reads it. */
static gboolean
parse_config_option (Parser      *parser,
                     const char  *line,
                     GError     **error)
{
  g_autofree char *key = NULL;
  g_autofree char *shown_key = NULL;
  g_autofree char *shown_option = NULL;
  g_autofree char *shown_value = NULL;
  g_auto(GStrv) values = NULL;
  const char *p = line;
  const char *start;
  const char *value;
  guint n_values;
  gboolean flag;

  while (g_ascii_isspace (*p))
    p++;
  start = p;
  while (*p != '\0' && *p != '=' && !g_ascii_isspace (*p))
    p++;
  key = g_strndup (start, (gsize) (p - start));
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '=')
    p++;

  shown_key = _adit_text_for_message (key);
  shown_option = g_strdup_printf ("-o %s", shown_key);

  if (*key == '\0')
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("“-o” needs a setting, for example “-o ServerAliveInterval=30”."));
      return FALSE;
    }

  if (!is_supported_key (key))
    return unsupported_config_key (key, error);

  values = split_values (p, shown_option, error);
  if (values == NULL)
    return FALSE;
  n_values = g_strv_length (values);

  if (n_values == 0)
    {
      /* Also what `-o Port 22` gives: ssh takes the key and value in one word. */
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                   _("“-o %s” has no value; write it as “-o %s=…”."), shown_key, shown_key);
      return FALSE;
    }

  value = values[0];
  shown_value = _adit_text_for_message (value);

  /* The settings that take one word; LocalForward and UserKnownHostsFile take more. */
  if (n_values > 1 && !is_key (key, "LocalForward") && !is_key (key, "UserKnownHostsFile"))
    {
      g_autofree char *shown_line = _adit_text_for_message (line);

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                   _("“-o %s” has more than one value."), shown_line);
      return FALSE;
    }

  if (is_key (key, "StrictHostKeyChecking"))
    {
      int policy;

      if (!parse_host_key_policy (value, &policy))
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("In “-o %s”, “%s” should be “yes”, “no”, “ask” or “accept-new”."),
                       shown_key, shown_value);
          return FALSE;
        }
      if (parser->host_key_policy == UNSET)
        parser->host_key_policy = policy;
    }
  else if (is_key (key, "UserKnownHostsFile"))
    {
      /* ssh reads every file given and writes to the first; Adit keeps one file. */
      g_autofree char *path = NULL;

      if (g_ascii_strcasecmp (value, "none") == 0)
        path = g_strdup ("/dev/null");
      else
        path = expand_path (value, error);
      if (path == NULL)
        return FALSE;
      if (parser->known_hosts_file == NULL)
        parser->known_hosts_file = g_steal_pointer (&path);
    }
  else if (is_key (key, "ServerAliveInterval") || is_key (key, "ConnectTimeout"))
    {
      gint64 *slot = is_key (key, "ConnectTimeout") ? &parser->connect_timeout
                                                     : &parser->alive_interval;
      gint64 seconds;

      if (!parse_time (value, &seconds))
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("In “-o %s”, “%s” is not a time in seconds such as 30 or 5m."),
                       shown_key, shown_value);
          return FALSE;
        }
      if (*slot == UNSET)
        *slot = seconds;
    }
  else if (is_key (key, "ServerAliveCountMax"))
    {
      gint64 count;

      if (!parse_count (value, &count))
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("In “-o %s”, “%s” is not a whole number."), shown_key, shown_value);
          return FALSE;
        }
      if (parser->alive_count_max == UNSET)
        parser->alive_count_max = count;
    }
  else if (is_key (key, "Port"))
    {
      return set_port (parser, value, error);
    }
  else if (is_key (key, "User"))
    {
      return set_user (parser, value, error);
    }
  else if (is_key (key, "IdentityFile"))
    {
      return set_identity_file (parser, value, error);
    }
  else if (is_key (key, "LocalForward"))
    {
      g_autofree char *spec = NULL;

      if (n_values != 2)
        {
          g_autofree char *shown_line = _adit_text_for_message (line);

          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                       _("“-o %s” should be written as “-o LocalForward=1100 host:110”."),
                       shown_line);
          return FALSE;
        }

      /* As readconf.c does: join the two words into one -L spec. */
      spec = g_strdup_printf ("%s:%s", values[0], values[1]);
      return add_forward (parser, spec, error);
    }
  else if (is_key (key, "GatewayPorts"))
    {
      if (!parse_yes_no (value, &flag))
        goto not_yes_no;
      if (parser->gateway_ports == UNSET)
        parser->gateway_ports = flag;
    }
  /* Settings that change nothing for a tunnel Adit makes: Adit always gives up when a
   * forward fails, never compresses, and asks its questions through the app. */
  else if (is_key (key, "ExitOnForwardFailure") || is_key (key, "BatchMode") ||
           is_key (key, "Compression"))
    {
      if (!parse_yes_no (value, &flag))
        goto not_yes_no;
    }
  else
    {
      g_assert_not_reached ();
    }

  return TRUE;

not_yes_no:
  g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
               _("In “-o %s”, “%s” should be “yes” or “no”."), shown_key, shown_value);
  return FALSE;
}

static gboolean
unsupported_option (char     option,
                    GError **error)
{
  switch (option)
    {
    case 'R':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-R” (remote forwarding) is not supported yet; Adit makes local "
                             "tunnels (-L)."));
      break;

    case 'D':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-D” (a SOCKS proxy) is not supported yet; Adit makes local "
                             "tunnels (-L)."));
      break;

    case 'J':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-J” (connecting through a jump server) is not supported yet."));
      break;

    case 'W':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-W” (connecting the terminal straight to a host) is not "
                             "supported; Adit makes local tunnels (-L)."));
      break;

    case 'w':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-w” (a network device tunnel, as for a VPN) is not supported; "
                             "Adit makes local tunnels (-L)."));
      break;

    case 'X':
    case 'Y':
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                   _("“-%c” (showing the server’s graphical programs here) is not supported."),
                   option);
      break;

    case 'A':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-A” (letting the server use your keys) is not supported."));
      break;

    case 'F':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-F” (another ssh configuration file) is not supported; Adit does "
                             "not read ssh configuration files."));
      break;

    case 'E':
    case 'y':
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                   _("“-%c” (sending ssh’s messages to a log) is not supported; Adit keeps "
                     "its own log."), option);
      break;

    case 'b':
    case 'B':
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                   _("“-%c” (choosing which local address connects to the server) is not "
                     "supported."), option);
      break;

    case 'c':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-c” (choosing the encryption) is not supported."));
      break;

    case 'm':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-m” (choosing how messages are checked) is not supported."));
      break;

    case 'M':
    case 'S':
    case 'O':
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                   _("“-%c” (sharing one connection between several ssh commands) is not "
                     "supported."), option);
      break;

    case '4':
    case '6':
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                   _("“-%c” (IPv%c only) is not supported; Adit uses whichever address works."),
                   option, option);
      break;

    case 't':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-t” (opening a terminal on the server) is not supported; Adit "
                             "only makes tunnels."));
      break;

    case 's':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-s” (starting a service on the server) is not supported; Adit "
                             "only makes tunnels."));
      break;

    case '1':
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                           _("“-1” (the first, long-retired version of SSH) is not supported."));
      break;

    case 'G':
    case 'I':
    case 'K':
    case 'P':
    case 'Q':
    case 'V':
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                   _("The ssh option “-%c” is not supported by Adit."), option);
      break;

    default:
      if (g_ascii_isprint (option))
        g_set_error (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                     _("“-%c” is not an ssh option Adit knows."), option);
      else
        g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_UNSUPPORTED_OPTION,
                             _("The command has an option Adit does not know."));
      break;
    }

  return FALSE;
}

/* One word starting with '-': flags, and at most one option with a value, attached or in
 * the next word. @index points at the word and is left on the last word used. */
static gboolean
parse_option_word (Parser              *parser,
                   int                  argc,
                   const char * const  *argv,
                   int                 *index,
                   GError             **error)
{
  const char *word = argv[*index];

  for (const char *p = word + 1; *p != '\0'; p++)
    {
      const char *value;

      switch (*p)
        {
        /* Flags that change nothing for a tunnel: no shell (Adit never opens one), run in
         * the background (Adit does), compression, verbosity, and turning off X11 and
         * agent forwarding, which Adit never does anyway. */
        case 'N':
        case 'f':
        case 'T':
        case 'n':
        case 'q':
        case 'v':
        case 'C':
        case 'x':
        case 'a':
        case 'k':
        case '2':
          continue;

        case 'g':
          parser->gateway_flag = TRUE;
          continue;

        case 'L':
        case 'p':
        case 'l':
        case 'i':
        case 'o':
        case 'e':
          break;

        default:
          return unsupported_option (*p, error);
        }

      if (p[1] != '\0')
        value = p + 1;
      else if (*index + 1 < argc)
        value = argv[++*index];
      else
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                       _("“-%c” needs a value after it."), *p);
          return FALSE;
        }

      switch (*p)
        {
        case 'L':
          return add_forward (parser, value, error);

        case 'p':
          return set_port (parser, value, error);

        case 'l':
          return set_user (parser, value, error);

        case 'i':
          return set_identity_file (parser, value, error);

        case 'o':
          return parse_config_option (parser, value, error);

        case 'e':
          /* The escape character only matters in a terminal session. */
          return TRUE;

        default:
          g_assert_not_reached ();
        }
    }

  return TRUE;
}

static AditTunnel *
parser_build (Parser  *parser,
              GError **error)
{
  g_autoptr(AditTunnel) tunnel = adit_tunnel_new ();
  gboolean gateway_ports = parser->gateway_flag || parser->gateway_ports == TRUE;

  adit_tunnel_set_host (tunnel, parser->host);
  adit_tunnel_set_user (tunnel, parser->user);
  adit_tunnel_set_identity_file (tunnel, parser->identity_file);
  adit_tunnel_set_known_hosts_file (tunnel, parser->known_hosts_file);
  if (parser->port != UNSET)
    adit_tunnel_set_port (tunnel, (guint16) parser->port);
  if (parser->host_key_policy != UNSET)
    adit_tunnel_set_host_key_policy (tunnel, parser->host_key_policy);
  if (parser->alive_interval != UNSET)
    adit_tunnel_set_alive_interval (tunnel, (guint) parser->alive_interval);
  if (parser->alive_count_max != UNSET)
    adit_tunnel_set_alive_count_max (tunnel, (guint) parser->alive_count_max);
  if (parser->connect_timeout != UNSET)
    adit_tunnel_set_connect_timeout (tunnel, (guint) parser->connect_timeout);

  for (guint i = 0; i < parser->forwards->len; i++)
    {
      AditForward *forward = g_ptr_array_index (parser->forwards, i);

      /* GatewayPorts makes a forward without a bind address listen everywhere. */
      if (gateway_ports && forward->bind_address == NULL)
        forward->bind_address = g_strdup ("*");

      adit_tunnel_add_forward (tunnel, forward);
    }

  /* Catches what only shows with everything together, such as one local port twice. */
  if (!adit_tunnel_validate (tunnel, error))
    return NULL;

  return g_steal_pointer (&tunnel);
}

/* What ssh would run on the server. */
static AditTunnel *
remote_command_error (int                 n_words,
                      const char * const *words,
                      GError            **error)
{
  g_autoptr(GString) command = g_string_new (NULL);
  g_autofree char *shown = NULL;

  for (int i = 0; i < n_words; i++)
    {
      if (i > 0)
        g_string_append_c (command, ' ');
      g_string_append (command, words[i]);
    }
  shown = _adit_text_for_message (command->str);

  g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
               _("Adit makes tunnels and does not run commands on the server; remove “%s” "
                 "from the end of the command."), shown);
  return NULL;
}

AditTunnel *
adit_ssh_command_parse_argv (int                 argc,
                             const char * const *argv,
                             GError            **error)
{
  g_auto(Parser) parser = { 0 };
  gboolean terminated = FALSE;

  g_return_val_if_fail (argc >= 0, NULL);
  g_return_val_if_fail (argc == 0 || argv != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parser_init (&parser);

  for (int i = 1; i < argc; i++)
    {
      const char *word = argv[i];

      if (!terminated && strcmp (word, "--") == 0)
        {
          terminated = TRUE;
          continue;
        }

      if (!terminated && word[0] == '-' && word[1] != '\0')
        {
          if (!parse_option_word (&parser, argc, argv, &i, error))
            return NULL;
          continue;
        }

      if (parser.host == NULL)
        {
          if (!parse_destination (&parser, word, error))
            return NULL;
          continue;
        }

      return remote_command_error (argc - i, &argv[i], error);
    }

  if (parser.host == NULL)
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("The command does not say which server to connect to."));
      return NULL;
    }

  if (parser.forwards->len == 0)
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                           _("The command has no “-L”, so there is no local port to forward."));
      return NULL;
    }

  return parser_build (&parser, error);
}

static gboolean
is_ssh_program (const char *word)
{
  return strcmp (word, "ssh") == 0 || g_str_has_suffix (word, "/ssh");
}

AditTunnel *
adit_ssh_command_parse (const char  *command_line,
                        GError     **error)
{
  g_autoptr(GError) shell_error = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_auto(GStrv) words = NULL;
  const char *p = command_line;
  int n_words;

  g_return_val_if_fail (command_line != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (g_ascii_isspace (*p))
    p++;

  /* A shell prompt copied along with the command: "$ ssh …" (or root's "#", zsh's "%"). */
  if ((*p == '$' || *p == '#' || *p == '%') && g_ascii_isspace (p[1]))
    p += 2;

  if (!g_shell_parse_argv (p, &n_words, &words, &shell_error))
    {
      g_autofree char *trimmed = g_strchomp (g_strdup (p));

      if (g_error_matches (shell_error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
        g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                             _("The command is empty."));
      else if (g_str_has_suffix (trimmed, "\\"))
        g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                             _("The command ends with “\\”, as if a line were missing."));
      else if (g_error_matches (shell_error, G_SHELL_ERROR, G_SHELL_ERROR_BAD_QUOTING))
        g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                             _("The command has a quotation mark that is never closed."));
      else
        g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_COMMAND,
                             _("The command cannot be read."));
      return NULL;
    }

  args = g_ptr_array_new ();
  if (is_ssh_program (words[0]))
    g_ptr_array_add (args, words[0]);
  else
    g_ptr_array_add (args, (gpointer) "ssh");
  for (int i = is_ssh_program (words[0]) ? 1 : 0; i < n_words; i++)
    g_ptr_array_add (args, words[i]);

  /* "ssh -N -L … host &", pasted from a script, means "in the background", as Adit runs. */
  if (args->len > 1 && strcmp (g_ptr_array_index (args, args->len - 1), "&") == 0)
    g_ptr_array_set_size (args, args->len - 1);

  return adit_ssh_command_parse_argv ((int) args->len, (const char * const *) args->pdata, error);
}
