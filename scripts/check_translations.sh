#!/usr/bin/env bash
# CI: the German and English catalogues hold every marked string of the code and templates (makemessages
# finds none missing or left over), and every German string is translated and none is fuzzy. The compiled
# .mo files are checked against the .po files by the suite (tests/cno_app/test_translations.py).
set -euo pipefail
cd "$(dirname "$0")/.."
# makemessages rewrites locale/: keep a copy and put it back at the end, whatever happens (nothing of the
# developer's work is lost; CI only reads the result).
backup=$(mktemp -d)
cp -a locale "$backup/"
trap 'rm -rf locale && cp -a "$backup/locale" . && rm -rf "$backup"' EXIT
make --no-print-directory messages >/dev/null 2>&1
# makemessages rewrites the header's creation date on every run; any other change is a catalogue out of date
# (compared with what is committed: the catalogues must be committed in step with the code).
if ! git diff --exit-code --quiet -I '^"POT-Creation-Date: ' -- 'locale/*.po'; then
    git --no-pager diff --stat -I '^"POT-Creation-Date: ' -- 'locale/*.po'
    echo "The catalogues are out of date: run 'make messages', translate, and commit locale/." >&2
    exit 1
fi
status=0
for po in locale/de/LC_MESSAGES/*.po; do
    untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
    fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
    # msgattrib prints the header entry with any selection: more than one msgid means a real entry.
    if [ "$untranslated" -gt 1 ] || [ "$fuzzy" -gt 1 ]; then
        echo "$po: $((untranslated > 0 ? untranslated - 1 : 0)) untranslated, $((fuzzy > 0 ? fuzzy - 1 : 0)) fuzzy:" >&2
        msgattrib --untranslated --no-obsolete "$po" | grep '^msgid ' | tail -n +2 >&2 || true
        msgattrib --only-fuzzy --no-obsolete "$po" | grep '^msgid ' | tail -n +2 >&2 || true
        status=1
    fi
done
exit $status
