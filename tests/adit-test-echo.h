/* adit-test-echo.h — in-process TCP servers on loopback that sit at the far end of a tunnel
 * (echo, greeting, sink, source), and the client helpers that drive them with checked,
 * reproducible data and timeouts so a broken tunnel fails a test instead of hanging it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  ADIT_TEST_ECHO_MODE_ECHO,     /* send back everything received */
  ADIT_TEST_ECHO_MODE_GREETING, /* send ADIT_TEST_ECHO_GREETING on accept, then echo */
  ADIT_TEST_ECHO_MODE_SINK,     /* read to EOF, answer "BYTES SHA256HEX\n", close */
  ADIT_TEST_ECHO_MODE_SOURCE,   /* send source_bytes of the seeded stream, close */
} AditTestEchoMode;

#define ADIT_TEST_ECHO_GREETING "+OK adit-test ready\r\n"

/* The stream seed adit_test_echo_new () gives SOURCE servers. */
#define ADIT_TEST_ECHO_DEFAULT_SEED G_GUINT64_CONSTANT (0x0ad17e57)

typedef struct _AditTestEchoPrivate AditTestEchoPrivate;

typedef struct
{
  AditTestEchoMode     mode;
  char                *listen_address;
  guint16              port;
  guint64              source_bytes; /* SOURCE: bytes sent on each connection */
  guint64              seed;         /* SOURCE: stream seed */
  /*< private >*/
  AditTestEchoPrivate *priv;
} AditTestEcho;

/* A server on 127.0.0.1, port chosen by the kernel, serving each connection in its own
 * thread. Aborts the test if it cannot listen (it always can on loopback). */
AditTestEcho *adit_test_echo_new             (AditTestEchoMode  mode,
                                              guint64           source_bytes);
AditTestEcho *adit_test_echo_new_full        (const char       *listen_address,
                                              AditTestEchoMode  mode,
                                              guint64           source_bytes,
                                              guint64           seed,
                                              GError          **error);
/* Connections accepted so far / still open (both atomic, safe from any thread). */
guint         adit_test_echo_get_connections (AditTestEcho     *echo);
guint         adit_test_echo_get_active      (AditTestEcho     *echo);
/* Stops accepting, cuts every open connection, waits for their threads; no descriptor is
 * left behind. */
void          adit_test_echo_free            (AditTestEcho     *echo);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditTestEcho, adit_test_echo_free)

/* The deterministic pseudo-random stream: @len bytes starting at @offset of the stream
 * for @seed. Any split of the stream into calls gives the same bytes. Bytes 8i…8i+7 are the
 * little-endian SplitMix64 output for seed + (i + 1) · 0x9e3779b97f4a7c15, so other tools
 * can produce it too. */
void          adit_test_stream_fill          (guint64           seed,
                                              guint64           offset,
                                              guint8           *buf,
                                              gsize             len);

/* Client side, all to 127.0.0.1:@port with ADIT_TEST_IO_TIMEOUT_S per send/receive.
 * Upload: send @bytes of the @seed stream to a SINK, half-close, check its count and
 * SHA-256. Download: read a SOURCE to EOF, check every byte against the @seed stream and
 * the total against @expected_bytes. Round trip: send @message to an ECHO and read it back. */
gboolean      adit_test_transfer_upload      (guint16           port,
                                              guint64           bytes,
                                              guint64           seed,
                                              GError          **error);
gboolean      adit_test_transfer_download    (guint16           port,
                                              guint64           expected_bytes,
                                              guint64           seed,
                                              GError          **error);
/* A download by a slow program: @read_size bytes per read, @pause_ms before each. */
gboolean      adit_test_transfer_download_paced (guint16        port,
                                                 guint64        expected_bytes,
                                                 guint64        seed,
                                                 gsize          read_size,
                                                 guint          pause_ms,
                                                 GError       **error);
gboolean      adit_test_round_trip           (guint16           port,
                                              const char       *message,
                                              GError          **error);

G_END_DECLS
