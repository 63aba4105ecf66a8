/* adit-error.h — the ADIT_ERROR domain: one code per thing a person can be told about.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ADIT_ERROR (adit_error_quark ())

/* The UI maps codes to icons and next steps; the GError message is already a sentence a
 * person understands. Never compare message strings. */
typedef enum
{
  ADIT_ERROR_FAILED,
  ADIT_ERROR_INVALID_FORWARD,       /* a -L spec that cannot be right */
  ADIT_ERROR_INVALID_COMMAND,       /* an ssh command line that cannot be understood */
  ADIT_ERROR_UNSUPPORTED_OPTION,    /* an ssh option Adit does not do (named in the message) */
  ADIT_ERROR_INVALID_HOST,          /* a host name that cannot be right */
  ADIT_ERROR_INVALID_PORT,          /* not a port number 1–65535 */
  ADIT_ERROR_PRIVILEGED_PORT,       /* below 1024 without the right to bind it */
  ADIT_ERROR_PORT_IN_USE,           /* the local port is taken */
  ADIT_ERROR_BIND_FAILED,           /* any other failure to listen */
  ADIT_ERROR_HOST_NOT_FOUND,        /* DNS said no */
  ADIT_ERROR_CONNECTION_REFUSED,    /* nothing listens on the SSH port */
  ADIT_ERROR_TIMED_OUT,             /* the SSH server did not answer in time */
  ADIT_ERROR_CONNECT_FAILED,        /* any other network failure reaching the server */
  ADIT_ERROR_PROTOCOL,              /* the SSH conversation itself failed */
  ADIT_ERROR_HOST_KEY_UNKNOWN,      /* strict checking and the server is not known */
  ADIT_ERROR_HOST_KEY_CHANGED,      /* the server's identity changed: refused */
  ADIT_ERROR_HOST_KEY_REJECTED,     /* the person did not trust the server */
  ADIT_ERROR_KNOWN_HOSTS,           /* the known hosts file cannot be read or written */
  ADIT_ERROR_AUTH_FAILED,           /* every way of logging in was refused */
  ADIT_ERROR_KEY_FILE,              /* the key file cannot be read */
  ADIT_ERROR_CANCELLED,             /* the person cancelled a question */
  ADIT_ERROR_FORWARDING_REFUSED,    /* the server does not allow tunnels */
  ADIT_ERROR_TARGET_UNREACHABLE,    /* the server could not reach host:port */
  ADIT_ERROR_CONNECTION_LOST,       /* the session died after it was up */
  ADIT_ERROR_KEEPALIVE_TIMEOUT,     /* the server stopped answering keep-alives */
  ADIT_ERROR_INVALID_FILE,          /* a tunnel file that cannot be right (named in the message) */
  ADIT_ERROR_STORAGE,               /* a tunnel file cannot be read, written or removed */
  ADIT_ERROR_READ_ONLY,             /* the tunnel is provided by the administrator */
  ADIT_ERROR_KEYRING,               /* the keyring cannot be reached, is locked or refused */
  ADIT_ERROR_INVALID_FINGERPRINT,   /* a pinned server fingerprint that cannot be right */
} AditErrorCode;

GQuark adit_error_quark (void);

G_END_DECLS
