#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks what the Flatpak manifest must keep true for Adit to work once installed.

- the Flatpak id is the GApplication id (else the sandboxed app cannot own its D-Bus name);
- libssh is built from a pinned release tarball into /app/lib (-DCMAKE_INSTALL_LIBDIR=lib,
  out of tree), with -DMAX_BUF_SIZE=65536 (bench/ and PERFORMANCE.md say why);
- libssh keeps its server part: ssh_send_keepalive(), which Adit's keep-alive uses, is only
  built with it;
- the sandbox may talk to the StatusNotifierWatcher (the tray registers with it by its unique
  name, so it owns no other name), and gets no blanket file access (home, host) and no
  unfiltered bus: tunnels, keys and known hosts live in the app's own folders or come through
  the SSH agent socket.
Usage: check-manifest.py MANIFEST APP_ID
"""
import json
import sys


def fail(message):
    print(f"check-manifest: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    manifest_path, app_id = sys.argv[1], sys.argv[2]
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)

    if manifest.get("id") != app_id:
        fail(f"id is {manifest.get('id')!r}, the app's id is {app_id!r}")
    if manifest.get("command") != "adit":
        fail("command must be adit")

    modules = {m["name"]: m for m in manifest.get("modules", []) if isinstance(m, dict)}
    libssh = modules.get("libssh")
    if libssh is None:
        fail("no libssh module")
    opts = libssh.get("config-opts", [])
    if "-DCMAKE_INSTALL_LIBDIR=lib" not in opts or not libssh.get("builddir"):
        fail("libssh must build out of tree and install to /app/lib")
    if any(o.startswith("-DWITH_SERVER=OFF") for o in opts):
        fail("libssh needs its server part for ssh_send_keepalive()")
    if "-DMAX_BUF_SIZE=65536" not in libssh.get("build-options", {}).get("cflags", ""):
        fail("libssh must be built with -DMAX_BUF_SIZE=65536")
    sources = libssh.get("sources", [])
    if not sources or any(len(s.get("sha256", "")) != 64 for s in sources):
        fail("libssh's tarball must be pinned by sha256")
    if list(modules)[-1] != "adit":
        fail("adit must be the last module")

    finish_args = manifest.get("finish-args", [])
    if "--talk-name=org.kde.StatusNotifierWatcher" not in finish_args:
        fail("the tray needs --talk-name=org.kde.StatusNotifierWatcher")
    for arg in finish_args:
        option, _, value = arg.partition("=")
        path = value.split(":")[0]
        if option == "--filesystem" and (path in ("home", "host", "host-os", "host-etc")
                                         or path.startswith("~") or path.startswith("/")):
            fail(f"{arg}: no access to the user's files beyond the app's own folders")
        if option == "--own-name":
            fail(f"{arg}: the app owns only its id; the tray registers by its unique name")
        if arg in ("--socket=session-bus", "--socket=system-bus", "--socket=x11",
                   "--device=all"):
            fail(f"{arg}: wider than the app needs")


if __name__ == "__main__":
    main()
