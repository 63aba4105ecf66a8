/* adit-local-port.c — see adit-local-port.h.
 *
 * Whether a port is free is asked of the kernel the only way that cannot be wrong: bind it
 * exactly as a tunnel's listener would (GSocket, SO_REUSEADDR), then close. Which program
 * holds it comes from /proc: the listening socket's inode in /proc/net/tcp{,6}, the process
 * with a descriptor on that inode, and its name in /proc/PID/comm. /proc is read as hostile
 * input (another namespace, a kernel with other columns): every read is bounded and a line
 * that does not parse is skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "adit-error.h"
#include "adit-file-private.h"
#include "adit-forward-private.h"
#include "adit-local-port.h"
#include "adit-local-port-private.h"

#define FIRST_UNPRIVILEGED_PORT 1024
#define SUGGEST_TRIES           200
/* A host with tens of thousands of sockets still fits; more is not worth a keystroke's wait. */
#define MAX_PROC_NET_SIZE       (16 * 1024 * 1024)
#define MAX_COMM_SIZE           64
#define TCP_LISTEN              0x0A

guint16
adit_suggest_unprivileged_port (guint16 port)
{
  /* The convention administrators use: 110 → 1100, 143 → 1430; 80 → 8080, 22 → 8022. */
  if (port >= FIRST_UNPRIVILEGED_PORT)
    return port;
  if (port * 10 >= FIRST_UNPRIVILEGED_PORT)
    return port * 10;
  return port + 8000;
}

GError *
_adit_local_port_privileged_error (guint16 port,
                                   guint16 suggestion)
{
  if (suggestion != 0)
    return g_error_new (ADIT_ERROR, ADIT_ERROR_PRIVILEGED_PORT,
                        _("Port %u is below 1024, which needs administrator rights. "
                          "Use %u instead?"), port, suggestion);

  return g_error_new (ADIT_ERROR, ADIT_ERROR_PRIVILEGED_PORT,
                      _("Port %u is below 1024, which needs administrator rights. "
                        "Choose a local port from 1024 up."), port);
}

GError *
_adit_local_port_in_use_error (guint16     port,
                               const char *owner,
                               guint16     suggestion)
{
  if (owner != NULL && suggestion != 0)
    /* TRANSLATORS: %s is a program's name, such as “thunderbird” */
    return g_error_new (ADIT_ERROR, ADIT_ERROR_PORT_IN_USE,
                        _("Port %u is already used by %s. Use %u instead?"),
                        port, owner, suggestion);
  if (owner != NULL)
    /* TRANSLATORS: %s is a program's name, such as “thunderbird” */
    return g_error_new (ADIT_ERROR, ADIT_ERROR_PORT_IN_USE,
                        _("Port %u is already used by %s. Choose another local port."),
                        port, owner);
  if (suggestion != 0)
    return g_error_new (ADIT_ERROR, ADIT_ERROR_PORT_IN_USE,
                        _("Port %u is already used by another program on this computer. "
                          "Use %u instead?"), port, suggestion);

  return g_error_new (ADIT_ERROR, ADIT_ERROR_PORT_IN_USE,
                      _("Port %u is already used by another program on this computer. "
                        "Choose another local port."), port);
}

GError *
_adit_local_port_bind_error (guint16     port,
                             const char *address,
                             const char *detail)
{
  return g_error_new (ADIT_ERROR, ADIT_ERROR_BIND_FAILED,
                      _("Adit could not open port %u on %s: %s"), port, address, detail);
}

typedef enum
{
  PROBE_FREE,
  PROBE_IN_USE,
  PROBE_DENIED,       /* EACCES: a port below 1024 without the right to it */
  PROBE_FAILED,       /* anything else, e.g. an address this computer does not have */
} Probe;

/* On anything but PROBE_FREE, @address_out and @detail (when given and still NULL) receive
 * the address tried and the system's words for what went wrong. */
static Probe
probe_address (GInetAddress  *inet,
               guint16        port,
               char         **address_out,
               char         **detail)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  /* Bound as the forwarder binds (allow_reuse: SO_REUSEADDR), so that a port whose last
   * connections linger in TIME_WAIT counts as free, as it will be for the tunnel. */
  if (socket != NULL && g_socket_bind (socket, address, TRUE, &error))
    {
      g_socket_close (socket, NULL);
      return PROBE_FREE;
    }

  if (address_out != NULL && *address_out == NULL)
    *address_out = g_inet_address_to_string (inet);
  if (detail != NULL && *detail == NULL)
    *detail = g_strdup (error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    return PROBE_IN_USE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return PROBE_DENIED;
  return PROBE_FAILED;
}

/* The addresses a tunnel's listener binds, as listen_forward () in adit-forwarder.c does. */
static Probe
probe (const char  *bind_address,
       guint16      port,
       char       **address_out,
       char       **detail)
{
  g_autoptr(GInetAddress) inet = NULL;

  if (bind_address == NULL || g_ascii_strcasecmp (bind_address, "localhost") == 0)
    {
      g_autoptr(GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
      Probe result = probe_address (v4, port, address_out, detail);

      if (result != PROBE_FREE)
        return result;

      /* A computer without IPv6 still gets its tunnel; a port taken on ::1 is a real clash. */
      result = probe_address (v6, port, NULL, NULL);
      return result == PROBE_FAILED ? PROBE_FREE : result;
    }

  if (*bind_address == '\0' || strcmp (bind_address, "*") == 0)
    {
      g_autoptr(GInetAddress) any6 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GInetAddress) any4 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
      Probe result = probe_address (any6, port, NULL, NULL);

      /* GLib makes IPv6 sockets dual-stack, so [::] answers for IPv4 too. */
      if (result != PROBE_FAILED)
        return result;
      return probe_address (any4, port, address_out, detail);
    }

  inet = g_inet_address_new_from_string (bind_address);
  if (inet == NULL)
    /* A host name: finding its addresses could wait on the network, which the editor must
     * never do. Connecting will tell. */
    return PROBE_FREE;

  return probe_address (inet, port, address_out, detail);
}

gboolean
adit_local_port_is_free (const char *bind_address,
                         guint16     port)
{
  g_return_val_if_fail (port != 0, FALSE);

  return probe (bind_address, port, NULL, NULL) == PROBE_FREE;
}

guint16
adit_local_port_suggest_free (const char *bind_address,
                              guint16     wanted)
{
  guint first = MAX (wanted, FIRST_UNPRIVILEGED_PORT);

  for (guint port = first; port < first + SUGGEST_TRIES && port <= G_MAXUINT16; port++)
    if (probe (bind_address, (guint16) port, NULL, NULL) == PROBE_FREE)
      return (guint16) port;

  return 0;
}

/* The n-th (from 0) field of a line split on spaces, without copying; NULL past the end. */
static const char *
nth_field (const char *line,
           guint       n,
           gsize      *length)
{
  const char *p = line;

  for (;;)
    {
      const char *start;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        return NULL;

      start = p;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;

      if (n-- == 0)
        {
          *length = (gsize) (p - start);
          return start;
        }
    }
}

static gboolean
parse_number (const char *text,
              gsize       length,
              guint       base,
              guint64     max,
              guint64    *value)
{
  g_autofree char *copy = NULL;

  if (length == 0 || length > 20)
    return FALSE;
  copy = g_strndup (text, length);

  return g_ascii_string_to_unsigned (copy, base, 0, max, value, NULL);
}

/* Adds to @inodes the inode of every socket listening on @port in @path's table, a
 * /proc/net/tcp or tcp6: "sl local_address rem_address st … uid timeout inode", with
 * local_address as HEXADDR:HEXPORT and st 0A for LISTEN. */
void
_adit_local_port_listening_inodes (const char *path,
                                   guint16     port,
                                   GArray     *inodes)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length = 0;

  if (_adit_read_file (path, MAX_PROC_NET_SIZE, &contents, &length, NULL) != ADIT_READ_OK)
    return;

  /* A NUL cuts the table short, which is what a broken table deserves. */
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *local, *state, *inode_text, *colon;
      gsize local_len = 0, state_len = 0, inode_len = 0;
      guint64 local_port, st, inode;

      local = nth_field (lines[i], 1, &local_len);
      state = nth_field (lines[i], 3, &state_len);
      inode_text = nth_field (lines[i], 9, &inode_len);
      if (local == NULL || state == NULL || inode_text == NULL)
        continue;

      colon = memchr (local, ':', local_len);
      if (colon == NULL ||
          !parse_number (colon + 1, local_len - (gsize) (colon + 1 - local), 16, G_MAXUINT16,
                         &local_port) ||
          !parse_number (state, state_len, 16, G_MAXUINT8, &st) ||
          !parse_number (inode_text, inode_len, 10, G_MAXUINT64, &inode))
        continue;

      if (local_port == port && st == TCP_LISTEN && inode != 0)
        g_array_append_val (inodes, inode);
    }
}

static gboolean
is_pid (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* TRUE when one of @pid's descriptors is a socket in @inodes. Another user's process cannot
 * be looked into: FALSE. */
static gboolean
process_holds (const char *pid,
               GArray     *inodes)
{
  g_autofree char *fd_dir = g_build_filename ("/proc", pid, "fd", NULL);
  g_autoptr(GDir) dir = g_dir_open (fd_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link_path = g_build_filename (fd_dir, name, NULL);
      char target[64];
      ssize_t n = readlink (link_path, target, sizeof target - 1);
      guint64 inode;

      if (n <= 0)
        continue;
      target[n] = '\0';

      /* "socket:[12345]" */
      if (!g_str_has_prefix (target, "socket:[") || target[n - 1] != ']' ||
          !parse_number (target + 8, (gsize) n - 9, 10, G_MAXUINT64, &inode))
        continue;

      for (guint i = 0; i < inodes->len; i++)
        if (g_array_index (inodes, guint64, i) == inode)
          return TRUE;
    }

  return FALSE;
}

static char *
process_name (const char *pid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "comm", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (_adit_read_file (path, MAX_COMM_SIZE, &contents, &length, NULL) != ADIT_READ_OK)
    return NULL;

  g_strchomp (contents);
  if (*contents == '\0')
    return NULL;

  /* A program names itself: it could say anything, in any bytes. */
  return _adit_text_for_message (contents);
}

char *
adit_local_port_owner (guint16 port)
{
  g_autoptr(GArray) inodes = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GDir) proc = NULL;
  const char *pid;

  g_return_val_if_fail (port != 0, NULL);

  _adit_local_port_listening_inodes ("/proc/net/tcp", port, inodes);
  _adit_local_port_listening_inodes ("/proc/net/tcp6", port, inodes);
  if (inodes->len == 0)
    return NULL;

  proc = g_dir_open ("/proc", 0, NULL);
  if (proc == NULL)
    return NULL;

  while ((pid = g_dir_read_name (proc)) != NULL)
    if (is_pid (pid) && process_holds (pid, inodes))
      return process_name (pid);

  return NULL;
}

gboolean
adit_local_port_check (const char  *bind_address,
                       guint16      port,
                       guint16     *suggestion,
                       GError     **error)
{
  g_autofree char *address = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *owner = NULL;
  guint16 other = 0;

  g_return_val_if_fail (port != 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (suggestion != NULL)
    *suggestion = 0;

  switch (probe (bind_address, port, &address, &detail))
    {
    case PROBE_FREE:
      return TRUE;

    case PROBE_DENIED:
      if (port < FIRST_UNPRIVILEGED_PORT)
        {
          other = adit_local_port_suggest_free (bind_address,
                                                adit_suggest_unprivileged_port (port));
          g_propagate_error (error, _adit_local_port_privileged_error (port, other));
          break;
        }
      /* A port from 1024 up refused by a security policy: the system's words are all there
       * is to say. */
      g_propagate_error (error, _adit_local_port_bind_error (port, address, detail));
      return FALSE;

    case PROBE_IN_USE:
      owner = adit_local_port_owner (port);
      other = adit_local_port_suggest_free (bind_address, port < G_MAXUINT16 ? port + 1 : 0);
      g_propagate_error (error, _adit_local_port_in_use_error (port, owner, other));
      break;

    case PROBE_FAILED:
    default:
      g_propagate_error (error, _adit_local_port_bind_error (port, address, detail));
      return FALSE;
    }

  if (suggestion != NULL)
    *suggestion = other;
  return FALSE;
}
