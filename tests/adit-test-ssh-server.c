/* adit-test-ssh-server.c — see adit-test-ssh-server.h.
 *
 * Blocking libssh calls in a thread of its own: simple, and the client under test runs in
 * other threads. Stopping closes the listening socket, which ends a waiting accept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include "adit-test-ssh-server.h"

struct _AditTestSshServer
{
  AditTestServerAuth  auth;
  ssh_bind            bind;
  ssh_key             host_key;
  guint16             port;
  GThread            *thread;
  gint                stopping;
  gint                attempts;
  gint                logins;
};

static void
echo_channel (ssh_session session,
              ssh_channel channel)
{
  char buf[16384];

  for (;;)
    {
      int got = ssh_channel_read_timeout (channel, buf, sizeof buf, 0, 30000);

      if (got <= 0)
        break;
      if (ssh_channel_write (channel, buf, got) != got)
        break;
    }
  ssh_channel_send_eof (channel);
  ssh_channel_close (channel);
  ssh_channel_free (channel);
}

static gboolean
check_kbdint_answers (ssh_session session)
{
  const char *code;
  const char *secret;

  if (ssh_userauth_kbdint_getnanswers (session) != 2)
    return FALSE;
  code = ssh_userauth_kbdint_getanswer (session, 0);
  secret = ssh_userauth_kbdint_getanswer (session, 1);
  return g_strcmp0 (code, ADIT_TEST_SERVER_KBD_ANSWER_CODE) == 0 &&
         g_strcmp0 (secret, ADIT_TEST_SERVER_PASSWORD) == 0;
}

/* Returns TRUE once the client logged in. */
static gboolean
handle_auth (AditTestSshServer *self,
             ssh_session        session,
             ssh_message        message)
{
  int method = ssh_message_subtype (message);
  const char *user = ssh_message_auth_user (message);
  int offered = self->auth == ADIT_TEST_SERVER_AUTH_PASSWORD ? SSH_AUTH_METHOD_PASSWORD
                                                             : SSH_AUTH_METHOD_INTERACTIVE;

  if (self->auth == ADIT_TEST_SERVER_AUTH_PASSWORD && method == SSH_AUTH_METHOD_PASSWORD)
    {
      const char *password;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      password = ssh_message_auth_password (message);
      G_GNUC_END_IGNORE_DEPRECATIONS

      g_atomic_int_inc (&self->attempts);
      if (g_strcmp0 (user, ADIT_TEST_SERVER_USER) == 0 &&
          g_strcmp0 (password, ADIT_TEST_SERVER_PASSWORD) == 0)
        {
          ssh_message_auth_reply_success (message, 0);
          return TRUE;
        }
    }
  else if (self->auth == ADIT_TEST_SERVER_AUTH_KEYBOARD_INTERACTIVE &&
           method == SSH_AUTH_METHOD_INTERACTIVE)
    {
      if (!ssh_message_auth_kbdint_is_response (message) &&
          g_strcmp0 (user, ADIT_TEST_SERVER_USER) == 0)
        {
          const char *prompts[] = { ADIT_TEST_SERVER_KBD_PROMPT_CODE,
                                    ADIT_TEST_SERVER_KBD_PROMPT_SECRET };
          char echo[] = { 1, 0 };

          ssh_message_auth_interactive_request (message, "Two-step login",
                                                "Enter the code from your phone, then your "
                                                "password.", 2, prompts, echo);
          return FALSE;
        }

      /* A response names no user: the one of the request was checked when it came. */
      g_atomic_int_inc (&self->attempts);
      if (check_kbdint_answers (session))
        {
          ssh_message_auth_reply_success (message, 0);
          return TRUE;
        }
    }

  ssh_message_auth_set_methods (message, offered);
  ssh_message_reply_default (message);
  return FALSE;
}

static void
serve_session (AditTestSshServer *self,
               ssh_session        session)
{
  gboolean logged_in = FALSE;
  ssh_message message;

  if (ssh_handle_key_exchange (session) != SSH_OK)
    return;

  while (!logged_in && (message = ssh_message_get (session)) != NULL)
    {
      if (ssh_message_type (message) == SSH_REQUEST_AUTH)
        logged_in = handle_auth (self, session, message);
      else
        ssh_message_reply_default (message);
      ssh_message_free (message);
    }

  if (!logged_in)
    return;
  g_atomic_int_inc (&self->logins);

  while ((message = ssh_message_get (session)) != NULL)
    {
      ssh_channel channel = NULL;

      if (ssh_message_type (message) == SSH_REQUEST_CHANNEL_OPEN &&
          ssh_message_subtype (message) == SSH_CHANNEL_DIRECT_TCPIP)
        channel = ssh_message_channel_request_open_reply_accept (message);
      else
        ssh_message_reply_default (message);
      ssh_message_free (message);

      if (channel != NULL)
        echo_channel (session, channel);
    }
}

static gpointer
server_thread (gpointer data)
{
  AditTestSshServer *self = data;

  while (!g_atomic_int_get (&self->stopping))
    {
      ssh_session session = ssh_new ();

      if (ssh_bind_accept (self->bind, session) == SSH_OK)
        serve_session (self, session);
      ssh_disconnect (session);
      ssh_free (session);
    }

  return NULL;
}

AditTestSshServer *
adit_test_ssh_server_new (AditTestServerAuth   auth,
                          GError             **error)
{
  AditTestSshServer *self = g_new0 (AditTestSshServer, 1);
  struct sockaddr_in address;
  socklen_t len = sizeof address;
  unsigned int any_port = 0;

  self->auth = auth;
  if (ssh_pki_generate (SSH_KEYTYPE_ED25519, 0, &self->host_key) != SSH_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make a host key");
      adit_test_ssh_server_free (self);
      return NULL;
    }

  self->bind = ssh_bind_new ();
  ssh_bind_options_set (self->bind, SSH_BIND_OPTIONS_BINDADDR, "127.0.0.1");
  ssh_bind_options_set (self->bind, SSH_BIND_OPTIONS_BINDPORT, &any_port);
  /* The bind takes the key over: freed with the bind, not by us. */
  ssh_bind_options_set (self->bind, SSH_BIND_OPTIONS_IMPORT_KEY, self->host_key);
  if (ssh_bind_listen (self->bind) != SSH_OK ||
      getsockname (ssh_bind_get_fd (self->bind), (struct sockaddr *)&address, &len) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot listen: %s",
                   ssh_get_error (self->bind));
      adit_test_ssh_server_free (self);
      return NULL;
    }
  self->port = ntohs (address.sin_port);
  self->thread = g_thread_new ("adit-test-ssh-server", server_thread, self);

  return self;
}

guint16
adit_test_ssh_server_get_port (AditTestSshServer *self)
{
  return self->port;
}

guint
adit_test_ssh_server_get_attempts (AditTestSshServer *self)
{
  return g_atomic_int_get (&self->attempts);
}

guint
adit_test_ssh_server_get_logins (AditTestSshServer *self)
{
  return g_atomic_int_get (&self->logins);
}

void
adit_test_ssh_server_free (AditTestSshServer *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      g_atomic_int_set (&self->stopping, 1);
      /* Wakes a blocked accept() */
      shutdown (ssh_bind_get_fd (self->bind), SHUT_RDWR);
      g_thread_join (self->thread);
    }
  if (self->bind != NULL)
    ssh_bind_free (self->bind);
  g_free (self);
}
