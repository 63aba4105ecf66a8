/* adit-test-echo.c — in-process loopback TCP servers (one blocking thread per connection) and
 * the client helpers that push checked data through a tunnel to them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-test-echo.h"
#include "adit-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef ADIT_TEST_HAVE_LIBCRYPTO
# include <openssl/evp.h>
#endif

/* Big enough that a 1 GiB transfer is a few thousand system calls. */
#define CHUNK_SIZE (256 * 1024)
#define ECHO_BUFFER_SIZE (16 * 1024)

/* SHA-256 through OpenSSL when available: GChecksum does ~420 MiB/s here, slower than a
 * tunnel, and the sink would become what a benchmark measures. */
typedef struct
{
#ifdef ADIT_TEST_HAVE_LIBCRYPTO
  EVP_MD_CTX *ctx;
#else
  GChecksum  *checksum;
#endif
} Sha256;

static void
sha256_init (Sha256 *sha)
{
#ifdef ADIT_TEST_HAVE_LIBCRYPTO
  sha->ctx = EVP_MD_CTX_new ();
  g_assert (sha->ctx != NULL);
  g_assert (EVP_DigestInit_ex (sha->ctx, EVP_sha256 (), NULL) == 1);
#else
  sha->checksum = g_checksum_new (G_CHECKSUM_SHA256);
#endif
}

static void
sha256_update (Sha256       *sha,
               const guint8 *data,
               gsize         len)
{
#ifdef ADIT_TEST_HAVE_LIBCRYPTO
  g_assert (EVP_DigestUpdate (sha->ctx, data, len) == 1);
#else
  g_checksum_update (sha->checksum, data, (gssize) len);
#endif
}

/* Lowercase hex of the digest; releases @sha. */
static char *
sha256_finish (Sha256 *sha)
{
#ifdef ADIT_TEST_HAVE_LIBCRYPTO
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  GString *hex = g_string_sized_new (64);

  g_assert (EVP_DigestFinal_ex (sha->ctx, digest, &len) == 1);
  EVP_MD_CTX_free (sha->ctx);
  sha->ctx = NULL;
  for (unsigned int i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", digest[i]);

  return g_string_free (hex, FALSE);
#else
  char *hex = g_strdup (g_checksum_get_string (sha->checksum));

  g_clear_pointer (&sha->checksum, g_checksum_free);
  return hex;
#endif
}

/* Stream word i (bytes 8i…8i+7, little-endian) is the SplitMix64 output for counter i:
 * cheap, random access, and easy to reproduce in any language. */
static inline guint64
stream_word (guint64 seed,
             guint64 index)
{
  guint64 z = seed + (index + 1) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

void
adit_test_stream_fill (guint64  seed,
                       guint64  offset,
                       guint8  *buf,
                       gsize    len)
{
  g_return_if_fail (buf != NULL || len == 0);

  /* Head: up to the next word boundary. */
  while (len > 0 && (offset & 7) != 0)
    {
      *buf++ = (guint8) (stream_word (seed, offset >> 3) >> (8 * (offset & 7)));
      offset++;
      len--;
    }

  for (; len >= 8; len -= 8, offset += 8, buf += 8)
    {
      guint64 le = GUINT64_TO_LE (stream_word (seed, offset >> 3));

      memcpy (buf, &le, 8);
    }

  for (; len > 0; len--, offset++)
    *buf++ = (guint8) (stream_word (seed, offset >> 3) >> (8 * (offset & 7)));
}

struct _AditTestEchoPrivate
{
  int      listen_fd;
  int      wake_fds[2];
  GThread *accept_thread;

  GMutex   lock;
  GCond    cond;
  GArray  *open_fds;   /* of int, under lock */
  guint    active;     /* under lock */

  gint     connections; /* atomic */
};

typedef struct
{
  AditTestEcho *echo;
  int           fd;
} Conn;

/* The descriptor is closed here, under the lock, so _free () can shutdown() the open ones
 * without racing a close and hitting a recycled number. The thread must not touch @echo
 * after this. */
static void
conn_finish (AditTestEcho *echo,
             int           fd)
{
  AditTestEchoPrivate *priv = echo->priv;

  g_mutex_lock (&priv->lock);
  for (guint i = 0; i < priv->open_fds->len; i++)
    {
      if (g_array_index (priv->open_fds, int, i) == fd)
        {
          g_array_remove_index_fast (priv->open_fds, i);
          break;
        }
    }
  close (fd);
  priv->active--;
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
}

static void
serve_echo (AditTestEcho *echo,
            int           fd)
{
  guint8 buf[ECHO_BUFFER_SIZE];

  if (echo->mode == ADIT_TEST_ECHO_MODE_GREETING
      && !adit_test_send_all (fd, ADIT_TEST_ECHO_GREETING, strlen (ADIT_TEST_ECHO_GREETING), NULL))
    return;

  for (;;)
    {
      gssize n = recv (fd, buf, sizeof buf, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || !adit_test_send_all (fd, buf, (gsize) n, NULL))
        return;
    }
}

static void
serve_sink (int fd)
{
  g_autofree guint8 *buf = g_malloc (CHUNK_SIZE);
  g_autofree char *hex = NULL;
  g_autofree char *reply = NULL;
  guint64 total = 0;
  Sha256 sha;

  sha256_init (&sha);
  for (;;)
    {
      gssize n = recv (fd, buf, CHUNK_SIZE, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          /* Reset or cut by _free (): no answer to give. */
          g_free (sha256_finish (&sha));
          return;
        }
      if (n == 0)
        break;

      sha256_update (&sha, buf, (gsize) n);
      total += (guint64) n;
    }

  hex = sha256_finish (&sha);
  reply = g_strdup_printf ("%" G_GUINT64_FORMAT " %s\n", total, hex);
  adit_test_send_all (fd, reply, strlen (reply), NULL);
}

static void
serve_source (AditTestEcho *echo,
              int           fd)
{
  g_autofree guint8 *buf = g_malloc (CHUNK_SIZE);
  guint64 offset = 0;

  while (offset < echo->source_bytes)
    {
      gsize n = (gsize) MIN ((guint64) CHUNK_SIZE, echo->source_bytes - offset);

      adit_test_stream_fill (echo->seed, offset, buf, n);
      if (!adit_test_send_all (fd, buf, n, NULL))
        return;
      offset += n;
    }

  /* Half-close and wait for the client's close: closing with unread input would send a
   * reset that can destroy the tail of the stream before the client read it. */
  shutdown (fd, SHUT_WR);
  for (;;)
    {
      gssize n = recv (fd, buf, CHUNK_SIZE, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
    }
}

static gpointer
conn_thread (gpointer data)
{
  Conn *conn = data;
  AditTestEcho *echo = conn->echo;
  int fd = conn->fd;

  g_free (conn);

  switch (echo->mode)
    {
    case ADIT_TEST_ECHO_MODE_ECHO:
    case ADIT_TEST_ECHO_MODE_GREETING:
      serve_echo (echo, fd);
      break;

    case ADIT_TEST_ECHO_MODE_SINK:
      serve_sink (fd);
      break;

    case ADIT_TEST_ECHO_MODE_SOURCE:
      serve_source (echo, fd);
      break;

    default:
      g_assert_not_reached ();
    }

  conn_finish (echo, fd);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  AditTestEcho *echo = data;
  AditTestEchoPrivate *priv = echo->priv;

  for (;;)
    {
      struct pollfd pfd[2] = {
        { .fd = priv->listen_fd, .events = POLLIN },
        { .fd = priv->wake_fds[0], .events = POLLIN },
      };
      g_autoptr(GThread) thread = NULL;
      Conn *conn;
      int fd;

      if (poll (pfd, G_N_ELEMENTS (pfd), -1) < 0)
        {
          if (errno == EINTR)
            continue;
          g_critical ("poll: %s", g_strerror (errno));
          return NULL;
        }

      if (pfd[1].revents != 0)
        return NULL;

      fd = accept4 (priv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        {
          /* Out of descriptors: let the backlog wait rather than spin. */
          if (errno == EMFILE || errno == ENFILE)
            g_usleep (10 * 1000);
          continue;
        }

      g_atomic_int_inc (&priv->connections);

      g_mutex_lock (&priv->lock);
      g_array_append_val (priv->open_fds, fd);
      priv->active++;
      g_mutex_unlock (&priv->lock);

      conn = g_new (Conn, 1);
      conn->echo = echo;
      conn->fd = fd;

      /* Dropping our reference detaches the thread; _free () waits on `active` instead. */
      thread = g_thread_try_new ("adit-test-conn", conn_thread, conn, NULL);
      if (thread == NULL)
        {
          g_free (conn);
          conn_finish (echo, fd);
        }
    }
}

AditTestEcho *
adit_test_echo_new_full (const char        *listen_address,
                         AditTestEchoMode   mode,
                         guint64            source_bytes,
                         guint64            seed,
                         GError           **error)
{
  g_autoptr(AditTestEcho) echo = NULL;
  g_autoptr(GSocketAddress) sa = NULL;
  struct sockaddr_storage ss;
  socklen_t len;
  int saved_errno;

  g_return_val_if_fail (mode <= ADIT_TEST_ECHO_MODE_SOURCE, NULL);

  if (listen_address == NULL)
    listen_address = "127.0.0.1";

  adit_test_raise_fd_limit ();

  echo = g_new0 (AditTestEcho, 1);
  echo->priv = g_new0 (AditTestEchoPrivate, 1);
  echo->priv->listen_fd = -1;
  echo->priv->wake_fds[0] = echo->priv->wake_fds[1] = -1;
  g_mutex_init (&echo->priv->lock);
  g_cond_init (&echo->priv->cond);
  echo->priv->open_fds = g_array_new (FALSE, FALSE, sizeof (int));
  echo->mode = mode;
  echo->listen_address = g_strdup (listen_address);
  echo->source_bytes = source_bytes;
  echo->seed = seed;

  sa = g_inet_socket_address_new_from_string (listen_address, 0);
  if (sa == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a numeric IP address", listen_address);
      return NULL;
    }
  if (!g_socket_address_to_native (sa, &ss, sizeof ss, error))
    return NULL;
  len = (socklen_t) g_socket_address_get_native_size (sa);

  echo->priv->listen_fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (echo->priv->listen_fd < 0
      || bind (echo->priv->listen_fd, (struct sockaddr *) &ss, len) != 0
      || listen (echo->priv->listen_fd, 4096) != 0
      || getsockname (echo->priv->listen_fd, (struct sockaddr *) &ss, &len) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot listen on %s: %s", listen_address, g_strerror (saved_errno));
      return NULL;
    }

  if (ss.ss_family == AF_INET)
    echo->port = g_ntohs (((struct sockaddr_in *) &ss)->sin_port);
  else
    echo->port = g_ntohs (((struct sockaddr_in6 *) &ss)->sin6_port);

  if (!g_unix_open_pipe (echo->priv->wake_fds, FD_CLOEXEC, error))
    return NULL;

  echo->priv->accept_thread = g_thread_try_new ("adit-test-accept", accept_thread, echo, error);
  if (echo->priv->accept_thread == NULL)
    return NULL;

  return g_steal_pointer (&echo);
}

AditTestEcho *
adit_test_echo_new (AditTestEchoMode mode,
                    guint64          source_bytes)
{
  g_autoptr(GError) error = NULL;
  AditTestEcho *echo;

  echo = adit_test_echo_new_full ("127.0.0.1", mode, source_bytes,
                                  ADIT_TEST_ECHO_DEFAULT_SEED, &error);
  if (echo == NULL)
    g_error ("Cannot start the test TCP server: %s", error->message);

  return echo;
}

guint
adit_test_echo_get_connections (AditTestEcho *echo)
{
  g_return_val_if_fail (echo != NULL, 0);

  return (guint) g_atomic_int_get (&echo->priv->connections);
}

guint
adit_test_echo_get_active (AditTestEcho *echo)
{
  guint active;

  g_return_val_if_fail (echo != NULL, 0);

  g_mutex_lock (&echo->priv->lock);
  active = echo->priv->active;
  g_mutex_unlock (&echo->priv->lock);

  return active;
}

void
adit_test_echo_free (AditTestEcho *echo)
{
  AditTestEchoPrivate *priv;

  if (echo == NULL)
    return;

  priv = echo->priv;

  if (priv->accept_thread != NULL)
    {
      while (write (priv->wake_fds[1], "x", 1) < 0 && errno == EINTR)
        ;
      g_thread_join (g_steal_pointer (&priv->accept_thread));
    }

  /* No new connection can appear now; cut the open ones so blocked threads return. */
  g_mutex_lock (&priv->lock);
  for (guint i = 0; i < priv->open_fds->len; i++)
    shutdown (g_array_index (priv->open_fds, int, i), SHUT_RDWR);
  while (priv->active > 0)
    g_cond_wait (&priv->cond, &priv->lock);
  g_mutex_unlock (&priv->lock);

  if (priv->listen_fd >= 0)
    close (priv->listen_fd);
  if (priv->wake_fds[0] >= 0)
    close (priv->wake_fds[0]);
  if (priv->wake_fds[1] >= 0)
    close (priv->wake_fds[1]);

  g_array_unref (priv->open_fds);
  g_mutex_clear (&priv->lock);
  g_cond_clear (&priv->cond);
  g_free (priv);
  g_free (echo->listen_address);
  g_free (echo);
}

/* Client side. */

static gboolean
upload_on (int       fd,
           guint16   port,
           guint64   bytes,
           guint64   seed,
           GError  **error)
{
  g_autofree guint8 *buf = g_malloc (CHUNK_SIZE);
  g_autofree char *sent_hex = NULL;
  g_autofree char *reply = NULL;
  g_auto(GStrv) fields = NULL;
  guint64 offset = 0;
  guint64 got_bytes = 0;
  Sha256 sha;

  sha256_init (&sha);
  while (offset < bytes)
    {
      gsize n = (gsize) MIN ((guint64) CHUNK_SIZE, bytes - offset);

      adit_test_stream_fill (seed, offset, buf, n);
      sha256_update (&sha, buf, n);
      if (!adit_test_send_all (fd, buf, n, error))
        {
          g_free (sha256_finish (&sha));
          g_prefix_error (error, "Upload to port %u stopped after %" G_GUINT64_FORMAT
                          " of %" G_GUINT64_FORMAT " bytes: ", port, offset, bytes);
          return FALSE;
        }
      offset += n;
    }
  sent_hex = sha256_finish (&sha);

  shutdown (fd, SHUT_WR);

  reply = adit_test_read_line (fd, 256, error);
  if (reply == NULL)
    {
      g_prefix_error (error, "No answer from the sink on port %u after %" G_GUINT64_FORMAT
                      " bytes: ", port, bytes);
      return FALSE;
    }

  fields = g_strsplit (reply, " ", 2);
  if (g_strv_length (fields) != 2
      || !g_ascii_string_to_unsigned (fields[0], 10, 0, G_MAXUINT64, &got_bytes, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The sink on port %u answered “%s”", port, reply);
      return FALSE;
    }

  if (got_bytes != bytes || g_strcmp0 (fields[1], sent_hex) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Sent %" G_GUINT64_FORMAT " bytes (sha256 %s) to port %u, the sink got %"
                   G_GUINT64_FORMAT " (sha256 %s)", bytes, sent_hex, port, got_bytes, fields[1]);
      return FALSE;
    }

  return TRUE;
}

gboolean
adit_test_transfer_upload (guint16   port,
                           guint64   bytes,
                           guint64   seed,
                           GError  **error)
{
  gboolean ok;
  int fd;

  g_return_val_if_fail (port != 0, FALSE);

  fd = adit_test_connect ("127.0.0.1", port, ADIT_TEST_IO_TIMEOUT_S, error);
  if (fd < 0)
    return FALSE;

  ok = upload_on (fd, port, bytes, seed, error);
  close (fd);

  return ok;
}

static gboolean
download_on (int       fd,
             guint16   port,
             guint64   expected_bytes,
             guint64   seed,
             gsize     read_size,
             guint     pause_ms,
             GError  **error)
{
  g_autofree guint8 *buf = g_malloc (read_size);
  g_autofree guint8 *expected = g_malloc (read_size);
  guint64 total = 0;

  for (;;)
    {
      gssize n;

      if (pause_ms > 0)
        g_usleep (pause_ms * 1000);
      n = recv (fd, buf, read_size, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR,
                       saved_errno == EAGAIN ? G_IO_ERROR_TIMED_OUT
                                             : g_io_error_from_errno (saved_errno),
                       "Download from port %u stopped after %" G_GUINT64_FORMAT " of %"
                       G_GUINT64_FORMAT " bytes: %s", port, total, expected_bytes,
                       g_strerror (saved_errno));
          return FALSE;
        }

      if (n == 0)
        break;

      if (total + (guint64) n > expected_bytes)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Download from port %u: more than the expected %" G_GUINT64_FORMAT
                       " bytes", port, expected_bytes);
          return FALSE;
        }

      adit_test_stream_fill (seed, total, expected, (gsize) n);
      if (memcmp (buf, expected, (gsize) n) != 0)
        {
          gsize i = 0;

          while (buf[i] == expected[i])
            i++;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Download from port %u: byte %" G_GUINT64_FORMAT " is 0x%02x, "
                       "expected 0x%02x", port, total + i, buf[i], expected[i]);
          return FALSE;
        }

      total += (guint64) n;
    }

  if (total != expected_bytes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "Download from port %u ended after %" G_GUINT64_FORMAT " of %"
                   G_GUINT64_FORMAT " bytes", port, total, expected_bytes);
      return FALSE;
    }

  return TRUE;
}

gboolean
adit_test_transfer_download_paced (guint16   port,
                                   guint64   expected_bytes,
                                   guint64   seed,
                                   gsize     read_size,
                                   guint     pause_ms,
                                   GError  **error)
{
  gboolean ok;
  int fd;

  g_return_val_if_fail (port != 0, FALSE);
  g_return_val_if_fail (read_size > 0, FALSE);

  fd = adit_test_connect ("127.0.0.1", port, ADIT_TEST_IO_TIMEOUT_S, error);
  if (fd < 0)
    return FALSE;

  ok = download_on (fd, port, expected_bytes, seed, read_size, pause_ms, error);
  close (fd);

  return ok;
}

gboolean
adit_test_transfer_download (guint16   port,
                             guint64   expected_bytes,
                             guint64   seed,
                             GError  **error)
{
  return adit_test_transfer_download_paced (port, expected_bytes, seed, CHUNK_SIZE, 0, error);
}

static gboolean
round_trip_on (int          fd,
               guint16      port,
               const char  *message,
               GError     **error)
{
  gsize len = strlen (message);
  g_autofree char *back = g_malloc0 (len + 1);
  gsize got = 0;

  if (!adit_test_send_all (fd, message, len, error))
    {
      g_prefix_error (error, "Round trip through port %u: ", port);
      return FALSE;
    }

  while (got < len)
    {
      gssize n = recv (fd, back + got, len - got, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR,
                       saved_errno == EAGAIN ? G_IO_ERROR_TIMED_OUT
                                             : g_io_error_from_errno (saved_errno),
                       "Round trip through port %u: %s after %" G_GSIZE_FORMAT " of %"
                       G_GSIZE_FORMAT " bytes", port, g_strerror (saved_errno), got, len);
          return FALSE;
        }
      if (n == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "Round trip through port %u: closed after %" G_GSIZE_FORMAT " of %"
                       G_GSIZE_FORMAT " bytes", port, got, len);
          return FALSE;
        }
      got += (gsize) n;
    }

  if (memcmp (back, message, len) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Round trip through port %u: sent “%s”, got back “%s”", port, message, back);
      return FALSE;
    }

  return TRUE;
}

gboolean
adit_test_round_trip (guint16      port,
                      const char  *message,
                      GError     **error)
{
  gboolean ok;
  int fd;

  g_return_val_if_fail (port != 0, FALSE);
  g_return_val_if_fail (message != NULL && *message != '\0', FALSE);

  fd = adit_test_connect ("127.0.0.1", port, ADIT_TEST_IO_TIMEOUT_S, error);
  if (fd < 0)
    return FALSE;

  ok = round_trip_on (fd, port, message, error);
  close (fd);

  return ok;
}
