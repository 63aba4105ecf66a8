/* adit-bench-tool.c — the two ends of the tunnel benchmark in bench/run.sh.
 *
 * The benchmark sends data through `adit-cli -L` and `ssh -N -L`; this program is what sits
 * at both ends of those tunnels, so that the hot data path is C rather than the Python driver:
 *
 *   adit-bench-tool serve
 *       Listens on three free loopback ports and prints "ready DATA GREET ECHO":
 *       DATA   a sink or a source, chosen by a 32-byte header the client sends first
 *              ("U bytes verify" = read that many bytes and answer "OK bytes bad";
 *               "D bytes verify" = send that many bytes, then close);
 *       GREET  sends one line on accept, then waits for the client to close;
 *       ECHO   sends back whatever it reads.
 *       One thread, epoll, non-blocking sockets; runs until killed.
 *
 *   adit-bench-tool upload PORT BYTES [verify]     connect, send, wait for the sink's answer
 *   adit-bench-tool download PORT BYTES [verify]   connect, receive BYTES
 *       print "bytes=N seconds=S bad=B" (time from connect to the last byte / the answer)
 *   adit-bench-tool latency PORT COUNT
 *       COUNT sequential connections, each timed from connect() to the first byte of the
 *       greeting; prints "count= errors= slow= p50_ms= p90_ms= p99_ms= max_ms= mean_ms="
 *       (slow: how many took over 20 ms)
 *   adit-bench-tool concurrent PORT COUNT TIMEOUT_S
 *       COUNT connections opened at once, each sends a 64-byte numbered request and expects
 *       it echoed; prints "correct= failed= seconds=" and what went wrong with the others.
 *
 * Data is a fixed pseudo-random pattern (not zeros) so that nothing on the way can shortcut
 * it; with "verify" both ends check every byte against it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK        (128 * 1024)
#define PATTERN_SIZE (1024 * 1024)
#define HEADER_SIZE  32
#define ECHO_SIZE    64
#define GREETING     "+OK adit-bench greeting server ready\r\n"

/* PATTERN_SIZE bytes of pattern followed by its first CHUNK bytes again, so that any CHUNK
 * starting at (offset % PATTERN_SIZE) is contiguous. */
static unsigned char pattern[PATTERN_SIZE + CHUNK];
static unsigned char iobuf[CHUNK];

static void
fill_pattern (void)
{
  uint64_t x = 0x9e3779b97f4a7c15ull;

  for (size_t i = 0; i < PATTERN_SIZE; i += 8)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      memcpy (pattern + i, &x, 8);
    }
  memcpy (pattern + PATTERN_SIZE, pattern, CHUNK);
}

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die (const char *what)
{
  fprintf (stderr, "adit-bench-tool: %s: %s\n", what, strerror (errno));
  exit (1);
}

static void
raise_fd_limit (rlim_t want)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want)
    {
      rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

static void
set_nodelay (int fd)
{
  int one = 1;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static struct sockaddr_in
loopback (int port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };

  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  return sa;
}

/* ---------------------------------------------------------------- servers */

enum kind { LISTEN_DATA, LISTEN_GREET, LISTEN_ECHO, DATA, GREET, ECHO };
enum phase { HEADER, SINK, SOURCE, DRAIN };

typedef struct
{
  int        fd;
  enum kind  kind;
  enum phase phase;
  char       header[HEADER_SIZE + 1];
  size_t     header_len;
  uint64_t   total, done, bad;
  int        verify;
  /* echo: bytes read but not yet written back */
  unsigned char *pending;
  size_t     pending_len, pending_off;
} Conn;

static int epfd;

static void
watch (Conn *c, uint32_t events, int op)
{
  struct epoll_event ev = { .events = events, .data.ptr = c };

  if (epoll_ctl (epfd, op, c->fd, &ev) < 0)
    die ("epoll_ctl");
}

static void
conn_close (Conn *c)
{
  close (c->fd);   /* also removes it from the epoll set */
  free (c->pending);
  free (c);
}

static int
listen_on (void)
{
  struct sockaddr_in sa = loopback (0);
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    die ("socket");
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen (fd, 4096) < 0)
    die ("bind/listen");
  return fd;
}

static int
port_of (int fd)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;

  getsockname (fd, (struct sockaddr *)&sa, &len);
  return ntohs (sa.sin_port);
}

static void
accept_all (Conn *l)
{
  for (;;)
    {
      int fd = accept4 (l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      Conn *c;

      if (fd < 0)
        {
          if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            perror ("adit-bench-tool: accept");
          return;
        }
      c = calloc (1, sizeof *c);
      c->fd = fd;
      c->kind = l->kind == LISTEN_DATA ? DATA : l->kind == LISTEN_GREET ? GREET : ECHO;
      if (c->kind == GREET)
        {
          set_nodelay (fd);
          /* A fresh socket always takes this much. */
          if (write (fd, GREETING, sizeof GREETING - 1) < 0)
            {
              conn_close (c);
              continue;
            }
          c->phase = DRAIN;
        }
      else if (c->kind == ECHO)
        set_nodelay (fd);
      watch (c, EPOLLIN, EPOLL_CTL_ADD);
    }
}

static void
data_event (Conn *c)
{
  if (c->phase == HEADER)
    {
      ssize_t n = read (c->fd, c->header + c->header_len, HEADER_SIZE - c->header_len);
      char mode = 0;
      unsigned long long total = 0;
      int verify = 0;

      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        {
          conn_close (c);
          return;
        }
      if (n < 0)
        return;
      c->header_len += n;
      if (c->header_len < HEADER_SIZE)
        return;
      c->header[HEADER_SIZE] = '\0';
      if (sscanf (c->header, "%c %llu %d", &mode, &total, &verify) != 3 ||
          (mode != 'U' && mode != 'D'))
        {
          fprintf (stderr, "adit-bench-tool: bad header\n");
          conn_close (c);
          return;
        }
      c->total = total;
      c->verify = verify;
      if (mode == 'U')
        c->phase = SINK;
      else
        {
          c->phase = SOURCE;
          watch (c, EPOLLOUT, EPOLL_CTL_MOD);
          return;
        }
    }

  if (c->phase == SINK)
    {
      for (;;)
        {
          size_t want = c->total - c->done < CHUNK ? c->total - c->done : CHUNK;
          ssize_t n = want > 0 ? read (c->fd, iobuf, want) : 0;

          if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
          if (n <= 0)
            break;
          if (c->verify && memcmp (iobuf, pattern + c->done % PATTERN_SIZE, n) != 0)
            c->bad++;
          c->done += n;
        }
      if (c->done == c->total)
        {
          char answer[64];
          int len = snprintf (answer, sizeof answer, "OK %llu %llu\n",
                              (unsigned long long)c->done, (unsigned long long)c->bad);
          if (write (c->fd, answer, len) < 0)
            perror ("adit-bench-tool: answer");
        }
      conn_close (c);
      return;
    }

  if (c->phase == SOURCE)
    {
      while (c->done < c->total)
        {
          size_t want = c->total - c->done < CHUNK ? c->total - c->done : CHUNK;
          ssize_t n = write (c->fd, pattern + c->done % PATTERN_SIZE, want);

          if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
          if (n < 0)
            break;
          c->done += n;
        }
      conn_close (c);
    }
}

static void
greet_event (Conn *c)
{
  ssize_t n = read (c->fd, iobuf, sizeof iobuf);

  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    conn_close (c);
}

static void
echo_event (Conn *c)
{
  if (c->pending_off < c->pending_len)
    {
      ssize_t n = write (c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      if (n < 0)
        {
          conn_close (c);
          return;
        }
      c->pending_off += n;
      if (c->pending_off < c->pending_len)
        return;
      watch (c, EPOLLIN, EPOLL_CTL_MOD);
    }

  for (;;)
    {
      ssize_t n = read (c->fd, iobuf, 65536), w;

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      if (n <= 0)
        {
          conn_close (c);
          return;
        }
      w = write (c->fd, iobuf, n);
      if (w < 0 && errno != EAGAIN && errno != EINTR)
        {
          conn_close (c);
          return;
        }
      if (w < 0)
        w = 0;
      if (w < n)
        {
          free (c->pending);
          c->pending = malloc (n - w);
          memcpy (c->pending, iobuf + w, n - w);
          c->pending_len = n - w;
          c->pending_off = 0;
          watch (c, EPOLLOUT, EPOLL_CTL_MOD);
          return;
        }
    }
}

static _Noreturn void
serve (void)
{
  Conn listeners[3] = {
    { .kind = LISTEN_DATA }, { .kind = LISTEN_GREET }, { .kind = LISTEN_ECHO },
  };
  struct epoll_event events[256];

  raise_fd_limit (65536);
  signal (SIGPIPE, SIG_IGN);
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    die ("epoll_create1");
  for (int i = 0; i < 3; i++)
    {
      listeners[i].fd = listen_on ();
      watch (&listeners[i], EPOLLIN, EPOLL_CTL_ADD);
    }
  printf ("ready %d %d %d\n", port_of (listeners[0].fd), port_of (listeners[1].fd),
          port_of (listeners[2].fd));
  fflush (stdout);

  for (;;)
    {
      int n = epoll_wait (epfd, events, 256, -1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        die ("epoll_wait");
      for (int i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;

          switch (c->kind)
            {
            case LISTEN_DATA: case LISTEN_GREET: case LISTEN_ECHO:
              accept_all (c);
              break;
            case DATA:
              data_event (c);
              break;
            case GREET:
              greet_event (c);
              break;
            case ECHO:
              echo_event (c);
              break;
            }
        }
    }
}

/* ---------------------------------------------------------------- clients */

static int
connect_to (int port)
{
  struct sockaddr_in sa = loopback (port);
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    die ("socket");
  if (connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    die ("connect");
  return fd;
}

static void
send_header (int fd, char mode, uint64_t total, int verify)
{
  char header[HEADER_SIZE + 1];

  snprintf (header, sizeof header, "%c %llu %d", mode, (unsigned long long)total, verify);
  memset (header + strlen (header), ' ', HEADER_SIZE - strlen (header));
  if (write (fd, header, HEADER_SIZE) != HEADER_SIZE)
    die ("write header");
}

static int
transfer (int upload, int port, uint64_t total, int verify)
{
  uint64_t done = 0, bad = 0;
  double t0 = now (), t1;
  int fd = connect_to (port);

  send_header (fd, upload ? 'U' : 'D', total, verify);
  if (upload)
    {
      char answer[64] = "";
      size_t got = 0;
      unsigned long long sink_done = 0, sink_bad = 0;

      while (done < total)
        {
          size_t want = total - done < CHUNK ? total - done : CHUNK;
          ssize_t n = write (fd, pattern + done % PATTERN_SIZE, want);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            die ("write");
          done += n;
        }
      while (got < sizeof answer - 1 && memchr (answer, '\n', got) == NULL)
        {
          ssize_t n = read (fd, answer + got, sizeof answer - 1 - got);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          got += n;
          answer[got] = '\0';
        }
      t1 = now ();
      if (sscanf (answer, "OK %llu %llu", &sink_done, &sink_bad) != 2)
        {
          fprintf (stderr, "adit-bench-tool: the sink did not answer (got %zu bytes)\n", got);
          return 1;
        }
      done = sink_done;
      bad = sink_bad;
    }
  else
    {
      while (done < total)
        {
          ssize_t n = read (fd, iobuf, CHUNK);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            die ("read");
          if (n == 0)
            break;
          if (verify && memcmp (iobuf, pattern + done % PATTERN_SIZE, n) != 0)
            bad++;
          done += n;
        }
      t1 = now ();
    }
  close (fd);
  printf ("bytes=%llu seconds=%.6f bad=%llu\n", (unsigned long long)done, t1 - t0,
          (unsigned long long)bad);
  return done == total && bad == 0 ? 0 : 1;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double
percentile (const double *sorted, int n, double p)
{
  int rank = (int)(p / 100.0 * n + 0.999999);

  if (rank < 1)
    rank = 1;
  return sorted[rank - 1];
}

static int
latency (int port, int count)
{
  double *samples = calloc (count, sizeof *samples), sum = 0;
  int ok = 0, errors = 0, slow = 0;
  struct sockaddr_in sa = loopback (port);

  for (int i = 0; i < count; i++)
    {
      char line[256];
      size_t got = 0;
      double t0 = now (), first = 0;
      int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

      if (fd < 0 || connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        {
          errors++;
          if (fd >= 0)
            close (fd);
          continue;
        }
      while (got < sizeof line && memchr (line, '\n', got) == NULL)
        {
          ssize_t n = read (fd, line + got, sizeof line - got);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          if (got == 0)
            first = now ();
          got += n;
        }
      close (fd);
      if (got != sizeof GREETING - 1 || memcmp (line, GREETING, got) != 0)
        {
          errors++;
          continue;
        }
      samples[ok++] = (first - t0) * 1000.0;
      sum += (first - t0) * 1000.0;
    }
  qsort (samples, ok, sizeof *samples, compare_double);
  for (int i = 0; i < ok; i++)
    if (samples[i] > 20.0)
      slow++;
  printf ("count=%d errors=%d slow=%d p50_ms=%.4f p90_ms=%.4f p99_ms=%.4f max_ms=%.4f "
          "mean_ms=%.4f\n",
          ok, errors, slow,
          ok ? percentile (samples, ok, 50) : 0, ok ? percentile (samples, ok, 90) : 0,
          ok ? percentile (samples, ok, 99) : 0, ok ? samples[ok - 1] : 0, ok ? sum / ok : 0);
  free (samples);
  return errors == 0 ? 0 : 1;
}

enum cstate { CONNECTING, SENDING, RECEIVING, FINISHED };
enum failure { F_NONE, F_CONNECT, F_RESET, F_EOF, F_MISMATCH, F_TIMEOUT, F_COUNT };

typedef struct
{
  int           fd;
  enum cstate   state;
  enum failure  failure;
  unsigned char request[ECHO_SIZE];
  unsigned char reply[ECHO_SIZE];
  size_t        sent, got;
} Client;

static int
concurrent (int port, int count, double timeout)
{
  static const char *names[F_COUNT] = {
    "none", "connect", "reset", "eof", "mismatch", "timeout",
  };
  Client *clients = calloc (count, sizeof *clients);
  int failures[F_COUNT] = { 0 };
  int finished = 0, correct = 0;
  struct sockaddr_in sa = loopback (port);
  struct epoll_event events[256];
  double t0 = now ();
  uint64_t x = 0x2545f4914f6cdd1dull;

  raise_fd_limit (count + 256);
  signal (SIGPIPE, SIG_IGN);
  epfd = epoll_create1 (EPOLL_CLOEXEC);

  for (int i = 0; i < count; i++)
    {
      Client *c = &clients[i];
      struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
      int len = snprintf ((char *)c->request, sizeof c->request, "echo %06d ", i);

      for (int j = len; j < ECHO_SIZE - 1; j++)
        {
          x ^= x << 13;
          x ^= x >> 7;
          x ^= x << 17;
          c->request[j] = 'a' + x % 26;
        }
      c->request[ECHO_SIZE - 1] = '\n';
      c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (c->fd < 0)
        die ("socket");
      if (connect (c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
        {
          c->state = FINISHED;
          c->failure = F_CONNECT;
          close (c->fd);
          finished++;
          continue;
        }
      c->state = CONNECTING;
      epoll_ctl (epfd, EPOLL_CTL_ADD, c->fd, &ev);
    }

  while (finished < count)
    {
      int left_ms = (int)((timeout - (now () - t0)) * 1000);
      int n;

      if (left_ms <= 0)
        break;
      n = epoll_wait (epfd, events, 256, left_ms);
      if (n < 0 && errno == EINTR)
        continue;
      for (int i = 0; i < n; i++)
        {
          Client *c = events[i].data.ptr;
          enum failure failure = F_NONE;

          if (c->state == CONNECTING)
            {
              int err = 0;
              socklen_t len = sizeof err;

              getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
              if (err != 0)
                failure = F_CONNECT;
              else
                c->state = SENDING;
            }
          if (c->state == SENDING && failure == F_NONE)
            {
              ssize_t w = write (c->fd, c->request + c->sent, ECHO_SIZE - c->sent);

              if (w < 0 && errno != EAGAIN && errno != EINTR)
                failure = F_RESET;
              else if (w > 0 && (c->sent += w) == ECHO_SIZE)
                {
                  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

                  c->state = RECEIVING;
                  epoll_ctl (epfd, EPOLL_CTL_MOD, c->fd, &ev);
                  continue;
                }
            }
          else if (c->state == RECEIVING && failure == F_NONE)
            {
              ssize_t r = read (c->fd, c->reply + c->got, ECHO_SIZE - c->got);

              if (r == 0)
                failure = F_EOF;
              else if (r < 0 && errno != EAGAIN && errno != EINTR)
                failure = F_RESET;
              else if (r > 0 && (c->got += r) == ECHO_SIZE)
                {
                  if (memcmp (c->reply, c->request, ECHO_SIZE) == 0)
                    correct++;
                  else
                    failure = F_MISMATCH;
                  c->state = FINISHED;
                  close (c->fd);
                  finished++;
                }
            }
          if (failure != F_NONE)
            {
              c->state = FINISHED;
              c->failure = failure;
              close (c->fd);
              finished++;
            }
        }
    }

  for (int i = 0; i < count; i++)
    if (clients[i].state != FINISHED)
      {
        clients[i].failure = F_TIMEOUT;
        close (clients[i].fd);
      }
  for (int i = 0; i < count; i++)
    failures[clients[i].failure]++;

  printf ("correct=%d failed=%d seconds=%.3f", correct, count - correct, now () - t0);
  for (int f = F_CONNECT; f < F_COUNT; f++)
    printf (" %s=%d", names[f], failures[f]);
  printf ("\n");
  free (clients);
  return correct == count ? 0 : 1;
}

int
main (int argc, char **argv)
{
  fill_pattern ();
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (argc == 2 && strcmp (argv[1], "serve") == 0)
    serve ();
  if (argc >= 4 && (strcmp (argv[1], "upload") == 0 || strcmp (argv[1], "download") == 0))
    return transfer (argv[1][0] == 'u', atoi (argv[2]), strtoull (argv[3], NULL, 10),
                     argc > 4 && strcmp (argv[4], "verify") == 0);
  if (argc == 4 && strcmp (argv[1], "latency") == 0)
    return latency (atoi (argv[2]), atoi (argv[3]));
  if (argc == 5 && strcmp (argv[1], "concurrent") == 0)
    return concurrent (atoi (argv[2]), atoi (argv[3]), atof (argv[4]));

  fprintf (stderr,
           "usage: adit-bench-tool serve\n"
           "       adit-bench-tool upload|download PORT BYTES [verify]\n"
           "       adit-bench-tool latency PORT COUNT\n"
           "       adit-bench-tool concurrent PORT COUNT TIMEOUT_SECONDS\n");
  return 2;
}
