"""The command line, run as a subprocess without Django settings (python -m exclusion)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import EXAMPLE, HERE, example, with_

ROOT = HERE.parent.parent  # the repository root


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "exclusion", *args],
        cwd=ROOT,
        env=_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(EXAMPLE, indent=2), encoding="utf-8")  # pretty-printed, multi-line
    return path


def test_assess_a_pretty_printed_single_case_writes_one_line_and_exits_0(case_file):
    proc = cli("assess", str(case_file))
    assert proc.returncode == 0, proc.stderr
    [result] = lines(proc.stdout)
    assert result["schema"] == "cno-assessment/1"
    assert result["bristol"] == {"status": "criterion_1_met"}
    assert len(proc.stdout.strip().splitlines()) == 1


def test_pretty_indents_a_single_document(case_file):
    proc = cli("assess", "--pretty", str(case_file))
    assert proc.returncode == 0
    assert proc.stdout.startswith("{\n  ")
    assert json.loads(proc.stdout)["jansson"]["points"] == 63


def test_json_lines_keep_input_order_and_an_invalid_case_does_not_stop_the_others(tmp_path):
    fever = with_(example(), episode__symptoms__fever=True)
    bad = with_(example(), episode__labs__crp_mg_dl=3)
    text = "\n".join([json.dumps(example()), json.dumps(bad), "", "{not json", json.dumps(fever)]) + "\n"
    path = tmp_path / "cases.jsonl"
    path.write_text(text, encoding="utf-8")
    proc = cli("assess", str(path))
    assert proc.returncode == 2
    out = lines(proc.stdout)
    assert len(out) == 4
    assert out[0]["differentials"]["infection"]["status"] == "no_red_flags"
    assert out[1] == {
        "errors": [{"path": "episode.labs.crp_mg_dl", "message": "unknown field (not part of cno-case/1)"}]
    }
    assert list(out[2]) == ["errors"] and "line 4" in out[2]["errors"][0]["message"]
    assert out[3]["differentials"]["infection"]["status"] == "concern"


def test_all_valid_json_lines_exit_0():
    text = "\n".join(json.dumps(with_(example(), episode__labs__crp_mg_l=c)) for c in (5, 50, 500))
    proc = cli("assess", "-", stdin=text)
    assert proc.returncode == 0
    assert [r["differentials"]["infection"]["status"] for r in lines(proc.stdout)] == [
        "no_red_flags",
        "concern",
        "concern",
    ]


def test_stdin_dash_reads_a_single_case():
    proc = cli("assess", "-", stdin=json.dumps(EXAMPLE))
    assert proc.returncode == 0
    assert lines(proc.stdout)[0]["exclusion_complete"] is True


def test_an_invalid_single_case_prints_its_errors_and_exits_2():
    proc = cli("assess", "-", stdin=json.dumps({"schema": "cno-case/1"}))
    assert proc.returncode == 2
    [out] = lines(proc.stdout)
    assert sorted(e["path"] for e in out["errors"]) == ["episode", "patient"]


def test_unknown_keys_are_errors_on_the_command_line():
    proc = cli("assess", "-", stdin=json.dumps(with_(example(), patient__name="x")))
    assert proc.returncode == 2
    assert lines(proc.stdout)[0]["errors"][0]["path"] == "patient.name"


def test_empty_input_is_an_error():
    proc = cli("assess", "-", stdin="\n \n")
    assert proc.returncode == 2 and proc.stdout == ""


def test_rules_json_lists_the_catalogue():
    proc = cli("rules", "--json")
    assert proc.returncode == 0
    catalogue = json.loads(proc.stdout)
    assert catalogue[0]["id"] == "INF-FEVER"
    assert all(set(r) == {"id", "title", "inputs", "explanation", "source"} for r in catalogue)


def test_rules_prints_a_markdown_table():
    proc = cli("rules")
    assert proc.returncode == 0
    assert "| id | title | inputs | explanation | source |" in proc.stdout
    assert "| MAL-JONES-TRIAD |" in proc.stdout


def test_explain_gives_a_clinician_readable_account(case_file):
    proc = cli("explain", str(case_file))
    assert proc.returncode == 0
    text = proc.stdout
    for part in (
        "Infection",
        "Malignancy",
        "Hypophosphatasia",
        "Scurvy",
        "Monogenic",
        "Bone biopsy",
        "Bristol criteria",
        "Jansson clinical score",
        "Source:",
        "HPP-EXCLUDED-ALP",
    ):
        assert part in text


def test_explain_names_findings_sources_and_missing_data():
    doc = with_(example(), episode__labs__crp_mg_l=45, episode__labs__ldh_uln_u_l=None)
    proc = cli("explain", "-", stdin=json.dumps(doc))
    assert proc.returncode == 0
    assert "[INF-CRP-30]" in proc.stdout and "Roderick" in proc.stdout
    assert "Missing: episode.labs.ldh_uln_u_l" in proc.stdout
    assert "RECOMMENDED" in proc.stdout


def test_explain_of_an_invalid_case_exits_2():
    proc = cli("explain", "-", stdin=json.dumps(with_(example(), schema="x")))
    assert proc.returncode == 2 and "schema" in proc.stderr


def test_bench_reports_assessments_per_second():
    proc = cli("bench", "--n", "200")
    assert proc.returncode == 0
    assert "assessments/s" in proc.stdout
