/* adit-secrets.h — a tunnel's saved password and key passphrase, kept in the desktop's keyring
 * (libsecret; the Secret portal inside Flatpak), never in a file, a log or the environment.
 *
 * Items use the schema "io.github.adit.Adit.Secret" with the attributes "uuid" (the tunnel's)
 * and "kind" ("password" or "passphrase"). Everything is asynchronous: the keyring may have to
 * be unlocked, and the main thread must never wait for that. Call from the main thread (the
 * callback runs on the thread-default main context of the caller).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-tunnel.h"

G_BEGIN_DECLS

typedef enum
{
  ADIT_SECRET_PASSWORD,     /* the password on the SSH server */
  ADIT_SECRET_PASSPHRASE,   /* the passphrase of the tunnel's key file */
} AditSecretKind;

/* ADIT_TYPE_SECRET_KIND comes from the glib-mkenums header generated from this file. */

/* Errors: ADIT_ERROR_KEYRING (no keyring, locked, refused) or ADIT_ERROR_CANCELLED (through
 * @cancellable), with a sentence that says what could not be done. */

void      adit_secrets_lookup_async  (AditTunnel           *tunnel,
                                      AditSecretKind        kind,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
/* The saved secret, to free with adit_secret_free () (which wipes it); NULL without an error
 * when none is saved. */
char     *adit_secrets_lookup_finish (GAsyncResult         *result,
                                      GError              **error);

/* Saves @secret (copied; wipe yours) for @tunnel, replacing a saved one of that kind. The
 * keyring shows it as "Adit: password for alice@other.example.com". Save only a secret that
 * worked. */
void      adit_secrets_store_async   (AditTunnel           *tunnel,
                                      AditSecretKind        kind,
                                      const char           *secret,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean  adit_secrets_store_finish  (GAsyncResult         *result,
                                      GError              **error);

/* Forgets every secret saved for @tunnel (both kinds); TRUE also when there was none. */
void      adit_secrets_clear_async   (AditTunnel           *tunnel,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean  adit_secrets_clear_finish  (GAsyncResult         *result,
                                      GError              **error);

G_END_DECLS
