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
# The tarball is the one the Flatpak manifest pins: Debian trixie's orig tarball, byte for byte
# upstream's libssh-0.11.5.tar.xz, fetched and checked by build-aux/libssh-tarball.sh into
# WORKDIR (LIBSSH_TARBALL=FILE uses a local copy instead, same check). Results are cached in
# WORKDIR: re-runs only rebuild Adit (incrementally).
#
# Needs: apt, cmake, ninja or make, a C compiler, libssl-dev, zlib1g-dev, meson, the build
# dependencies of adit-cli. The last line of output is "adit-cli: PATH".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${ADIT_SRC:-$(dirname "$here")}
work=$(realpath -m "${1:-/tmp/adit-bench-cache}")

extra_cflags="-DMAX_BUF_SIZE=65536"

log() { echo "build-libssh: $*" >&2; }

build_libssh() {
  local srcdir=$work/libssh-$version-src builddir=$work/libssh-$version-build
  if [ -f "$prefix/lib/libssh.so" ] && [ "$(cat "$prefix/.stamp" 2> /dev/null)" = "$stamp" ]; then
    return
  fi
  rm -rf "$srcdir" "$builddir" "$prefix" "$adit_build"
  mkdir -p "$srcdir"
  tar -xf "$tarball" -C "$srcdir" --strip-components=1
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
tarball=$("$here/../build-aux/libssh-tarball.sh" "$work" | tail -1)
version=${tarball##*/libssh_}
version=${version%.orig.tar.xz}
prefix=$work/libssh-$version
adit_build=$work/build-adit-libssh-$version
stamp="$(sha256sum "$tarball" | cut -d' ' -f1) $extra_cflags"
build_libssh
build_adit
