"""Issue 17: the catalogues in locale/ are what the server reads. (That they hold every marked string, all
translated and none fuzzy, is checked in CI by scripts/check_translations.sh, which runs makemessages.)"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def entries(catalogue: polib._BaseFile) -> dict[tuple[str, str], object]:
    """(context, msgid) -> the translation (a dict of the plural forms), "" when there is none."""
    found: dict[tuple[str, str], object] = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        plural = dict(entry.msgstr_plural)
        found[(entry.msgctxt or "", entry.msgid)] = plural if any(plural.values()) else entry.msgstr
    return found


def test_there_is_a_german_and_an_english_catalogue():
    assert {path.parts[-3] for path in CATALOGUES} == {"de", "en"}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: "/".join(path.parts[-3:]))
def test_each_compiled_catalogue_is_compiled_from_its_source(po: Path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run 'make messages'"
    compiled = entries(polib.mofile(str(mo)))
    source = {key: value for key, value in entries(polib.pofile(str(po))).items() if key[1] and value}
    assert {key: value for key, value in compiled.items() if key[1]} == source, "run 'make messages'"


def test_german_and_english_catalogues_hold_the_same_strings():
    def ids(language: str) -> set[tuple[str, str]]:
        return set(entries(polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))))

    assert ids("de") == ids("en")


def test_the_server_reads_the_german_catalogue():
    with translation.override("de"):
        assert translation.gettext("Log out") == "Abmelden"
    with translation.override("en-gb"):
        assert translation.gettext("Log out") == "Log out"
