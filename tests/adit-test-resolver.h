/* adit-test-resolver.h — a name with several addresses, for tests: installed as GLib's default
 * resolver, it answers one made-up host name with the addresses the test gives, in that
 * order, and passes every other name on to the resolver it replaced.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Installs the resolver until adit_test_resolver_uninstall (): @hostname resolves to
 * @addresses (IP literals, NULL-terminated), IPv4 and IPv6 alike. */
void adit_test_resolver_install   (const char        *hostname,
                                   const char *const *addresses);
void adit_test_resolver_uninstall (void);

G_END_DECLS
