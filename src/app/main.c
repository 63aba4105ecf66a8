/* main.c — entry point of the Adit desktop app.
 *
 * Sets up translations before anything can show a string, then hands over to AditApplication.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "adit-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AditApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = adit_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
