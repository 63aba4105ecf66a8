/* adit-forward.h — one local forward: listen on [bind_address:]bind_port, connect to
 * host:host_port from the SSH server (what `ssh -L` takes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ADIT_TYPE_FORWARD (adit_forward_get_type ())

typedef struct
{
  char    *bind_address;   /* NULL: this computer only (127.0.0.1 and ::1) */
  guint16  bind_port;      /* 1–65535 */
  char    *host;           /* as the SSH server will resolve it; never NULL */
  guint16  host_port;      /* 1–65535 */
} AditForward;

GType        adit_forward_get_type        (void) G_GNUC_CONST;
AditForward *adit_forward_new             (const char        *bind_address,
                                           guint16            bind_port,
                                           const char        *host,
                                           guint16            host_port);
/* Parses `[bind_address:]port:host:hostport`; IPv6 addresses in brackets. The error
 * (ADIT_ERROR_INVALID_FORWARD, _INVALID_PORT, _INVALID_HOST) is a translated sentence. */
AditForward *adit_forward_parse           (const char        *spec,
                                           GError           **error);
AditForward *adit_forward_copy            (const AditForward *forward);
void         adit_forward_free            (AditForward       *forward);
gboolean     adit_forward_equal           (const AditForward *a,
                                           const AditForward *b);
/* The spec again, in the form adit_forward_parse() reads (brackets around IPv6). */
char        *adit_forward_to_string       (const AditForward *forward);
/* TRUE when the listener is reachable from this computer only (no bind address, "localhost",
 * or a loopback literal). Anything else deserves a warning in the UI. */
gboolean     adit_forward_is_local_only   (const AditForward *forward);

/* Validation shared by the parsers and the editor. */
gboolean     adit_host_is_valid           (const char        *host,
                                           GError           **error);
gboolean     adit_port_parse              (const char        *text,
                                           guint16           *port,
                                           GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditForward, adit_forward_free)

G_END_DECLS
