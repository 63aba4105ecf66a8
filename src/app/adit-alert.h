/* adit-alert.h — one name for libadwaita's message dialog on both stacks: AdwMessageDialog
 * (a window; libadwaita 1.2, Debian 12) and AdwAlertDialog (libadwaita 1.5 and newer, the
 * GNOME 48 runtime), which replaced it. The old one, kept on new stacks, makes GTK 4.18 warn
 * as it measures its labels. The same calls work on both; the newer symbols are used only
 * where the headers have them, behind the 1.2 API pin, so Debian 12 builds see none of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#if ADW_CHECK_VERSION (1, 5, 0)
#define ADIT_ALERT_IS_DIALOG 1
typedef AdwAlertDialog AditAlert;
typedef AdwAlertDialogClass AditAlertClass;
#define ADIT_ALERT(obj) ((AditAlert *)(obj))
#define ADIT_ALERT_CALL(name, ...) adw_alert_dialog_##name (__VA_ARGS__)
#else
#define ADIT_ALERT_IS_DIALOG 0
typedef AdwMessageDialog AditAlert;
typedef AdwMessageDialogClass AditAlertClass;
#define ADIT_ALERT(obj) ((AditAlert *)(obj))
#define ADIT_ALERT_CALL(name, ...) adw_message_dialog_##name (__VA_ARGS__)
#endif

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AditAlert, g_object_unref)

/* Each wrapper keeps the newer symbols' "not available in 1.2" notes inside this header. */
#define ADIT_ALERT_WRAP(body) \
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS body G_GNUC_END_IGNORE_DEPRECATIONS

static inline GType
adit_alert_get_type (void)
{
  ADIT_ALERT_WRAP (
#if ADIT_ALERT_IS_DIALOG
  return ADW_TYPE_ALERT_DIALOG;
#else
  return ADW_TYPE_MESSAGE_DIALOG;
#endif
  )
}
#define ADIT_TYPE_ALERT (adit_alert_get_type ())
#define ADIT_IS_ALERT(obj) G_TYPE_CHECK_INSTANCE_TYPE ((obj), ADIT_TYPE_ALERT)

/* A new alert; shown over @parent by adit_alert_present (). */
static inline GtkWidget *
adit_alert_new (const char *heading,
                const char *body)
{
  ADIT_ALERT_WRAP (
#if ADIT_ALERT_IS_DIALOG
  return GTK_WIDGET (adw_alert_dialog_new (heading, body));
#else
  return adw_message_dialog_new (NULL, heading, body);
#endif
  )
}

static inline void
adit_alert_present (GtkWidget *alert,
                    GtkWidget *parent)
{
  ADIT_ALERT_WRAP (
#if ADIT_ALERT_IS_DIALOG
  adw_dialog_present (ADW_DIALOG (alert), parent);
#else
  gtk_window_set_transient_for (GTK_WINDOW (alert), GTK_WINDOW (gtk_widget_get_root (parent)));
  gtk_window_set_modal (GTK_WINDOW (alert), TRUE);
  gtk_window_present (GTK_WINDOW (alert));
#endif
  )
}

/* Closes it without a response (a question withdrawn by the engine). */
static inline void
adit_alert_close (GtkWidget *alert)
{
  ADIT_ALERT_WRAP (
#if ADIT_ALERT_IS_DIALOG
  adw_dialog_force_close (ADW_DIALOG (alert));
#else
  gtk_window_close (GTK_WINDOW (alert));
#endif
  )
}

#define ADIT_ALERT_DEFINE_SETTER(name, type)                      \
  static inline void                                              \
  adit_alert_##name (GtkWidget *alert, type value)                \
  {                                                               \
    ADIT_ALERT_WRAP (ADIT_ALERT_CALL (name, ADIT_ALERT (alert), value);) \
  }

ADIT_ALERT_DEFINE_SETTER (set_heading, const char *)
ADIT_ALERT_DEFINE_SETTER (set_body, const char *)
ADIT_ALERT_DEFINE_SETTER (set_extra_child, GtkWidget *)
ADIT_ALERT_DEFINE_SETTER (set_default_response, const char *)
ADIT_ALERT_DEFINE_SETTER (set_close_response, const char *)

static inline void
adit_alert_add_response (GtkWidget  *alert,
                         const char *id,
                         const char *label)
{
  ADIT_ALERT_WRAP (ADIT_ALERT_CALL (add_response, ADIT_ALERT (alert), id, label);)
}

static inline void
adit_alert_set_response_appearance (GtkWidget             *alert,
                                    const char            *id,
                                    AdwResponseAppearance  appearance)
{
  ADIT_ALERT_WRAP (ADIT_ALERT_CALL (set_response_appearance, ADIT_ALERT (alert), id,
                                    appearance);)
}

static inline void
adit_alert_set_response_enabled (GtkWidget  *alert,
                                 const char *id,
                                 gboolean    enabled)
{
  ADIT_ALERT_WRAP (ADIT_ALERT_CALL (set_response_enabled, ADIT_ALERT (alert), id, enabled);)
}

static inline gboolean
adit_alert_get_response_enabled (GtkWidget  *alert,
                                 const char *id)
{
  ADIT_ALERT_WRAP (return ADIT_ALERT_CALL (get_response_enabled, ADIT_ALERT (alert), id);)
}

static inline gboolean
adit_alert_has_response (GtkWidget  *alert,
                         const char *id)
{
  ADIT_ALERT_WRAP (return ADIT_ALERT_CALL (has_response, ADIT_ALERT (alert), id);)
}

static inline const char *
adit_alert_get_heading (GtkWidget *alert)
{
  ADIT_ALERT_WRAP (return ADIT_ALERT_CALL (get_heading, ADIT_ALERT (alert));)
}

static inline const char *
adit_alert_get_body (GtkWidget *alert)
{
  ADIT_ALERT_WRAP (return ADIT_ALERT_CALL (get_body, ADIT_ALERT (alert));)
}

static inline GtkWidget *
adit_alert_get_extra_child (GtkWidget *alert)
{
  ADIT_ALERT_WRAP (return ADIT_ALERT_CALL (get_extra_child, ADIT_ALERT (alert));)
}

/* Emits "response" as if the person had chosen @id (AdwAlertDialog has no call for it). */
static inline void
adit_alert_respond (GtkWidget  *alert,
                    const char *id)
{
  g_signal_emit_by_name (alert, "response", id);
}

G_END_DECLS
