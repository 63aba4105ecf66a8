/* adit-local-port-private.h — the sentences for a local port that cannot be opened, shared by
 * the editor's check (adit_local_port_check ()) and the tunnel's listeners, so that a person
 * reads the same words before and after pressing Connect; and the /proc table reader, open to
 * its test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @suggestion and @owner are optional (0, NULL): the sentence then says what to do instead. */
GError *_adit_local_port_privileged_error (guint16     port,
                                           guint16     suggestion);
GError *_adit_local_port_in_use_error     (guint16     port,
                                           const char *owner,
                                           guint16     suggestion);
/* @address is where it was tried ("127.0.0.1"), @detail the system's reason. */
GError *_adit_local_port_bind_error       (guint16     port,
                                           const char *address,
                                           const char *detail);

/* Adds to @inodes (of guint64) the socket inode of every line of @path, a table in the format
 * of /proc/net/tcp or tcp6, that listens on @port. Lines that do not parse are skipped. */
void    _adit_local_port_listening_inodes (const char *path,
                                           guint16     port,
                                           GArray     *inodes);

G_END_DECLS
