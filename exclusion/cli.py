"""The engine's command line: ``cno-exclusion {assess,explain,rules,bench}`` (or ``python -m exclusion``).

Imports only ``exclusion.engine`` (never Django), so it runs without settings or a database.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .engine import RULESET_VERSION, CaseValidationError, assess, explain, rule_catalogue, validate_case

EXAMPLE_CASE = {
    "schema": "cno-case/1",
    "patient": {"sex": "female", "birth_date": "2014-03-02"},
    "episode": {
        "assessed_on": "2024-05-10",
        "onset_on": "2024-02-01",
        "symptoms": {
            "bone_pain": True,
            "local_swelling": False,
            "night_pain": False,
            "fever": False,
            "max_temperature_c": 37.1,
            "weight_loss": False,
            "night_sweats": False,
            "ill_appearance": False,
            "back_pain": False,
        },
        "findings": {
            "hepatomegaly": False,
            "splenomegaly": False,
            "lymphadenopathy": False,
            "bruising_or_purpura": False,
            "gum_bleeding": False,
            "restricted_diet": False,
            "neonatal_pustulosis": False,
            "consanguinity_or_affected_sibling": False,
            "palmoplantar_pustulosis": False,
            "psoriasis": False,
            "severe_acne": False,
            "inflammatory_bowel_disease": False,
            "immunocompromised": False,
            "tb_exposure": False,
            "sustained_response_to_antibiotics_alone": False,
        },
        "labs": {
            "crp_mg_l": 12,
            "esr_mm_h": 28,
            "wbc_10e9_l": 7.2,
            "neutrophils_10e9_l": 3.9,
            "hemoglobin_g_l": 124,
            "platelets_10e9_l": 310,
            "ldh_u_l": 220,
            "ldh_uln_u_l": 300,
            "alp_u_l": 240,
            "alp_lln_u_l": 130,
            "blasts_on_smear": False,
            "vitamin_c_low": None,
            "blood_culture": "negative",
        },
        "biopsy": None,
        "lesions": [
            {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True, "sclerosis": True},
            {"site": "tibia", "side": "right", "modality": "mri", "marrow_oedema": True},
            {
                "site": "clavicle",
                "side": "right",
                "modality": "mri",
                "marrow_oedema": True,
                "bone_expansion": True,
            },
        ],
        "activity": {"pain_vas": 4, "patient_global_vas": 3, "physician_global_vas": 4, "chaq": 0.5},
    },
}  # the contract's example (the cno-case/1 contract): a typical three-lesion case


class _Unparsable:
    """A chunk of input that is not JSON; reported as that case's error, in input order."""

    def __init__(self, message: str) -> None:
        self.message = message


# JSON strings never span lines (a raw newline is not allowed in them), so removing them line by line leaves
# only the brackets that count towards a multi-line document's nesting depth.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _depth_change(line: str) -> int:
    bare = _STRING.sub("", line)
    return bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]")


def _incomplete(exc: json.JSONDecodeError, text: str) -> bool:
    """True if decoding failed only because ``text`` ends too early (it may go on in the next line)."""
    return exc.pos >= len(text.rstrip())


def _error_line(start: int, text: str, exc: json.JSONDecodeError) -> int:
    return start + text.count("\n", 0, exc.pos)


def _starts_a_document(line: str) -> bool:
    """A line at column 0 that is a whole non-empty JSON object: the next JSON-lines document."""
    if not line.startswith("{"):
        return False
    try:
        doc = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(doc, dict) and bool(doc)


def iter_documents(lines: Iterable[bytes]) -> Iterator[tuple[int, object]]:
    """Yield ``(line number, document)`` for each JSON document of ``lines``, one at a time, in input order.

    Each line is first decoded on its own (JSON lines: one document a line, blank lines skipped). A line that
    is only the beginning of a value (a pretty-printed document) opens a buffer that collects the following
    lines until its brackets close; only that one document is ever held in memory. A broken document yields
    an ``_Unparsable`` naming its line; decoding resumes at the next line, or, inside a broken multi-line
    document, at the next line that starts a document at column 0.
    """
    buf: list[str] = []  # the open multi-line document
    start = depth = 0
    broken: str | None = None  # why the open document is already known to be invalid

    def close() -> tuple[int, object]:
        nonlocal buf, broken
        text, why = "".join(buf), broken
        buf, broken = [], None
        if why is not None:
            return start, _Unparsable(why)
        try:
            return start, json.loads(text)
        except json.JSONDecodeError as exc:
            return start, _Unparsable(f"line {_error_line(start, text, exc)}: not valid JSON ({exc.msg})")

    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            if buf:
                broken = broken or f"line {number}: not UTF-8 text"
                line = raw.decode("utf-8", errors="replace")  # only to follow the brackets to the end
            else:
                yield number, _Unparsable(f"line {number}: not UTF-8 text")
                continue
        if buf:
            if line.startswith("{"):
                text = "".join(buf)
                try:
                    json.loads(text)
                    syntax_error = False
                except json.JSONDecodeError as exc:
                    syntax_error = not _incomplete(exc, text)
                if syntax_error or broken or _starts_a_document(line):
                    if broken is None and not syntax_error:
                        broken = f"line {start}: not valid JSON (the document ends before line {number})"
                    yield close()
                    # and this line is decoded below as the start of the next document
            if buf:
                buf.append(line)
                depth += _depth_change(line)
                if depth <= 0:
                    yield close()
                continue
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
            continue
        except json.JSONDecodeError as exc:
            if not _incomplete(exc, line):
                yield number, _Unparsable(f"line {number}: not valid JSON ({exc.msg})")
                continue
        buf, start, depth = [line], number, _depth_change(line)
        if depth <= 0:  # e.g. an unterminated string at the end of the line: nothing more can complete it
            yield close()
    if buf:
        if broken is None:
            text = "".join(buf)
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                if _incomplete(exc, text):
                    where = _error_line(start, text, exc)
                    broken = f"line {where}: not valid JSON (the input ends inside the document)"
        yield close()


@contextmanager
def _open_lines(path: str) -> Iterator[Iterable[bytes]]:
    """The input as raw lines, read lazily: a file, or stdin for ``-`` (each line as soon as it arrives)."""
    if path == "-":
        yield sys.stdin.buffer
        return
    with open(path, "rb") as handle:
        yield handle


def _cmd_assess(args: argparse.Namespace) -> int:
    out = sys.stdout
    invalid = False
    count = 0
    held: dict[str, Any] | None = (
        None  # with --pretty, the first result waits to learn whether it is the only one
    )

    def write(result: dict[str, Any], indent: int | None = None) -> None:
        out.write(json.dumps(result, indent=indent, ensure_ascii=False))
        out.write("\n")
        out.flush()  # each assessment leaves as soon as it is made: a pipe reader need not wait for the end

    with _open_lines(args.file) as lines:
        for number, doc in iter_documents(lines):
            if isinstance(doc, _Unparsable):
                result: dict[str, Any] = {"errors": [{"path": "", "message": doc.message}]}
                print(doc.message, file=sys.stderr)
            else:
                try:
                    result = assess(doc)  # type: ignore[arg-type]
                except CaseValidationError as exc:
                    result = {"errors": exc.errors}
                    for e in exc.errors:
                        print(f"line {number}: {e['path'] or '(document)'}: {e['message']}", file=sys.stderr)
            invalid = invalid or "errors" in result
            count += 1
            if args.pretty and count == 1:
                held = result
                continue
            if held is not None:
                write(held)
                held = None
            write(result)
    if held is not None:
        write(held, indent=2)
    if not count:
        print("no case found in the input", file=sys.stderr)
        return 2
    return 2 if invalid else 0


def _cmd_explain(args: argparse.Namespace) -> int:
    docs = []
    with _open_lines(args.file) as lines:
        for _, doc in iter_documents(lines):
            docs.append(doc)
            if len(docs) > 1:
                break  # one too many is enough to refuse; the rest need not be read
    if len(docs) != 1:
        found = "none" if not docs else "more than one"
        print(f"explain takes exactly one case, found {found}", file=sys.stderr)
        return 2
    doc = docs[0]
    if isinstance(doc, _Unparsable):
        print(doc.message, file=sys.stderr)
        return 2
    errors = validate_case(doc)
    if errors:
        print("The case is not a valid cno-case/1 document:", file=sys.stderr)
        for e in errors:
            print(f"  {e['path'] or '(document)'}: {e['message']}", file=sys.stderr)
        return 2
    sys.stdout.write(explain(doc))  # type: ignore[arg-type]
    return 0


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """The rule catalogue as a whole Markdown document: what ``docs/rules.md`` holds, byte for byte."""
    out = [
        f"# Rule catalogue (ruleset {RULESET_VERSION})",
        "",
        "Generated by `cno-exclusion rules` (or `python -m exclusion rules`) from the engine's rule registry;"
        " it must not be edited by hand; regenerate it with `cno-exclusion rules > docs/rules.md`.",
        "",
        "| id | title | inputs | explanation | source |",
        "|---|---|---|---|---|",
    ]
    for r in rule_catalogue():
        inputs = ", ".join(f"`{p}`" for p in r["inputs"])
        cells = (r["id"], _cell(r["title"]), inputs, _cell(r["explanation"]), _cell(r["source"]))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def _cmd_rules(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps(rule_catalogue(), indent=2, ensure_ascii=False))
        return 0
    sys.stdout.write(rules_markdown())
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    n = max(1, args.n)
    doc = EXAMPLE_CASE
    for _ in range(min(n, 1000)):  # warm-up
        assess(doc)
    # CPU time of this (single-threaded) process is the figure "on one core"; wall time is shown as well
    # because it drops when other processes compete for the core.
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        assess(doc)  # validation included
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    rate = n / cpu if cpu > 0 else float("inf")
    wall_rate = n / wall if wall > 0 else float("inf")
    print(
        f"{n} assessments of the contract's three-lesion example (validation included): "
        f"{rate:,.0f} assessments/s on one core (CPU time {cpu:.3f} s; wall clock {wall:.3f} s = "
        f"{wall_rate:,.0f}/s)"
    )
    return 0


def build_parser(prog: str = "python -m exclusion") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="CNO/CRMO exclusion engine (decision support; cno-case/1 in, cno-assessment/1 out).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {RULESET_VERSION}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "assess",
        help="assess a JSON case or a JSON-lines file of cases ('-' for stdin), each as soon as it is read",
    )
    p.add_argument("file")
    p.add_argument("--pretty", action="store_true", help="indent the output when the input holds one case")
    p.set_defaults(func=_cmd_assess)
    p = sub.add_parser("explain", help="clinician-readable account of one case ('-' for stdin)")
    p.add_argument("file")
    p.set_defaults(func=_cmd_explain)
    p = sub.add_parser("rules", help="the rule catalogue as a Markdown document (docs/rules.md)")
    p.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    p.set_defaults(func=_cmd_rules)
    p = sub.add_parser("bench", help="assessments per second for the contract's three-lesion example")
    p.add_argument("--n", type=int, default=20000)
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m exclusion`` and of the installed ``cno-exclusion`` script."""
    installed = Path(sys.argv[0]).name == "cno-exclusion"
    args = build_parser("cno-exclusion" if installed else "python -m exclusion").parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
    except OSError as exc:
        print(f"cannot read input: {exc}", file=sys.stderr)
        return 2
