/* adit-file-private.h — private: reading a file that may be hostile (a tunnel file someone
 * mailed, ~/.ssh/config, known_hosts, /proc) without hanging on a FIFO, reading a device or
 * swallowing a file of any size, and telling text from junk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  ADIT_READ_OK,
  ADIT_READ_FAILED,        /* open () or read () failed: see the errno */
  ADIT_READ_NOT_REGULAR,   /* a folder, a FIFO, a device… */
  ADIT_READ_TOO_LARGE,     /* more than @max_size bytes */
} AditReadResult;

/* At most @max_size bytes of @path, NUL-terminated (the file may hold NULs of its own:
 * trust @length). On ADIT_READ_FAILED, @saved_errno (when given) says why. */
AditReadResult _adit_read_file (const char  *path,
                                gsize        max_size,
                                char       **contents,
                                gsize       *length,
                                int         *saved_errno);

/* TRUE when @data is valid UTF-8 without control characters other than tab, newline and
 * carriage return (NUL included): text a person wrote, fit to read and to quote. */
gboolean       _adit_is_text   (const char  *data,
                                gsize        length);

G_END_DECLS
