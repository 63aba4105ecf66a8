#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-aux/dev.sh run   — install what is missing, build, and start the desktop app.
# build-aux/dev.sh test  — install what is missing, build, and run every test three times: in
#                          build/ (under Xvfb and a private D-Bus session), in build-asan/
#                          (AddressSanitizer + UndefinedBehaviorSanitizer, engine and CLI only),
#                          and on Debian 13 in a debootstrap root (build-aux/debian13.sh; the
#                          GNOME 48 stack; ADIT_SKIP_DEBIAN13=1 leaves it out); then builds the
#                          Flatpak manifest offline against a stand-in GNOME runtime made from
#                          that root and checks the installed app in its sandbox
#                          (build-aux/flatpak-check.sh; ADIT_SKIP_FLATPAK=1 leaves it out, and
#                          it skips itself, saying why, where bubblewrap cannot make a sandbox).
#                          The last line printed is "N passed, N failed".
#
# Environment: ADIT_DEBIAN13_ROOT (default /var/tmp/adit-debian13-root) and ADIT_FLATPAK_WORK
# (default /var/tmp/adit-flatpak, ~1.2 GB, best on the root's filesystem) keep their state
# between runs; ADIT_SKIP_DEBIAN13=1 and ADIT_SKIP_FLATPAK=1 leave those stages out.
#
# Made for a fresh Debian 12, as root or as a user who may use sudo. Packages are installed
# only when dpkg-query says one is missing, so a second run goes straight to the build.

set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."

PACKAGES=(
  build-essential meson ninja-build pkg-config gettext libxml2-utils
  libgtk-4-dev libadwaita-1-dev libssh-dev libsecret-1-dev libglib2.0-dev
  desktop-file-utils appstream
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools
  openssh-server openssh-client dovecot-core dovecot-pop3d
  curl socat iproute2 procps debootstrap debian-archive-keyring
  flatpak flatpak-builder ostree bubblewrap elfutils x11-utils
)

# Where build-aux/debian13.sh keeps its Debian 13 root between runs.
DEBIAN13_ROOT=${ADIT_DEBIAN13_ROOT:-/var/tmp/adit-debian13-root}
# Where build-aux/flatpak-check.sh keeps its stand-in runtime, build cache and results.
FLATPAK_WORK=${ADIT_FLATPAK_WORK:-/var/tmp/adit-flatpak}

usage () {
  echo "Usage: $0 run|test" >&2
  echo "  run   build and start the Adit app (needs a desktop session)" >&2
  echo "  test  build and run all tests, then again with sanitizers" >&2
  exit 2
}

as_root () {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "Installing packages needs administrator rights: run this as root or install sudo." >&2
    return 1
  fi
}

install_missing () {
  local missing=() p

  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "This is not a Debian system: install the equivalents of these packages yourself:" >&2
    echo "  ${PACKAGES[*]}" >&2
    return 0
  fi

  for p in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
      missing+=("$p")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  echo "Installing ${#missing[@]} missing packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q < /dev/null
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" < /dev/null
}

# setup_build DIR [MESON OPTIONS…] — configure DIR, reconfiguring it when it already exists.
setup_build () {
  local dir=$1
  shift
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    # A build dir from another meson version cannot be reconfigured: start it afresh.
    meson setup --reconfigure "$dir" "$@" || meson setup --wipe "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

build () {
  local dir=$1
  shift
  setup_build "$dir" "$@" && meson compile -C "$dir" -j2
}

cmd_run () {
  install_missing
  build build

  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "Adit is a desktop app and needs a desktop session to show its window, but none was" \
         "found (DISPLAY and WAYLAND_DISPLAY are empty). Run this from a terminal in your desktop."
    exit 1
  fi

  # The schema is compiled into the build directory; nothing needs installing to try the app.
  exec env GSETTINGS_SCHEMA_DIR="$PWD/build/data" ./build/src/app/adit "${@:2}"
}

# Totals over both runs. Passed counts tests that succeeded ("Ok"); a skipped test is neither.
# Failed counts failures, errors, timeouts and unexpected passes, plus any build or test run
# that could not finish at all.
passed=0
failed=0
summary_printed=no

print_summary () {
  summary_printed=yes
  echo "$passed passed, $failed failed"
}

on_exit () {
  local rc=$?
  if [ "$summary_printed" = no ]; then
    failed=$((failed + 1))
    echo "dev.sh stopped early (exit status $rc)."
    print_summary
    exit 1
  fi
}

# count_results TESTLOG — adds one run's results (meson's testlog.json) to the totals.
count_results () {
  local counts
  counts=$(python3 - "$1" <<'EOF'
import json, sys

ok = bad = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        if not line.strip():
            continue
        result = json.loads(line).get("result")
        if result == "OK":
            ok += 1
        elif result in ("FAIL", "ERROR", "TIMEOUT", "UNEXPECTEDPASS", "INTERRUPT"):
            bad += 1
print(ok, bad)
EOF
  ) || return 1
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
}

# run_tests TESTLOG COMMAND… — runs one test run (a `meson test`, or build-aux/flatpak-check.sh,
# which logs its checks in the same format) and adds the results in TESTLOG to the totals.
run_tests () {
  local log=$1 rc=0 before=$failed
  shift
  rm -f "$log"
  "$@" || rc=$?
  if [ -f "$log" ]; then
    count_results "$log" || failed=$((failed + 1))
  fi
  # 77: the run says this machine cannot do it, and why (meson's "skipped" status).
  if [ "$rc" -eq 77 ] && [ "$failed" -eq "$before" ]; then
    return 0
  fi
  # The run failed without any failed test to show for it (it could not start, or it was
  # interrupted): that is a failure too.
  if [ "$rc" -ne 0 ] && [ "$failed" -eq "$before" ]; then
    echo "$* exited with status $rc."
    failed=$((failed + 1))
  fi
}

cmd_test () {
  trap on_exit EXIT

  install_missing

  echo "== build: all tests, under Xvfb and a private D-Bus session"
  if build build; then
    run_tests build/meson-logs/testlog.json \
      xvfb-run -a -s '-screen 0 1280x800x24' \
      dbus-run-session -- \
      meson test -C build --print-errorlogs --num-processes 2
  else
    echo "The build in build/ failed."
    failed=$((failed + 1))
  fi

  echo "== build-asan: unit and integration tests with AddressSanitizer and UBSan"
  if build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dapp=false; then
    run_tests build-asan/meson-logs/testlog.json \
      env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
          ADIT_TEST_QUICK=1 G_SLICE=always-malloc \
      dbus-run-session -- \
      meson test -C build-asan --suite unit --suite integration \
        --print-errorlogs --num-processes 2
  else
    echo "The build in build-asan/ failed."
    failed=$((failed + 1))
  fi

  if [ -z "${ADIT_SKIP_DEBIAN13:-}" ]; then
    echo "== debian13: every test on Debian 13 (GTK 4.18, libadwaita 1.7), no compiler warnings"
    run_tests "$DEBIAN13_ROOT/var/tmp/adit-build/meson-logs/testlog.json" \
      as_root build-aux/debian13.sh "$DEBIAN13_ROOT"
  fi

  if [ -z "${ADIT_SKIP_FLATPAK:-}" ]; then
    echo "== flatpak: the manifest built offline on a stand-in GNOME 48 runtime, the app sandboxed"
    run_tests "$FLATPAK_WORK/results.json" \
      as_root build-aux/flatpak-check.sh "$DEBIAN13_ROOT" "$FLATPAK_WORK"
  fi

  print_summary
  [ "$failed" -eq 0 ]
}

case "${1:-}" in
  run) cmd_run "$@" ;;
  test) cmd_test ;;
  *) usage ;;
esac
