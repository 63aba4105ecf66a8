/* adit-cli-prompt.h — answers an AditQuestion on the terminal, without blocking the main
 * loop: prompts go to stderr, answers are read from stdin, secrets without echo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-engine.h"

G_BEGIN_DECLS

typedef struct _AditCliPrompt AditCliPrompt;

AditCliPrompt *adit_cli_prompt_new   (void);
/* Asks @question; answers or cancels it when the person is done (EOF cancels). */
void           adit_cli_prompt_ask   (AditCliPrompt *self,
                                      AditQuestion  *question);
/* Puts the terminal back as it was (echo on). */
void           adit_cli_prompt_restore_terminal (AditCliPrompt *self);
void           adit_cli_prompt_free  (AditCliPrompt *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditCliPrompt, adit_cli_prompt_free)

G_END_DECLS
