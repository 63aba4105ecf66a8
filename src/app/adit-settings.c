/* adit-settings.c — see adit-settings.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-settings.h"

/* The same for a development build: both share the preferences. */
#define ADIT_SETTINGS_SCHEMA "io.github.adit.Adit"

GSettings *
adit_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, ADIT_SETTINGS_SCHEMA, TRUE);

  if (schema == NULL)
    {
      g_warning ("The GSettings schema %s is not installed: preferences and the window size "
                 "will not be remembered. From a build directory, set "
                 "GSETTINGS_SCHEMA_DIR=BUILDDIR/data.", ADIT_SETTINGS_SCHEMA);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}
