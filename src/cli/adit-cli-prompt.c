/* adit-cli-prompt.c — see adit-cli-prompt.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>

#include "adit-cli-prompt.h"

struct _AditCliPrompt
{
  GDataInputStream *input;
  GCancellable     *cancellable;
  AditQuestion     *question;   /* the one being asked */
  guint             prompt;     /* which of its prompts */
  GPtrArray        *answers;
  gboolean          echo_off;
  struct termios    saved;
};

static void ask_next (AditCliPrompt *self);

static void
set_echo (AditCliPrompt *self,
          gboolean       echo)
{
  if (!isatty (STDIN_FILENO))
    return;

  if (!echo && !self->echo_off)
    {
      struct termios quiet;

      if (tcgetattr (STDIN_FILENO, &self->saved) != 0)
        return;
      quiet = self->saved;
      quiet.c_lflag &= ~(ECHO);
      quiet.c_lflag |= ECHONL;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
      self->echo_off = TRUE;
    }
  else if (echo && self->echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &self->saved);
      self->echo_off = FALSE;
    }
}

static void
wipe_answers (AditCliPrompt *self)
{
  for (guint i = 0; i < self->answers->len; i++)
    {
      char *answer = g_ptr_array_index (self->answers, i);

      if (answer != NULL)
        explicit_bzero (answer, strlen (answer));
    }
  g_ptr_array_set_size (self->answers, 0);
}

static void
finish (AditCliPrompt *self,
        gboolean       answered)
{
  g_autoptr(AditQuestion) question = g_steal_pointer (&self->question);

  set_echo (self, TRUE);

  if (adit_question_is_done (question))
    ;
  else if (!answered)
    adit_question_cancel (question);
  else if (adit_question_get_kind (question) == ADIT_QUESTION_HOST_KEY)
    adit_question_answer (question, NULL);
  else
    {
      g_ptr_array_add (self->answers, NULL);
      adit_question_answer (question, (const char * const *)self->answers->pdata);
    }

  wipe_answers (self);
}

static gboolean
is_yes (const char *line)
{
  g_autofree char *folded = g_utf8_casefold (line, -1);
  g_autofree char *local_yes = g_utf8_casefold (C_("answer to a yes/no question", "yes"), -1);

  g_strstrip (folded);
  /* The English words always work, as with ssh; a translation adds its own. */
  return g_str_equal (folded, "yes") || g_str_equal (folded, "y") ||
         g_str_equal (folded, local_yes);
}

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AditCliPrompt *self = user_data;
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                         NULL, &error);

  if (self->question == NULL)
    {
      g_free (line);
      return;
    }

  if (line == NULL)
    {
      /* End of input or cancelled: nobody is there to answer. */
      finish (self, FALSE);
      return;
    }

  if (adit_question_get_kind (self->question) == ADIT_QUESTION_HOST_KEY)
    {
      gboolean yes = is_yes (line);

      g_free (line);
      finish (self, yes);
      return;
    }

  g_ptr_array_add (self->answers, line);
  self->prompt++;
  ask_next (self);
}

static void
ask_next (AditCliPrompt *self)
{
  AditQuestion *question = self->question;

  if (adit_question_get_kind (question) == ADIT_QUESTION_HOST_KEY)
    {
      g_printerr ("%s\n", adit_question_get_message (question));
      g_printerr (_("Its %s fingerprint is %s.\n"), adit_question_get_key_type (question),
                  adit_question_get_fingerprint (question));
      g_printerr (_("Trust %s and connect? (yes/no) "), adit_question_get_server (question));
    }
  else if (self->prompt >= adit_question_get_n_prompts (question))
    {
      finish (self, TRUE);
      return;
    }
  else
    {
      const char *prompt = adit_question_get_prompt (question, self->prompt);

      if (self->prompt == 0)
        g_printerr ("%s\n", adit_question_get_message (question));
      set_echo (self, adit_question_get_prompt_echo (question, self->prompt));
      g_printerr ("%s%s", prompt, g_str_has_suffix (prompt, " ") ? "" : ": ");
    }

  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->cancellable,
                                       line_read_cb, self);
}

AditCliPrompt *
adit_cli_prompt_new (void)
{
  AditCliPrompt *self = g_new0 (AditCliPrompt, 1);
  g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);

  self->input = g_data_input_stream_new (stdin_stream);
  self->cancellable = g_cancellable_new ();
  self->answers = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
adit_cli_prompt_ask (AditCliPrompt *self,
                     AditQuestion  *question)
{
  if (self->question != NULL)
    {
      /* One at a time: a tunnel asks one question, then waits. */
      adit_question_cancel (question);
      return;
    }

  self->question = g_object_ref (question);
  self->prompt = 0;
  ask_next (self);
}

void
adit_cli_prompt_restore_terminal (AditCliPrompt *self)
{
  set_echo (self, TRUE);
}

void
adit_cli_prompt_free (AditCliPrompt *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  set_echo (self, TRUE);
  if (self->question != NULL)
    adit_question_cancel (self->question);
  g_clear_object (&self->question);
  wipe_answers (self);
  g_ptr_array_unref (self->answers);
  g_object_unref (self->cancellable);
  g_object_unref (self->input);
  g_free (self);
}
