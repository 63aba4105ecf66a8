/* adit-forward.c — the AditForward boxed type and the `ssh -L` spec parser.
 *
 * adit_forward_parse() reads `[bind_address:]port:host:hostport` the way OpenSSH's
 * parse_forward() splits it: fields separated by ':', a field in square brackets taken
 * literally so IPv6 addresses can be written. It is stricter than ssh where ssh would only
 * fail later (a bad host name, a trailing ':'), because a person typing a tunnel into Adit
 * should hear about the mistake when typing it, not when connecting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "adit-error.h"
#include "adit-forward.h"
#include "adit-forward-private.h"

#define MAX_MESSAGE_TEXT 64     /* characters of someone's input quoted in an error */
#define MAX_HOST_LENGTH 253
#define MAX_LABEL_LENGTH 63

G_DEFINE_BOXED_TYPE (AditForward, adit_forward, adit_forward_copy, adit_forward_free)

char *
_adit_text_for_message (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;
  const char *p;
  guint n = 0;

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, -1);
  out = g_string_new (NULL);

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ == MAX_MESSAGE_TEXT)
        {
          g_string_append (out, "…");
          break;
        }

      if (g_unichar_iscntrl (c))
        g_string_append_unichar (out, 0xFFFD);
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

typedef enum
{
  PORT_OK,
  PORT_MISSING,
  PORT_INVALID,
} PortCheck;

/* Decimal only: no sign, no spaces, no hex or exponent — what a2port() would take, minus
 * port 0 which means "any port" to the kernel and never what a person wants here. */
static PortCheck
check_port (const char *text,
            guint16    *port)
{
  guint value = 0;
  const char *p;

  if (text == NULL || *text == '\0')
    return PORT_MISSING;

  for (p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return PORT_INVALID;
      value = value * 10 + (guint) (*p - '0');
      if (value > G_MAXUINT16)
        return PORT_INVALID;
    }

  if (value == 0)
    return PORT_INVALID;

  *port = (guint16) value;
  return PORT_OK;
}

gboolean
adit_port_parse (const char  *text,
                 guint16     *port,
                 GError     **error)
{
  g_autofree char *shown = NULL;
  guint16 value = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (check_port (text, &value))
    {
    case PORT_OK:
      if (port != NULL)
        *port = value;
      return TRUE;

    case PORT_MISSING:
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_PORT,
                           _("The port number is missing."));
      return FALSE;

    case PORT_INVALID:
    default:
      shown = _adit_text_for_message (text);
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_PORT,
                   _("“%s” is not a port number; ports go from 1 to 65535."), shown);
      return FALSE;
    }
}

static gboolean
is_ipv6_literal (const char *text)
{
  g_autofree char *address = g_strdup (text);
  char *zone = strchr (address, '%');
  struct in6_addr unused;

  /* A zone ("fe80::1%eth0") names a local interface; it is only checked for shape. */
  if (zone != NULL)
    {
      const char *p;

      *zone++ = '\0';
      if (*zone == '\0')
        return FALSE;
      for (p = zone; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && strchr ("_.-", *p) == NULL)
          return FALSE;
    }

  return inet_pton (AF_INET6, address, &unused) == 1;
}

static gboolean
is_ipv4_literal (const char *text)
{
  struct in_addr unused;

  /* inet_pton, unlike inet_aton, takes only the dotted quad without leading zeros. */
  return inet_pton (AF_INET, text, &unused) == 1;
}

static gboolean
labels_are_valid (const char *host,
                  gsize       length)
{
  gsize start = 0;

  while (start <= length)
    {
      gsize end = start;

      while (end < length && host[end] != '.')
        end++;

      if (end == start || end - start > MAX_LABEL_LENGTH)
        return FALSE;
      if (host[start] == '-' || host[end - 1] == '-')
        return FALSE;

      start = end + 1;
    }

  return TRUE;
}

static gboolean
last_label_is_numeric (const char *host,
                       gsize       length)
{
  const char *dot = g_strrstr_len (host, (gssize) length, ".");
  const char *p = dot != NULL ? dot + 1 : host;

  for (; p < host + length; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

/* @spec, when given, is the forward the host was read from, so the message can say where. */
static gboolean
check_host (const char  *host,
            const char  *spec,
            GError     **error)
{
  g_autofree char *shown_spec = NULL;
  g_autofree char *shown_host = NULL;
  g_autofree char *subject = NULL;
  const char *p;
  gsize length;

  if (spec != NULL)
    shown_spec = _adit_text_for_message (spec);

  if (host == NULL || *host == '\0')
    {
      if (spec != NULL)
        g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                     _("In “%s”, the host name is missing."), shown_spec);
      else
        g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                             _("The host name is missing."));
      return FALSE;
    }

  shown_host = _adit_text_for_message (host);
  if (spec != NULL)
    /* TRANSLATORS: the subject of the sentences below: a host name in a tunnel, e.g.
     * “ma il” in “1100:ma il:110” */
    subject = g_strdup_printf (_("“%s” in “%s”"), shown_host, shown_spec);
  else
    subject = g_strdup_printf (_("“%s”"), shown_host);

  if (strchr (host, ':') != NULL)
    {
      if (is_ipv6_literal (host))
        return TRUE;

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                   _("%s is not a valid IPv6 address."), subject);
      return FALSE;
    }

  for (p = host; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x80)
        {
          g_autofree char *ascii = NULL;

          if (g_utf8_validate (host, -1, NULL))
            ascii = g_hostname_to_ascii (host);

          if (ascii != NULL && g_strcmp0 (ascii, host) != 0 && adit_host_is_valid (ascii, NULL))
            g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                         _("%s must be written as “%s” for the server to understand it."),
                         subject, ascii);
          else
            g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                         _("%s cannot be a host name because it has letters outside A to Z."),
                         subject);
          return FALSE;
        }

      if (c == ' ')
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                       _("%s cannot be a host name because it contains a space."), subject);
          return FALSE;
        }

      if (g_ascii_iscntrl (c))
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                       _("%s cannot be a host name because it contains a control character."),
                       subject);
          return FALSE;
        }

      if (!g_ascii_isalnum (c) && c != '-' && c != '_' && c != '.')
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                       _("%s cannot be a host name because “%c” is not allowed in one."),
                       subject, c);
          return FALSE;
        }
    }

  /* One trailing dot is the DNS root, "mail.example.com." — fine; "." alone is not. */
  length = strlen (host);
  if (host[length - 1] == '.')
    length--;

  if (length > MAX_HOST_LENGTH)
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                   _("%s cannot be a host name because it is longer than 253 characters."),
                   subject);
      return FALSE;
    }

  if (!labels_are_valid (host, length))
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                   _("%s is not a valid host name: each part between dots needs 1 to 63 "
                     "letters, digits, “-” or “_”, and cannot start or end with “-”."),
                   subject);
      return FALSE;
    }

  /* No top-level domain is all digits, so "10.0.0.256" or "1100" is a mistyped address
   * (or a port in the wrong place), never a name. */
  if (last_label_is_numeric (host, length) && !is_ipv4_literal (host))
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                   _("%s is not a valid IPv4 address."), subject);
      return FALSE;
    }

  return TRUE;
}

gboolean
adit_host_is_valid (const char  *host,
                    GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_host (host, NULL, error);
}

AditForward *
adit_forward_new (const char *bind_address,
                  guint16     bind_port,
                  const char *host,
                  guint16     host_port)
{
  AditForward *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_new0 (AditForward, 1);
  /* An empty bind address means every interface to ssh, exactly like "*". */
  if (bind_address != NULL && *bind_address == '\0')
    bind_address = "*";
  self->bind_address = g_strdup (bind_address);
  self->bind_port = bind_port;
  self->host = g_strdup (host);
  self->host_port = host_port;

  return self;
}

AditForward *
adit_forward_copy (const AditForward *forward)
{
  g_return_val_if_fail (forward != NULL, NULL);

  return adit_forward_new (forward->bind_address, forward->bind_port,
                           forward->host, forward->host_port);
}

void
adit_forward_free (AditForward *forward)
{
  if (forward == NULL)
    return;

  g_free (forward->bind_address);
  g_free (forward->host);
  g_free (forward);
}

gboolean
adit_forward_equal (const AditForward *a,
                    const AditForward *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return a->bind_port == b->bind_port &&
         a->host_port == b->host_port &&
         g_strcmp0 (a->bind_address, b->bind_address) == 0 &&
         g_strcmp0 (a->host, b->host) == 0;
}

static void
append_address (GString    *out,
                const char *address)
{
  if (strchr (address, ':') != NULL)
    g_string_append_printf (out, "[%s]", address);
  else
    g_string_append (out, address);
}

char *
adit_forward_to_string (const AditForward *forward)
{
  GString *out;

  g_return_val_if_fail (forward != NULL, NULL);

  out = g_string_new (NULL);

  if (forward->bind_address != NULL)
    {
      append_address (out, forward->bind_address);
      g_string_append_c (out, ':');
    }

  g_string_append_printf (out, "%u:", forward->bind_port);
  append_address (out, forward->host);
  g_string_append_printf (out, ":%u", forward->host_port);

  return g_string_free (out, FALSE);
}

gboolean
adit_forward_is_local_only (const AditForward *forward)
{
  g_autoptr(GInetAddress) address = NULL;
  const char *bind;

  g_return_val_if_fail (forward != NULL, FALSE);

  bind = forward->bind_address;
  if (bind == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (bind, "localhost") == 0 || g_ascii_strcasecmp (bind, "localhost.") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (bind);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

typedef struct
{
  char     *text;
  gboolean  bracketed;
} Field;

static void
field_clear (gpointer data)
{
  Field *field = data;

  g_free (field->text);
}

/* Splits like OpenSSH's parse_fwd_field(): "[...]" is one field taken literally and must be
 * followed by ':' or the end. */
static GArray *
split_fields (const char  *spec,
              const char  *shown_spec,
              GError     **error)
{
  g_autoptr(GArray) fields = g_array_new (FALSE, TRUE, sizeof (Field));
  const char *p = spec;

  g_array_set_clear_func (fields, field_clear);

  for (;;)
    {
      Field field = { NULL, FALSE };

      if (*p == '[')
        {
          const char *end = strchr (p + 1, ']');

          if (end == NULL)
            {
              g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                           _("In “%s”, a “[” has no matching “]”."), shown_spec);
              return NULL;
            }
          if (end[1] != ':' && end[1] != '\0')
            {
              g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                           _("In “%s”, a “]” must be followed by “:”."), shown_spec);
              return NULL;
            }

          field.text = g_strndup (p + 1, (gsize) (end - p - 1));
          field.bracketed = TRUE;
          p = end + 1;
        }
      else
        {
          const char *end = strchr (p, ':');

          if (end == NULL)
            end = p + strlen (p);

          field.text = g_strndup (p, (gsize) (end - p));
          p = end;
        }

      g_array_append_val (fields, field);

      if (*p == '\0')
        break;

      g_assert (*p == ':');
      p++;
    }

  return g_steal_pointer (&fields);
}

static gboolean
parse_port_field (const char  *text,
                  const char  *shown_spec,
                  gboolean     local,
                  guint16     *port,
                  GError     **error)
{
  g_autofree char *shown = NULL;

  switch (check_port (text, port))
    {
    case PORT_OK:
      return TRUE;

    case PORT_MISSING:
      if (local)
        g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_PORT,
                     _("In “%s”, the local port number is missing."), shown_spec);
      else
        g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_PORT,
                     _("In “%s”, the port number to connect to is missing."), shown_spec);
      return FALSE;

    case PORT_INVALID:
    default:
      shown = _adit_text_for_message (text);
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_PORT,
                   _("In “%s”, “%s” is not a port number; ports go from 1 to 65535."),
                   shown_spec, shown);
      return FALSE;
    }
}

AditForward *
adit_forward_parse (const char  *spec,
                    GError     **error)
{
  g_autofree char *shown_spec = NULL;
  g_autoptr(GArray) fields = NULL;
  const char *bind_address = NULL;
  const Field *port_field;
  const Field *host_field;
  const Field *host_port_field;
  guint16 bind_port = 0;
  guint16 host_port = 0;
  guint i;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  shown_spec = _adit_text_for_message (spec);

  if (*spec == '\0')
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                           _("The tunnel is empty; write it as local-port:host:port, for "
                             "example 1100:mail.example.com:110."));
      return NULL;
    }

  if (g_str_has_suffix (spec, ":"))
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                   _("In “%s”, something is missing after the last “:”."), shown_spec);
      return NULL;
    }

  fields = split_fields (spec, shown_spec, error);
  if (fields == NULL)
    return NULL;

  if (fields->len > 4)
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                   _("“%s” has too many parts; an IPv6 address must be written in square "
                     "brackets, for example 1100:[2001:db8::1]:110."), shown_spec);
      return NULL;
    }

  if (fields->len < 3)
    {
      g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                   _("“%s” is not a tunnel; write it as local-port:host:port, for example "
                     "1100:mail.example.com:110."), shown_spec);
      return NULL;
    }

  /* ssh reads a '/' outside brackets as a Unix socket path. */
  for (i = 0; i < fields->len; i++)
    {
      const Field *field = &g_array_index (fields, Field, i);

      if (!field->bracketed && strchr (field->text, '/') != NULL)
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                       _("“%s” names a Unix socket, which Adit cannot forward."), shown_spec);
          return NULL;
        }
    }

  if (fields->len == 4)
    {
      const Field *bind_field = &g_array_index (fields, Field, 0);

      bind_address = bind_field->text;
      if (*bind_address == '\0')
        bind_address = "*";
      else if (!(strcmp (bind_address, "*") == 0 && !bind_field->bracketed)
               && !check_host (bind_address, spec, error))
        return NULL;
    }

  port_field = &g_array_index (fields, Field, fields->len - 3);
  host_field = &g_array_index (fields, Field, fields->len - 2);
  host_port_field = &g_array_index (fields, Field, fields->len - 1);

  if (!parse_port_field (port_field->text, shown_spec, TRUE, &bind_port, error))
    return NULL;
  if (!check_host (host_field->text, spec, error))
    return NULL;
  if (!parse_port_field (host_port_field->text, shown_spec, FALSE, &host_port, error))
    return NULL;

  return adit_forward_new (bind_address, bind_port, host_field->text, host_port);
}
