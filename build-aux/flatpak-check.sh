#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-aux/flatpak-check.sh ROOT WORK — proves flatpak/io.github.adit.Adit.json, the real
# manifest, without Flathub: no GNOME runtime can be downloaded where the CI runs, so a
# stand-in org.gnome.Platform and org.gnome.Sdk (branch = the manifest's runtime-version) are
# made from the Debian 13 root ROOT of build-aux/debian13.sh (GTK 4.18, libadwaita 1.7,
# GLib 2.84: the GNOME 48 stack). Steps:
#   1. ROOT gets the SDK's extra packages (build-aux/debian13.sh --prepare) when it lacks them;
#      its /usr is exported as both runtimes into a local ostree repo and installed into a
#      private FLATPAK_USER_DIR under WORK. Reused while ROOT's package list is unchanged.
#   2. libssh's release tarball (build-aux/libssh-tarball.sh: Debian's orig tarball, cached in
#      WORK) is checked against the manifest's sha256 and put into flatpak-builder's download
#      cache; flatpak-builder builds the manifest OFFLINE (--disable-download), unchanged, from
#      a copy of the source tree in WORK (its app source is "type": "dir", "path": "..").
#   3. The app is installed and, in its sandbox: its window comes up under Xvfb in a private
#      D-Bus session (xwininfo lists a window titled "Adit"); adit-cli reports the manifest's
#      libssh and ldd resolves libssh.so.4 to /app/lib; a tunnel from the sandboxed adit-cli
#      through a throwaway OpenSSH sshd on 127.0.0.1 (temporary keys, key login) carries a
#      round trip to an echo server behind it, and accept-new records the server's real key.
#      The installed permissions must be exactly the manifest's finish-args.
# Each check prints "ok NAME" or "FAILED NAME" and adds a line {"name": …, "result": "OK"|"FAIL"}
# to WORK/results.json (the format of meson's testlog.json, which build-aux/dev.sh counts); a
# step the checks need that fails is logged as a failed check too. Exit status: 0 when all
# passed, 1 when something failed, 77 when this machine cannot run it (no flatpak or bubblewrap,
# bubblewrap cannot make a sandbox, or ROOT cannot be made): it says why.
# Needs root (chroot, apt in ROOT, sshd), flatpak, flatpak-builder, elfutils (its eu-strip),
# ostree, bubblewrap, xvfb, xauth, dbus, x11-utils, openssh-server, openssh-client, socat,
# iproute2, python3; ~1.2 GB in WORK, which should be on ROOT's filesystem (the runtime tree is
# hard-linked from ROOT, else copied).
# Environment: ADIT_FLATPAK_JOBS=2 (flatpak-builder --jobs).

set -euo pipefail

SELF=$(readlink -f "$0")
SRC=$(cd "$(dirname "$SELF")/.." && pwd)
MANIFEST=$SRC/flatpak/io.github.adit.Adit.json
# apt packages the SDK needs beyond debian13.sh's: cmake for the libssh module; appstream-util
# for flatpak-builder 1.2's appstream-compose step, librsvg2-common so that it reads SVG icons.
SDK_PACKAGES="cmake libssl-dev zlib1g-dev appstream-util librsvg2-common"
# Changes whenever the way the runtime is made from ROOT changes: an old runtime is remade.
RUNTIME_RECIPE=1

# --window APP_ID LOG — run inside Xvfb and a D-Bus session: starts the app and waits up to 20 s
# for a viewable window titled "Adit" (xwininfo -root -tree lists each window by its title; GTK
# also makes an unmapped 1x1 leader window of that name).
if [ "${1:-}" = --window ]; then
  flatpak --user run "$2" > "$3" 2>&1 &
  app=$!
  shown () {
    local id
    for id in $(xwininfo -root -tree 2>/dev/null | awk '$2 == "\"Adit\":" { print $1 }'); do
      xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable' && return 0
    done
    return 1
  }
  found=no
  for _ in $(seq 40); do
    if shown; then found=yes; break; fi
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
  done
  xwininfo -root -tree > "$3.xwininfo" 2>&1 || true
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  [ "$found" = yes ]
  exit
fi

ROOT=$(realpath -m "${1:?usage: flatpak-check.sh ROOT WORK}")
WORK=$(realpath -m "${2:?usage: flatpak-check.sh ROOT WORK}")
JOBS=${ADIT_FLATPAK_JOBS:-2}
RESULTS=$WORK/results.json
t0=$(date +%s)

step () { echo "[flatpak +$(( $(date +%s) - t0 ))s] $*"; }
skip () { echo "[flatpak] SKIPPED: $*"; exit 77; }

failures=0
# result NAME ok|fail [WHY] — one check's outcome, printed and logged.
result () {
  if [ "$2" = ok ]; then
    echo "ok      flatpak/$1"
    printf '{"name": "flatpak/%s", "result": "OK"}\n' "$1" >> "$RESULTS"
  else
    echo "FAILED  flatpak/$1${3:+: $3}"
    printf '{"name": "flatpak/%s", "result": "FAIL"}\n' "$1" >> "$RESULTS"
    failures=$((failures + 1))
  fi
}
# setup_failed NAME LOG — a step the checks depend on failed: log it as a failure and stop.
setup_failed () {
  [ -f "$2" ] && tail -30 "$2"
  result "$1" fail "see $2"
  exit 1
}

# Processes started here, ended by process group on exit (each runs in its own session), and
# the throwaway sshd of the tunnel check.
GROUPS_STARTED=()
T=""
cleanup () {
  local g
  for g in "${GROUPS_STARTED[@]}"; do kill -- "-$g" 2>/dev/null || true; done
  GROUPS_STARTED=()
  [ -z "$T" ] || "$SRC/bench/sshd.sh" stop "$T/keys" || true
}
trap cleanup EXIT

# --- can this machine do it at all? -------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || { echo "flatpak-check.sh needs root (chroot into ROOT, sshd)." >&2; exit 2; }
for c in flatpak bwrap; do
  command -v "$c" >/dev/null || skip "$c is not installed, so Flatpak cannot run here."
done
# What flatpak run asks of bubblewrap: new namespaces, a private /proc and /dev.
if ! err=$(bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev true 2>&1); then
  skip "bubblewrap cannot make a sandbox on this machine (no namespaces?): $err"
fi
mkdir -p "$WORK"
rm -f "$RESULTS"
missing=""
for c in flatpak-builder ostree xvfb-run xauth dbus-run-session xwininfo /usr/sbin/sshd ssh-keygen \
         socat ss eu-strip python3; do
  command -v "$c" >/dev/null || missing="$missing $c"
done
[ -z "$missing" ] || { result tools fail "missing:$missing"; exit 1; }

read -r APP_ID BRANCH LIBSSH_URL LIBSSH_SHA256 < <(python3 - "$MANIFEST" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
libssh = next(x for x in m["modules"] if isinstance(x, dict) and x["name"] == "libssh")
print(m["id"], m["runtime-version"], libssh["sources"][0]["url"], libssh["sources"][0]["sha256"])
EOF
)
LIBSSH_VERSION=${LIBSSH_URL##*/libssh-}
LIBSSH_VERSION=${LIBSSH_VERSION%.tar.xz}
ARCH=$(flatpak --default-arch)
export FLATPAK_USER_DIR=$WORK/userdir
# Nothing of the caller's desktop: the app's data goes to WORK/home/.var/app, its window to Xvfb.
export HOME=$WORK/home XDG_RUNTIME_DIR=$WORK/run
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME WAYLAND_DISPLAY DISPLAY DBUS_SESSION_BUS_ADDRESS
rm -rf "$HOME" "$XDG_RUNTIME_DIR"
mkdir -p "$HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
cd "$WORK"

# --- 1. the stand-in runtime --------------------------------------------------------------------
have_packages () {
  local p
  for p in $SDK_PACKAGES; do
    [ "$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
      return 1
  done
}
if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
  step "making the Debian 13 root $ROOT"
  # shellcheck disable=SC2086
  "$SRC/build-aux/debian13.sh" --prepare "$ROOT" $SDK_PACKAGES > root.log 2>&1 ||
    { tail -20 root.log; skip "the Debian 13 root $ROOT could not be made (log: $WORK/root.log)."; }
elif ! have_packages; then
  step "adding the SDK's packages to $ROOT"
  # shellcheck disable=SC2086
  "$SRC/build-aux/debian13.sh" --prepare "$ROOT" $SDK_PACKAGES > root.log 2>&1 ||
    setup_failed sdk-packages "$WORK/root.log"
fi

stamp=$( { echo "recipe $RUNTIME_RECIPE $ARCH $BRANCH"; cat "$ROOT/var/lib/dpkg/status"; } | sha256sum | cut -d' ' -f1)
if [ "$(cat runtime.stamp 2>/dev/null)" = "$stamp" ] &&
   flatpak --user info "org.gnome.Sdk//$BRANCH" >/dev/null 2>&1 &&
   flatpak --user info "org.gnome.Platform//$BRANCH" >/dev/null 2>&1; then
  step "reusing the stand-in org.gnome.Platform and Sdk//$BRANCH ($ROOT is unchanged)"
else
  step "making the stand-in org.gnome.Platform and Sdk//$BRANCH from $ROOT/usr"
  rm -f runtime.stamp
  rm -rf rt repo "$FLATPAK_USER_DIR"
  mkdir -p rt/files/etc
  # Hard links: ROOT and WORK are on one filesystem (else a copy). Nothing below writes into
  # a linked file: files are only added or removed.
  for d in bin sbin lib lib64 libexec include share; do
    [ -e "$ROOT/usr/$d" ] || continue
    cp -al "$ROOT/usr/$d" rt/files/ 2>/dev/null || cp -a "$ROOT/usr/$d" rt/files/
  done
  rm -rf rt/files/share/{doc,man,info,locale,lintian,help}
  for e in fonts ld.so.conf.d alternatives ssl xdg gtk-4.0; do
    [ -e "$ROOT/etc/$e" ] && cp -a "$ROOT/etc/$e" rt/files/etc/
  done
  # As in the real runtimes: /app/lib first, so that the app's own libraries win.
  printf '/app/lib\ninclude /run/flatpak/ld.so.conf.d/app-*.conf\ninclude /app/etc/ld.so.conf\ninclude /etc/ld.so.conf.d/*.conf\n' \
    > rt/files/etc/ld.so.conf
  [ -e rt/files/bin/ldconfig ] || ln -s ../sbin/ldconfig rt/files/bin/ldconfig
  ostree --repo=repo init --mode=bare-user-only
  for name in org.gnome.Sdk org.gnome.Platform; do
    printf '[Runtime]\nname=%s\nruntime=org.gnome.Platform/%s/%s\nsdk=org.gnome.Sdk/%s/%s\n' \
      "$name" "$ARCH" "$BRANCH" "$ARCH" "$BRANCH" > rt/metadata
    flatpak build-export --runtime --files=files --disable-fsync --no-update-summary \
      repo rt "$BRANCH" > export.log 2>&1 || setup_failed runtime "$WORK/export.log"
  done
  rm -rf rt
  { flatpak build-update-repo repo &&
    flatpak --user remote-add --no-gpg-verify standin "file://$WORK/repo" &&
    flatpak --user install -y --noninteractive standin "org.gnome.Sdk//$BRANCH" "org.gnome.Platform//$BRANCH"
  } > runtime-install.log 2>&1 || setup_failed runtime "$WORK/runtime-install.log"
  echo "$stamp" > runtime.stamp
fi

# --- 2. libssh's tarball and an offline build of the real manifest --------------------------------
step "libssh's release tarball (Debian's orig tarball), checked against the manifest"
tarball=$("$SRC/build-aux/libssh-tarball.sh" "$WORK/downloads" 2> tarball.log | tail -1) ||
  setup_failed libssh-tarball "$WORK/tarball.log"
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$actual" = "$LIBSSH_SHA256" ]; then
  result libssh-tarball-sha256 ok
else
  result libssh-tarball-sha256 fail "$tarball has sha256 $actual, the manifest pins $LIBSSH_SHA256"
  exit 1
fi
# flatpak-builder looks for an archive in DOWNLOADS/SHA256/BASENAME-OF-URL.
mkdir -p "state/downloads/$LIBSSH_SHA256"
cp "$tarball" "state/downloads/$LIBSSH_SHA256/${LIBSSH_URL##*/}"

step "copying the source tree (the manifest's dir source is its parent folder)"
rm -rf src
python3 - "$SRC" "$WORK/src" <<'EOF'
import os, shutil, subprocess, sys
src, dst = sys.argv[1], sys.argv[2]
try:   # what git would commit: tracked and untracked files, not ignored ones (build dirs)
    out = subprocess.run(["git", "-C", src, "ls-files", "-z", "-co", "--exclude-standard"],
                         check=True, capture_output=True).stdout
    files = [f for f in out.decode().split("\0") if f]
except (OSError, subprocess.CalledProcessError):
    files = []
    for d, dirs, names in os.walk(src):
        rel = os.path.relpath(d, src)
        dirs[:] = [x for x in dirs if not (rel == "." and (x.startswith("build") or x.startswith(".")))]
        files += [os.path.normpath(os.path.join(rel, n)) for n in names]
for f in files:
    s = os.path.join(src, f)
    if not os.path.lexists(s):   # deleted in the working tree, not yet in git
        continue
    os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
    shutil.copy2(s, os.path.join(dst, f), follow_symlinks=False)
EOF
cmp "$MANIFEST" src/flatpak/io.github.adit.Adit.json

step "flatpak-builder --disable-download on the real manifest (--jobs=$JOBS)"
if flatpak-builder --user --disable-download --disable-rofiles-fuse --force-clean --jobs="$JOBS" \
     --state-dir="$WORK/state" --repo="$WORK/apprepo" "$WORK/build" \
     "$WORK/src/flatpak/io.github.adit.Adit.json" > build.log 2>&1 &&
   flatpak --user remote-add --if-not-exists --no-gpg-verify standin-apps "file://$WORK/apprepo" \
     >> build.log 2>&1 &&
   flatpak --user install -y --noninteractive --reinstall standin-apps "$APP_ID" >> build.log 2>&1; then
  grep -E '^(Building module|Running appstream-compose|Cache hit)' build.log | sed 's/^/   /' || true
  result build-and-install ok
else
  setup_failed build-and-install "$WORK/build.log"
fi

# --- 3. the installed app ---------------------------------------------------------------------------
step "the installed permissions are the manifest's finish-args"
flatpak --user info --show-metadata "$APP_ID" > metadata 2>&1 || true
if why=$(python3 - "$MANIFEST" metadata <<'EOF'
import configparser, json, sys
args = json.load(open(sys.argv[1], encoding="utf-8"))["finish-args"]
meta = configparser.ConfigParser(delimiters="=", interpolation=None)
meta.optionxform = str
meta.read(sys.argv[2])
def listed(section, key):
    return sorted(x for x in meta.get(section, key, fallback="").split(";") if x)
expected = {"shared": [], "sockets": [], "devices": [], "filesystems": [], "talk": []}
for a in args:
    key, _, value = a.lstrip("-").partition("=")
    field = {"share": "shared", "socket": "sockets", "device": "devices",
             "filesystem": "filesystems", "talk-name": "talk"}.get(key)
    if field is None:
        sys.exit(f"this check does not know {a}")
    expected[field].append(value)
    if a == "--socket=fallback-x11":   # flatpak records it as x11 plus its fallback flag
        expected["sockets"].append("x11")
actual = {f: listed("Context", f) for f in ("shared", "sockets", "devices", "filesystems")}
actual["talk"] = sorted(n for n, v in meta.items("Session Bus Policy") if v == "talk") \
    if meta.has_section("Session Bus Policy") else []
other = [n for s in ("Session Bus Policy", "System Bus Policy") if meta.has_section(s)
         for n, v in meta.items(s) if v != "talk" or s != "Session Bus Policy"]
for f in expected:
    if sorted(expected[f]) != actual[f]:
        sys.exit(f"{f}: installed {actual[f]}, manifest {sorted(expected[f])}")
if other:
    sys.exit(f"bus names beyond the manifest's: {other}")
EOF
); then
  result finish-args ok
else
  result finish-args fail "$why"
fi

step "libssh inside the sandbox"
version=$(flatpak --user run --command=adit-cli "$APP_ID" --version 2>&1) || true
echo "   adit-cli --version: $version"
case $version in
  *"libssh $LIBSSH_VERSION/"*) result libssh-version ok ;;
  *) result libssh-version fail "expected libssh $LIBSSH_VERSION" ;;
esac
linked=$(flatpak --user run --command=ldd "$APP_ID" /app/bin/adit 2>&1) || true
echo "$linked" | grep -E 'libssh\.|libadwaita|libgtk-4' | sed 's/^\s*/   /' || true
if echo "$linked" | grep -qE '^\s*libssh\.so\.4 => /app/lib/libssh\.so\.4 '; then
  result libssh-from-app-lib ok
else
  result libssh-from-app-lib fail "/app/bin/adit does not load /app/lib/libssh.so.4"
fi

step "the app's window under Xvfb, in a private D-Bus session"
if xvfb-run -a -s '-screen 0 1024x768x24' dbus-run-session -- \
     "$SELF" --window "$APP_ID" "$WORK/app.log" > /dev/null 2>&1; then
  grep '"Adit": (' app.log.xwininfo | sed 's/^\s*/   /' || true
  result window ok
else
  sed 's/^/   app: /' app.log | tail -20
  result window fail "no window titled Adit within 20 s (xwininfo: $WORK/app.log.xwininfo)"
fi

step "a tunnel from the sandboxed adit-cli through a throwaway sshd on 127.0.0.1"
# bench/sshd.sh keeps the throwaway sshd's keys and files in T/keys, which the sandbox may read;
# T/known, read-write, gets the known_hosts file that StrictHostKeyChecking=accept-new writes.
T=$WORK/tunnel
rm -rf "$T"
mkdir -m 700 "$T"
mkdir "$T/keys" "$T/known"
read -r ssh_port echo_port local_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
listening () {   # is anything listening on 127.0.0.1:$1?
  ss -Hltn "src 127.0.0.1:$1" | grep -q .
}
wait_for () {    # wait_for SECONDS COMMAND…
  local i
  for (( i = 0; i < $1 * 5; i++ )); do "${@:2}" && return 0; sleep 0.2; done
  return 1
}
connected () {   # adit-cli said so, or it exited (then waiting longer is pointless)
  grep -q '^Connected' "$T/adit-cli.log" 2>/dev/null || ! kill -0 "$cli" 2>/dev/null
}
setsid socat "TCP-LISTEN:$echo_port,bind=127.0.0.1,reuseaddr,fork" EXEC:cat > "$T/echo.log" 2>&1 &
GROUPS_STARTED+=($!)
payload="adit flatpak round trip $(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
reply=""
if "$SRC/bench/sshd.sh" start "$T/keys" "$ssh_port" > /dev/null &&
   wait_for 10 listening "$echo_port"; then
  setsid flatpak --user run --filesystem="$T/keys:ro" --filesystem="$T/known" \
    --command=adit-cli "$APP_ID" \
    -N -L "127.0.0.1:$local_port:127.0.0.1:$echo_port" -p "$ssh_port" -l "$(id -un)" \
    -i "$T/keys/client_ed25519" -o StrictHostKeyChecking=accept-new \
    -o "UserKnownHostsFile=$T/known/known_hosts" -o ConnectTimeout=10 --no-reconnect 127.0.0.1 \
    > "$T/adit-cli.log" 2>&1 < /dev/null &
  cli=$!
  GROUPS_STARTED+=("$cli")
  if wait_for 30 connected && kill -0 "$cli" 2>/dev/null && wait_for 5 listening "$local_port"; then
    reply=$(printf '%s\n' "$payload" | timeout 10 socat -t 5 - "TCP:127.0.0.1:$local_port" 2>&1) || true
  fi
fi
sed 's/^/   adit-cli: /' "$T/adit-cli.log" 2>/dev/null || true
if [ "$reply" = "$payload" ]; then
  result tunnel-round-trip ok
else
  sed 's/^/   sshd: /' "$T/keys/sshd.log" 2>/dev/null | tail -10 || true
  result tunnel-round-trip fail "sent \"$payload\", got back \"$reply\""
fi
# accept-new recorded the server's real key ("[127.0.0.1]:PORT TYPE KEY").
host_key=$(cut -d' ' -f1,2 "$T/keys/host_ed25519.pub")
if grep -qxF "[127.0.0.1]:$ssh_port $host_key" "$T/known/known_hosts" 2>/dev/null; then
  result known-hosts-accept-new ok
else
  result known-hosts-accept-new fail "$T/known/known_hosts lacks [127.0.0.1]:$ssh_port $host_key"
fi
cleanup

step "done: $failures failed"
[ "$failures" -eq 0 ]
