/* adit-error.c — the ADIT_ERROR quark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-error.h"

G_DEFINE_QUARK (adit-error-quark, adit_error)
