/* adit-auth.h — private: logging in, step by step without blocking: the agent, key files
 * (asking for a passphrase), keyboard-interactive prompts and passwords, in the order
 * OpenSSH tries them, as far as the server offers each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libssh/libssh.h>

#include "adit-question.h"
#include "adit-tunnel.h"

G_BEGIN_DECLS

typedef struct _AditAuth AditAuth;

typedef enum
{
  ADIT_AUTH_AGAIN,   /* waiting for the server: call again when the socket is ready */
  ADIT_AUTH_ASK,     /* a question for the person; call again after set_answers() */
  ADIT_AUTH_DONE,
  ADIT_AUTH_FAILED,  /* the error says why */
} AditAuthResult;

/* The saved secrets (may be NULL) come from the keyring and are tried once each. */
AditAuth       *adit_auth_new         (ssh_session          session,
                                       AditTunnel          *tunnel,
                                       const char          *saved_password,
                                       const char          *saved_passphrase);
AditAuthResult  adit_auth_step        (AditAuth            *self,
                                       AditQuestion       **question,
                                       GError             **error);
void            adit_auth_set_answers (AditAuth            *self,
                                       const char * const  *answers);
/* Which secrets the person typed were accepted: a mask of 1 << AditQuestionKind. */
guint           adit_auth_get_accepted (AditAuth           *self);
void            adit_auth_free        (AditAuth            *self);

G_END_DECLS
