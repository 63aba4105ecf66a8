/* adit-test-util.c — plumbing under the integration fixtures: ports, sockets with timeouts,
 * descriptor counts, /proc process trees and spawning helper programs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

guint
adit_test_count_fds (void)
{
  g_autoptr(GDir) dir = NULL;
  guint n = 0;

  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  if (dir == NULL)
    return 0;

  while (g_dir_read_name (dir) != NULL)
    n++;

  /* The GDir holds one descriptor of its own while we count. */
  return n > 0 ? n - 1 : 0;
}

guint
adit_test_count_fds_settled (void)
{
  guint last = adit_test_count_fds ();

  for (guint i = 0; i < 20; i++)
    {
      guint now;

      g_usleep (50 * 1000);
      now = adit_test_count_fds ();
      if (now == last)
        break;
      last = now;
    }

  return last;
}

guint
adit_test_wait_fds (guint expected,
                    guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint now;

  while ((now = adit_test_count_fds ()) != expected && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);

  return now;
}

static gboolean
native_address (const char              *address,
                guint16                  port,
                struct sockaddr_storage *out,
                socklen_t               *out_len,
                GError                 **error)
{
  g_autoptr(GSocketAddress) sa = NULL;
  gssize len;

  sa = g_inet_socket_address_new_from_string (address, port);
  if (sa == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a numeric IP address", address);
      return FALSE;
    }

  len = g_socket_address_get_native_size (sa);
  if (len < 0 || (gsize) len > sizeof *out
      || !g_socket_address_to_native (sa, out, sizeof *out, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot convert “%s”", address);
      return FALSE;
    }

  *out_len = (socklen_t) len;
  return TRUE;
}

static void
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *what)
{
  GIOErrorEnum code;

  /* SO_RCVTIMEO/SO_SNDTIMEO expiring shows up as EAGAIN (or EINPROGRESS for connect). */
  if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == EINPROGRESS)
    code = G_IO_ERROR_TIMED_OUT;
  else
    code = g_io_error_from_errno (saved_errno);

  g_set_error (error, G_IO_ERROR, code, "%s: %s", what, g_strerror (saved_errno));
}

/* Binds @port on @address (0: any free one) and closes again; the port it got, or 0. */
static guint16
try_port (const char  *address,
          guint16      port,
          GError     **error)
{
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int fd;

  if (!native_address (address, port, &ss, &len, error))
    return 0;

  fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, "socket");
      return 0;
    }

  if (bind (fd, (struct sockaddr *) &ss, len) != 0
      || getsockname (fd, (struct sockaddr *) &ss, &len) != 0)
    {
      int saved_errno = errno;
      g_autofree char *what = g_strdup_printf ("Cannot bind a port on %s", address);

      set_errno_error (error, saved_errno, what);
      close (fd);
      return 0;
    }

  if (ss.ss_family == AF_INET)
    port = g_ntohs (((struct sockaddr_in *) &ss)->sin_port);
  else
    port = g_ntohs (((struct sockaddr_in6 *) &ss)->sin6_port);

  close (fd);
  return port;
}

/* Below the kernel's ephemeral range (net.ipv4.ip_local_port_range, from 32768 by default):
 * a free port from that range can be handed to one of the test's own outgoing connections
 * before the test listens on it, and the listen then fails. */
#define FREE_PORT_LOW  20000
#define FREE_PORT_HIGH 32000

guint16
adit_test_free_port (const char *address,
                     GError    **error)
{
  g_return_val_if_fail (address != NULL, 0);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      guint16 port = try_port (address, g_random_int_range (FREE_PORT_LOW, FREE_PORT_HIGH),
                               NULL);

      if (port != 0)
        return port;
    }

  return try_port (address, 0, error);
}

int
adit_test_connect (const char *address,
                   guint16     port,
                   guint       timeout_s,
                   GError    **error)
{
  struct sockaddr_storage ss;
  struct timeval tv = { .tv_sec = timeout_s, .tv_usec = 0 };
  socklen_t len = 0;
  int fd;

  g_return_val_if_fail (address != NULL, -1);
  g_return_val_if_fail (port != 0, -1);

  if (!native_address (address, port, &ss, &len, error))
    return -1;

  fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, "socket");
      return -1;
    }

  /* On Linux SO_SNDTIMEO bounds connect() too. */
  if (timeout_s > 0)
    {
      setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }

  while (connect (fd, (struct sockaddr *) &ss, len) != 0)
    {
      int saved_errno = errno;
      g_autofree char *what = NULL;

      if (saved_errno == EINTR)
        continue;

      what = g_strdup_printf ("Cannot connect to %s port %u", address, port);
      set_errno_error (error, saved_errno, what);
      close (fd);
      return -1;
    }

  return fd;
}

gboolean
adit_test_wait_port (const char *address,
                     guint16     port,
                     guint       timeout_ms,
                     GError    **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  g_return_val_if_fail (address != NULL, FALSE);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      int fd = adit_test_connect (address, port, 1, &local_error);

      if (fd >= 0)
        {
          close (fd);
          return TRUE;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "Nothing accepted connections on %s port %u within %u ms (%s)",
                       address, port, timeout_ms, local_error->message);
          return FALSE;
        }

      g_usleep (20 * 1000);
    }
}

gboolean
adit_test_send_all (int          fd,
                    const void  *buf,
                    gsize        len,
                    GError     **error)
{
  const guint8 *p = buf;

  while (len > 0)
    {
      gssize n = send (fd, p, len, MSG_NOSIGNAL);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          set_errno_error (error, errno, "send");
          return FALSE;
        }

      p += n;
      len -= (gsize) n;
    }

  return TRUE;
}

char *
adit_test_read_line (int      fd,
                     gsize    max_len,
                     GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);

  while (line->len < max_len)
    {
      char c;
      gssize n = recv (fd, &c, 1, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          set_errno_error (error, errno, "recv");
          return NULL;
        }

      if (n == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "Connection closed after “%s” without an end of line", line->str);
          return NULL;
        }

      if (c == '\n')
        {
          if (line->len > 0 && line->str[line->len - 1] == '\r')
            g_string_truncate (line, line->len - 1);
          return g_string_free (g_steal_pointer (&line), FALSE);
        }

      g_string_append_c (line, c);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
               "No end of line in the first %" G_GSIZE_FORMAT " bytes", max_len);
  return NULL;
}

static int
remove_one_cb (const char        *path,
               const struct stat *st,
               int                type,
               struct FTW        *ftw)
{
  /* Keep going on errors: remove as much as possible, the caller checks the top. */
  remove (path);
  return 0;
}

gboolean
adit_test_remove_tree (const char  *path,
                       GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  nftw (path, remove_one_cb, 16, FTW_DEPTH | FTW_PHYS);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not remove %s", path);
      return FALSE;
    }

  return TRUE;
}

/* Parses /proc/PID/stat. The command name sits in parentheses and may itself hold spaces
 * and parentheses, so fields are counted from the last ')'. */
static gboolean
read_proc_stat (GPid     pid,
                char    *out_state,
                GPid    *out_ppid,
                guint64 *out_start_time)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rparen;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  rparen = strrchr (contents, ')');
  if (rparen == NULL || rparen[1] != ' ')
    return FALSE;

  /* fields[0] is stat field 3 (state), fields[1] field 4 (ppid), fields[19] field 22
   * (start time in clock ticks since boot). */
  fields = g_strsplit (rparen + 2, " ", 21);
  if (g_strv_length (fields) < 20)
    return FALSE;

  if (out_state != NULL)
    *out_state = fields[0][0];
  if (out_ppid != NULL)
    *out_ppid = (GPid) g_ascii_strtoll (fields[1], NULL, 10);
  if (out_start_time != NULL)
    *out_start_time = g_ascii_strtoull (fields[19], NULL, 10);

  return TRUE;
}

typedef struct
{
  AditTestProc proc;
  GPid         ppid;
} ProcEntry;

GArray *
adit_test_proc_tree (GPid     root,
                     gboolean include_root)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (ProcEntry));
  g_autoptr(GArray) result = g_array_new (FALSE, FALSE, sizeof (AditTestProc));
  g_autoptr(GArray) parents = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (root > 0, NULL);

  dir = g_dir_open ("/proc", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      ProcEntry entry = { { 0, 0 }, 0 };
      char state = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;

      entry.proc.pid = (GPid) g_ascii_strtoll (name, NULL, 10);
      if (!read_proc_stat (entry.proc.pid, &state, &entry.ppid, &entry.proc.start_time))
        continue;
      if (state == 'Z' || state == 'X')
        continue;

      if (entry.proc.pid == root)
        {
          if (include_root)
            g_array_append_val (result, entry.proc);
          continue;
        }

      g_array_append_val (all, entry);
    }

  /* Breadth first: every process found is queued as a parent in turn. */
  g_array_append_val (parents, root);
  for (guint p = 0; p < parents->len; p++)
    {
      GPid parent = g_array_index (parents, GPid, p);

      for (guint i = 0; i < all->len; i++)
        {
          const ProcEntry *e = &g_array_index (all, ProcEntry, i);

          if (e->ppid == parent)
            {
              g_array_append_val (result, e->proc);
              g_array_append_val (parents, e->proc.pid);
            }
        }
    }

  return g_steal_pointer (&result);
}

char
adit_test_proc_state (const AditTestProc *proc)
{
  char state = 0;
  guint64 start_time = 0;

  g_return_val_if_fail (proc != NULL, 0);

  if (!read_proc_stat (proc->pid, &state, NULL, &start_time) || start_time != proc->start_time)
    return 0;

  return state;
}

gboolean
adit_test_proc_alive (const AditTestProc *proc)
{
  char state = adit_test_proc_state (proc);

  return state != 0 && state != 'Z' && state != 'X';
}

void
adit_test_proc_signal (GArray *procs,
                       int     signum)
{
  g_return_if_fail (procs != NULL);

  for (guint i = 0; i < procs->len; i++)
    {
      const AditTestProc *proc = &g_array_index (procs, AditTestProc, i);

      /* A zombie is still ours to signal harmlessly; a recycled pid is not. */
      if (adit_test_proc_state (proc) != 0)
        kill (proc->pid, signum);
    }
}

static gboolean
same_procs (GArray *a,
            GArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      const AditTestProc *x = &g_array_index (a, AditTestProc, i);
      gboolean found = FALSE;

      for (guint j = 0; j < b->len && !found; j++)
        {
          const AditTestProc *y = &g_array_index (b, AditTestProc, j);

          found = x->pid == y->pid && x->start_time == y->start_time;
        }
      if (!found)
        return FALSE;
    }

  return TRUE;
}

/* SIGSTOP takes effect when the process next returns to user space; a fork() under way
 * still completes. Wait for the stop so the next round sees any such child. */
static void
wait_stopped (GArray *procs)
{
  gint64 deadline = g_get_monotonic_time () + 200 * 1000;

  for (guint i = 0; i < procs->len; i++)
    {
      const AditTestProc *proc = &g_array_index (procs, AditTestProc, i);
      char state;

      while ((state = adit_test_proc_state (proc)) != 0 && state != 'T' && state != 't'
             && state != 'Z' && state != 'X' && g_get_monotonic_time () < deadline)
        g_usleep (1000);
    }
}

GArray *
adit_test_proc_freeze_tree (GPid root)
{
  g_autoptr(GArray) tree = NULL;
  AditTestProc root_proc = { root, 0 };

  g_return_val_if_fail (root > 0, NULL);

  if (read_proc_stat (root, NULL, NULL, &root_proc.start_time))
    {
      g_autoptr(GArray) just_root = g_array_new (FALSE, FALSE, sizeof (AditTestProc));

      g_array_append_val (just_root, root_proc);
      kill (root, SIGSTOP);
      wait_stopped (just_root);
    }

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(GArray) now = adit_test_proc_tree (root, FALSE);
      gboolean stable;

      adit_test_proc_signal (now, SIGSTOP);
      wait_stopped (now);
      stable = tree != NULL && same_procs (tree, now);
      g_clear_pointer (&tree, g_array_unref);
      tree = g_steal_pointer (&now);
      if (stable)
        break;
    }

  return g_steal_pointer (&tree);
}

void
adit_test_raise_fd_limit (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      struct rlimit rl;

      if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
        {
          rl.rlim_cur = MIN (rl.rlim_max, (rlim_t) 65536);
          setrlimit (RLIMIT_NOFILE, &rl);
        }
      g_once_init_leave (&done, 1);
    }
}

gboolean
adit_test_proc_wait_gone (GArray *procs,
                          guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  g_return_val_if_fail (procs != NULL, FALSE);

  for (;;)
    {
      gboolean any_alive = FALSE;

      for (guint i = 0; i < procs->len && !any_alive; i++)
        any_alive = adit_test_proc_alive (&g_array_index (procs, AditTestProc, i));

      if (!any_alive)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;

      g_usleep (10 * 1000);
    }
}

gboolean
adit_test_run (const char * const *argv,
               char              **out_stdout,
               GError            **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) local_error = NULL;
  int wait_status = 0;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &wait_status, error))
    return FALSE;

  if (!g_spawn_check_wait_status (wait_status, &local_error))
    {
      g_autofree char *cmdline = g_strjoinv (" ", (char **) argv);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "“%s” failed (%s): %s",
                   cmdline, local_error->message, g_strstrip (err));
      return FALSE;
    }

  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);

  return TRUE;
}

void
adit_test_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

gboolean
adit_test_spawn_server (const char * const *argv,
                        const char         *log_path,
                        GPid               *out_pid,
                        GError            **error)
{
  int log_fd;
  gboolean ok;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);
  g_return_val_if_fail (log_path != NULL, FALSE);
  g_return_val_if_fail (out_pid != NULL, FALSE);

  log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    {
      set_errno_error (error, errno, log_path);
      return FALSE;
    }

  /* Not G_SPAWN_LEAVE_DESCRIPTORS_OPEN: the server must not inherit test sockets. Stdout
   * stays off the test's stdout, which carries TAP. */
  ok = g_spawn_async_with_fds (NULL, (char **) argv, NULL,
                               G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                               adit_test_die_with_parent, NULL, out_pid,
                               -1, -1, log_fd, error);
  close (log_fd);

  return ok;
}

gboolean
adit_test_reap_if_exited (GPid  pid,
                          int  *out_status)
{
  int status = 0;
  pid_t r;

  do
    r = waitpid (pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);

  if (r == pid || (r < 0 && errno == ECHILD))
    {
      if (out_status != NULL)
        *out_status = status;
      return TRUE;
    }

  return FALSE;
}

char *
adit_test_log_tail (const char *path,
                    guint       n_lines)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n, first;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("(no log)");

  lines = g_strsplit (g_strchomp (contents), "\n", -1);
  n = g_strv_length (lines);
  first = n > n_lines ? n - n_lines : 0;

  return g_strjoinv ("\n", lines + first);
}

char *
adit_test_isolate_home (void)
{
  g_autoptr(GError) error = NULL;
  char *home = g_dir_make_tmp ("adit-test-home-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_unsetenv ("SSH_AUTH_SOCK");
  signal (SIGPIPE, SIG_IGN);
  return home;
}

GSocket *
adit_test_occupy_port (const char *address,
                       guint16     port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new_from_string (address, port);
  GSocket *socket = g_socket_new (g_socket_address_get_family (where), G_SOCKET_TYPE_STREAM,
                                  0, &error);

  g_assert_no_error (error);
  g_socket_bind (socket, where, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  return socket;
}

void
adit_test_assert_mentions (const char *message,
                           const char *part)
{
  if (part != NULL && strstr (message, part) == NULL)
    {
      g_test_message ("message “%s” does not mention “%s”", message, part);
      g_test_fail ();
    }
}

void
adit_test_wait_for (AditTestCondition  condition,
                    gpointer           data,
                    const char        *what,
                    guint              timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

void
adit_test_iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

GDBusConnection *
adit_test_dbus_connect (GTestDBus *bus)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}
