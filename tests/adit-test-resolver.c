/* adit-test-resolver.c — see adit-test-resolver.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "adit-test-resolver.h"

#define ADIT_TYPE_TEST_RESOLVER (adit_test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (AditTestResolver, adit_test_resolver, ADIT, TEST_RESOLVER, GResolver)

struct _AditTestResolver
{
  GResolver  parent_instance;
  GResolver *next;        /* the resolver this one replaced */
  char      *hostname;
  GStrv      addresses;
};

G_DEFINE_FINAL_TYPE (AditTestResolver, adit_test_resolver, G_TYPE_RESOLVER)

static GList *
answer (AditTestResolver          *self,
        GResolverNameLookupFlags   flags)
{
  GList *list = NULL;

  for (guint i = 0; self->addresses[i] != NULL; i++)
    {
      GInetAddress *address = g_inet_address_new_from_string (self->addresses[i]);
      GSocketFamily family = g_inet_address_get_family (address);

      if (((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) && family != G_SOCKET_FAMILY_IPV4) ||
          ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) && family != G_SOCKET_FAMILY_IPV6))
        {
          g_object_unref (address);
          continue;
        }
      list = g_list_append (list, address);
    }

  return list;
}

static GList *
lookup_by_name_with_flags (GResolver                 *resolver,
                           const char                *hostname,
                           GResolverNameLookupFlags   flags,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  AditTestResolver *self = ADIT_TEST_RESOLVER (resolver);
  GList *list;

  if (g_strcmp0 (hostname, self->hostname) != 0)
    return g_resolver_lookup_by_name_with_flags (self->next, hostname, flags, cancellable, error);

  list = answer (self, flags);
  if (list == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "%s has no address of that family", hostname);
  return list;
}

static GList *
lookup_by_name (GResolver     *resolver,
                const char    *hostname,
                GCancellable  *cancellable,
                GError       **error)
{
  return lookup_by_name_with_flags (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                    cancellable, error);
}

static void
task_return_addresses (GTask  *task,
                       GList  *list,
                       GError *error)
{
  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify)g_resolver_free_addresses);
}

static void
next_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *list = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (object), result, &error);

  task_return_addresses (task, list, error);
}

static void
lookup_by_name_with_flags_async (GResolver                 *resolver,
                                 const char                *hostname,
                                 GResolverNameLookupFlags   flags,
                                 GCancellable              *cancellable,
                                 GAsyncReadyCallback        callback,
                                 gpointer                   user_data)
{
  AditTestResolver *self = ADIT_TEST_RESOLVER (resolver);
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *list;

  if (g_strcmp0 (hostname, self->hostname) != 0)
    {
      g_resolver_lookup_by_name_with_flags_async (self->next, hostname, flags, cancellable,
                                                  next_done_cb, task);
      return;
    }

  list = lookup_by_name_with_flags (resolver, hostname, flags, cancellable, &error);
  task_return_addresses (task, list, error);
  g_object_unref (task);
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const char          *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  lookup_by_name_with_flags_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                   cancellable, callback, user_data);
}

static GList *
lookup_finish (GResolver     *resolver,
               GAsyncResult  *result,
               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
adit_test_resolver_finalize (GObject *object)
{
  AditTestResolver *self = ADIT_TEST_RESOLVER (object);

  g_clear_object (&self->next);
  g_free (self->hostname);
  g_strfreev (self->addresses);

  G_OBJECT_CLASS (adit_test_resolver_parent_class)->finalize (object);
}

static void
adit_test_resolver_class_init (AditTestResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = adit_test_resolver_finalize;
  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_finish;
}

static void
adit_test_resolver_init (AditTestResolver *self)
{
}

static GResolver *replaced;

void
adit_test_resolver_install (const char        *hostname,
                            const char *const *addresses)
{
  AditTestResolver *self;

  g_return_if_fail (replaced == NULL);

  self = g_object_new (ADIT_TYPE_TEST_RESOLVER, NULL);
  replaced = g_resolver_get_default ();
  self->next = g_object_ref (replaced);
  self->hostname = g_strdup (hostname);
  self->addresses = g_strdupv ((GStrv)addresses);
  g_resolver_set_default (G_RESOLVER (self));
  g_object_unref (self);
}

void
adit_test_resolver_uninstall (void)
{
  g_return_if_fail (replaced != NULL);

  g_resolver_set_default (replaced);
  g_clear_object (&replaced);
}
