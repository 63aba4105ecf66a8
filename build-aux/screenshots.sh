#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# screenshots.sh — renders the app's screens into data/screenshots/ from a build directory
# (default: build/), under a private Xvfb and D-Bus session, light style and dark.
#
#   build-aux/screenshots.sh [BUILDDIR]
#
# Needs xvfb-run and dbus-run-session (build-aux/dev.sh installs both), openssh-server for the
# throwaway sshd behind the connected tunnel.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$top/build}")
out=$top/data/screenshots
mkdir -p "$out"

meson compile -C "$build" adit-screenshots
export GSETTINGS_SCHEMA_DIR=$build/data
for style in light dark; do
  dir=$(mktemp -d)
  ADW_DEBUG_COLOR_SCHEME=$([ "$style" = dark ] && echo prefer-dark || echo prefer-light) \
    xvfb-run -a -s '-screen 0 1280x1024x24' dbus-run-session -- \
    "$build/tests/adit-screenshots" "$dir"
  for f in "$dir"/*.png; do
    name=$(basename "$f" .png)
    if [ "$style" = light ]; then cp "$f" "$out/$name.png"; else cp "$f" "$out/$name-dark.png"; fi
  done
  rm -rf "$dir"
done
ls -l "$out"
