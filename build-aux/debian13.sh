#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-aux/debian13.sh ROOT — builds Adit and runs every test on Debian 13 "trixie" (GTK 4.18,
# libadwaita 1.7, GLib 2.84, libssh 0.11: the stack of the GNOME 48 runtime) inside a root
# directory made with debootstrap, on a Debian 12 host. This is how the newer-stack branches of
# the code (e.g. AdwAlertDialog in src/app/adit-alert.h) and "no new warnings" are checked.
#
# ROOT is made on first use (~1.5 GB) and only brought up to date after that. The source tree
# is bind-mounted read-only at ROOT/src; the build goes to ROOT/var/tmp/adit-build, whose
# meson-logs/testlog.json has the results. Exit status: meson test's, or 1 when a step before
# it failed. Needs root (debootstrap, chroot, mount) and the Debian archive this host uses.
# Environment: MIRROR=URI to use another archive.
#
# build-aux/debian13.sh --prepare ROOT [PACKAGE…] — only makes or updates ROOT, with the extra
# packages too, and stops before the build (build-aux/flatpak-check.sh makes its SDK so).

set -euo pipefail

PREPARE_ONLY=no
if [ "${1:-}" = --prepare ]; then
  PREPARE_ONLY=yes
  shift
fi
ROOT=$(realpath -m "${1:?usage: debian13.sh [--prepare] ROOT [PACKAGE…]}")
shift
EXTRA_PACKAGES=$*
[ "$ROOT" != / ] || { echo "ROOT must not be /" >&2; exit 2; }
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BUILDDIR=/var/tmp/adit-build
# Dovecot 2.4 here, 2.3 on Debian 12: the test fixture writes the configuration each wants, so
# the mail tests run through libssh 0.11.5 too.
PACKAGES="build-essential meson ninja-build pkg-config gettext libxml2-utils libgtk-4-dev
  libadwaita-1-dev libssh-dev libsecret-1-dev libglib2.0-dev desktop-file-utils appstream
  xvfb xauth dbus at-spi2-core openssh-server openssh-client curl socat iproute2 procps
  dovecot-pop3d"

step () { echo "[debian13] $*"; }

# The host's own archive, from its apt configuration (deb822 first, then one-line lists).
host_mirror () {
  local codename
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  {
    awk -v want="$codename" '
      tolower($1) == "uris:"   { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) found = uri }
      /^[ \t]*$/               { if (found) { print found; exit } }
      END                      { if (found) print found }' /etc/apt/sources.list.d/*.sources \
      2>/dev/null || true
    awk -v want="$codename" '$1 == "deb" && $3 == want { print $2 }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
  } | head -1
}

MOUNTED=()
cleanup () {
  local i
  for (( i=${#MOUNTED[@]}-1; i>=0; i-- )); do
    umount "${MOUNTED[$i]}" 2>/dev/null || umount -l "${MOUNTED[$i]}"
  done
}
trap cleanup EXIT

mount_in () {   # mount_in TARGET mount-arguments…
  local target=$ROOT/$1
  shift
  mkdir -p "$target"
  mountpoint -q "$target" && return 0
  mount "$@" "$target"
  MOUNTED+=("$target")
}

# Nothing of the host's environment leaks into the root.
in_root () {
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

MIRROR=${MIRROR:-$(host_mirror)}
[ -n "$MIRROR" ] || { echo "No Debian archive found in apt's configuration: set MIRROR=URI." >&2; exit 1; }

# 1. The root: debootstrap once, then apt keeps it current.
if ! { [ -x "$ROOT/usr/bin/apt-get" ] && chroot "$ROOT" /usr/bin/apt-get --version >/dev/null 2>&1; }; then
  step "debootstrap trixie into $ROOT from $MIRROR"
  mkdir -p "$ROOT"
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    trixie "$ROOT" "$MIRROR" > "$ROOT.debootstrap.log" 2>&1 \
    || { tail -20 "$ROOT.debootstrap.log" >&2; exit 1; }
  rm -f "$ROOT.debootstrap.log"
fi
printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  "$MIRROR" > "$ROOT/etc/apt/sources.list.d/debian.sources"
rm -f "$ROOT/etc/apt/sources.list"
# Package scripts must not start sshd, Dovecot or D-Bus in the root.
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

mount_in proc -t proc proc
mount_in sys -t sysfs sysfs
mount_in dev/pts --bind /dev/pts
mount_in dev/shm -t tmpfs -o mode=1777 shm

step "apt-get update and install"
in_root apt-get -q -o DPkg::Lock::Timeout=600 update > /dev/null
in_root apt-get -q -y -o DPkg::Lock::Timeout=600 -f install > /dev/null
# shellcheck disable=SC2086
in_root apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends $PACKAGES $EXTRA_PACKAGES \
  > "$ROOT/tmp/adit-apt.log" 2>&1 || { tail -30 "$ROOT/tmp/adit-apt.log" >&2; exit 1; }
in_root apt-get clean
[ "$PREPARE_ONLY" = no ] || exit 0

# 2. The source, read-only, and a build from scratch.
mountpoint -q "$ROOT/src" && { echo "$ROOT/src is mounted already (another run?)" >&2; exit 2; }
mount_in src --bind "$SRC"
mount -o remount,bind,ro "$ROOT/src"

step "build and test in $ROOT$BUILDDIR"
in_root BUILDDIR="$BUILDDIR" /bin/sh -ec '
  rm -rf "$BUILDDIR"
  meson setup "$BUILDDIR" /src > /tmp/adit-setup.log 2>&1 || { cat /tmp/adit-setup.log; exit 1; }
  grep -E "^  *(gtk4|libadwaita-1|libssh|glib-2.0|libsecret-1) *:" /tmp/adit-setup.log || true
  meson compile -C "$BUILDDIR" > /tmp/adit-compile.log 2>&1 || { cat /tmp/adit-compile.log; exit 1; }
  # Warnings are errors of taste on the newer stack: show every one.
  if grep -i "warning" /tmp/adit-compile.log; then echo "(compiler warnings above)"; exit 1; fi
  export XDG_RUNTIME_DIR=$(mktemp -d /tmp/xdg.XXXXXX)
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
    meson test -C "$BUILDDIR" --print-errorlogs --num-processes 2
'
