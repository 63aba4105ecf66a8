/* adit-tunnel-editor.h — adding and editing a tunnel: name, a service preset, the SSH
 * server, the destination and the local port, checked as the person types, with plain
 * sentences and a fix where there is one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "adit-engine.h"

G_BEGIN_DECLS

#define ADIT_TYPE_TUNNEL_EDITOR (adit_tunnel_editor_get_type ())
G_DECLARE_FINAL_TYPE (AditTunnelEditor, adit_tunnel_editor, ADIT, TUNNEL_EDITOR, AdwWindow)

/* @tunnel NULL: a new tunnel. A tunnel of @manager's store is edited (on a copy); any other
 * (pasted, imported) is a new one filled in for the person to confirm, and @intro (may be
 * NULL) says where it came from. Emits "saved" (AditTunnel) after the store saved it. */
AditTunnelEditor *adit_tunnel_editor_new          (GtkWindow        *parent,
                                                   AditManager      *manager,
                                                   AditTunnel       *tunnel,
                                                   const char       *intro);

/* What the editor would save now, or NULL with the first problem (for tests). */
AditTunnel       *adit_tunnel_editor_build        (AditTunnelEditor *self,
                                                   GError          **error);
/* The message shown under a field now, or NULL: "host", "ssh-port", "remote-host",
 * "remote-port", "local-port", "bind" (for tests and the accessibility tree). */
const char       *adit_tunnel_editor_get_message  (AditTunnelEditor *self,
                                                   const char       *field);
gboolean          adit_tunnel_editor_save         (AditTunnelEditor *self,
                                                   GError          **error);

G_END_DECLS
