/* adit-question.h — something a connection needs a person to answer: whether to trust an
 * unknown server, a password, a key passphrase, keyboard-interactive prompts.
 *
 * A worker pauses its connection and hands the question to the owning thread; the app shows a
 * dialog, the CLI asks on the terminal, and the answer travels back. Nothing blocks meanwhile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  ADIT_QUESTION_HOST_KEY,          /* an unknown server: trust it? (see fingerprint) */
  ADIT_QUESTION_PASSWORD,          /* one secret prompt */
  ADIT_QUESTION_PASSPHRASE,        /* one secret prompt for the key file */
  ADIT_QUESTION_KEYBOARD_INTERACTIVE, /* any number of prompts, some echoed */
} AditQuestionKind;

#define ADIT_TYPE_QUESTION (adit_question_get_type ())
G_DECLARE_FINAL_TYPE (AditQuestion, adit_question, ADIT, QUESTION, GObject)

typedef void (*AditQuestionReplyFunc) (AditQuestion *question,
                                       gboolean      accepted,
                                       char        **answers,   /* owned, to be wiped */
                                       gpointer      user_data);

AditQuestionKind  adit_question_get_kind          (AditQuestion *self);
/* The server as a person would name it: "other.example.com" or "host:2222". */
const char       *adit_question_get_server        (AditQuestion *self);
/* A sentence explaining what is asked (translated), e.g. the server's instruction. */
const char       *adit_question_get_message       (AditQuestion *self);
/* HOST_KEY only: "SHA256:…" and the key type ("ssh-ed25519"). */
const char       *adit_question_get_fingerprint   (AditQuestion *self);
const char       *adit_question_get_key_type      (AditQuestion *self);
guint             adit_question_get_n_prompts     (AditQuestion *self);
const char       *adit_question_get_prompt        (AditQuestion *self,
                                                   guint         index);
gboolean          adit_question_get_prompt_echo   (AditQuestion *self,
                                                   guint         index);
/* TRUE once answered or cancelled (also when the connection withdrew it); the "done"
 * property is notified then. A question is answered at most once. */
gboolean          adit_question_is_done           (AditQuestion *self);

/* HOST_KEY: trust and continue. Secrets: one answer per prompt (copied; wipe yours). */
void              adit_question_answer            (AditQuestion       *self,
                                                   const char * const *answers);
void              adit_question_cancel            (AditQuestion *self);

/* For the engine. The reply is handed to @reply once, on the thread that answers. */
AditQuestion     *adit_question_new               (AditQuestionKind      kind,
                                                   const char           *server,
                                                   const char           *message);
void              adit_question_set_reply         (AditQuestion         *self,
                                                   AditQuestionReplyFunc reply,
                                                   gpointer              user_data,
                                                   GDestroyNotify        destroy);
void              adit_question_set_host_key      (AditQuestion *self,
                                                   const char   *key_type,
                                                   const char   *fingerprint);
void              adit_question_add_prompt        (AditQuestion *self,
                                                   const char   *prompt,
                                                   gboolean      echo);

/* Overwrite a secret (or each of a vector of them), then free. */
void              adit_secret_free                (char         *secret);
void              adit_secret_strv_free           (char        **secrets);

G_END_DECLS
