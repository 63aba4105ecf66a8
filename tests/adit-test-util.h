/* adit-test-util.h — small helpers shared by the integration fixtures and the tests that use
 * them: loopback ports, blocking sockets with timeouts, descriptor counts, process trees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How long a client helper waits on one blocking send or receive before it calls the
 * tunnel broken: a test must fail, not hang. */
#define ADIT_TEST_IO_TIMEOUT_S 60

/* Open descriptors of this process (entries of /proc/self/fd, minus the one used to list). */
guint     adit_test_count_fds         (void);
/* The count once it holds still (the same twice, 50 ms apart, for at most a second): GLib
 * releases some descriptors of a finished GSubprocess from its worker thread, a moment
 * after the call returned. Take a test's baseline with this. */
guint     adit_test_count_fds_settled (void);
/* Waits up to @timeout_ms for the count to come back to @expected; returns the last count,
 * so `g_assert_cmpuint (adit_test_wait_fds (before, 2000), ==, before)` says what leaked. */
guint     adit_test_wait_fds          (guint       expected,
                                       guint       timeout_ms);

/* A port that was free on @address a moment ago, chosen below the kernel's ephemeral range so
 * that the test's own outgoing connections do not take it first. Someone else still can:
 * callers that start servers retry. */
guint16   adit_test_free_port         (const char *address,
                                       GError    **error);

/* A blocking TCP socket connected to @address:@port with SO_RCVTIMEO/SO_SNDTIMEO set to
 * @timeout_s seconds (also bounds connect). Returns the fd, or -1 with @error set. */
int       adit_test_connect           (const char *address,
                                       guint16     port,
                                       guint       timeout_s,
                                       GError    **error);

/* Polls until @address:@port accepts a TCP connection, for at most @timeout_ms. */
gboolean  adit_test_wait_port         (const char *address,
                                       guint16     port,
                                       guint       timeout_ms,
                                       GError    **error);

/* send() all of @buf (MSG_NOSIGNAL: a closed peer is an error, not a SIGPIPE). */
gboolean  adit_test_send_all          (int           fd,
                                       const void   *buf,
                                       gsize         len,
                                       GError      **error);

/* Reads up to and including the first '\n', at most @max_len bytes, one byte at a time (so
 * nothing after the line is consumed). Returns the line without "\r\n", or NULL. */
char     *adit_test_read_line         (int           fd,
                                       gsize         max_len,
                                       GError      **error);

/* Runs the thread-default main context until @condition (@data) holds; fails the test with
 * @what after @timeout_s seconds. Polls, so conditions outside the loop's sources count too. */
typedef gboolean (*AditTestCondition) (gpointer data);
void      adit_test_wait_for          (AditTestCondition  condition,
                                       gpointer           data,
                                       const char        *what,
                                       guint              timeout_s);
/* Runs the thread-default main context for @ms milliseconds, whatever happens: for checking
 * that something does NOT happen. */
void      adit_test_iterate_for       (guint              ms);
/* A new connection to the private bus @bus, as another program on it. */
GDBusConnection *adit_test_dbus_connect (GTestDBus       *bus);
/* rm -rf @path without following symlinks. */
gboolean  adit_test_remove_tree       (const char  *path,
                                       GError     **error);

/* One process as seen in /proc, with its start time so a recycled pid is never signalled. */
typedef struct
{
  GPid    pid;
  guint64 start_time;
} AditTestProc;

/* Every live descendant of @root (children, their children…), found through the parent
 * pids in /proc: sshd's per-connection children call setsid(), so a process group would
 * miss them. @root itself comes first when @include_root. */
GArray   *adit_test_proc_tree         (GPid         root,
                                       gboolean     include_root);
gboolean  adit_test_proc_alive        (const AditTestProc *proc);
/* The one-letter state from /proc/PID/stat ('R', 'S', 'T' when stopped…), 0 when gone. */
char      adit_test_proc_state        (const AditTestProc *proc);
void      adit_test_proc_signal       (GArray      *procs,
                                       int          signum);
/* SIGSTOPs @root and then, round by round, every descendant until no new one appears:
 * a stopped process cannot fork, so after this nothing below @root can escape a signal by
 * being born late or being orphaned. Returns the descendants (not @root), all stopped. */
GArray   *adit_test_proc_freeze_tree  (GPid         root);
/* Waits until every process in @procs is gone (or a zombie); FALSE on timeout. */
gboolean  adit_test_proc_wait_gone    (GArray      *procs,
                                       guint        timeout_ms);

/* Raises the soft RLIMIT_NOFILE to the hard limit (at most 65536), once: a test with 1000
 * tunnelled connections holds several thousand sockets in one process. */
void      adit_test_raise_fd_limit    (void);

/* Fixtures' plumbing: run a helper program to completion (stdout returned, stderr folded
 * into the error message on failure). */
gboolean  adit_test_run               (const char * const *argv,
                                       char              **out_stdout,
                                       GError            **error);
/* A GSpawnChildSetupFunc: the child gets SIGKILL when the thread that spawned it dies, so a
 * test that aborts leaves no server or client behind. Spawn from the test's main thread. */
void      adit_test_die_with_parent   (gpointer            user_data);
/* Start a long-running server with stdin and stdout on /dev/null and stderr appended to
 * @log_path, dying with us (adit_test_die_with_parent ()); not reaped by GLib: the caller
 * waitpid()s it. */
gboolean  adit_test_spawn_server      (const char * const *argv,
                                       const char         *log_path,
                                       GPid               *out_pid,
                                       GError            **error);
/* waitpid (@pid, WNOHANG): TRUE when it has exited (and was reaped); status in @out_status. */
gboolean  adit_test_reap_if_exited    (GPid         pid,
                                       int         *out_status);
/* The last @n_lines lines of a log file, for error messages; never NULL. */
char     *adit_test_log_tail          (const char  *path,
                                       guint        n_lines);

/* Makes the test process independent of the person running it: a fresh empty HOME (no keys,
 * no known hosts) and XDG_DATA_HOME, no SSH agent, SIGPIPE ignored. Returns the directory,
 * to remove with adit_test_remove_tree() at the end. */
char     *adit_test_isolate_home      (void);
/* Another program holding @port: a listening socket, closed by unref. */
GSocket  *adit_test_occupy_port       (const char *address,
                                       guint16     port);

/* Fails the test, and lets it go on to say more, when @message does not contain @part (NULL
 * asks nothing): error sentences must name what was wrong. */
void      adit_test_assert_mentions   (const char *message,
                                       const char *part);

G_END_DECLS
