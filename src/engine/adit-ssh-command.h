/* adit-ssh-command.h — an ssh command line, as administrators write it, turned into a tunnel.
 *
 *   ssh -L 1100:mail.example.com:110 [-L …] [-p PORT] [-l USER] [-i FILE] [-N] [-f]
 *       [-o Key=Value …] [user@]host
 *
 * The same parser serves adit-cli (whose options are ssh's) and "Paste a command" in the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-tunnel.h"

G_BEGIN_DECLS

/* Splits @command_line as a POSIX shell would (quotes, backslashes), then parses it as
 * adit_ssh_command_parse_argv() does. A leading "ssh" (or a path ending in /ssh) is optional. */
AditTunnel *adit_ssh_command_parse      (const char         *command_line,
                                         GError            **error);
/* @argv[0] is the program name and is ignored. Unsupported options are named in the error
 * (ADIT_ERROR_UNSUPPORTED_OPTION); nothing is silently dropped that changes what the
 * command does. */
AditTunnel *adit_ssh_command_parse_argv (int                 argc,
                                         const char * const *argv,
                                         GError            **error);

G_END_DECLS
