#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-mime.sh MIME_XML DESKTOP_FILE ADIT — installs the MIME type and the desktop file into a
# throwaway data folder, the way the system's databases are built, and checks what a person's
# file manager will then do: a *.sshtunnel file is application/x-sshtunnel, and Adit's
# desktop entry is the application registered to open it.
set -eu

mime_xml=$1
desktop=$2
adit=$3
app=$(basename "$desktop")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for tool in update-mime-database update-desktop-database gio; do
  command -v "$tool" >/dev/null || { echo "skip: $tool is not installed"; exit 77; }
done

mkdir -p "$dir/mime/packages" "$dir/applications"
cp "$mime_xml" "$dir/mime/packages/"
cp "$desktop" "$dir/applications/"
update-mime-database "$dir/mime"
update-desktop-database "$dir/applications"
printf '[Tunnel]\nHost=other.example.com\nLocalForward=1100:mail.example.com:110;\n' \
  > "$dir/Mail.sshtunnel"

# GIO only lists applications whose program can be found.
PATH=$(dirname "$adit"):$PATH
export PATH XDG_DATA_DIRS="$dir:/usr/share" XDG_DATA_HOME="$dir/home" XDG_CONFIG_HOME="$dir/config"

type=$(gio info -a standard::content-type "$dir/Mail.sshtunnel" |
       sed -n 's/^ *standard::content-type: //p')
[ "$type" = application/x-sshtunnel ] || { echo "Mail.sshtunnel is “$type”"; exit 1; }

# "Registered applications" lists those whose desktop file names the type.
gio mime application/x-sshtunnel | grep -q "^	$app\$" \
  || { echo "$app is not registered for application/x-sshtunnel:"; gio mime application/x-sshtunnel; exit 1; }
echo "ok: *.sshtunnel is application/x-sshtunnel, opened by $app"
