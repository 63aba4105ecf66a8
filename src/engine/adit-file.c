/* adit-file.c — see adit-file-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "adit-file-private.h"

#define INITIAL_CAPACITY ((gsize) 64 * 1024)

AditReadResult
_adit_read_file (const char  *path,
                 gsize        max_size,
                 char       **contents,
                 gsize       *length,
                 int         *saved_errno)
{
  g_autofree char *data = NULL;
  struct stat st;
  gsize capacity;
  gsize filled = 0;
  int fd;

  g_assert (path != NULL);
  g_assert (max_size < G_MAXSIZE - 2);

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      if (saved_errno != NULL)
        *saved_errno = errno;
      return ADIT_READ_FAILED;
    }

  if (fstat (fd, &st) == 0 && !S_ISREG (st.st_mode))
    {
      close (fd);
      return ADIT_READ_NOT_REGULAR;
    }

  /* One byte more than allowed tells a file that is too large, whatever fstat () said: files
   * in /proc say they are empty. The buffer grows as the file turns out to be larger, so a
   * cap of megabytes costs nothing for the usual file of a few hundred bytes. */
  capacity = MIN (max_size, INITIAL_CAPACITY);
  data = g_malloc (capacity + 2);
  while (filled <= max_size)
    {
      gssize n;

      if (filled == capacity + 1)
        {
          capacity = MIN (capacity * 2, max_size);
          data = g_realloc (data, capacity + 2);
        }

      n = read (fd, data + filled, capacity + 1 - filled);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (saved_errno != NULL)
            *saved_errno = errno;
          close (fd);
          return ADIT_READ_FAILED;
        }
      if (n == 0)
        break;
      filled += (gsize) n;
    }
  close (fd);

  if (filled > max_size)
    return ADIT_READ_TOO_LARGE;

  data[filled] = '\0';
  *length = filled;
  *contents = g_steal_pointer (&data);

  return ADIT_READ_OK;
}

gboolean
_adit_is_text (const char *data,
               gsize       length)
{
  if (!g_utf8_validate_len (data, length, NULL))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) data[i];

      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
        return FALSE;
    }

  return TRUE;
}
