/* adit-test-fixtures.h — everything an integration test needs to stand up real servers on
 * loopback: sshd, Dovecot POP3, in-process TCP servers and their client helpers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "adit-test-dovecot.h"
#include "adit-test-echo.h"
#include "adit-test-resolver.h"
#include "adit-test-ssh-server.h"
#include "adit-test-sshd.h"
#include "adit-test-util.h"
