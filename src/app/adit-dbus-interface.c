/* adit-dbus-interface.c — see adit-dbus-interface.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-dbus-interface.h"

GDBusInterfaceInfo *
adit_dbus_interface_lookup (const char *name)
{
  static GHashTable *interfaces;   /* name → GDBusNodeInfo, never freed */
  g_autofree char *path = NULL;
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GError) error = NULL;
  GDBusNodeInfo *node;

  g_return_val_if_fail (name != NULL, NULL);

  if (interfaces == NULL)
    interfaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_dbus_node_info_unref);

  node = g_hash_table_lookup (interfaces, name);
  if (node == NULL)
    {
      /* The files are part of the build: a missing or broken one is a bug, not a condition. */
      path = g_strdup_printf ("/io/github/adit/Adit/dbus/%s.xml", name);
      xml = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_assert_no_error (error);
      node = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), &error);
      g_assert_no_error (error);
      g_hash_table_insert (interfaces, g_strdup (name), node);
    }

  return g_dbus_node_info_lookup_interface (node, name);
}

void
adit_dbus_interface_emit (GDBusConnection *connection,
                          const char      *object_path,
                          const char      *interface_name,
                          const char      *signal_name,
                          GVariant        *parameters)
{
  g_autoptr(GError) error = NULL;

  if (!g_dbus_connection_emit_signal (connection, NULL, object_path, interface_name,
                                      signal_name, parameters, &error))
    g_debug ("Could not send %s.%s: %s", interface_name, signal_name, error->message);
}
