/* adit-tunnel.h — a tunnel definition: the SSH server, how to log in and check its identity,
 * and the local forwards. What a .sshtunnel file stores and what an ssh command line means.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-engine-enums.h"
#include "adit-forward.h"

G_BEGIN_DECLS

/* What to do with a server whose key is not in known_hosts (OpenSSH's StrictHostKeyChecking). */
typedef enum
{
  ADIT_HOST_KEY_POLICY_ASK,         /* "ask": the default — ask the person */
  ADIT_HOST_KEY_POLICY_STRICT,      /* "yes": refuse unknown servers */
  ADIT_HOST_KEY_POLICY_ACCEPT_NEW,  /* "accept-new": trust and remember unknown servers */
  ADIT_HOST_KEY_POLICY_OFF,         /* "no": as accept-new; a changed key is still refused */
} AditHostKeyPolicy;

/* How to log in. */
typedef enum
{
  ADIT_AUTH_METHOD_AUTOMATIC,  /* as ssh: the agent, keys, then the server's prompts/password */
  ADIT_AUTH_METHOD_KEY_FILE,   /* only the agent and the identity file */
  ADIT_AUTH_METHOD_PASSWORD,   /* only the server's prompts and the password */
} AditAuthMethod;

/* ADIT_TYPE_HOST_KEY_POLICY and ADIT_TYPE_AUTH_METHOD come from the glib-mkenums header generated from this file. */

#define ADIT_DEFAULT_SSH_PORT 22
#define ADIT_DEFAULT_ALIVE_INTERVAL 15     /* seconds; 0 turns keep-alive off */
#define ADIT_DEFAULT_ALIVE_COUNT_MAX 3
#define ADIT_DEFAULT_CONNECT_TIMEOUT 30    /* seconds */

#define ADIT_TYPE_TUNNEL (adit_tunnel_get_type ())
G_DECLARE_FINAL_TYPE (AditTunnel, adit_tunnel, ADIT, TUNNEL, GObject)

/* Every property below is a GObject property of the same name (with dashes), notified only
 * on a real change. */
AditTunnel        *adit_tunnel_new                      (void);
AditTunnel        *adit_tunnel_copy                     (AditTunnel        *self);

/* A random one from adit_tunnel_new (); a copy keeps it. */
const char        *adit_tunnel_get_uuid                 (AditTunnel        *self);
void               adit_tunnel_set_uuid                 (AditTunnel        *self,
                                                         const char        *uuid);

const char        *adit_tunnel_get_name                 (AditTunnel        *self);
/* What to call the tunnel in front of a person: its name, or its server when it has none. */
const char        *adit_tunnel_get_display_name         (AditTunnel        *self);
void               adit_tunnel_set_name                 (AditTunnel        *self,
                                                         const char        *name);
const char        *adit_tunnel_get_host                 (AditTunnel        *self);
void               adit_tunnel_set_host                 (AditTunnel        *self,
                                                         const char        *host);
guint16            adit_tunnel_get_port                 (AditTunnel        *self);
void               adit_tunnel_set_port                 (AditTunnel        *self,
                                                         guint16            port);
/* NULL: the local user name, as ssh does. */
const char        *adit_tunnel_get_user                 (AditTunnel        *self);
void               adit_tunnel_set_user                 (AditTunnel        *self,
                                                         const char        *user);
/* NULL: the agent and the default keys in ~/.ssh. */
const char        *adit_tunnel_get_identity_file        (AditTunnel        *self);
void               adit_tunnel_set_identity_file        (AditTunnel        *self,
                                                         const char        *path);
AditHostKeyPolicy  adit_tunnel_get_host_key_policy      (AditTunnel        *self);
void               adit_tunnel_set_host_key_policy      (AditTunnel        *self,
                                                         AditHostKeyPolicy  policy);
/* NULL: Adit's own known_hosts (see adit_known_hosts_default_path()). */
const char        *adit_tunnel_get_known_hosts_file     (AditTunnel        *self);
void               adit_tunnel_set_known_hosts_file     (AditTunnel        *self,
                                                         const char        *path);
guint              adit_tunnel_get_alive_interval       (AditTunnel        *self);
void               adit_tunnel_set_alive_interval       (AditTunnel        *self,
                                                         guint              seconds);
guint              adit_tunnel_get_alive_count_max      (AditTunnel        *self);
void               adit_tunnel_set_alive_count_max      (AditTunnel        *self,
                                                         guint              count);
guint              adit_tunnel_get_connect_timeout      (AditTunnel        *self);
void               adit_tunnel_set_connect_timeout      (AditTunnel        *self,
                                                         guint              seconds);

AditAuthMethod     adit_tunnel_get_auth_method          (AditTunnel        *self);
void               adit_tunnel_set_auth_method          (AditTunnel        *self,
                                                         AditAuthMethod     method);

/* Connect when Adit starts. */
gboolean           adit_tunnel_get_autostart            (AditTunnel        *self);
void               adit_tunnel_set_autostart            (AditTunnel        *self,
                                                         gboolean           autostart);

/* The server key's fingerprint as the administrator gave it, "SHA256:…" (NULL: none). When
 * set, it decides whether the server is the right one, before and instead of known_hosts. */
const char        *adit_tunnel_get_host_key_fingerprint (AditTunnel        *self);
void               adit_tunnel_set_host_key_fingerprint (AditTunnel        *self,
                                                         const char        *fingerprint);
/* "SHA256:" and 43 base64 characters, as `ssh-keygen -l` prints it; the prefix and a trailing
 * "=" may be left out. NULL when @text is no such fingerprint. */
char              *adit_host_key_fingerprint_normalize  (const char        *text);

/* Reconnect by itself when the session is lost (on by default). */
gboolean           adit_tunnel_get_reconnect            (AditTunnel        *self);
void               adit_tunnel_set_reconnect            (AditTunnel        *self,
                                                         gboolean           reconnect);

/* Provided by the administrator: not to be changed or deleted by the person. */
gboolean           adit_tunnel_get_read_only            (AditTunnel        *self);
void               adit_tunnel_set_read_only            (AditTunnel        *self,
                                                         gboolean           read_only);

/* The forwards, in order. The array owns its AditForward elements; do not change it. */
GPtrArray         *adit_tunnel_get_forwards             (AditTunnel        *self);
void               adit_tunnel_add_forward              (AditTunnel        *self,
                                                         const AditForward *forward);
void               adit_tunnel_clear_forwards           (AditTunnel        *self);

/* "localhost:1100 → mail.example.com:110 via other.example.com" for the first forward. */
char              *adit_tunnel_describe                 (AditTunnel        *self);

/* TRUE, or FALSE with a sentence: no host, no forward, … */
gboolean           adit_tunnel_validate                 (AditTunnel        *self,
                                                         GError           **error);

G_END_DECLS
