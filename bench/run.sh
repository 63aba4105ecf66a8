#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run.sh — the tunnel benchmark: `adit-cli -L` against OpenSSH's `ssh -N -L`, through the same
# throwaway sshd on 127.0.0.1, in the same run, with the cipher forced on the server. Builds
# what it needs (adit-bench-tool, adit-cli on the system libssh, adit-cli on libssh 0.11.5 built
# as the Flatpak builds it), runs bench.py and prints a markdown table, also written to a file.
# See bench/README.md for what the figures mean.
#
#   bench/run.sh                     1 GiB transfers, 7 runs, both ciphers, both builds
#   QUICK=1 bench/run.sh             smoke run: 64 MiB, 3 runs
#
# Environment (all optional):
#   SIZE_MB=1024 RUNS=7              transfer size and number of alternated runs
#   CIPHERS="aes128-gcm@openssh.com chacha20-poly1305@openssh.com"
#   BUILDS="system libssh-0.11.5"    which adit-cli builds to measure
#   LATENCY_COUNT=1000 CONCURRENT=1000 CONCURRENT_TIMEOUT=30
#   PROFILE=1                        after the runs, one download per client under perf record
#                                    (needs perf): where the CPU goes, kernel / libcrypto / rest
#   ADIT_ARGS="-o ServerAliveInterval=0"   extra adit-cli options. Keep-alive is off by default
#                                    because ssh -N has none either (like for like) and a client
#                                    idles while the others are measured.
#   BENCH_CACHE=/tmp/adit-bench-cache   builds and the libssh tarball, kept for re-runs
#   RESULTS=$BENCH_CACHE/results/adit-bench-DATE.md   (raw samples go next to it as .json)
# Needs: openssh-server, openssh-client, python3, a C compiler, meson/ninja and Adit's build
# dependencies; for the libssh-0.11.5 build also cmake, libssl-dev, zlib1g-dev and apt access
# to the Debian archive this machine uses. Runs as root or as a normal user (who then logs in
# to the throwaway sshd as themselves).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
cache=$(realpath -m "${BENCH_CACHE:-/tmp/adit-bench-cache}")
if [ -n "${QUICK:-}" ]; then
  SIZE_MB=${SIZE_MB:-64}
  RUNS=${RUNS:-3}
fi
size_mb=${SIZE_MB:-1024}
runs=${RUNS:-7}
ciphers=${CIPHERS:-aes128-gcm@openssh.com chacha20-poly1305@openssh.com}
builds=${BUILDS:-system libssh-0.11.5}
results=${RESULTS:-$cache/results/adit-bench-$(date +%Y%m%d-%H%M%S).md}

say() { echo "run.sh: $*" >&2; }

for tool in ssh /usr/sbin/sshd ssh-keygen python3 cc meson; do
  command -v "$tool" > /dev/null || { say "missing: $tool"; exit 1; }
done
# Both clients, sshd and the servers need room for 1000 connections each.
ulimit -n 8192 || { say "cannot raise the open-files limit to 8192"; exit 1; }
mkdir -p "$cache"

# --- the benchmark's own C helper
tool=$cache/adit-bench-tool
if [ ! -x "$tool" ] || [ "$here/adit-bench-tool.c" -nt "$tool" ]; then
  say "building adit-bench-tool"
  cc -O2 -Wall -Wextra -Wno-unused-parameter -o "$tool" "$here/adit-bench-tool.c"
fi

# --- the adit-cli builds
adit_args=()
header="Builds:"
for build in $builds; do
  case $build in
  system)
    dir=$cache/build-adit-system
    if [ ! -f "$dir/build.ninja" ]; then
      say "configuring Adit on the system libssh"
      env -u PKG_CONFIG_PATH meson setup "$dir" "$src" -Dapp=false > "$cache/adit-system-setup.log" 2>&1 ||
        { tail -30 "$cache/adit-system-setup.log" >&2; exit 1; }
    fi
    meson compile -C "$dir" adit-cli > "$cache/adit-system-build.log" 2>&1 ||
      { tail -30 "$cache/adit-system-build.log" >&2; exit 1; }
    cli=$dir/src/cli/adit-cli
    suffix="(system)"
    ;;
  libssh-0.11.5)
    cli=$("$here/build-libssh.sh" "$cache" | sed -n 's/^adit-cli: //p')
    suffix="+ MAX_BUF_SIZE=65536"
    ;;
  *) say "unknown build: $build (system, libssh-0.11.5)"; exit 1 ;;
  esac
  version=$(env -u LD_LIBRARY_PATH "$cli" --version)
  libssh=$(echo "$version" | sed -n 's/.*(libssh \([^/)]*\).*/\1/p')
  name="adit, libssh $libssh $suffix"
  adit_args+=(--adit "$name=$cli")
  say "$name: $cli"
  say "  $version"
  env -u LD_LIBRARY_PATH ldd "$cli" | grep -E 'libssh|libcrypto' | sed 's/^[[:space:]]*/run.sh:   /' >&2
  header+=$'\n'"- $name: \`$version\`, $(env -u LD_LIBRARY_PATH ldd "$cli" | awk '/libssh/ { print $1 " => " $3 }')"
done

newest=$(cd "$src" && find src -type f -printf '%TY-%Tm-%Td %TH:%TM %p\n' | sort | tail -1)
header+=$'\n'"- Source tree: newest file under src/ changed $newest"

# --- run
work=$(mktemp -d "${TMPDIR:-/tmp}/adit-bench.XXXXXX")
driver=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ -n "$driver" ] && kill -0 "$driver" 2> /dev/null; then
    kill -TERM "$driver" 2> /dev/null || true
    wait "$driver" 2> /dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "size ${size_mb} MiB, $runs runs, ciphers: $ciphers; work dir $work"
python3 "$here/bench.py" --tool "$tool" --sshd-script "$here/sshd.sh" "${adit_args[@]}" \
  --ciphers "$(echo "$ciphers" | tr -s ' ' ',')" --size-mb "$size_mb" --runs "$runs" \
  --latency-count "${LATENCY_COUNT:-1000}" --concurrent "${CONCURRENT:-1000}" \
  --concurrent-timeout "${CONCURRENT_TIMEOUT:-30}" \
  --adit-args="${ADIT_ARGS--o ServerAliveInterval=0}" ${PROFILE:+--profile} \
  --workdir "$work" --results "$results" --header "$header" &
driver=$!
status=0
wait "$driver" || status=$?
driver=
if [ "$status" != 0 ]; then
  # Keep what explains a failure before the work directory goes.
  logs=${results%.md}-logs
  mkdir -p "$logs"
  for f in "$work"/client-*/client.log "$work"/sshd-*/sshd.log "$work"/servers.log; do
    [ -f "$f" ] && cp "$f" "$logs/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  say "logs: $logs"
fi
[ -f "$results" ] && say "results: $results (samples: ${results%.md}.json)"
exit "$status"
