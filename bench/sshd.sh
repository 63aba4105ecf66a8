#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# sshd.sh — the benchmark's own OpenSSH server: a throwaway sshd on 127.0.0.1 that offers
# exactly one cipher, so that adit-cli and ssh are measured with the same one (without CIPHER:
# OpenSSH's own list; build-aux/flatpak-check.sh uses it so). Everything it
# needs (host key, client key, authorized_keys, sshd_config, log) lives in DIR; /etc/ssh is not
# read. The server stays in the foreground of its own session, so `stop` can end it and every
# per-connection child it forked in one go (its process group).
#
#   sshd.sh start DIR PORT [CIPHER] prints the server's PID once it accepts connections
#   sshd.sh stop DIR
#
# The client logs in as the current user with DIR/client_ed25519. As root, sshd also needs
# /run/sshd (made here). Needs openssh-server and openssh-client (ssh-keygen).
set -euo pipefail

usage() { echo "usage: sshd.sh start DIR PORT [CIPHER] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
dir=$(realpath -m "$2")

write_config() {
  local port=$1 cipher=$2
  cat > "$dir/sshd_config" <<EOF
# Written by bench/sshd.sh for one run.
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
PidFile none
AuthorizedKeysFile $dir/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
AllowTcpForwarding yes
AllowAgentForwarding no
X11Forwarding no
PrintMotd no
UseDNS no
LogLevel INFO
${cipher:+Ciphers $cipher}
# Room for the 1000-connection test.
MaxStartups 1000:30:1000
MaxSessions 1000
EOF
}

listening() {
  # Is anything listening on 127.0.0.1:$1? (/proc/net/tcp: local address in hex, state 0A)
  local hex
  hex=$(printf '0100007F:%04X' "$1")
  awk -v a="$hex" '$2 == a && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp
}

case $action in
start)
  [ $# -eq 3 ] || [ $# -eq 4 ] || usage
  port=$3 cipher=${4:-}
  mkdir -p "$dir"
  [ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C adit-bench-host -f "$dir/host_ed25519"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C adit-bench-client -f "$dir/client_ed25519"
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
  write_config "$port" "$cipher"
  if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then mkdir -m 0755 /run/sshd; fi
  /usr/sbin/sshd -t -f "$dir/sshd_config"
  # setsid: sshd leads its own process group; -D keeps it from forking away from that PID.
  setsid /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" < /dev/null > /dev/null 2>&1 &
  pid=$!
  echo "$pid" > "$dir/sshd.pid"
  for _ in $(seq 200); do
    if listening "$port"; then echo "$pid"; exit 0; fi
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  echo "sshd.sh: sshd did not start on 127.0.0.1:$port; its log:" >&2
  cat "$dir/sshd.log" >&2 || true
  kill -- "-$pid" 2> /dev/null || true
  exit 1
  ;;
stop)
  [ -s "$dir/sshd.pid" ] || exit 0
  pid=$(cat "$dir/sshd.pid")
  kill -TERM -- "-$pid" 2> /dev/null || true
  for _ in $(seq 100); do
    kill -0 -- "-$pid" 2> /dev/null || break
    sleep 0.05
  done
  kill -KILL -- "-$pid" 2> /dev/null || true
  rm -f "$dir/sshd.pid"
  ;;
*) usage ;;
esac
