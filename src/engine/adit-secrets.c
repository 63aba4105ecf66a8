/* adit-secrets.c — see adit-secrets.h.
 *
 * A thin GTask layer over libsecret's password API: its errors become one sentence in the
 * ADIT_ERROR domain (the library's own words kept in parentheses, as the detail), and a looked
 * up secret is copied out of libsecret's memory into a string adit_secret_free () can wipe.
 * Nothing here logs: not the secret, not even its length.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "adit-error.h"
#include "adit-question.h"
#include "adit-secrets.h"

static const SecretSchema schema = {
  "io.github.adit.Adit.Secret",
  SECRET_SCHEMA_NONE,
  {
    { "uuid", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

typedef enum
{
  OP_LOOKUP,
  OP_STORE,
  OP_CLEAR,
} Op;

static const char *
kind_attribute (AditSecretKind kind)
{
  return kind == ADIT_SECRET_PASSPHRASE ? "passphrase" : "password";
}

/* "alice@other.example.com", with ":2222" for another port, as the keyring shows it. */
static char *
server_for_label (AditTunnel *tunnel)
{
  const char *user = adit_tunnel_get_user (tunnel);
  guint16 port = adit_tunnel_get_port (tunnel);

  if (user == NULL)
    user = g_get_user_name ();

  if (port == ADIT_DEFAULT_SSH_PORT)
    return g_strdup_printf ("%s@%s", user, adit_tunnel_get_host (tunnel));
  return g_strdup_printf ("%s@%s:%u", user, adit_tunnel_get_host (tunnel), port);
}

static char *
label_for (AditTunnel     *tunnel,
           AditSecretKind  kind)
{
  g_autofree char *server = server_for_label (tunnel);

  if (kind == ADIT_SECRET_PASSPHRASE)
    /* TRANSLATORS: the name of a saved secret in the keyring; %s is alice@other.example.com */
    return g_strdup_printf (_("Adit: key passphrase for %s"), server);
  /* TRANSLATORS: the name of a saved secret in the keyring; %s is alice@other.example.com */
  return g_strdup_printf (_("Adit: password for %s"), server);
}

static GError *
keyring_error (Op              op,
               AditSecretKind  kind,
               GCancellable   *cancellable,
               const GError   *error)
{
  /* Cancelled by whoever called us, not by a keyring the person would not unlock. */
  int code = g_cancellable_is_cancelled (cancellable) ? ADIT_ERROR_CANCELLED : ADIT_ERROR_KEYRING;
  const char *detail = error->message;

  switch (op)
    {
    case OP_STORE:
      if (kind == ADIT_SECRET_PASSPHRASE)
        return g_error_new (ADIT_ERROR, code,
                            _("Adit could not reach the keyring to save the key passphrase "
                              "(%s)."), detail);
      return g_error_new (ADIT_ERROR, code,
                          _("Adit could not reach the keyring to save the password (%s)."),
                          detail);

    case OP_LOOKUP:
      if (kind == ADIT_SECRET_PASSPHRASE)
        return g_error_new (ADIT_ERROR, code,
                            _("Adit could not reach the keyring to look up the saved key "
                              "passphrase (%s)."), detail);
      return g_error_new (ADIT_ERROR, code,
                          _("Adit could not reach the keyring to look up the saved password "
                            "(%s)."), detail);

    case OP_CLEAR:
    default:
      return g_error_new (ADIT_ERROR, code,
                          _("Adit could not reach the keyring to forget this tunnel's saved "
                            "password and key passphrase (%s)."), detail);
    }
}

/* The task of each call: its source object is the tunnel, its data the kind. libsecret
 * watches @cancellable and answers with its own error, which keyring_error () words: GTask
 * must not replace it with a bare G_IO_ERROR_CANCELLED. */
static GTask *
new_task (AditTunnel          *tunnel,
          AditSecretKind       kind,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (tunnel, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);
  g_task_set_check_cancellable (task, FALSE);

  return task;
}

static void
task_return_keyring_error (GTask        *task,
                           Op            op,
                           const GError *error)
{
  AditSecretKind kind = (AditSecretKind) GPOINTER_TO_INT (g_task_get_task_data (task));

  g_task_return_error (task, keyring_error (op, kind, g_task_get_cancellable (task), error));
}

static gboolean
is_task_of (GAsyncResult *result,
            gpointer      source_tag)
{
  return G_IS_TASK (result) && g_task_get_source_tag (G_TASK (result)) == source_tag;
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *found = secret_password_lookup_finish (result, &error);
  char *secret;

  if (error != NULL)
    {
      task_return_keyring_error (task, OP_LOOKUP, error);
      return;
    }

  /* libsecret may hand out its non-pageable memory, which only secret_password_free () may
   * release: copy into memory adit_secret_free () can wipe and free. */
  secret = g_strdup (found);
  secret_password_free (found);
  g_task_return_pointer (task, secret, (GDestroyNotify) adit_secret_free);
}

void
adit_secrets_lookup_async (AditTunnel          *tunnel,
                           AditSecretKind       kind,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ADIT_IS_TUNNEL (tunnel));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (tunnel, kind, cancellable, callback, user_data, adit_secrets_lookup_async);
  secret_password_lookup (&schema, cancellable, lookup_cb, task,
                          "uuid", adit_tunnel_get_uuid (tunnel),
                          "kind", kind_attribute (kind),
                          NULL);
}

char *
adit_secrets_lookup_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (is_task_of (result, adit_secrets_lookup_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      task_return_keyring_error (task, OP_STORE, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
adit_secrets_store_async (AditTunnel          *tunnel,
                          AditSecretKind       kind,
                          const char          *secret,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (ADIT_IS_TUNNEL (tunnel));
  g_return_if_fail (secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (tunnel, kind, cancellable, callback, user_data, adit_secrets_store_async);
  label = label_for (tunnel, kind);
  secret_password_store (&schema, SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, store_cb, task,
                         "uuid", adit_tunnel_get_uuid (tunnel),
                         "kind", kind_attribute (kind),
                         NULL);
}

gboolean
adit_secrets_store_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (is_task_of (result, adit_secrets_store_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error: there was nothing to forget, which is what was asked. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    {
      task_return_keyring_error (task, OP_CLEAR, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
adit_secrets_clear_async (AditTunnel          *tunnel,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ADIT_IS_TUNNEL (tunnel));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (tunnel, ADIT_SECRET_PASSWORD, cancellable, callback, user_data,
                   adit_secrets_clear_async);
  /* Only the uuid: every kind, including any a later Adit adds. */
  secret_password_clear (&schema, cancellable, clear_cb, task,
                         "uuid", adit_tunnel_get_uuid (tunnel),
                         NULL);
}

gboolean
adit_secrets_clear_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (is_task_of (result, adit_secrets_clear_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
