#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-potfiles.sh SOURCE_ROOT — keeps po/POTFILES.in honest, so that no string a person reads
# silently stays in English. Fails when
#   - a file in src/ marks strings for translation (_(), N_(), C_(), NC_(), ngettext,
#     translatable="yes") but is not listed in po/POTFILES.in (or po/POTFILES.skip),
#   - a translatable data file (desktop entry, metainfo, GSettings schema) is not listed,
#   - po/POTFILES.in lists a file that does not exist,
#   - xgettext reports an error on any listed file.
# Exits 77 (skipped) when xgettext is not installed.

set -u

srcdir=${1:-$(dirname "$0")/..}
cd "$srcdir" || exit 1

if ! command -v xgettext >/dev/null 2>&1; then
  echo "xgettext is not installed (package gettext): skipping"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# POTFILES.in and POTFILES.skip without comments and blank lines.
list () {
  [ -f "$1" ] || return 0
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$1" | grep -v '^$'
}

list po/POTFILES.in | sort -u > "$tmp/listed"
{ cat "$tmp/listed"; list po/POTFILES.skip; } | sort -u > "$tmp/known"

status=0

while IFS= read -r f; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done < "$tmp/listed"

# Files that mark strings for translation. The pattern wants a call such as `_("…")` or
# `ngettext (…)`, not an identifier that merely ends in an underscore.
{
  find src -type f \( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null |
    xargs -0 -r grep -l -E -e '(^|[^[:alnum:]_])(N|C|NC)?_ ?\(' \
                              -e '(^|[^[:alnum:]_])(g_d)?n?gettext ?\(' 2>/dev/null
  find src -type f -name '*.ui' -print0 2>/dev/null |
    xargs -0 -r grep -l 'translatable="yes"' 2>/dev/null
  find data -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' \
                     -o -name '*.gschema.xml' \) -print 2>/dev/null
} | sed 's|^\./||' | sort -u > "$tmp/translatable"

comm -23 "$tmp/translatable" "$tmp/known" > "$tmp/missing"
while IFS= read -r f; do
  echo "$f has translatable strings but is missing from po/POTFILES.in"
  status=1
done < "$tmp/missing"

# Only the files that exist: a missing one has been reported above.
while IFS= read -r f; do
  [ -f "$f" ] && echo "$f"
done < "$tmp/listed" > "$tmp/existing"

if [ -s "$tmp/existing" ]; then
  if ! xgettext --from-code=UTF-8 --add-comments=Translators \
      --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=ngettext:1,2 \
      --keyword=g_dngettext:2,3 \
      --force-po --files-from="$tmp/existing" --output="$tmp/adit.pot" 2> "$tmp/xgettext.log"; then
    echo "xgettext failed:"
    status=1
  fi
  cat "$tmp/xgettext.log"
  # xgettext exits 0 even when it cannot parse a file ("cannot read …: Opening and ending tag
  # mismatch") or does not know its kind (then it reads it as C and finds nothing): those are
  # errors here. Other warnings, such as a format string translators cannot reorder, are shown.
  if grep -v -e '^[[:space:]]*$' -e 'warning:' "$tmp/xgettext.log" >/dev/null ||
     grep -q 'is unknown; will try C' "$tmp/xgettext.log"; then
    echo "xgettext could not read every file in po/POTFILES.in (see above)"
    status=1
  fi
fi

if [ "$status" -eq 0 ]; then
  n=0
  if [ -f "$tmp/adit.pot" ]; then
    n=$(($(grep -c '^msgid ' "$tmp/adit.pot") - 1))  # minus the header
  fi
  echo "po/POTFILES.in is complete: $(wc -l < "$tmp/listed") files, $n strings"
fi
exit "$status"
