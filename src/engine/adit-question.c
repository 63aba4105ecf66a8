/* adit-question.c — see adit-question.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "adit-question.h"

typedef struct
{
  char     *text;
  gboolean  echo;
} Prompt;

struct _AditQuestion
{
  GObject                parent_instance;
  AditQuestionKind       kind;
  char                  *server;
  char                  *message;
  char                  *key_type;
  char                  *fingerprint;
  GArray                *prompts;
  AditQuestionReplyFunc  reply;
  gpointer               user_data;
  GDestroyNotify         destroy;
  gboolean               done;
};

G_DEFINE_FINAL_TYPE (AditQuestion, adit_question, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
prompt_clear (gpointer data)
{
  Prompt *prompt = data;

  g_free (prompt->text);
}

void
adit_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

void
adit_secret_strv_free (char **secrets)
{
  if (secrets == NULL)
    return;

  for (guint i = 0; secrets[i] != NULL; i++)
    explicit_bzero (secrets[i], strlen (secrets[i]));
  g_strfreev (secrets);
}

/* Hands the reply over, once. */
static void
adit_question_deliver (AditQuestion *self,
                       gboolean      accepted,
                       char        **answers)
{
  AditQuestionReplyFunc reply = self->reply;

  self->done = TRUE;
  self->reply = NULL;

  if (reply != NULL)
    reply (self, accepted, answers, self->user_data);
  else
    adit_secret_strv_free (answers);

  if (self->destroy != NULL)
    g_clear_pointer (&self->user_data, self->destroy);
}

static void
adit_question_finish (AditQuestion *self,
                      gboolean      accepted,
                      char        **answers)
{
  adit_question_deliver (self, accepted, answers);
  /* Whoever shows the question (a dialog) closes it now, also when it was withdrawn. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
}

static void
adit_question_finalize (GObject *object)
{
  AditQuestion *self = ADIT_QUESTION (object);

  /* A question nobody answered counts as cancelled, so the connection never waits forever. */
  if (!self->done)
    adit_question_deliver (self, FALSE, NULL);

  g_free (self->server);
  g_free (self->message);
  g_free (self->key_type);
  g_free (self->fingerprint);
  g_array_unref (self->prompts);

  G_OBJECT_CLASS (adit_question_parent_class)->finalize (object);
}

static void
adit_question_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AditQuestion *self = ADIT_QUESTION (object);

  switch (prop_id)
    {
    case PROP_DONE:
      g_value_set_boolean (value, self->done);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
adit_question_class_init (AditQuestionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = adit_question_finalize;
  object_class->get_property = adit_question_get_property;

  properties[PROP_DONE] =
    g_param_spec_boolean ("done", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
adit_question_init (AditQuestion *self)
{
  self->prompts = g_array_new (FALSE, TRUE, sizeof (Prompt));
  g_array_set_clear_func (self->prompts, prompt_clear);
}

AditQuestion *
adit_question_new (AditQuestionKind  kind,
                   const char       *server,
                   const char       *message)
{
  AditQuestion *self = g_object_new (ADIT_TYPE_QUESTION, NULL);

  self->kind = kind;
  self->server = g_strdup (server);
  self->message = g_strdup (message);

  return self;
}

void
adit_question_set_reply (AditQuestion         *self,
                         AditQuestionReplyFunc reply,
                         gpointer              user_data,
                         GDestroyNotify        destroy)
{
  g_return_if_fail (ADIT_IS_QUESTION (self));
  g_return_if_fail (self->reply == NULL && !self->done);

  self->reply = reply;
  self->user_data = user_data;
  self->destroy = destroy;
}

void
adit_question_set_host_key (AditQuestion *self,
                            const char   *key_type,
                            const char   *fingerprint)
{
  g_return_if_fail (ADIT_IS_QUESTION (self));

  g_free (self->key_type);
  self->key_type = g_strdup (key_type);
  g_free (self->fingerprint);
  self->fingerprint = g_strdup (fingerprint);
}

void
adit_question_add_prompt (AditQuestion *self,
                          const char   *prompt,
                          gboolean      echo)
{
  Prompt p = { g_strdup (prompt), echo };

  g_return_if_fail (ADIT_IS_QUESTION (self));

  g_array_append_val (self->prompts, p);
}

AditQuestionKind
adit_question_get_kind (AditQuestion *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), 0);
  return self->kind;
}

const char *
adit_question_get_server (AditQuestion *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), NULL);
  return self->server;
}

const char *
adit_question_get_message (AditQuestion *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), NULL);
  return self->message;
}

const char *
adit_question_get_fingerprint (AditQuestion *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), NULL);
  return self->fingerprint;
}

const char *
adit_question_get_key_type (AditQuestion *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), NULL);
  return self->key_type;
}

guint
adit_question_get_n_prompts (AditQuestion *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), 0);
  return self->prompts->len;
}

const char *
adit_question_get_prompt (AditQuestion *self,
                          guint         index)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), NULL);
  g_return_val_if_fail (index < self->prompts->len, NULL);
  return g_array_index (self->prompts, Prompt, index).text;
}

gboolean
adit_question_get_prompt_echo (AditQuestion *self,
                               guint         index)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), FALSE);
  g_return_val_if_fail (index < self->prompts->len, FALSE);
  return g_array_index (self->prompts, Prompt, index).echo;
}

gboolean
adit_question_is_done (AditQuestion *self)
{
  g_return_val_if_fail (ADIT_IS_QUESTION (self), TRUE);
  return self->done;
}

void
adit_question_answer (AditQuestion       *self,
                      const char * const *answers)
{
  g_return_if_fail (ADIT_IS_QUESTION (self));
  g_return_if_fail (!self->done);
  g_return_if_fail (self->kind == ADIT_QUESTION_HOST_KEY ||
                    (answers != NULL && g_strv_length ((char **)answers) == self->prompts->len));

  adit_question_finish (self, TRUE, answers ? g_strdupv ((char **)answers) : NULL);
}

void
adit_question_cancel (AditQuestion *self)
{
  g_return_if_fail (ADIT_IS_QUESTION (self));

  if (!self->done)
    adit_question_finish (self, FALSE, NULL);
}
