/* adit-test-ssh-server.h — an in-process SSH server (libssh) for what OpenSSH's sshd cannot
 * be made to do for an unprivileged test: password and keyboard-interactive logins with
 * known answers. It accepts one connection at a time and answers every direct-tcpip channel
 * by echoing what it receives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ADIT_TEST_SERVER_USER     "tunnel-user"
#define ADIT_TEST_SERVER_PASSWORD "Tunnel-Pass-7"
/* Keyboard-interactive: two prompts, the first echoed, each with its own answer. */
#define ADIT_TEST_SERVER_KBD_PROMPT_CODE   "Verification code: "
#define ADIT_TEST_SERVER_KBD_ANSWER_CODE   "424242"
#define ADIT_TEST_SERVER_KBD_PROMPT_SECRET "Password: "

typedef enum
{
  ADIT_TEST_SERVER_AUTH_PASSWORD,
  ADIT_TEST_SERVER_AUTH_KEYBOARD_INTERACTIVE,
} AditTestServerAuth;

typedef struct _AditTestSshServer AditTestSshServer;

AditTestSshServer *adit_test_ssh_server_new       (AditTestServerAuth   auth,
                                                   GError             **error);
guint16            adit_test_ssh_server_get_port  (AditTestSshServer   *server);
/* How many login attempts the server saw, and how many succeeded. */
guint              adit_test_ssh_server_get_attempts (AditTestSshServer *server);
guint              adit_test_ssh_server_get_logins   (AditTestSshServer *server);
void               adit_test_ssh_server_free      (AditTestSshServer   *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditTestSshServer, adit_test_ssh_server_free)

G_END_DECLS
