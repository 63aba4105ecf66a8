/* test-icons.c — the app icon and the symbolic icons as a desktop draws them: each loads
 * (through gdk-pixbuf's SVG loader, as GTK's icon theme does), shows something at 16 px, and
 * the symbolic ones are drawn in one colour only, so the desktop can recolour them for light
 * and dark panels. Every icon name the tray uses has its file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#define ICONS "icons/hicolor"

static char *
icon_path (const char *kind,
           const char *name)
{
  g_autofree char *file = g_strconcat (name, ".svg", NULL);

  return g_test_build_filename (G_TEST_DIST, "..", "data", ICONS, kind, "apps", file, NULL);
}

/* Pixels that are not (nearly) transparent, and whether they all share one colour. */
static guint
count_drawn (GdkPixbuf *pixbuf,
             gboolean  *one_colour)
{
  const guchar *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint drawn = 0;
  guchar first[3] = { 0 };

  g_assert_true (gdk_pixbuf_get_has_alpha (pixbuf));
  *one_colour = TRUE;
  for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (pixbuf); x++)
      {
        const guchar *p = pixels + y * stride + x * 4;

        if (p[3] < 128)
          continue;
        if (drawn == 0)
          memcpy (first, p, 3);
        /* Anti-aliased edges keep the colour; only the alpha changes. */
        else if (ABS (p[0] - first[0]) > 2 || ABS (p[1] - first[1]) > 2 || ABS (p[2] - first[2]) > 2)
          *one_colour = FALSE;
        drawn++;
      }

  return drawn;
}

static GdkPixbuf *
load (const char *path,
      int         size)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file_at_size (path, size, size, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, size);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, size);
  return pixbuf;
}

static void
test_app_icon (void)
{
  g_autofree char *path = icon_path ("scalable", "io.github.adit.Adit");
  const int sizes[] = { 16, 32, 128 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = load (path, sizes[i]);
      gboolean one_colour;
      guint drawn = count_drawn (pixbuf, &one_colour);

      /* A full shape in colour, not a speck or a silhouette. */
      g_assert_cmpuint (drawn, >, sizes[i] * sizes[i] / 3);
      g_assert_false (one_colour);
    }
}

static void
test_symbolic_icons (void)
{
  static const char *names[] = {
    "io.github.adit.Adit-symbolic",
    /* the tray's three looks (adit-status-notifier.c) */
    "io.github.adit.Adit-idle-symbolic",
    "io.github.adit.Adit-connected-symbolic",
    "io.github.adit.Adit-problem-symbolic",
  };
  guint drawn[G_N_ELEMENTS (names)];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = icon_path ("symbolic", names[i]);
      g_autoptr(GdkPixbuf) pixbuf = load (path, 16);
      gboolean one_colour;

      drawn[i] = count_drawn (pixbuf, &one_colour);
      g_test_message ("%s: %u of 256 pixels drawn", names[i], drawn[i]);
      g_assert_cmpuint (drawn[i], >, 256 / 8);
      g_assert_true (one_colour);
    }

  /* The tray's looks can be told apart at 16 px. */
  g_assert_cmpuint (drawn[1], !=, drawn[2]);
  g_assert_cmpuint (drawn[1], !=, drawn[3]);
  g_assert_cmpuint (drawn[2], !=, drawn[3]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/adit/icons/app-icon", test_app_icon);
  g_test_add_func ("/adit/icons/symbolic", test_symbolic_icons);

  return g_test_run ();
}
