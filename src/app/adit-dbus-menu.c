/* adit-dbus-menu.c — see adit-dbus-menu.h.
 *
 * The menu is rebuilt from the status summary whenever it changes. A host that caches the
 * menu keys it by item ids, so a tunnel keeps its id for as long as the menu lives, and the
 * host is told the least it needs: ItemsPropertiesUpdated when only labels and ticks moved,
 * LayoutUpdated (and a new revision) when items came or went.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "adit-dbus-interface.h"
#include "adit-dbus-menu.h"

#define MENU_INTERFACE "com.canonical.dbusmenu"
#define MENU_VERSION 3

/* Item ids. Tunnels count up from ID_FIRST_TUNNEL in steps of two (the odd id after a
 * tunnel's is its "Retry Now"); an id is never given to another tunnel. */
enum {
  ID_ROOT = 0,
  ID_OPEN = 1,
  ID_QUIT = 2,
  ID_SEPARATOR = 3,
  ID_FIRST_TUNNEL = 10,
};

typedef struct
{
  gint32 id;
  GVariant *properties;   /* a{sv} */
} MenuEntry;

struct _AditDBusMenu
{
  GObject parent_instance;

  GDBusConnection *connection;
  char *object_path;
  guint registration_id;
  AditStatusSummary *summary;
  GActionGroup *actions;

  GHashTable *tunnel_ids;   /* uuid → id; deleted tunnels stay, so their ids are not reused */
  gint32 next_tunnel_id;
  GArray *entries;          /* MenuEntry: the root's children, as the host was last told */
  GVariant *root_properties;
  guint revision;
};

G_DEFINE_FINAL_TYPE (AditDBusMenu, adit_dbus_menu, G_TYPE_OBJECT)

enum {
  SIGNAL_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- the items ---- */

static void
menu_entry_clear (gpointer data)
{
  MenuEntry *entry = data;

  g_clear_pointer (&entry->properties, g_variant_unref);
}

static void
add_entry (GArray   *entries,
           gint32    id,
           GVariant *properties)
{
  MenuEntry entry = { id, g_variant_ref_sink (properties) };

  g_array_append_val (entries, entry);
}

/* dbusmenu reads "_" as the mark of a mnemonic: a tunnel named "db_prod" keeps its name. */
static char *
escape_mnemonics (const char *label)
{
  GString *escaped = g_string_new (label);

  g_string_replace (escaped, "_", "__", 0);
  return g_string_free (escaped, FALSE);
}

static GVariant *
label_properties (const char *label)
{
  g_autofree char *escaped = escape_mnemonics (label);

  return g_variant_new_parsed ("{'label': <%s>}", escaped);
}

static GVariant *
tunnel_properties (const AditStatusItem *item)
{
  g_autofree char *escaped = escape_mnemonics (item->label);

  return g_variant_new_parsed ("{'label': <%s>, 'toggle-type': <'checkmark'>, "
                               "'toggle-state': <%i>}",
                               escaped, (gint32) (item->active ? 1 : 0));
}

static gint32
tunnel_id (AditDBusMenu *self,
           const char   *uuid)
{
  gpointer id;

  if (!g_hash_table_lookup_extended (self->tunnel_ids, uuid, NULL, &id))
    {
      id = GINT_TO_POINTER (self->next_tunnel_id);
      self->next_tunnel_id += 2;
      g_hash_table_insert (self->tunnel_ids, g_strdup (uuid), id);
    }

  return GPOINTER_TO_INT (id);
}

static GArray *
build_entries (AditDBusMenu *self)
{
  GPtrArray *items = adit_status_summary_get_items (self->summary);
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (MenuEntry));

  g_array_set_clear_func (entries, menu_entry_clear);

  for (guint i = 0; i < items->len; i++)
    {
      const AditStatusItem *item = g_ptr_array_index (items, i);

      gint32 id = tunnel_id (self, item->uuid);

      add_entry (entries, id, tunnel_properties (item));
      if (item->reconnecting)
        {
          /* Translators: a tray menu item under a tunnel that waits to reconnect. */
          g_autofree char *retry = g_strdup_printf (_("Retry “%s” Now"), item->name);

          add_entry (entries, id + 1, label_properties (retry));
        }
    }
  if (items->len > 0)
    add_entry (entries, ID_SEPARATOR, g_variant_new_parsed ("{'type': <'separator'>}"));
  add_entry (entries, ID_OPEN, label_properties (_("Open Adit")));
  add_entry (entries, ID_QUIT, label_properties (_("Quit")));

  return entries;
}

/* (transfer none) NULL for an id the menu does not have. */
static GVariant *
properties_of (AditDBusMenu *self,
               gint32        id)
{
  if (id == ID_ROOT)
    return self->root_properties;

  for (guint i = 0; i < self->entries->len; i++)
    {
      MenuEntry *entry = &g_array_index (self->entries, MenuEntry, i);

      if (entry->id == id)
        return entry->properties;
    }

  return NULL;
}

static const char *
uuid_of (AditDBusMenu *self,
         gint32        id)
{
  GHashTableIter iter;
  gpointer uuid, tunnel;

  g_hash_table_iter_init (&iter, self->tunnel_ids);
  while (g_hash_table_iter_next (&iter, &uuid, &tunnel))
    if (GPOINTER_TO_INT (tunnel) == id)
      return uuid;

  return NULL;
}

/* Only the properties the host asked for; all of them when it named none. */
static GVariant *
filter_properties (GVariant           *properties,
                   const char * const *names)
{
  GVariantBuilder builder;

  if (names == NULL || names[0] == NULL)
    return g_variant_ref (properties);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (properties, names[i], NULL);

      if (value != NULL)
        g_variant_builder_add (&builder, "{sv}", names[i], value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* (ia{sv}av) for @id, which must exist, with its children down to @depth (-1: all). */
static GVariant *
layout_of (AditDBusMenu       *self,
           gint32              id,
           int                 depth,
           const char * const *names)
{
  g_autoptr(GVariant) properties = filter_properties (properties_of (self, id), names);
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (id == ID_ROOT && depth != 0)
    for (guint i = 0; i < self->entries->len; i++)
      g_variant_builder_add (&children, "v",
                             layout_of (self, g_array_index (self->entries, MenuEntry, i).id,
                                        depth - 1, names));

  return g_variant_new ("(i@a{sv}av)", id, properties, &children);
}

/* ---- what the person chose ---- */

static void
activate_item (AditDBusMenu *self,
               gint32        id)
{
  const char *uuid;
  const char *action;
  AditManager *manager;
  AditTunnel *tunnel;

  switch (id)
    {
    case ID_OPEN:
      g_signal_emit (self, signals[SIGNAL_CHOSEN], 0, ADIT_DBUS_MENU_ITEM_OPEN);
      return;
    case ID_QUIT:
      g_signal_emit (self, signals[SIGNAL_CHOSEN], 0, ADIT_DBUS_MENU_ITEM_QUIT);
      return;
    default:
      uuid = uuid_of (self, id & ~1);
      manager = adit_status_summary_get_manager (self->summary);
      tunnel = uuid != NULL ? adit_store_lookup (adit_manager_get_store (manager), uuid) : NULL;
      if (tunnel == NULL)
        return;
      if (id & 1)
        action = "retry";
      else if (adit_runner_is_active (adit_manager_get_runner (manager, tunnel)))
        action = "disconnect";
      else
        action = "connect";
      g_action_group_activate_action (self->actions, action, g_variant_new_string (uuid));
      return;
    }
}

/* ---- D-Bus ---- */

static void
emit_menu_signal (AditDBusMenu *self,
                  const char   *name,
                  GVariant     *parameters)
{
  adit_dbus_interface_emit (self->connection, self->object_path, MENU_INTERFACE, name,
                            parameters);
}

static void
return_no_such_item (GDBusMethodInvocation *invocation,
                     gint32                 id)
{
  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                         "The menu has no item %d", id);
}

static void
get_layout (AditDBusMenu          *self,
            GVariant              *parameters,
            GDBusMethodInvocation *invocation)
{
  g_autofree const char **names = NULL;
  gint32 parent, depth;

  g_variant_get (parameters, "(ii^a&s)", &parent, &depth, &names);
  if (properties_of (self, parent) == NULL)
    {
      return_no_such_item (invocation, parent);
      return;
    }

  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(u@(ia{sv}av))", self->revision,
                                                        layout_of (self, parent, depth,
                                                                   names)));
}

static void
get_group_properties (AditDBusMenu          *self,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) ids = NULL;
  g_autofree const char **names = NULL;
  GVariantBuilder result;
  gsize n_ids;
  const gint32 *wanted;

  g_variant_get (parameters, "(@ai^a&s)", &ids, &names);
  wanted = g_variant_get_fixed_array (ids, &n_ids, sizeof (gint32));

  g_variant_builder_init (&result, G_VARIANT_TYPE ("a(ia{sv})"));
  /* No ids: every item. */
  for (gsize i = 0; i < (n_ids > 0 ? n_ids : self->entries->len); i++)
    {
      gint32 id = n_ids > 0 ? wanted[i] : g_array_index (self->entries, MenuEntry, i).id;
      GVariant *properties = properties_of (self, id);
      g_autoptr(GVariant) wanted_properties = NULL;

      if (properties == NULL)
        continue;
      wanted_properties = filter_properties (properties, names);
      g_variant_builder_add (&result, "(i@a{sv})", id, wanted_properties);
    }

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &result));
}

static void
get_one_property (AditDBusMenu          *self,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) value = NULL;
  GVariant *properties;
  const char *name;
  gint32 id;

  g_variant_get (parameters, "(i&s)", &id, &name);
  properties = properties_of (self, id);
  if (properties != NULL)
    value = g_variant_lookup_value (properties, name, NULL);

  if (value == NULL)
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                           G_DBUS_ERROR_INVALID_ARGS,
                                           "Menu item %d has no property %s", id, name);
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
}

static void
event (AditDBusMenu          *self,
       GVariant              *parameters,
       GDBusMethodInvocation *invocation)
{
  const char *event_id;
  gint32 id;

  g_variant_get (parameters, "(i&svu)", &id, &event_id, NULL, NULL);
  if (properties_of (self, id) == NULL)
    {
      return_no_such_item (invocation, id);
      return;
    }

  /* Answered first: "Quit" may end the process. */
  g_dbus_method_invocation_return_value (invocation, NULL);
  if (g_str_equal (event_id, "clicked"))
    activate_item (self, id);
}

static void
event_group (AditDBusMenu          *self,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariantIter) events = NULL;
  g_autoptr(GArray) clicked = g_array_new (FALSE, FALSE, sizeof (gint32));
  GVariantBuilder errors;
  const char *event_id;
  guint n_events = 0, n_errors = 0;
  gint32 id;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_get (parameters, "(a(isvu))", &events);
  while (g_variant_iter_loop (events, "(i&svu)", &id, &event_id, NULL, NULL))
    {
      n_events++;
      if (properties_of (self, id) == NULL)
        {
          g_variant_builder_add (&errors, "i", id);
          n_errors++;
        }
      else if (g_str_equal (event_id, "clicked"))
        g_array_append_val (clicked, id);
    }

  if (n_events > 0 && n_errors == n_events)
    {
      g_variant_builder_clear (&errors);
      return_no_such_item (invocation, id);
      return;
    }

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
  for (guint i = 0; i < clicked->len; i++)
    activate_item (self, g_array_index (clicked, gint32, i));
}

static void
about_to_show_group (AditDBusMenu          *self,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) ids = NULL;
  GVariantBuilder errors;
  const gint32 *wanted;
  gsize n_ids;

  g_variant_get (parameters, "(@ai)", &ids);
  wanted = g_variant_get_fixed_array (ids, &n_ids, sizeof (gint32));

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  for (gsize i = 0; i < n_ids; i++)
    if (properties_of (self, wanted[i]) == NULL)
      g_variant_builder_add (&errors, "i", wanted[i]);

  /* The menu is always up to date: no item needs refreshing before it shows. */
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@aiai)",
                                                                    g_variant_new ("ai", NULL),
                                                                    &errors));
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  AditDBusMenu *self = user_data;

  if (g_str_equal (method_name, "GetLayout"))
    get_layout (self, parameters, invocation);
  else if (g_str_equal (method_name, "GetGroupProperties"))
    get_group_properties (self, parameters, invocation);
  else if (g_str_equal (method_name, "GetProperty"))
    get_one_property (self, parameters, invocation);
  else if (g_str_equal (method_name, "Event"))
    event (self, parameters, invocation);
  else if (g_str_equal (method_name, "EventGroup"))
    event_group (self, parameters, invocation);
  else if (g_str_equal (method_name, "AboutToShow"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    about_to_show_group (self, parameters, invocation);
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                           G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static GVariant *
get_property_cb (GDBusConnection  *connection,
                 const char       *sender,
                 const char       *object_path,
                 const char       *interface_name,
                 const char       *property_name,
                 GError          **error,
                 gpointer          user_data)
{
  const char *icon_path[] = { ICONDIR, NULL };

  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (MENU_VERSION);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string (gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL
                                 ? "rtl" : "ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (icon_path, -1);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s",
               property_name);
  return NULL;
}

static const GDBusInterfaceVTable menu_vtable = {
  .method_call = method_call_cb,
  .get_property = get_property_cb,
};

/* ---- following the summary ---- */

static gboolean
same_items (GArray *a,
            GArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, MenuEntry, i).id != g_array_index (b, MenuEntry, i).id)
      return FALSE;

  return TRUE;
}

static void
summary_changed_cb (AditDBusMenu *self)
{
  g_autoptr(GArray) before = g_steal_pointer (&self->entries);
  GVariantBuilder updated;
  gboolean any = FALSE;

  self->entries = build_entries (self);

  if (!same_items (before, self->entries))
    {
      self->revision++;
      emit_menu_signal (self, "LayoutUpdated", g_variant_new ("(ui)", self->revision, ID_ROOT));
      return;
    }

  g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));
  for (guint i = 0; i < self->entries->len; i++)
    {
      MenuEntry *now = &g_array_index (self->entries, MenuEntry, i);
      MenuEntry *then = &g_array_index (before, MenuEntry, i);

      if (!g_variant_equal (now->properties, then->properties))
        {
          g_variant_builder_add (&updated, "(i@a{sv})", now->id, now->properties);
          any = TRUE;
        }
    }

  if (any)
    emit_menu_signal (self, "ItemsPropertiesUpdated",
                      g_variant_new ("(a(ia{sv})@a(ias))", &updated,
                                     g_variant_new ("a(ias)", NULL)));
  else
    g_variant_builder_clear (&updated);
}

/* ---- GObject ---- */

const char *
adit_dbus_menu_get_object_path (AditDBusMenu *self)
{
  g_return_val_if_fail (ADIT_IS_DBUS_MENU (self), NULL);
  return self->object_path;
}

static void
adit_dbus_menu_dispose (GObject *object)
{
  AditDBusMenu *self = ADIT_DBUS_MENU (object);

  if (self->registration_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration_id);
      self->registration_id = 0;
    }
  if (self->summary != NULL)
    g_signal_handlers_disconnect_by_data (self->summary, self);
  g_clear_object (&self->summary);
  g_clear_object (&self->actions);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (adit_dbus_menu_parent_class)->dispose (object);
}

static void
adit_dbus_menu_finalize (GObject *object)
{
  AditDBusMenu *self = ADIT_DBUS_MENU (object);

  g_clear_pointer (&self->entries, g_array_unref);
  g_clear_pointer (&self->root_properties, g_variant_unref);
  g_hash_table_unref (self->tunnel_ids);
  g_free (self->object_path);

  G_OBJECT_CLASS (adit_dbus_menu_parent_class)->finalize (object);
}

static void
adit_dbus_menu_class_init (AditDBusMenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = adit_dbus_menu_dispose;
  object_class->finalize = adit_dbus_menu_finalize;

  signals[SIGNAL_CHOSEN] =
    g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
adit_dbus_menu_init (AditDBusMenu *self)
{
  self->tunnel_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->next_tunnel_id = ID_FIRST_TUNNEL;
  self->root_properties =
    g_variant_ref_sink (g_variant_new_parsed ("{'children-display': <'submenu'>}"));
}

AditDBusMenu *
adit_dbus_menu_new (GDBusConnection    *connection,
                    const char         *object_path,
                    AditStatusSummary  *summary,
                    GActionGroup       *actions,
                    GError            **error)
{
  g_autoptr(AditDBusMenu) self = NULL;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (g_variant_is_object_path (object_path), NULL);
  g_return_val_if_fail (ADIT_IS_STATUS_SUMMARY (summary), NULL);
  g_return_val_if_fail (G_IS_ACTION_GROUP (actions), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ADIT_TYPE_DBUS_MENU, NULL);
  self->actions = g_object_ref (actions);
  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  self->summary = g_object_ref (summary);
  self->entries = build_entries (self);

  self->registration_id =
    g_dbus_connection_register_object (connection, object_path,
                                       adit_dbus_interface_lookup (MENU_INTERFACE),
                                       &menu_vtable, self, NULL, error);
  if (self->registration_id == 0)
    return NULL;

  g_signal_connect_swapped (summary, "changed", G_CALLBACK (summary_changed_cb), self);

  return g_steal_pointer (&self);
}
