/* adit-test-sshd.h — a throwaway OpenSSH server on loopback for integration tests: its own
 * host key, client keys and known_hosts files in a private temporary directory, started
 * from /usr/sbin/sshd in the foreground and killed (with every per-connection child) on demand.
 *
 * Logging in works as the user running the tests, by key only. Run as an ordinary user sshd
 * can only let that same user in; run as root it could let anyone in, but the fixture always
 * uses the current user. With UsePAM no, a root sshd refuses even key logins to an account
 * whose shadow password field is locked ("!", what plain useradd leaves): give such an
 * account a password or `usermod -p '*' USER` (root on Debian has "*"). An ordinary user's
 * sshd cannot read /etc/shadow and does not check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ADIT_TEST_SSHD_PATH "/usr/sbin/sshd"

/* The passphrase of AditTestSshd.client_key_encrypted. */
#define ADIT_TEST_KEY_PASSPHRASE "correct horse battery"

typedef struct
{
  gboolean    forbid_tcp_forwarding; /* AllowTcpForwarding no */
  const char *ciphers;               /* NULL: sshd's default; e.g. "aes128-gcm@openssh.com" */
  const char *rekey_limit;           /* NULL: sshd's default; e.g. "8M" re-keys often */
  const char *listen_address;        /* NULL: 127.0.0.1 */
} AditTestSshdOptions;

typedef struct
{
  char    *dir;                  /* private temporary directory, removed by _free () */
  char    *listen_address;
  guint16  port;
  char    *user;                 /* who to log in as: the current user */
  char    *client_key;           /* ed25519 private key without passphrase */
  char    *client_key_encrypted; /* a second authorized key, passphrase ADIT_TEST_KEY_PASSPHRASE */
  char    *known_hosts;          /* OpenSSH known_hosts: this server's key for [addr]:port */
  char    *wrong_known_hosts;    /* the same host with ANOTHER key: "identity changed" */
  char    *host_fingerprint;     /* "SHA256:…" as ssh-keygen -lf prints it */
  char    *log;                  /* sshd's own log (-e, LogLevel VERBOSE) */
  GPid     pid;                  /* the listening sshd (-D), 0 after it was reaped */
} AditTestSshd;

/* Starts sshd on an ephemeral port of @options->listen_address and returns once it answers
 * with an SSH banner. G_IO_ERROR_NOT_FOUND when sshd or ssh-keygen is not installed (tests
 * skip then). */
AditTestSshd *adit_test_sshd_start    (const AditTestSshdOptions *options,
                                       GError                   **error);

/* The same for a test: NULL after g_test_skip () with the reason (no sshd installed…). */
AditTestSshd *adit_test_sshd_start_or_skip (const AditTestSshdOptions *options);
/* Sends @signum to the listener and to every per-connection sshd below it (found through
 * /proc, since they setsid()): SIGKILL for "the server died mid-transfer", SIGSTOP/SIGCONT
 * for keep-alive tests. After SIGKILL (or SIGTERM) use _restart () to serve again. */
void          adit_test_sshd_kill_all (AditTestSshd              *sshd,
                                       int                        signum);

/* Starts sshd again on the same port with the same keys, killing what is left of the old
 * one first. */
gboolean      adit_test_sshd_restart  (AditTestSshd              *sshd,
                                       GError                   **error);

/* Kills everything it started, reaps the listener and removes the directory. */
void          adit_test_sshd_free     (AditTestSshd              *sshd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditTestSshd, adit_test_sshd_free)

G_END_DECLS
