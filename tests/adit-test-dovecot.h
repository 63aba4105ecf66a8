/* adit-test-dovecot.h — a throwaway Dovecot POP3 server for integration tests: one user, one
 * message, every file under a private temporary directory (/etc/dovecot is not used).
 * Tests listen on 127.0.0.2 to model a mail host that is not the SSH host.
 *
 * As root, mail processes run as nobody (Dovecot refuses uid 0), so the directory is made
 * world-traversable (its parents must be too: the default /tmp is; a private 0700 TMPDIR is
 * not) and the maildir belongs to nobody; the login and internal processes use
 * the dovecot-core accounts (dovenull, dovecot). As an ordinary user, every Dovecot process
 * runs as that user and the chroots are switched off.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ADIT_TEST_DOVECOT_PATH "/usr/sbin/dovecot"

#define ADIT_TEST_POP3_USER     "popuser"
#define ADIT_TEST_POP3_PASSWORD "Pop-Pass-1"

/* A line of the body of message 1: RETR worked when the client saw it. */
#define ADIT_TEST_MAIL_MARKER "adit-test-mail-marker-5d1f0c7e9b2a4863"

typedef struct
{
  char    *dir;            /* private temporary directory, removed by _free () */
  char    *listen_address;
  guint16  port;           /* POP3, plaintext */
  char    *log;            /* Dovecot's log */
  GPid     pid;            /* the master process (-F), 0 after it was reaped */
} AditTestDovecot;

/* Starts Dovecot on an ephemeral port of @listen_address (NULL: 127.0.0.1) and returns once
 * it greets with "+OK". G_IO_ERROR_NOT_FOUND when Dovecot is not installed. */
AditTestDovecot *adit_test_dovecot_start (const char  *listen_address,
                                          GError     **error);

/* Stops Dovecot and every process it started, then removes the directory. */
void             adit_test_dovecot_free  (AditTestDovecot *dovecot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditTestDovecot, adit_test_dovecot_free)

G_END_DECLS
