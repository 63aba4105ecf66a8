/* adit-status-summary.h — what runs, in a few words: "2 tunnels connected, 5 connections", an
 * overall state for an icon, and one line per tunnel ("Mail — 3 connections"). The tray and
 * the Background portal's status show it; it tells them only when what they show would change,
 * at most four times a second. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "adit-engine.h"

G_BEGIN_DECLS

typedef enum
{
  ADIT_SUMMARY_STATE_IDLE,       /* no tunnel connected */
  ADIT_SUMMARY_STATE_CONNECTED,  /* at least one connected, and nothing wrong */
  ADIT_SUMMARY_STATE_PROBLEM,    /* a tunnel failed, or waits for the person */
} AditSummaryState;

/* One saved tunnel, in the store's order. */
typedef struct
{
  char     *uuid;
  char     *name;
  gboolean  active;  /* switched on: connecting, waiting, connected or reconnecting */
  gboolean  reconnecting;  /* lost its session, coming back: "Retry Now" makes sense */
  char     *label;   /* "Mail — 3 connections", or "Mail — Login refused" */
} AditStatusItem;

#define ADIT_TYPE_STATUS_SUMMARY (adit_status_summary_get_type ())
G_DECLARE_FINAL_TYPE (AditStatusSummary, adit_status_summary, ADIT, STATUS_SUMMARY, GObject)

/* Signal: "changed" () — the text, the state or an item differs from the last emission.
 * Changes are gathered and told at most every 250 ms; traffic alone never causes one. */
AditStatusSummary *adit_status_summary_new         (AditManager       *manager);
AditManager       *adit_status_summary_get_manager (AditStatusSummary *self);
/* "2 tunnels connected, 5 connections", "No tunnels connected"… */
const char        *adit_status_summary_get_text    (AditStatusSummary *self);
AditSummaryState   adit_status_summary_get_state   (AditStatusSummary *self);
/* (transfer none) (element-type AditStatusItem) */
GPtrArray         *adit_status_summary_get_items   (AditStatusSummary *self);

G_END_DECLS
