#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# libssh-tarball.sh DIR — puts the libssh release tarball that the Flatpak manifest pins into
# DIR (cached there) and prints its path as the last line of output. Used by the Flatpak check
# (build-aux/flatpak-check.sh) and the benchmark (bench/build-libssh.sh).
#
# The version and sha256 are read from the libssh module of flatpak/io.github.adit.Adit.json,
# the one place they are pinned. The file is Debian trixie's orig tarball
# (libssh_VERSION.orig.tar.xz), byte for byte upstream's libssh-VERSION.tar.xz: it is fetched
# with a private apt state under DIR/apt (the deb-src entry is built from this machine's own
# apt configuration: the archive that serves its own release), so /etc/apt is not touched.
# apt checks it against Debian's signed index, then against the manifest's sha256.
# LIBSSH_TARBALL=FILE uses a local copy instead (same check); MIRROR=URI another archive.
#
# Needs: apt, python3.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
manifest=$here/../flatpak/io.github.adit.Adit.json
dir=$(realpath -m "${1:?usage: libssh-tarball.sh DIR}")
suite=trixie                                  # the Debian release that ships the pinned version

log() { echo "libssh-tarball: $*" >&2; }

read -r version sha256 < <(python3 - "$manifest" <<'EOF'
import json, re, sys
modules = json.load(open(sys.argv[1], encoding="utf-8"))["modules"]
source = next(m for m in modules if isinstance(m, dict) and m["name"] == "libssh")["sources"][0]
print(re.fullmatch(r".*/libssh-(.+)\.tar\.xz", source["url"]).group(1), source["sha256"])
EOF
)
orig=libssh_$version.orig.tar.xz

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

fetch() {
  local apt=$dir/apt mirror line uri
  if [ -n "${LIBSSH_TARBALL:-}" ]; then
    sha_ok "$LIBSSH_TARBALL" || { log "$LIBSSH_TARBALL does not have sha256 $sha256"; exit 1; }
    cp "$LIBSSH_TARBALL" "$dir/$orig"
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
  /usr/lib/apt/apt-helper -q download-file "$uri" "$dir/$orig.part" "SHA256:$sha256" \
    > "$apt/download.log" 2>&1 || { cat "$apt/download.log" >&2; exit 1; }
  mv "$dir/$orig.part" "$dir/$orig"
}

mkdir -p "$dir"
sha_ok "$dir/$orig" || fetch
sha_ok "$dir/$orig" || { log "$dir/$orig does not have the manifest's sha256 $sha256"; exit 1; }
echo "$dir/$orig"
