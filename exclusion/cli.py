"""Command line of the exclusion engine: ``python -m exclusion {assess,explain,rules,bench}``.

Imports only ``exclusion.engine`` (never Django), so it runs without settings or a database.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

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


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8")


def iter_documents(text: str) -> Iterator[object]:
    """Yield each JSON document of ``text``: one (possibly pretty-printed) document, or JSON lines.

    A whole-text parse is tried first, so a multi-line single document always works. Otherwise documents are
    decoded one after another; a broken one yields an ``_Unparsable`` and decoding resumes at the next line
    that starts with ``{`` so one bad line does not swallow the cases after it.
    """
    try:
        yield json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        line_no = text.count("\n", 0, pos) + 1
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield _Unparsable(f"line {line_no}: not valid JSON ({exc.msg})")
            nxt = text.find("\n{", pos)
            if nxt < 0:
                return
            pos = nxt + 1
            continue
        yield doc


def _cmd_assess(args: argparse.Namespace) -> int:
    results = []
    invalid = False
    for doc in iter_documents(_read(args.file)):
        if isinstance(doc, _Unparsable):
            results.append({"errors": [{"path": "", "message": doc.message}]})
            invalid = True
            continue
        try:
            results.append(assess(doc))  # type: ignore[arg-type]
        except CaseValidationError as exc:
            results.append({"errors": exc.errors})
            invalid = True
    if not results:
        print("no case found in the input", file=sys.stderr)
        return 2
    indent = 2 if args.pretty and len(results) == 1 else None
    out = sys.stdout
    for result in results:
        out.write(json.dumps(result, indent=indent, ensure_ascii=False))
        out.write("\n")
    return 2 if invalid else 0


def _cmd_explain(args: argparse.Namespace) -> int:
    docs = list(iter_documents(_read(args.file)))
    if len(docs) != 1:
        print(f"explain takes exactly one case, found {len(docs)}", file=sys.stderr)
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


def _cmd_rules(args: argparse.Namespace) -> int:
    catalogue = rule_catalogue()
    if args.json:
        print(json.dumps(catalogue, indent=2, ensure_ascii=False))
        return 0
    print(f"# Rule catalogue (ruleset {RULESET_VERSION})\n")
    print("| id | title | inputs | explanation | source |")
    print("|---|---|---|---|---|")
    for r in catalogue:
        inputs = ", ".join(f"`{p}`" for p in r["inputs"])
        cells = (r["id"], _cell(r["title"]), inputs, _cell(r["explanation"]), _cell(r["source"]))
        print("| " + " | ".join(cells) + " |")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m exclusion",
        description="CNO/CRMO exclusion engine (decision support; cno-case/1 in, cno-assessment/1 out).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("assess", help="assess a JSON case or a JSON-lines file of cases ('-' for stdin)")
    p.add_argument("file")
    p.add_argument("--pretty", action="store_true", help="indent the output of a single case")
    p.set_defaults(func=_cmd_assess)
    p = sub.add_parser("explain", help="clinician-readable account of one case ('-' for stdin)")
    p.add_argument("file")
    p.set_defaults(func=_cmd_explain)
    p = sub.add_parser("rules", help="the rule catalogue as a Markdown table")
    p.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    p.set_defaults(func=_cmd_rules)
    p = sub.add_parser("bench", help="assessments per second for the contract's three-lesion example")
    p.add_argument("--n", type=int, default=20000)
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. piped into `head`: not an error of ours
        sys.stderr.close()
        return 0
    except OSError as exc:
        print(f"cannot read input: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"input is not UTF-8 text: {exc}", file=sys.stderr)
        return 2
