#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-libssh.sh — builds the "Flatpak configuration" of Adit for the benchmark: libssh 0.11.5
# from its release tarball, compiled with -DMAX_BUF_SIZE=65536 (libssh then reads its socket
# 64 KiB per wake-up instead of 4 KiB; the Flatpak's libssh module is built so), installed into
# a private prefix, and adit-cli linked against it with an rpath so that it cannot pick up the
# system's libssh by accident.
#
#   build-libssh.sh [WORKDIR]      (default /tmp/adit-bench-cache)
#
# The tarball is Debian trixie's orig tarball, byte for byte upstream's libssh-0.11.5.tar.xz.
# It is fetched with a private apt state under WORKDIR (the deb-src entry is built from this
# machine's own apt configuration: the archive that serves its own release), so /etc/apt is not
# touched, and it must match the pinned sha256. LIBSSH_TARBALL=FILE uses a local copy instead
# (same check). Results are cached in WORKDIR: re-runs only rebuild Adit (incrementally).
#
# Needs: apt, cmake, ninja or make, a C compiler, libssl-dev, zlib1g-dev, meson, the build
# dependencies of adit-cli. The last line of output is "adit-cli: PATH".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${ADIT_SRC:-$(dirname "$here")}
work=$(realpath -m "${1:-/tmp/adit-bench-cache}")

version=0.11.5
orig=libssh_$version.orig.tar.xz
sha256=6898ba9dd836d618b71dc7a4bb786a502c173cef5cafbf20fe5e0567ba4ea30c
suite=trixie                                  # the Debian release that ships 0.11.5
extra_cflags="-DMAX_BUF_SIZE=65536"
prefix=$work/libssh-$version
adit_build=$work/build-adit-libssh-$version
stamp="$sha256 $extra_cflags"

log() { echo "build-libssh: $*" >&2; }

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha256" ]; }

# The base URI of this machine's apt entry for its own release (apt resolves deb822 and
# one-line sources alike; third-party entries have other release names).
host_mirror() {
  local codename
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  # shellcheck disable=SC2016  # $(SITE) and $(RELEASE) are apt's placeholders, not shell
  apt-get indextargets --format '$(SITE) $(RELEASE)' 'Created-By: Packages' |
    awk -v want="$codename" '$2 == want { print $1; exit }'
}

fetch_tarball() {
  local apt=$work/apt mirror line uri
  if sha_ok "$work/$orig"; then return; fi
  if [ -n "${LIBSSH_TARBALL:-}" ]; then
    sha_ok "$LIBSSH_TARBALL" || { log "$LIBSSH_TARBALL does not have sha256 $sha256"; exit 1; }
    cp "$LIBSSH_TARBALL" "$work/$orig"
    return
  fi
  mirror=${MIRROR:-$(host_mirror)}
  [ -n "$mirror" ] || { log "no apt entry for this machine's release; set MIRROR=URI"; exit 1; }
  rm -rf "$apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/empty"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
    > "$apt/sources.list"
  local opts=(-q -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/empty"
              -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
              -o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$apt/empty")
  log "fetching $suite's source index (private apt state in $apt)"
  apt-get "${opts[@]}" update > "$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; exit 1; }
  # The signed index lists each file of the source package with its hash: take the orig
  # tarball's address from it and let apt's own downloader check the pinned hash.
  line=$(apt-get "${opts[@]}" source --print-uris libssh 2> /dev/null | grep " $orig " || true)
  [ -n "$line" ] || { log "$suite no longer lists $orig; pass LIBSSH_TARBALL=FILE"; exit 1; }
  uri=$(echo "$line" | cut -d"'" -f2)
  log "downloading $orig"
  /usr/lib/apt/apt-helper -q download-file "$uri" "$work/$orig.part" "SHA256:$sha256" \
    > "$apt/download.log" 2>&1 || { cat "$apt/download.log" >&2; exit 1; }
  mv "$work/$orig.part" "$work/$orig"
  sha_ok "$work/$orig" || { log "sha256 mismatch for $orig"; exit 1; }
}

build_libssh() {
  local srcdir=$work/libssh-$version-src builddir=$work/libssh-$version-build
  if [ -f "$prefix/lib/libssh.so" ] && [ "$(cat "$prefix/.stamp" 2> /dev/null)" = "$stamp" ]; then
    return
  fi
  rm -rf "$srcdir" "$builddir" "$prefix" "$adit_build"
  mkdir -p "$srcdir"
  tar -xf "$work/$orig" -C "$srcdir" --strip-components=1
  # The flag only works because priv.h guards the macro; make sure it still does.
  grep -A1 '#ifndef MAX_BUF_SIZE' "$srcdir/include/libssh/priv.h" | grep -q '#define MAX_BUF_SIZE' ||
    { log "include/libssh/priv.h no longer guards MAX_BUF_SIZE"; exit 1; }
  local generator=()
  if command -v ninja > /dev/null; then generator=(-G Ninja); fi
  log "building libssh $version with $extra_cflags into $prefix"
  CFLAGS="-O2 -g $extra_cflags" cmake -S "$srcdir" -B "$builddir" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    -DWITH_GCRYPT=OFF -DWITH_MBEDTLS=OFF -DWITH_GSSAPI=OFF -DWITH_EXAMPLES=OFF \
    -DUNIT_TESTING=OFF -DCLIENT_TESTING=OFF -DWITH_SERVER=ON > "$work/libssh-cmake.log" 2>&1 ||
    { tail -30 "$work/libssh-cmake.log" >&2; exit 1; }
  cmake --build "$builddir" -j "$(nproc)" > "$work/libssh-build.log" 2>&1 ||
    { tail -30 "$work/libssh-build.log" >&2; exit 1; }
  cmake --install "$builddir" > "$work/libssh-install.log" 2>&1 ||
    { tail -30 "$work/libssh-install.log" >&2; exit 1; }
  echo "$stamp" > "$prefix/.stamp"
}

build_adit() {
  if [ ! -f "$adit_build/build.ninja" ]; then
    log "configuring Adit against $prefix"
    env PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
      meson setup "$adit_build" "$src" -Dapp=false -Dc_link_args="-Wl,-rpath,$prefix/lib" \
      > "$work/adit-libssh-setup.log" 2>&1 || { tail -30 "$work/adit-libssh-setup.log" >&2; exit 1; }
  fi
  meson compile -C "$adit_build" adit-cli > "$work/adit-libssh-build.log" 2>&1 ||
    { tail -30 "$work/adit-libssh-build.log" >&2; exit 1; }
  local cli=$adit_build/src/cli/adit-cli
  # At run time it must really be this libssh: check the loader's answer and the library's.
  local linked reported
  linked=$(env -u LD_LIBRARY_PATH ldd "$cli")
  reported=$(env -u LD_LIBRARY_PATH "$cli" --version)
  case $linked in *"libssh.so.4 => $prefix/lib/"*) ;;
    *) log "adit-cli does not load $prefix/lib/libssh.so.4:"; echo "$linked" >&2; exit 1 ;;
  esac
  case $reported in *"libssh $version/"*) ;;
    *) log "adit-cli reports another libssh: $reported"; exit 1 ;;
  esac
  echo "adit-cli: $cli"
}

mkdir -p "$work"
fetch_tarball
build_libssh
build_adit
