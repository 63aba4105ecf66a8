/* adit-ssh-config-private.h — OpenSSH's host pattern lists, shared by ~/.ssh/config's Host
 * lines and known_hosts files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when @host (lowercase) matches one of @patterns ("*" and "?" wildcards, lowercase)
 * and none of those written "!pattern". */
gboolean _adit_ssh_patterns_match (const char * const *patterns,
                                   const char         *host);

G_END_DECLS
