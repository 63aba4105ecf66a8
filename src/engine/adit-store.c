/* adit-store.c — AditStore: the tunnel files on disk as a sorted GListModel.
 *
 * Each tunnel is kept with the GKeyFile it was read from, so a save rewrites the keys Adit
 * knows and leaves the rest alone. The list follows the names: a tunnel renamed while in the
 * store moves at once (notify::name), whether or not it is saved yet, so a view bound to the
 * model is always in order.
 *
 * A file that cannot be used is never deleted and never overwritten: the person may have
 * written it by hand. It is renamed out of the way with link () + unlink (), which cannot
 * replace an earlier broken file, and reported for the app to show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "adit-error.h"
#include "adit-store.h"
#include "adit-tunnel-file.h"

#define BROKEN_SUFFIX ".broken"
#define MAX_BROKEN_COPIES 1000

typedef struct
{
  AditTunnel *tunnel;
  GKeyFile   *key_file;      /* as read (or last written): unknown keys survive a save */
  char       *sort_key;
  gulong      name_handler;
} Entry;

struct _AditStore
{
  GObject parent_instance;

  char *user_dir;
  GStrv system_dirs;        /* most important first */
  GPtrArray *entries;       /* Entry, sorted by compare_entries () */
  GPtrArray *problems;      /* GError */
};

static void adit_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AditStore, adit_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      adit_store_list_model_init))

static void tunnel_name_changed_cb (AditTunnel *tunnel,
                                    GParamSpec *pspec,
                                    AditStore  *self);

static char *
make_sort_key (AditTunnel *tunnel)
{
  const char *name = adit_tunnel_get_name (tunnel);
  g_autofree char *folded = g_utf8_casefold (name != NULL ? name : "", -1);

  return g_utf8_collate_key (folded, -1);
}

static void
entry_set_tunnel (Entry      *entry,
                  AditStore  *self,
                  AditTunnel *tunnel)
{
  g_clear_signal_handler (&entry->name_handler, entry->tunnel);
  g_set_object (&entry->tunnel, tunnel);
  g_free (entry->sort_key);
  entry->sort_key = make_sort_key (tunnel);
  entry->name_handler = g_signal_connect (tunnel, "notify::name",
                                          G_CALLBACK (tunnel_name_changed_cb), self);
}

static Entry *
entry_new (AditStore  *self,
           AditTunnel *tunnel,
           GKeyFile   *key_file)
{
  Entry *entry = g_new0 (Entry, 1);

  entry_set_tunnel (entry, self, tunnel);
  entry->key_file = g_key_file_ref (key_file);

  return entry;
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_clear_signal_handler (&entry->name_handler, entry->tunnel);
  g_clear_object (&entry->tunnel);
  g_clear_pointer (&entry->key_file, g_key_file_unref);
  g_free (entry->sort_key);
  g_free (entry);
}

/* By name as a person reads it; the uuid only keeps equal names in a stable order. */
static int
compare_entries (const Entry *a,
                 const Entry *b)
{
  int cmp = strcmp (a->sort_key, b->sort_key);

  if (cmp != 0)
    return cmp;

  return strcmp (adit_tunnel_get_uuid (a->tunnel), adit_tunnel_get_uuid (b->tunnel));
}

static int
compare_entry_pointers (gconstpointer a,
                        gconstpointer b)
{
  return compare_entries (*(Entry * const *) a, *(Entry * const *) b);
}

/* Where @entry goes in the list, which must not hold it. */
static guint
sorted_position (AditStore   *self,
                 const Entry *entry)
{
  guint low = 0;
  guint high = self->entries->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (compare_entries (g_ptr_array_index (self->entries, middle), entry) < 0)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

static guint
insert_sorted (AditStore *self,
               Entry     *entry)
{
  guint position = sorted_position (self, entry);

  g_ptr_array_insert (self->entries, (int) position, entry);

  return position;
}

static gboolean
find_uuid (AditStore  *self,
           const char *uuid,
           guint      *position)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (adit_tunnel_get_uuid (entry->tunnel), uuid) == 0)
        {
          *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Puts the entry at @position where its (new) sort key says. Returns FALSE, having said
 * nothing, when it is already there. */
static gboolean
move_to_sorted_position (AditStore *self,
                         guint      position)
{
  Entry *entry = g_ptr_array_index (self->entries, position);
  guint target;

  g_free (entry->sort_key);
  entry->sort_key = make_sort_key (entry->tunnel);

  g_ptr_array_steal_index (self->entries, position);
  target = sorted_position (self, entry);
  g_ptr_array_insert (self->entries, (int) target, entry);

  if (target == position)
    return FALSE;

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), target, 0, 1);

  return TRUE;
}

static void
tunnel_name_changed_cb (AditTunnel *tunnel,
                        GParamSpec *pspec,
                        AditStore  *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->tunnel == tunnel)
        {
          move_to_sorted_position (self, i);
          return;
        }
    }
}

static void
add_problem (AditStore  *self,
             GError     *problem)
{
  g_debug ("%s", problem->message);
  g_ptr_array_add (self->problems, problem);
}

/* rename () without ever replacing @to: a hard link fails on an existing name. */
static gboolean
move_aside (const char *from,
            const char *to,
            int        *saved_errno)
{
  if (link (from, to) == 0)
    {
      if (g_unlink (from) == 0)
        return TRUE;

      *saved_errno = errno;
      g_unlink (to);
      return FALSE;
    }

  *saved_errno = errno;
  if (*saved_errno == EEXIST)
    return FALSE;

  /* File systems without hard links: check, then rename; the window is a few microseconds
   * in a folder only this person writes. */
  if (g_file_test (to, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    {
      *saved_errno = EEXIST;
      return FALSE;
    }

  if (g_rename (from, to) == 0)
    return TRUE;

  *saved_errno = errno;
  return FALSE;
}

/* The new path, or NULL with errno's value in @saved_errno. */
static char *
set_aside (const char *path,
           int        *saved_errno)
{
  for (guint n = 1; n <= MAX_BROKEN_COPIES; n++)
    {
      g_autofree char *target = NULL;

      if (n == 1)
        target = g_strconcat (path, BROKEN_SUFFIX, NULL);
      else
        target = g_strdup_printf ("%s" BROKEN_SUFFIX "-%u", path, n);

      if (move_aside (path, target, saved_errno))
        return g_steal_pointer (&target);

      if (*saved_errno != EEXIST)
        return NULL;
    }

  return NULL;
}

static void
report_unusable (AditStore  *self,
                 const char *path,
                 gboolean    in_user_dir,
                 GError     *error)
{
  g_autofree char *shown = NULL;
  g_autofree char *aside = NULL;
  int saved_errno = 0;

  /* An administrator's file could be in any of several folders: name it in full. */
  shown = in_user_dir ? g_filename_display_basename (path) : g_filename_display_name (path);

  /* A file that could not even be read (permissions, a disk error) may be fine tomorrow, and
   * the administrator's files are not the person's to move. */
  if (in_user_dir && g_error_matches (error, ADIT_ERROR, ADIT_ERROR_INVALID_FILE))
    aside = set_aside (path, &saved_errno);

  if (aside != NULL)
    {
      g_autofree char *shown_aside = g_filename_display_basename (aside);

      add_problem (self, g_error_new (ADIT_ERROR, error->code,
                                      _("The tunnel file “%s” was set aside as “%s” because it "
                                        "could not be used. %s"),
                                      shown, shown_aside, error->message));
      return;
    }

  if (saved_errno != 0)
    g_debug ("Could not set %s aside: %s", path, g_strerror (saved_errno));

  add_problem (self, g_error_new (ADIT_ERROR, error->code,
                                  _("The tunnel file “%s” could not be used. %s"),
                                  shown, error->message));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Adds every tunnel file in @dir to @found (uuid → Entry), replacing what is there. */
static void
load_dir (AditStore  *self,
          const char *dir,
          gboolean    in_user_dir,
          GHashTable *found)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *item;
  DIR *listing;

  /* Not GDir: its GError does not say "missing", which is normal here, apart from the rest. */
  listing = opendir (dir);
  if (listing == NULL)
    {
      int saved_errno = errno;
      g_autofree char *shown = NULL;

      if (saved_errno == ENOENT)
        return;

      shown = g_filename_display_name (dir);
      add_problem (self, g_error_new (ADIT_ERROR, ADIT_ERROR_STORAGE,
                                      _("The tunnels in “%s” could not be read (%s)."),
                                      shown, g_strerror (saved_errno)));
      return;
    }

  while ((item = readdir (listing)) != NULL)
    if (g_str_has_suffix (item->d_name, ADIT_TUNNEL_FILE_SUFFIX) && item->d_name[0] != '.')
      g_ptr_array_add (names, g_strdup (item->d_name));
  closedir (listing);

  /* Problems in a stable order, whatever order the file system lists in. */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_autoptr(GKeyFile) key_file = NULL;
      g_autoptr(AditTunnel) tunnel = NULL;
      g_autoptr(GError) error = NULL;

      tunnel = adit_tunnel_file_load (path, &key_file, &error);
      if (tunnel == NULL)
        {
          report_unusable (self, path, in_user_dir, error);
          continue;
        }

      adit_tunnel_set_read_only (tunnel, !in_user_dir);
      /* The key is the entry's own uuid string, replaced along with the entry. */
      g_hash_table_replace (found, (gpointer) adit_tunnel_get_uuid (tunnel),
                            entry_new (self, tunnel, key_file));
    }
}

static void
clear_problem (gpointer data)
{
  g_error_free (data);
}

static void
adit_store_dispose (GObject *object)
{
  AditStore *self = (AditStore *)object;

  /* The entries' notify handlers point at the store. */
  g_ptr_array_set_size (self->entries, 0);

  G_OBJECT_CLASS (adit_store_parent_class)->dispose (object);
}

static void
adit_store_finalize (GObject *object)
{
  AditStore *self = (AditStore *)object;

  g_clear_pointer (&self->user_dir, g_free);
  g_clear_pointer (&self->system_dirs, g_strfreev);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (adit_store_parent_class)->finalize (object);
}

static void
adit_store_class_init (AditStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = adit_store_dispose;
  object_class->finalize = adit_store_finalize;
}

static void
adit_store_init (AditStore *self)
{
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  self->problems = g_ptr_array_new_with_free_func (clear_problem);
}

static GType
adit_store_get_item_type (GListModel *model)
{
  return ADIT_TYPE_TUNNEL;
}

static guint
adit_store_get_n_items (GListModel *model)
{
  return ADIT_STORE (model)->entries->len;
}

static gpointer
adit_store_get_item (GListModel *model,
                     guint       position)
{
  AditStore *self = ADIT_STORE (model);
  Entry *entry;

  if (position >= self->entries->len)
    return NULL;

  entry = g_ptr_array_index (self->entries, position);

  return g_object_ref (entry->tunnel);
}

static void
adit_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = adit_store_get_item_type;
  iface->get_n_items = adit_store_get_n_items;
  iface->get_item = adit_store_get_item;
}

AditStore *
adit_store_new (const char         *user_dir,
                const char * const *system_dirs)
{
  AditStore *self = g_object_new (ADIT_TYPE_STORE, NULL);

  if (user_dir != NULL)
    self->user_dir = g_strdup (user_dir);
  else
    self->user_dir = g_build_filename (g_get_user_config_dir (), "adit", "tunnels", NULL);

  if (system_dirs != NULL)
    self->system_dirs = g_strdupv ((char **) system_dirs);
  else
    {
      const char * const *config_dirs = g_get_system_config_dirs ();
      guint n = g_strv_length ((char **) config_dirs);

      self->system_dirs = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        self->system_dirs[i] = g_build_filename (config_dirs[i], "adit", "tunnels", NULL);
    }

  return self;
}

const char *
adit_store_get_user_dir (AditStore *self)
{
  g_return_val_if_fail (ADIT_IS_STORE (self), NULL);

  return self->user_dir;
}

void
adit_store_load (AditStore *self)
{
  g_autoptr(GHashTable) found = NULL;
  GHashTableIter iter;
  gpointer value;
  guint old_n;
  guint n;

  g_return_if_fail (ADIT_IS_STORE (self));

  found = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  g_ptr_array_set_size (self->problems, 0);

  /* Least important first, so that each later directory replaces what it also has. */
  for (n = g_strv_length (self->system_dirs); n > 0; n--)
    load_dir (self, self->system_dirs[n - 1], FALSE, found);
  load_dir (self, self->user_dir, TRUE, found);

  old_n = self->entries->len;
  g_ptr_array_set_size (self->entries, 0);

  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (self->entries, value);
      g_hash_table_iter_steal (&iter);
    }
  g_ptr_array_sort (self->entries, compare_entry_pointers);

  if (old_n > 0 || self->entries->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->entries->len);
}

GPtrArray *
adit_store_get_problems (AditStore *self)
{
  g_return_val_if_fail (ADIT_IS_STORE (self), NULL);

  return self->problems;
}

static char *
user_path (AditStore  *self,
           const char *uuid)
{
  g_autofree char *name = g_strconcat (uuid, ADIT_TUNNEL_FILE_SUFFIX, NULL);

  return g_build_filename (self->user_dir, name, NULL);
}

gboolean
adit_store_save (AditStore   *self,
                 AditTunnel  *tunnel,
                 GError     **error)
{
  g_autoptr(GKeyFile) new_key_file = NULL;
  g_autofree char *path = NULL;
  const char *uuid;
  GKeyFile *key_file;
  Entry *entry = NULL;
  guint position = 0;

  g_return_val_if_fail (ADIT_IS_STORE (self), FALSE);
  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (adit_tunnel_get_read_only (tunnel))
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_READ_ONLY,
                           _("This tunnel is provided by your administrator and cannot be "
                             "changed."));
      return FALSE;
    }

  /* A file that does not load again would be set aside at the next start. */
  if (!adit_tunnel_validate (tunnel, error))
    return FALSE;

  uuid = adit_tunnel_get_uuid (tunnel);
  if (!adit_tunnel_file_uuid_is_valid (uuid))
    {
      g_autofree char *shown = g_utf8_make_valid (uuid, -1);

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE,
                   _("A tunnel cannot be saved under the name “%s”."), shown);
      return FALSE;
    }

  if (g_mkdir_with_parents (self->user_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE,
                   _("The folder for tunnels could not be created (%s)."),
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (find_uuid (self, uuid, &position))
    {
      entry = g_ptr_array_index (self->entries, position);
      key_file = entry->key_file;
    }
  else
    key_file = new_key_file = g_key_file_new ();

  path = user_path (self, uuid);
  if (!adit_tunnel_file_save (tunnel, key_file, path, error))
    return FALSE;

  if (entry == NULL)
    {
      position = insert_sorted (self, entry_new (self, tunnel, key_file));
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }
  else if (entry->tunnel != tunnel)
    {
      entry_set_tunnel (entry, self, tunnel);
      if (!move_to_sorted_position (self, position))
        g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }

  return TRUE;
}

/* After the person's file is gone, the administrator's tunnel it was hiding, if any. */
static void
restore_system_tunnel (AditStore  *self,
                       const char *uuid)
{
  g_autofree char *name = g_strconcat (uuid, ADIT_TUNNEL_FILE_SUFFIX, NULL);

  for (guint i = 0; self->system_dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (self->system_dirs[i], name, NULL);
      g_autoptr(GKeyFile) key_file = NULL;
      g_autoptr(AditTunnel) tunnel = NULL;
      guint position;

      /* Problems with it were reported when it was loaded. */
      tunnel = adit_tunnel_file_load (path, &key_file, NULL);
      if (tunnel == NULL)
        continue;

      adit_tunnel_set_read_only (tunnel, TRUE);
      position = insert_sorted (self, entry_new (self, tunnel, key_file));
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
      return;
    }
}

gboolean
adit_store_remove (AditStore   *self,
                   AditTunnel  *tunnel,
                   GError     **error)
{
  g_autofree char *uuid = NULL;
  g_autofree char *path = NULL;
  Entry *entry = NULL;
  guint position = 0;

  g_return_val_if_fail (ADIT_IS_STORE (self), FALSE);
  g_return_val_if_fail (ADIT_IS_TUNNEL (tunnel), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uuid = g_strdup (adit_tunnel_get_uuid (tunnel));
  if (find_uuid (self, uuid, &position))
    entry = g_ptr_array_index (self->entries, position);

  if (adit_tunnel_get_read_only (tunnel) ||
      (entry != NULL && adit_tunnel_get_read_only (entry->tunnel)))
    {
      g_set_error_literal (error, ADIT_ERROR, ADIT_ERROR_READ_ONLY,
                           _("This tunnel is provided by your administrator and cannot be "
                             "removed."));
      return FALSE;
    }

  if (adit_tunnel_file_uuid_is_valid (uuid))
    {
      path = user_path (self, uuid);
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, ADIT_ERROR, ADIT_ERROR_STORAGE,
                       _("The tunnel could not be removed (%s)."), g_strerror (saved_errno));
          return FALSE;
        }
    }

  if (entry != NULL)
    {
      g_ptr_array_remove_index (self->entries, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }

  restore_system_tunnel (self, uuid);

  return TRUE;
}

AditTunnel *
adit_store_lookup (AditStore  *self,
                   const char *uuid)
{
  guint position;

  g_return_val_if_fail (ADIT_IS_STORE (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  if (!find_uuid (self, uuid, &position))
    return NULL;

  return ((Entry *) g_ptr_array_index (self->entries, position))->tunnel;
}
