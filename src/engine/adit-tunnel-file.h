/* adit-tunnel-file.h — the .sshtunnel file: one tunnel as a GKeyFile [Tunnel] group.
 *
 * One format serves the files Adit keeps, Export, Import and the tunnels an administrator
 * provides; docs/tunnel-file.md describes it for people. Secrets are never part of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-tunnel.h"

G_BEGIN_DECLS

#define ADIT_TUNNEL_FILE_GROUP "Tunnel"
#define ADIT_TUNNEL_FILE_SUFFIX ".sshtunnel"
#define ADIT_TUNNEL_FILE_VERSION 1
/* Larger files are refused unread: a tunnel takes a few hundred bytes. */
#define ADIT_TUNNEL_FILE_MAX_SIZE (1024 * 1024)

/* Reads the [Tunnel] group. Anything wrong (a newer Version, a missing Host or LocalForward,
 * a port out of range, a bad forward, a value of the wrong type) gives NULL and one sentence
 * naming the problem, code ADIT_ERROR_INVALID_FILE. The uuid is left random. */
AditTunnel *adit_tunnel_file_from_key_file (GKeyFile    *key_file,
                                            GError     **error);
/* Writes the tunnel into @key_file: known keys are set, known optional keys that are unset
 * (or at their default, for Port) are removed, and every other key and group is kept. A key
 * whose present value already reads as the tunnel's (IdentityFile=~/…, a translated Name) is
 * left as it is written. */
void        adit_tunnel_file_to_key_file   (AditTunnel  *tunnel,
                                            GKeyFile    *key_file);

/* Reads @path: a regular file of at most ADIT_TUNNEL_FILE_MAX_SIZE bytes. The uuid becomes
 * the base name without ".sshtunnel" when that can name a stored file (see
 * adit_tunnel_file_uuid_is_valid ()): give an imported tunnel a fresh one before storing it.
 * Errors: ADIT_ERROR_STORAGE when the file cannot be read, ADIT_ERROR_INVALID_FILE when what
 * it says cannot be used. @key_file_out, when given, receives the parsed file for a later
 * adit_tunnel_file_save () that keeps its unknown keys. */
AditTunnel *adit_tunnel_file_load          (const char  *path,
                                            GKeyFile   **key_file_out,
                                            GError     **error);
/* Writes @tunnel into @key_file (or a new key file when NULL), then replaces @path atomically:
 * a temporary file in the same directory, flushed to disk, renamed over @path, mode 0600.
 * On failure (ADIT_ERROR_STORAGE) the old file is untouched. */
gboolean    adit_tunnel_file_save          (AditTunnel  *tunnel,
                                            GKeyFile    *key_file,
                                            const char  *path,
                                            GError     **error);

/* TRUE when @uuid can be a stored tunnel's file name: not empty, no "/", no leading ".",
 * valid UTF-8 without control characters, at most 200 bytes. */
gboolean    adit_tunnel_file_uuid_is_valid (const char  *uuid);

G_END_DECLS
