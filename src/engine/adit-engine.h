/* adit-engine.h — everything the app, the CLI and the tests use from libadit-engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-error.h"
#include "adit-forward.h"
#include "adit-tunnel.h"
#include "adit-tunnel-file.h"
#include "adit-store.h"
#include "adit-ssh-command.h"
#include "adit-question.h"
#include "adit-stats.h"
#include "adit-connection.h"
#include "adit-local-port.h"
#include "adit-secrets.h"
#include "adit-ssh-config.h"
#include "adit-known-hosts-forget.h"
#include "adit-runner.h"
#include "adit-manager.h"
#include "adit-network-watch.h"
