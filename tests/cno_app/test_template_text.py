"""Every word a person reads in the project's templates (templates/) is inside a translation tag.

The German interface (issue 17) stays German only if no template grows English text outside
`{% translate %}` / `{% blocktranslate %}`. This lint reads each template with Django's own lexer, drops what
is translated, variables, tags and comments, and reads what is left as HTML: the text between the tags and
the attributes people read (title, alt, placeholder, aria-label, …). Numbers, punctuation, entities and a
short list of language-neutral tokens (units, abbreviations German uses as they are) pass; any other letter
is an error naming the template, its line and the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# What a translated string, a variable or a tag left behind: a private-use character, not a letter, so it
# reads as neither English nor German (and `{{ n }}s`, an English plural, still shows its "s").
HOLE = "\ue000"

# Words that read the same in German and English, so they may stand outside a translation tag. Keep this
# short: anything a German clinician would write differently (MRI → MRT, ESR → BSG, WBC → Leukozyten,
# ALP → AP, NSAIDs → NSAR) must be translated.
LANGUAGE_NEUTRAL = {
    # Units, SI or clinical-lab; German writes litre as a lower-case l, so both spellings stand as they are
    # written (the template decides which; a translated unit goes through {% translate %}).
    "mg/L", "mg/l", "g/L", "g/l", "U/L", "U/l", "mm/h", "°C", "×10⁹/L", "×10⁹/l", "mm", "cm", "kg",
    # Lab tests and diagnoses whose abbreviation German uses unchanged (glossary: CRP, LDH, CNO, CRMO, LCH).
    "CRP", "LDH", "CNO", "CRMO", "LCH",
    # Technical names that are not words of either language: file formats, protocols, products.
    "API", "FHIR", "JSON", "CSV", "PDF", "HTTP", "Swagger",
}  # fmt: skip

# Attributes whose value a person reads: tooltips, alternative text, hints, what a screen reader says.
READ_ATTRIBUTES = {
    "title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription",
    "aria-valuetext", "label",
    # static/css/phone.css shows each table cell's data-label as its heading on a phone.
    "data-label",
}  # fmt: skip
# <input> types whose value is the button's text.
BUTTON_INPUTS = {"submit", "button", "reset"}
# Other data-* attributes are read by scripts; one holding prose (a space between words) is text a script
# puts on the page (static/js/registry-progress.js: data-hint-following, data-count-rows).
PROSE = re.compile(r"[^\W\d_]{2,}\s+\S*[^\W\d_]")

# Filters whose string argument is printed: `|default:"None"`, `|yesno:"yes,no"` (`_("…")` is translated).
PRINTED_FILTER_ARGUMENT = re.compile(r"""\|\s*(default|default_if_none|yesno)\s*:\s*(["'])(.*?)\2""")
# `{% include "…" with button="Verify" %}`, `{% with label="Record number" %}`: a literal that reads as
# text (a capital and a small letter, or words with a space) rather than a code such as heading="h3".
KEYWORD_LITERAL = re.compile(r"""\b\w+\s*=\s*(["'])(.*?)\1""")
MACHINE_WORDS = {"true", "false", "on", "off", ""}
READS_AS_TEXT = re.compile(r"[A-Z][a-z]|[^\W\d_]{2,}\s+[^\W\d_]")

TRANSLATE_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
SKIPPED_BLOCKS = {"comment": "endcomment"}


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.shown!r}"

    @property
    def shown(self) -> str:
        """The text with each run of template parts as {…}."""
        return re.sub(f"{HOLE}+", "{…}", self.text)


def untranslated_words(text: str) -> list[str]:
    """The chunks of `text` that hold letters and are not language-neutral."""
    found = []
    for chunk in text.split():
        chunk = _strip_punctuation(chunk)
        if not chunk or chunk in LANGUAGE_NEUTRAL:
            continue
        # "CRP/ESR", "(CNO)": judge each part; a part with letters that is not neutral is English or German.
        for part in re.split(r"[/\-–—,;:()\[\]]+", chunk):
            part = _strip_punctuation(part)
            if part and part not in LANGUAGE_NEUTRAL and any(ch.isalpha() for ch in part):
                found.append(chunk)
                break
    return found


def _strip_punctuation(chunk: str) -> str:
    start, end = 0, len(chunk)
    while start < end and _is_mark(chunk[start]):
        start += 1
    while end > start and _is_mark(chunk[end - 1]):
        end -= 1
    return chunk[start:end]


def _is_mark(ch: str) -> bool:
    # Punctuation, symbols and the holes; "°" and "×" are symbols but belong to the units they start.
    return ch not in "°×" and (ch == HOLE or unicodedata.category(ch)[0] in "PSZ")


class _TextReader(HTMLParser):
    """Collects the text a person reads from HTML whose template parts are holes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities become characters: &nbsp; &mdash; drop out
        self.problems: list[Problem] = []
        self._skip_depth = 0  # inside <script> or <style>: code, not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_attributes(tag, attrs)
        if tag in ("script", "style"):
            self._skip_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        line = self.getpos()[0]
        for offset, text in enumerate(data.split("\n")):
            if untranslated_words(text):
                self.problems.append(Problem(line + offset, text.strip()))

    def _check_attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        button = tag == "input" and (dict(attrs).get("type") or "").lower() in BUTTON_INPUTS
        for name, value in attrs:
            if not value:
                continue
            read = (
                name in READ_ATTRIBUTES
                or (name == "value" and button)
                or (name.startswith("data-") and PROSE.search(value))
            )
            if read and untranslated_words(value):
                self.problems.append(Problem(self.getpos()[0], f'{name}="{value.strip()}"'))


def _literal_problems(token_type: TokenType, contents: str, line: int) -> list[Problem]:
    """Printed literals inside a variable or tag: filter arguments and keyword values that read as text."""
    problems = []
    for match in PRINTED_FILTER_ARGUMENT.finditer(contents):
        words = match[3].split(",")
        if set(words) <= MACHINE_WORDS:  # data-finished="{{ job.finished|yesno:'true,false' }}"
            continue
        if untranslated_words(" ".join(words)):
            shown = "{{ " + contents + " }}" if token_type == TokenType.VAR else "{% " + contents + " %}"
            problems.append(Problem(line, shown))
    if token_type == TokenType.BLOCK and contents.split()[0] in ("include", "with"):
        for match in KEYWORD_LITERAL.finditer(contents):
            if READS_AS_TEXT.search(match[2]) and untranslated_words(match[2]):
                problems.append(Problem(line, "{% " + contents + " %}"))
    return problems


def template_problems(source: str) -> list[Problem]:
    """Every piece of user-visible text in `source` that is outside a translation tag."""
    tokens = Lexer(source).tokenize()
    html: list[str] = []
    problems: list[Problem] = []
    closing = None  # the end tag of the translated or commented region we are in
    for index, token in enumerate(tokens):
        following = tokens[index + 1].lineno if index + 1 < len(tokens) else token.lineno
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            html.append(HOLE + "\n" * (following - token.lineno))
            continue
        if token.token_type == TokenType.TEXT:
            html.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            closing = TRANSLATE_BLOCKS.get(name) or SKIPPED_BLOCKS.get(name)
        if token.token_type in (TokenType.VAR, TokenType.BLOCK):
            problems.extend(_literal_problems(token.token_type, token.contents, token.lineno))
        # A tag, a variable or a comment: a hole that keeps the line numbers of what follows.
        html.append(HOLE + "\n" * (following - token.lineno))
    reader = _TextReader()
    reader.feed("".join(html))
    reader.close()
    return sorted(problems + reader.problems, key=lambda problem: problem.line)


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))


@pytest.mark.parametrize("template", _templates(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_the_template_has_no_text_outside_translation_tags(template: Path) -> None:
    problems = template_problems(template.read_text(encoding="utf-8"))
    name = template.relative_to(TEMPLATES.parent)
    assert not problems, f"{name} has text outside translation tags:\n" + "\n".join(
        f"  {name}:{problem.line}: {problem.shown!r}" for problem in problems
    )


@pytest.mark.parametrize("template", _templates(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_the_template_compiles(template: Path) -> None:
    """A translation tag written wrong is a syntax error only when the page is opened: find it here.
    (`{% blocktranslate trimmed name=value %}` is one: it needs `with name=value`.)"""
    from django.template import engines

    engines["django"].from_string(template.read_text(encoding="utf-8"))


def test_the_lint_finds_every_template() -> None:
    assert len(_templates()) >= 40
    assert TEMPLATES / "base.html" in _templates()


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hello</p>",
        '<p title="Hello">{% translate "Hi" %}</p>',
        '<img alt="Hello" src="x.png">',
        '<input type="submit" value="Hello">',
        '<span aria-label="Hello {{ name }}">x</span>',
        '<td data-label="Hello">1</td>',
        '<div data-hint="Hello, this page reloads">',
        "{{ value|default:'None' }}",
        '{% include "x.html" with button="Hello" %}',
        "{% if on %}Active{% endif %}",
        "<p>{{ count }} patients</p>",
    ],
)
def test_the_lint_catches_english_outside_translation_tags(source: str) -> None:
    assert template_problems(source), source


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<p>{% translate "Hello" %}</p>',
        "<p>{% trans 'Hello' %}</p>",
        '<p title="{% translate "Hello" %}">{% translate "Hi" %}</p>',
        "{% blocktranslate trimmed %}Hello {{ name }},\n  how are you?{% endblocktranslate %}",
        "{% blocktrans count n=items|length %}One item{% plural %}{{ n }} items{% endblocktrans %}",
        "<p>{{ crp }} mg/L, {{ wbc }} ×10⁹/L &mdash; 37.5 °C (CRP)</p>",
        "{# Hello #}{% comment %}Hello, a note for developers{% endcomment %}",
        "<script>var hello = 'Hello';</script><style>p::before { content: 'Hello'; }</style>",
        '<input type="hidden" name="next" value="Hello"><a class="pill neutral" href="/hello/">&nbsp;1</a>',
        '<div data-sort="record_number" data-unit="rows">{% include "x.html" with heading="h3" %}</div>',
        "{{ value|default:_('None') }}{{ number|default_if_none:'–' }}",
        "<!-- Hello -->",
    ],
)
def test_the_lint_accepts_translated_text_code_and_language_neutral_tokens(source: str) -> None:
    assert template_problems(source) == []


def test_a_problem_names_the_line_of_the_text() -> None:
    source = "\n".join(
        ["{% load i18n %}", '<h1>{% translate "Title" %}</h1>', "{% comment %}", "note", "{% endcomment %}"]
        + ["<p>Hello</p>", ""]
    )
    assert [str(problem) for problem in template_problems(source)] == ["line 6: 'Hello'"]
