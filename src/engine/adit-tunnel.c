/* adit-tunnel.c — AditTunnel, one tunnel definition as plain data with properties.
 *
 * It holds what a person chose (server, login, identity checks, forwards) and nothing about
 * a running connection; AditConnection reads it. Setters notify only on a real change, so
 * the editor can bind to the properties and a "modified" flag stays honest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "adit-error.h"
#include "adit-tunnel.h"

struct _AditTunnel
{
  GObject parent_instance;

  char *uuid;
  char *name;
  char *host;
  char *user;
  char *identity_file;
  char *known_hosts_file;
  char *host_key_fingerprint;
  GPtrArray *forwards;
  AditHostKeyPolicy host_key_policy;
  guint alive_interval;
  guint alive_count_max;
  guint connect_timeout;
  AditAuthMethod auth_method;
  guint16 port;
  gboolean autostart;
  gboolean reconnect;
  gboolean read_only;
};

G_DEFINE_FINAL_TYPE (AditTunnel, adit_tunnel, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UUID,
  PROP_NAME,
  PROP_HOST,
  PROP_PORT,
  PROP_USER,
  PROP_IDENTITY_FILE,
  PROP_HOST_KEY_POLICY,
  PROP_KNOWN_HOSTS_FILE,
  PROP_HOST_KEY_FINGERPRINT,
  PROP_ALIVE_INTERVAL,
  PROP_ALIVE_COUNT_MAX,
  PROP_CONNECT_TIMEOUT,
  PROP_AUTH_METHOD,
  PROP_AUTOSTART,
  PROP_RECONNECT,
  PROP_READ_ONLY,
  PROP_FORWARDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* An empty entry in the editor means "not set", the same as NULL; storing one form keeps
 * "did it change?" a plain comparison. */
static gboolean
set_string (AditTunnel *self,
            char      **field,
            const char *value,
            int         prop_id)
{
  if (value != NULL && *value == '\0')
    value = NULL;

  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return TRUE;
}

static gboolean
set_uint (AditTunnel *self,
          guint      *field,
          guint       value,
          int         prop_id)
{
  if (*field == value)
    return FALSE;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return TRUE;
}

static gboolean
set_boolean (AditTunnel *self,
             gboolean   *field,
             gboolean    value,
             int         prop_id)
{
  value = !!value;
  if (*field == value)
    return FALSE;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return TRUE;
}

static void
adit_tunnel_finalize (GObject *object)
{
  AditTunnel *self = (AditTunnel *)object;

  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->identity_file, g_free);
  g_clear_pointer (&self->known_hosts_file, g_free);
  g_clear_pointer (&self->host_key_fingerprint, g_free);
  g_clear_pointer (&self->forwards, g_ptr_array_unref);

  G_OBJECT_CLASS (adit_tunnel_parent_class)->finalize (object);
}

static void
adit_tunnel_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  AditTunnel *self = ADIT_TUNNEL (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_IDENTITY_FILE:
      g_value_set_string (value, self->identity_file);
      break;

    case PROP_HOST_KEY_POLICY:
      g_value_set_enum (value, self->host_key_policy);
      break;

    case PROP_KNOWN_HOSTS_FILE:
      g_value_set_string (value, self->known_hosts_file);
      break;
    case PROP_HOST_KEY_FINGERPRINT:
      g_value_set_string (value, self->host_key_fingerprint);
      break;

    case PROP_ALIVE_INTERVAL:
      g_value_set_uint (value, self->alive_interval);
      break;

    case PROP_ALIVE_COUNT_MAX:
      g_value_set_uint (value, self->alive_count_max);
      break;

    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;

    case PROP_AUTH_METHOD:
      g_value_set_enum (value, self->auth_method);
      break;

    case PROP_AUTOSTART:
      g_value_set_boolean (value, self->autostart);
      break;
    case PROP_RECONNECT:
      g_value_set_boolean (value, self->reconnect);
      break;

    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;

    case PROP_FORWARDS:
      g_value_set_boxed (value, self->forwards);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
adit_tunnel_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  AditTunnel *self = ADIT_TUNNEL (object);

  switch (prop_id)
    {
    case PROP_UUID:
      adit_tunnel_set_uuid (self, g_value_get_string (value));
      break;

    case PROP_NAME:
      adit_tunnel_set_name (self, g_value_get_string (value));
      break;

    case PROP_HOST:
      adit_tunnel_set_host (self, g_value_get_string (value));
      break;

    case PROP_PORT:
      adit_tunnel_set_port (self, (guint16) g_value_get_uint (value));
      break;

    case PROP_USER:
      adit_tunnel_set_user (self, g_value_get_string (value));
      break;

    case PROP_IDENTITY_FILE:
      adit_tunnel_set_identity_file (self, g_value_get_string (value));
      break;

    case PROP_HOST_KEY_POLICY:
      adit_tunnel_set_host_key_policy (self, g_value_get_enum (value));
      break;

    case PROP_KNOWN_HOSTS_FILE:
      adit_tunnel_set_known_hosts_file (self, g_value_get_string (value));
      break;
    case PROP_HOST_KEY_FINGERPRINT:
      adit_tunnel_set_host_key_fingerprint (self, g_value_get_string (value));
      break;

    case PROP_ALIVE_INTERVAL:
      adit_tunnel_set_alive_interval (self, g_value_get_uint (value));
      break;

    case PROP_ALIVE_COUNT_MAX:
      adit_tunnel_set_alive_count_max (self, g_value_get_uint (value));
      break;

    case PROP_CONNECT_TIMEOUT:
      adit_tunnel_set_connect_timeout (self, g_value_get_uint (value));
      break;

    case PROP_AUTH_METHOD:
      adit_tunnel_set_auth_method (self, g_value_get_enum (value));
      break;

    case PROP_AUTOSTART:
      adit_tunnel_set_autostart (self, g_value_get_boolean (value));
      break;
    case PROP_RECONNECT:
      adit_tunnel_set_reconnect (self, g_value_get_boolean (value));
      break;

    case PROP_READ_ONLY:
      adit_tunnel_set_read_only (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
adit_tunnel_class_init (AditTunnelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = adit_tunnel_finalize;
  object_class->get_property = adit_tunnel_get_property;
  object_class->set_property = adit_tunnel_set_property;

  /* Which file the tunnel lives in, and which keyring entries are its. */
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL, flags);

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL, flags);

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL,
                       1, G_MAXUINT16, ADIT_DEFAULT_SSH_PORT, flags);

  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, flags);

  properties[PROP_IDENTITY_FILE] =
    g_param_spec_string ("identity-file", NULL, NULL, NULL, flags);

  properties[PROP_HOST_KEY_POLICY] =
    g_param_spec_enum ("host-key-policy", NULL, NULL,
                       ADIT_TYPE_HOST_KEY_POLICY, ADIT_HOST_KEY_POLICY_ASK, flags);

  properties[PROP_KNOWN_HOSTS_FILE] =
    g_param_spec_string ("known-hosts-file", NULL, NULL, NULL, flags);

  /* The server's key as the administrator gave it ("SHA256:…"): it wins over known_hosts. */
  properties[PROP_HOST_KEY_FINGERPRINT] =
    g_param_spec_string ("host-key-fingerprint", NULL, NULL, NULL, flags);

  properties[PROP_ALIVE_INTERVAL] =
    g_param_spec_uint ("alive-interval", NULL, NULL,
                       0, G_MAXINT, ADIT_DEFAULT_ALIVE_INTERVAL, flags);

  properties[PROP_ALIVE_COUNT_MAX] =
    g_param_spec_uint ("alive-count-max", NULL, NULL,
                       0, G_MAXINT, ADIT_DEFAULT_ALIVE_COUNT_MAX, flags);

  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL,
                       0, G_MAXINT, ADIT_DEFAULT_CONNECT_TIMEOUT, flags);

  properties[PROP_AUTH_METHOD] =
    g_param_spec_enum ("auth-method", NULL, NULL,
                       ADIT_TYPE_AUTH_METHOD, ADIT_AUTH_METHOD_AUTOMATIC, flags);

  properties[PROP_AUTOSTART] =
    g_param_spec_boolean ("autostart", NULL, NULL, FALSE, flags);

  /* Come back by itself after a lost session (not after a refusal that needs the person). */
  properties[PROP_RECONNECT] =
    g_param_spec_boolean ("reconnect", NULL, NULL, TRUE, flags);

  /* Provided by the administrator (a system-wide file): shown, used, never changed. */
  properties[PROP_READ_ONLY] =
    g_param_spec_boolean ("read-only", NULL, NULL, FALSE, flags);

  /* Notified when the forwards change, for whoever shows adit_tunnel_describe (). */
  properties[PROP_FORWARDS] =
    g_param_spec_boxed ("forwards", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
adit_tunnel_init (AditTunnel *self)
{
  self->uuid = g_uuid_string_random ();
  self->port = ADIT_DEFAULT_SSH_PORT;
  self->host_key_policy = ADIT_HOST_KEY_POLICY_ASK;
  self->alive_interval = ADIT_DEFAULT_ALIVE_INTERVAL;
  self->alive_count_max = ADIT_DEFAULT_ALIVE_COUNT_MAX;
  self->connect_timeout = ADIT_DEFAULT_CONNECT_TIMEOUT;
  self->reconnect = TRUE;
  self->forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) adit_forward_free);
}

AditTunnel *
adit_tunnel_new (void)
{
  return g_object_new (ADIT_TYPE_TUNNEL, NULL);
}

AditTunnel *
adit_tunnel_copy (AditTunnel *self)
{
  AditTunnel *copy;
  guint i;

  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  copy = g_object_new (ADIT_TYPE_TUNNEL,
                       "uuid", self->uuid,
                       "name", self->name,
                       "host", self->host,
                       "port", (guint) self->port,
                       "user", self->user,
                       "identity-file", self->identity_file,
                       "host-key-policy", self->host_key_policy,
                       "known-hosts-file", self->known_hosts_file,
                       "host-key-fingerprint", self->host_key_fingerprint,
                       "alive-interval", self->alive_interval,
                       "alive-count-max", self->alive_count_max,
                       "connect-timeout", self->connect_timeout,
                       "auth-method", self->auth_method,
                       "autostart", self->autostart,
                       "reconnect", self->reconnect,
                       "read-only", self->read_only,
                       NULL);

  for (i = 0; i < self->forwards->len; i++)
    adit_tunnel_add_forward (copy, g_ptr_array_index (self->forwards, i));

  return copy;
}

const char *
adit_tunnel_get_uuid (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->uuid;
}

void
adit_tunnel_set_uuid (AditTunnel *self,
                      const char *uuid)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (uuid != NULL && *uuid != '\0');

  set_string (self, &self->uuid, uuid, PROP_UUID);
}

const char *
adit_tunnel_get_name (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->name;
}

const char *
adit_tunnel_get_display_name (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->name != NULL ? self->name : self->host;
}

void
adit_tunnel_set_name (AditTunnel *self,
                      const char *name)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_string (self, &self->name, name, PROP_NAME);
}

const char *
adit_tunnel_get_host (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->host;
}

void
adit_tunnel_set_host (AditTunnel *self,
                      const char *host)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_string (self, &self->host, host, PROP_HOST);
}

guint16
adit_tunnel_get_port (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), ADIT_DEFAULT_SSH_PORT);

  return self->port;
}

void
adit_tunnel_set_port (AditTunnel *self,
                      guint16     port)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (port > 0);

  if (self->port == port)
    return;

  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

const char *
adit_tunnel_get_user (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->user;
}

void
adit_tunnel_set_user (AditTunnel *self,
                      const char *user)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_string (self, &self->user, user, PROP_USER);
}

const char *
adit_tunnel_get_identity_file (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->identity_file;
}

void
adit_tunnel_set_identity_file (AditTunnel *self,
                               const char *path)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_string (self, &self->identity_file, path, PROP_IDENTITY_FILE);
}

AditHostKeyPolicy
adit_tunnel_get_host_key_policy (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), ADIT_HOST_KEY_POLICY_ASK);

  return self->host_key_policy;
}

void
adit_tunnel_set_host_key_policy (AditTunnel        *self,
                                 AditHostKeyPolicy  policy)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (policy <= ADIT_HOST_KEY_POLICY_OFF);

  if (self->host_key_policy == policy)
    return;

  self->host_key_policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_KEY_POLICY]);
}

const char *
adit_tunnel_get_known_hosts_file (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->known_hosts_file;
}

void
adit_tunnel_set_known_hosts_file (AditTunnel *self,
                                  const char *path)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_string (self, &self->known_hosts_file, path, PROP_KNOWN_HOSTS_FILE);
}

guint
adit_tunnel_get_alive_interval (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), ADIT_DEFAULT_ALIVE_INTERVAL);

  return self->alive_interval;
}

void
adit_tunnel_set_alive_interval (AditTunnel *self,
                                guint       seconds)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (seconds <= G_MAXINT);

  set_uint (self, &self->alive_interval, seconds, PROP_ALIVE_INTERVAL);
}

guint
adit_tunnel_get_alive_count_max (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), ADIT_DEFAULT_ALIVE_COUNT_MAX);

  return self->alive_count_max;
}

void
adit_tunnel_set_alive_count_max (AditTunnel *self,
                                 guint       count)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (count <= G_MAXINT);

  set_uint (self, &self->alive_count_max, count, PROP_ALIVE_COUNT_MAX);
}

guint
adit_tunnel_get_connect_timeout (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), ADIT_DEFAULT_CONNECT_TIMEOUT);

  return self->connect_timeout;
}

void
adit_tunnel_set_connect_timeout (AditTunnel *self,
                                 guint       seconds)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (seconds <= G_MAXINT);

  set_uint (self, &self->connect_timeout, seconds, PROP_CONNECT_TIMEOUT);
}

AditAuthMethod
adit_tunnel_get_auth_method (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), ADIT_AUTH_METHOD_AUTOMATIC);

  return self->auth_method;
}

void
adit_tunnel_set_auth_method (AditTunnel     *self,
                             AditAuthMethod  method)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (method <= ADIT_AUTH_METHOD_PASSWORD);

  if (self->auth_method == method)
    return;

  self->auth_method = method;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_METHOD]);
}

gboolean
adit_tunnel_get_autostart (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), FALSE);

  return self->autostart;
}

void
adit_tunnel_set_autostart (AditTunnel *self,
                           gboolean    autostart)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_boolean (self, &self->autostart, autostart, PROP_AUTOSTART);
}

const char *
adit_tunnel_get_host_key_fingerprint (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->host_key_fingerprint;
}

void
adit_tunnel_set_host_key_fingerprint (AditTunnel *self,
                                      const char *fingerprint)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_string (self, &self->host_key_fingerprint, fingerprint, PROP_HOST_KEY_FINGERPRINT);
}

/* A SHA-256 digest is 32 bytes: 43 characters of unpadded base64. */
#define SHA256_BASE64_LENGTH 43

char *
adit_host_key_fingerprint_normalize (const char *text)
{
  g_autofree char *trimmed = NULL;
  const char *digest;
  gsize length;

  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  digest = g_str_has_prefix (trimmed, "SHA256:") ? trimmed + strlen ("SHA256:") : trimmed;
  length = strlen (digest);
  if (length == SHA256_BASE64_LENGTH + 1 && digest[length - 1] == '=')
    length--;   /* as some tools print it, padded */
  if (length != SHA256_BASE64_LENGTH)
    return NULL;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (digest[i]) && digest[i] != '+' && digest[i] != '/')
      return NULL;

  return g_strdup_printf ("SHA256:%.*s", (int) length, digest);
}

gboolean
adit_tunnel_get_reconnect (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), FALSE);

  return self->reconnect;
}

void
adit_tunnel_set_reconnect (AditTunnel *self,
                           gboolean    reconnect)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_boolean (self, &self->reconnect, reconnect, PROP_RECONNECT);
}

gboolean
adit_tunnel_get_read_only (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), FALSE);

  return self->read_only;
}

void
adit_tunnel_set_read_only (AditTunnel *self,
                           gboolean    read_only)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  set_boolean (self, &self->read_only, read_only, PROP_READ_ONLY);
}

GPtrArray *
adit_tunnel_get_forwards (AditTunnel *self)
{
  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  return self->forwards;
}

void
adit_tunnel_add_forward (AditTunnel        *self,
                         const AditForward *forward)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));
  g_return_if_fail (forward != NULL);

  g_ptr_array_add (self->forwards, adit_forward_copy (forward));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORWARDS]);
}

void
adit_tunnel_clear_forwards (AditTunnel *self)
{
  g_return_if_fail (ADIT_IS_TUNNEL (self));

  if (self->forwards->len == 0)
    return;

  g_ptr_array_set_size (self->forwards, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORWARDS]);
}

static void
append_endpoint (GString    *out,
                 const char *address,
                 guint16     port)
{
  if (strchr (address, ':') != NULL)
    g_string_append_printf (out, "[%s]:%u", address, port);
  else
    g_string_append_printf (out, "%s:%u", address, port);
}

char *
adit_tunnel_describe (AditTunnel *self)
{
  g_autoptr(GString) from = NULL;
  g_autoptr(GString) to = NULL;
  g_autofree char *first = NULL;
  const AditForward *forward;
  guint more;

  g_return_val_if_fail (ADIT_IS_TUNNEL (self), NULL);

  if (self->forwards->len == 0)
    return g_strdup (self->host != NULL ? self->host : "");

  forward = g_ptr_array_index (self->forwards, 0);
  from = g_string_new (NULL);
  to = g_string_new (NULL);

  /* "localhost" for every loopback form: what matters to a person is "only this computer". */
  append_endpoint (from,
                   adit_forward_is_local_only (forward) ? "localhost" : forward->bind_address,
                   forward->bind_port);
  append_endpoint (to, forward->host, forward->host_port);

  if (self->host != NULL)
    /* TRANSLATORS: "localhost:1100 → mail.example.com:110 via other.example.com" */
    first = g_strdup_printf (_("%s → %s via %s"), from->str, to->str, self->host);
  else
    first = g_strdup_printf (_("%s → %s"), from->str, to->str);

  more = self->forwards->len - 1;
  if (more == 0)
    return g_steal_pointer (&first);

  /* TRANSLATORS: a tunnel's first forward, then how many others it has */
  return g_strdup_printf (ngettext ("%s (+%u more)", "%s (+%u more)", more), first, more);
}

static gboolean
same_listener (const AditForward *a,
               const AditForward *b)
{
  gboolean a_all = g_strcmp0 (a->bind_address, "*") == 0;
  gboolean b_all = g_strcmp0 (b->bind_address, "*") == 0;

  if (a->bind_port != b->bind_port)
    return FALSE;

  /* Listening everywhere takes the port on loopback too. */
  return a_all || b_all ||
         (adit_forward_is_local_only (a) && adit_forward_is_local_only (b)) ||
         g_strcmp0 (a->bind_address, b->bind_address) == 0;
}

gboolean
adit_tunnel_validate (AditTunnel  *self,
                      GError     **error)
{
  guint i, j;

  g_return_val_if_fail (ADIT_IS_TUNNEL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->host == NULL)
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_HOST,
                           _("The tunnel has no server to connect to."));
      return FALSE;
    }

  if (!adit_host_is_valid (self->host, error))
    return FALSE;

  if (self->host_key_fingerprint != NULL)
    {
      g_autofree char *fingerprint = adit_host_key_fingerprint_normalize (self->host_key_fingerprint);

      if (fingerprint == NULL)
        {
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FINGERPRINT,
                       _("“%s” is not a server fingerprint. It should look like what "
                         "ssh-keygen -l shows: SHA256: and 43 letters, digits, + and /."),
                       self->host_key_fingerprint);
          return FALSE;
        }
    }

  if (self->forwards->len == 0)
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                           _("A tunnel needs at least one local port to forward."));
      return FALSE;
    }

  for (i = 0; i < self->forwards->len; i++)
    for (j = i + 1; j < self->forwards->len; j++)
      {
        const AditForward *a = g_ptr_array_index (self->forwards, i);
        const AditForward *b = g_ptr_array_index (self->forwards, j);

        if (same_listener (a, b))
          {
            g_set_error (error, ADIT_ERROR, ADIT_ERROR_INVALID_FORWARD,
                         _("The local port %u is used twice in this tunnel."),
                         (guint) a->bind_port);
            return FALSE;
          }
      }

  return TRUE;
}
