#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs TOOL ARGS… for a meson test, or reports the test as skipped (exit 77) when TOOL is not
# installed, so that a machine without desktop-file-utils or appstream still gets a clean run.
tool=$1
shift
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "$tool is not installed: skipping"
  exit 77
fi
exec "$tool" "$@"
