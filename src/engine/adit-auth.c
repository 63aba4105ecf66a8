/* adit-auth.c — see adit-auth.h.
 *
 * Secrets the person types live here only until libssh has them, and are wiped after.
 * Secrets saved in the keyring are tried once each, before the person is asked; which typed
 * secrets the server (or the key file) accepted is remembered, so the app can offer to save
 * exactly those.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "adit-auth.h"
#include "adit-error.h"

#define MAX_TRIES 3

typedef enum
{
  STAGE_NONE,       /* "none" login: learns which methods the server offers */
  STAGE_AGENT,
  STAGE_KEYS,
  STAGE_KBDINT,
  STAGE_PASSWORD,
  STAGE_EXHAUSTED,
} Stage;

typedef enum
{
  KEY_LOAD,
  KEY_PROBE,        /* would the server take this (encrypted) key? */
  KEY_ASK,          /* its passphrase */
  KEY_AUTH,
} KeyStep;

struct _AditAuth
{
  ssh_session   session;
  AditTunnel   *tunnel;
  Stage         stage;
  AditAuthMethod method;         /* which stages the person allowed */
  int           methods;         /* which the server offers */
  GPtrArray    *keys;            /* paths */
  gboolean      keys_explicit;   /* -i: a problem with the file is the person's to know */
  guint         key_index;
  KeyStep       key_step;
  char         *key_data;
  ssh_key       public_key;
  ssh_key       private_key;
  guint         tries;
  gboolean      asked;           /* a question is out; its answers come next */
  char        **answers;
  gboolean      answers_typed;   /* the answers came from the person, not the keyring */
  gboolean      kbdint_answered;
  char         *saved_password;
  char         *saved_passphrase;
  gboolean      saved_rejected;  /* the keyring's secret was tried and was wrong */
  guint         accepted;        /* 1 << AditQuestionKind, for secrets the person typed */
};

static void
wipe_answers (AditAuth *self)
{
  g_clear_pointer (&self->answers, adit_secret_strv_free);
}

static void
key_reset (AditAuth *self)
{
  if (self->key_data != NULL)
    explicit_bzero (self->key_data, strlen (self->key_data));
  g_clear_pointer (&self->key_data, g_free);
  g_clear_pointer (&self->public_key, ssh_key_free);
  g_clear_pointer (&self->private_key, ssh_key_free);
  self->key_step = KEY_LOAD;
  self->tries = 0;
}

static void
next_key (AditAuth *self)
{
  key_reset (self);
  self->key_index++;
}

static void
next_stage (AditAuth *self,
            Stage     stage)
{
  key_reset (self);
  wipe_answers (self);
  self->asked = FALSE;
  self->tries = 0;
  self->stage = stage;
}

static const char *
user_name (AditAuth *self)
{
  const char *user = adit_tunnel_get_user (self->tunnel);

  return user ? user : g_get_user_name ();
}

/* A keyring secret, once: it is dropped as it is used. */
static void
use_saved (AditAuth  *self,
           char     **saved)
{
  const char *answers[] = { *saved, NULL };

  wipe_answers (self);
  self->answers = g_strdupv ((char **)answers);
  self->answers_typed = FALSE;
  adit_secret_free (g_steal_pointer (saved));
}

static void
note_accepted (AditAuth         *self,
               AditQuestionKind  kind)
{
  if (self->answers_typed)
    self->accepted |= 1u << kind;
}

AditAuth *
adit_auth_new (ssh_session  session,
               AditTunnel  *tunnel,
               const char  *saved_password,
               const char  *saved_passphrase)
{
  AditAuth *self = g_new0 (AditAuth, 1);
  const char *identity = adit_tunnel_get_identity_file (tunnel);

  self->session = session;
  self->tunnel = g_object_ref (tunnel);
  self->method = adit_tunnel_get_auth_method (tunnel);
  self->keys = g_ptr_array_new_with_free_func (g_free);
  self->saved_password = g_strdup (saved_password);
  self->saved_passphrase = g_strdup (saved_passphrase);

  if (identity != NULL)
    {
      self->keys_explicit = TRUE;
      g_ptr_array_add (self->keys, g_strdup (identity));
    }
  else
    {
      static const char * const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa" };

      for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
        g_ptr_array_add (self->keys,
                         g_build_filename (g_get_home_dir (), ".ssh", defaults[i], NULL));
    }

  return self;
}

void
adit_auth_free (AditAuth *self)
{
  if (self == NULL)
    return;

  key_reset (self);
  wipe_answers (self);
  adit_secret_free (self->saved_password);
  adit_secret_free (self->saved_passphrase);
  g_ptr_array_unref (self->keys);
  g_object_unref (self->tunnel);
  g_free (self);
}

void
adit_auth_set_answers (AditAuth           *self,
                       const char * const *answers)
{
  wipe_answers (self);
  self->answers = g_strdupv ((char **)answers);
  self->answers_typed = TRUE;
}

guint
adit_auth_get_accepted (AditAuth *self)
{
  return self->accepted;
}

/* libssh asks through this callback only when a key is encrypted and no passphrase was
 * given: it tells us to ask the person instead of failing. */
static int
note_encrypted_cb (const char *prompt,
                   char       *buf,
                   size_t      len,
                   int         echo,
                   int         verify,
                   void       *user_data)
{
  gboolean *encrypted = user_data;

  *encrypted = TRUE;
  return -1;
}

static AditAuthResult
failed_session (AditAuth  *self,
                GError   **error)
{
  const char *said = ssh_get_disconnect_message (self->session);

  /* A server that hangs up during login is refusing it ("Too many authentication
   * failures", its login time ran out): that is a login problem, not a network one. */
  if (said != NULL)
    g_set_error (error, ADIT_ERROR, ADIT_ERROR_AUTH_FAILED,
                 _("%s ended the login as %s (it said: “%s”)."),
                 adit_tunnel_get_host (self->tunnel), user_name (self), said);
  else
    g_set_error (error, ADIT_ERROR, ADIT_ERROR_PROTOCOL,
                 _("The connection to %s failed while logging in (%s)."),
                 adit_tunnel_get_host (self->tunnel), ssh_get_error (self->session));
  return ADIT_AUTH_FAILED;
}

static AditQuestion *
secret_question (AditAuth         *self,
                 AditQuestionKind  kind,
                 const char       *message,
                 const char       *prompt)
{
  AditQuestion *question = adit_question_new (kind, adit_tunnel_get_host (self->tunnel),
                                              message);

  adit_question_add_prompt (question, prompt, FALSE);
  self->asked = TRUE;
  return question;
}

/* One step with the current key; returns AGAIN/ASK/DONE/FAILED, or -1 to go on. */
static int
step_key (AditAuth      *self,
          AditQuestion **question,
          GError       **error)
{
  const char *path = g_ptr_array_index (self->keys, self->key_index);
  int rc;

  switch (self->key_step)
    {
    case KEY_LOAD:
      {
        g_autoptr(GError) read_error = NULL;
        gboolean encrypted = FALSE;

        if (!g_file_get_contents (path, &self->key_data, NULL, &read_error))
          {
            if (!self->keys_explicit)
              {
                next_key (self);
                return -1;
              }
            g_set_error (error, ADIT_ERROR, ADIT_ERROR_KEY_FILE,
                         _("Adit cannot read the key file “%s” (%s)."), path,
                         read_error->message);
            return ADIT_AUTH_FAILED;
          }

        if (ssh_pki_import_privkey_base64 (self->key_data, NULL, note_encrypted_cb, &encrypted,
                                           &self->private_key) == SSH_OK)
          {
            self->key_step = KEY_AUTH;
            return -1;
          }

        if (!encrypted)
          {
            if (!self->keys_explicit)
              {
                next_key (self);
                return -1;
              }
            g_set_error (error, ADIT_ERROR, ADIT_ERROR_KEY_FILE,
                         _("“%s” is not a private key Adit can use."), path);
            return ADIT_AUTH_FAILED;
          }

        /* Ask for a passphrase only for a key the server would take, as ssh does. */
        {
          g_autofree char *public_path = g_strconcat (path, ".pub", NULL);

          if (ssh_pki_import_pubkey_file (public_path, &self->public_key) == SSH_OK)
            self->key_step = KEY_PROBE;
          else if (self->keys_explicit)
            self->key_step = KEY_ASK;
          else
            next_key (self);
        }
        return -1;
      }

    case KEY_PROBE:
      rc = ssh_userauth_try_publickey (self->session, NULL, self->public_key);
      if (rc == SSH_AUTH_AGAIN)
        return ADIT_AUTH_AGAIN;
      if (rc == SSH_AUTH_ERROR)
        return failed_session (self, error);
      if (rc == SSH_AUTH_SUCCESS)
        self->key_step = KEY_ASK;
      else
        next_key (self);
      return -1;

    case KEY_ASK:
      if (!self->asked && self->saved_passphrase != NULL)
        {
          use_saved (self, &self->saved_passphrase);
          self->asked = TRUE;
        }
      if (self->asked)
        {
          gboolean typed = self->answers_typed;

          self->asked = FALSE;
          if (ssh_pki_import_privkey_base64 (self->key_data, self->answers[0], NULL, NULL,
                                             &self->private_key) == SSH_OK)
            {
              note_accepted (self, ADIT_QUESTION_PASSPHRASE);
              wipe_answers (self);
              self->key_step = KEY_AUTH;
              return -1;
            }
          wipe_answers (self);
          self->saved_rejected = !typed;
          if (typed && ++self->tries >= MAX_TRIES)
            {
              g_set_error (error, ADIT_ERROR, ADIT_ERROR_KEY_FILE,
                           _("The passphrase for the key “%s” was not right."), path);
              return ADIT_AUTH_FAILED;
            }
        }
      {
        g_autofree char *base = g_path_get_basename (path);
        g_autofree char *message =
          self->saved_rejected
            ? g_strdup_printf (_("The saved passphrase for the key “%s” did not open it. "
                                 "Enter the passphrase again."), base)
          : self->tries == 0
            ? g_strdup_printf (_("The key “%s” is protected by a passphrase."), base)
            : g_strdup_printf (_("That passphrase was not right for the key “%s”. Try again."),
                               base);

        *question = secret_question (self, ADIT_QUESTION_PASSPHRASE, message, _("Passphrase"));
        return ADIT_AUTH_ASK;
      }

    case KEY_AUTH:
      rc = ssh_userauth_publickey (self->session, NULL, self->private_key);
      if (rc == SSH_AUTH_AGAIN)
        return ADIT_AUTH_AGAIN;
      if (rc == SSH_AUTH_SUCCESS)
        return ADIT_AUTH_DONE;
      if (rc == SSH_AUTH_ERROR)
        return failed_session (self, error);
      if (rc == SSH_AUTH_PARTIAL)
        self->methods = ssh_userauth_list (self->session, NULL);
      next_key (self);
      return -1;

    default:
      g_assert_not_reached ();
    }
}

/* The server's answer to a password or to prompts: in, out for good (after MAX_TRIES, on
 * to @give_up_to), or in part (another method is required as well). */
static int
verdict (AditAuth         *self,
         int               rc,
         AditQuestionKind  kind,
         Stage             give_up_to,
         GError          **error)
{
  switch (rc)
    {
    case SSH_AUTH_SUCCESS:
      note_accepted (self, kind);
      return ADIT_AUTH_DONE;
    case SSH_AUTH_ERROR:
      return failed_session (self, error);
    case SSH_AUTH_PARTIAL:
      note_accepted (self, kind);
      self->methods = ssh_userauth_list (self->session, NULL);
      next_stage (self, STAGE_AGENT);
      return -1;
    case SSH_AUTH_DENIED:
    default:
      if (++self->tries >= MAX_TRIES)
        next_stage (self, give_up_to);
      return -1;
    }
}

static int
step_kbdint (AditAuth      *self,
             AditQuestion **question,
             GError       **error)
{
  int rc;

  if (self->asked)
    {
      self->asked = FALSE;
      for (guint i = 0; self->answers != NULL && self->answers[i] != NULL; i++)
        ssh_userauth_kbdint_setanswer (self->session, i, self->answers[i]);
      wipe_answers (self);
    }

  rc = ssh_userauth_kbdint (self->session, NULL, NULL);
  switch (rc)
    {
    case SSH_AUTH_AGAIN:
      return ADIT_AUTH_AGAIN;

    case SSH_AUTH_INFO:
      {
        int n = ssh_userauth_kbdint_getnprompts (self->session);
        const char *name = ssh_userauth_kbdint_getname (self->session);
        const char *instruction = ssh_userauth_kbdint_getinstruction (self->session);
        g_autofree char *message = NULL;

        if (n <= 0)
          return -1;   /* an information round: answer with nothing and go on */

        /* One hidden prompt is how PAM asks for the password: try the saved one. */
        if (n == 1 && self->saved_password != NULL)
          {
            char echo = 1;

            ssh_userauth_kbdint_getprompt (self->session, 0, &echo);
            if (!echo)
              {
                use_saved (self, &self->saved_password);
                self->asked = TRUE;
                return -1;
              }
          }

        if (instruction != NULL && *instruction != '\0')
          message = g_strdup (instruction);
        else if (name != NULL && *name != '\0')
          message = g_strdup (name);
        else
          message = g_strdup_printf (_("%s asks for the following to log in as %s."),
                                     adit_tunnel_get_host (self->tunnel), user_name (self));

        *question = adit_question_new (ADIT_QUESTION_KEYBOARD_INTERACTIVE,
                                       adit_tunnel_get_host (self->tunnel), message);
        for (int i = 0; i < n; i++)
          {
            char echo = 0;
            const char *prompt = ssh_userauth_kbdint_getprompt (self->session, i, &echo);

            adit_question_add_prompt (*question, prompt ? prompt : "", echo != 0);
          }
        self->asked = TRUE;
        return ADIT_AUTH_ASK;
      }

    default:
      return verdict (self, rc, ADIT_QUESTION_KEYBOARD_INTERACTIVE, STAGE_PASSWORD, error);
    }
}

static int
step_password (AditAuth      *self,
               AditQuestion **question,
               GError       **error)
{
  int rc;

  if (self->answers == NULL && self->saved_password != NULL)
    use_saved (self, &self->saved_password);

  if (self->answers == NULL)
    {
      g_autofree char *message =
        self->saved_rejected
          ? g_strdup_printf (_("The saved password of %s on %s was not accepted. It may have "
                               "changed: enter it again."), user_name (self),
                             adit_tunnel_get_host (self->tunnel))
        : self->tries == 0
          ? g_strdup_printf (_("Enter the password of %s on %s."), user_name (self),
                             adit_tunnel_get_host (self->tunnel))
          : g_strdup_printf (_("That password was not accepted for %s on %s. Try again."),
                             user_name (self), adit_tunnel_get_host (self->tunnel));

      *question = secret_question (self, ADIT_QUESTION_PASSWORD, message, _("Password"));
      return ADIT_AUTH_ASK;
    }

  /* While the server thinks, libssh needs the same password again on the next call. */
  rc = ssh_userauth_password (self->session, NULL, self->answers[0]);
  if (rc == SSH_AUTH_AGAIN)
    return ADIT_AUTH_AGAIN;

  self->asked = FALSE;
  wipe_answers (self);

  /* A wrong saved password does not use up one of the person's tries. */
  self->saved_rejected = !self->answers_typed && rc == SSH_AUTH_DENIED;
  if (self->saved_rejected)
    return -1;

  return verdict (self, rc, ADIT_QUESTION_PASSWORD, STAGE_EXHAUSTED, error);
}

AditAuthResult
adit_auth_step (AditAuth      *self,
                AditQuestion **question,
                GError       **error)
{
  *question = NULL;

  for (;;)
    {
      int rc = -1;

      switch (self->stage)
        {
        case STAGE_NONE:
          rc = ssh_userauth_none (self->session, NULL);
          if (rc == SSH_AUTH_AGAIN)
            return ADIT_AUTH_AGAIN;
          if (rc == SSH_AUTH_SUCCESS)
            return ADIT_AUTH_DONE;
          if (rc == SSH_AUTH_ERROR)
            return failed_session (self, error);
          self->methods = ssh_userauth_list (self->session, NULL);
          next_stage (self, STAGE_AGENT);
          rc = -1;
          break;

        case STAGE_AGENT:
          if (!(self->methods & SSH_AUTH_METHOD_PUBLICKEY) || g_getenv ("SSH_AUTH_SOCK") == NULL
              || self->method == ADIT_AUTH_METHOD_PASSWORD)
            {
              next_stage (self, STAGE_KEYS);
              break;
            }
          rc = ssh_userauth_agent (self->session, NULL);
          if (rc == SSH_AUTH_AGAIN)
            return ADIT_AUTH_AGAIN;
          if (rc == SSH_AUTH_SUCCESS)
            return ADIT_AUTH_DONE;
          if (rc == SSH_AUTH_ERROR && !ssh_is_connected (self->session))
            return failed_session (self, error);
          if (rc == SSH_AUTH_PARTIAL)
            self->methods = ssh_userauth_list (self->session, NULL);
          next_stage (self, STAGE_KEYS);
          rc = -1;
          break;

        case STAGE_KEYS:
          if (!(self->methods & SSH_AUTH_METHOD_PUBLICKEY) || self->key_index >= self->keys->len
              || self->method == ADIT_AUTH_METHOD_PASSWORD)
            {
              next_stage (self, STAGE_KBDINT);
              break;
            }
          rc = step_key (self, question, error);
          break;

        case STAGE_KBDINT:
          if (!(self->methods & SSH_AUTH_METHOD_INTERACTIVE)
              || self->method == ADIT_AUTH_METHOD_KEY_FILE)
            {
              next_stage (self, STAGE_PASSWORD);
              break;
            }
          rc = step_kbdint (self, question, error);
          break;

        case STAGE_PASSWORD:
          if (!(self->methods & SSH_AUTH_METHOD_PASSWORD)
              || self->method == ADIT_AUTH_METHOD_KEY_FILE)
            {
              next_stage (self, STAGE_EXHAUSTED);
              break;
            }
          rc = step_password (self, question, error);
          break;

        case STAGE_EXHAUSTED:
        default:
          g_set_error (error, ADIT_ERROR, ADIT_ERROR_AUTH_FAILED,
                       _("%s did not accept the login as %s. Check the user name, and the "
                         "password or key."),
                       adit_tunnel_get_host (self->tunnel), user_name (self));
          return ADIT_AUTH_FAILED;
        }

      if (rc >= 0)
        return rc;
    }
}
