/* adit-dbus-interface.h — the D-Bus interfaces Adit exports, described by the introspection
 * files in src/app/dbus/ and compiled into the app's resources. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* (transfer none) The interface @name from dbus/@name.xml, read once and kept for the
 * life of the process. */
GDBusInterfaceInfo *adit_dbus_interface_lookup (const char      *name);

/* Broadcasts a signal of @interface_name from @object_path. A connection that is closing
 * is not worth a warning: the panel is gone and will ask again when it comes back. */
void                adit_dbus_interface_emit   (GDBusConnection *connection,
                                                const char      *object_path,
                                                const char      *interface_name,
                                                const char      *signal_name,
                                                GVariant        *parameters);

G_END_DECLS
