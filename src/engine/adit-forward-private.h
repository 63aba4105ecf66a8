/* adit-forward-private.h — helpers the engine's parsers share and nobody else needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @text made fit to quote in an error sentence: valid UTF-8, control characters shown as
 * U+FFFD, cut with "…" when it is too long to read. Never NULL. */
char *_adit_text_for_message (const char *text);

G_END_DECLS
