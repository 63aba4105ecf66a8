/* adit-ssh-config.h — the servers a person already named in ~/.ssh/config, for the tunnel
 * editor to offer as they type a host ("work" → work.example.com as alice, port 2222).
 *
 * Only what suggestions need is read: the Host aliases that name one server, and for each the
 * HostName, User, Port and IdentityFile that ssh would use for it (the first value found
 * wins, "Host *" blocks included). Include is followed; Match blocks are skipped, since what
 * they test (the network, a command's result) cannot be known here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ADIT_TYPE_SSH_CONFIG_HOST (adit_ssh_config_host_get_type ())

typedef struct
{
  char    *alias;           /* what follows "Host": what the person types to ssh */
  char    *hostname;        /* the server's name or address; NULL: the alias itself */
  char    *user;            /* NULL: not set */
  guint16  port;            /* 0: not set */
  char    *identity_file;   /* the first IdentityFile, "~/" expanded; NULL: not set */
} AditSshConfigHost;

GType              adit_ssh_config_host_get_type (void) G_GNUC_CONST;
AditSshConfigHost *adit_ssh_config_host_copy     (const AditSshConfigHost *host);
void               adit_ssh_config_host_free     (AditSshConfigHost       *host);

/* One AditSshConfigHost per alias, in the order the file names them; never NULL. @path NULL:
 * ~/.ssh/config. A file that is missing or cannot be used gives an empty array: these are
 * suggestions, and a broken config is for ssh to report. Relative Include paths are taken
 * from ~/.ssh, as ssh does for a person's own config. */
GPtrArray         *adit_ssh_config_hosts         (const char              *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditSshConfigHost, adit_ssh_config_host_free)

G_END_DECLS
