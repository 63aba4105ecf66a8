/* adit-application.h — the Adit desktop application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "adit-engine.h"

G_BEGIN_DECLS

#define ADIT_TYPE_APPLICATION (adit_application_get_type ())

G_DECLARE_FINAL_TYPE (AditApplication, adit_application, ADIT, APPLICATION, AdwApplication)

AditApplication *adit_application_new         (void);
/* The tunnels and what runs, from startup () to shutdown (). */
AditManager     *adit_application_get_manager (AditApplication *self);

G_END_DECLS
