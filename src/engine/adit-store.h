/* adit-store.h — the tunnels Adit knows: the person's own, kept as one .sshtunnel file each,
 * and those an administrator provides, shown read-only. A GListModel of AditTunnel sorted by
 * name, for the main window's list. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-tunnel.h"

G_BEGIN_DECLS

#define ADIT_TYPE_STORE (adit_store_get_type ())
G_DECLARE_FINAL_TYPE (AditStore, adit_store, ADIT, STORE, GObject)

/* @user_dir NULL: $XDG_CONFIG_HOME/adit/tunnels. @system_dirs NULL: adit/tunnels in each of
 * $XDG_CONFIG_DIRS, the first one winning; an empty array for none. Nothing is read before
 * adit_store_load (). */
AditStore  *adit_store_new          (const char         *user_dir,
                                     const char * const *system_dirs);

const char *adit_store_get_user_dir (AditStore          *self);

/* (Re)reads every *.sshtunnel file; a user file replaces a system one with the same uuid. A
 * user file that cannot be used is renamed to NAME.sshtunnel.broken (-2, -3… when taken),
 * never deleted or overwritten; a system one is skipped. Either way it is reported in
 * adit_store_get_problems (). */
void        adit_store_load         (AditStore          *self);

/* What the last adit_store_load () could not use: GErrors (ADIT_ERROR_INVALID_FILE or
 * ADIT_ERROR_STORAGE) whose messages are sentences to show as they are, for instance
 * "The tunnel file “x.sshtunnel” was set aside as “x.sshtunnel.broken” because it could not
 * be used. …". Owned by the store; empty when all was well. */
GPtrArray  *adit_store_get_problems (AditStore          *self);

/* Writes @tunnel's file (creating the folder, mode 0700) and puts it in the list: the same
 * object again is a re-save, another one with the same uuid replaces the old one in its
 * place, a new uuid is added. Unknown keys of the file it was read from are kept. Refuses a
 * read-only tunnel (ADIT_ERROR_READ_ONLY) and a tunnel adit_tunnel_validate () refuses (its
 * error as it is). */
gboolean    adit_store_save         (AditStore          *self,
                                     AditTunnel         *tunnel,
                                     GError            **error);

/* Deletes the file of @tunnel's uuid and takes it out of the list. Refuses a read-only tunnel.
 * When the person's file was hiding an administrator's tunnel of the same uuid, that one
 * comes back. */
gboolean    adit_store_remove       (AditStore          *self,
                                     AditTunnel         *tunnel,
                                     GError            **error);

/* (transfer none) The tunnel in the list with @uuid, or NULL. */
AditTunnel *adit_store_lookup       (AditStore          *self,
                                     const char         *uuid);

G_END_DECLS
