"""The command line reads cases one at a time and writes each assessment as soon as it is made."""

from __future__ import annotations

import json
import select
import subprocess
import sys
from pathlib import Path

from exclusion.cli import iter_documents

from .helpers import EXAMPLE, example, with_
from .test_cli import ROOT, _env, cli, lines


def crp(value: float) -> dict:
    return with_(example(), episode__labs__crp_mg_l=value)


def documents(text: str) -> list[tuple[int, object]]:
    return list(iter_documents(text.encode("utf-8").splitlines(keepends=True)))


def test_n_json_lines_give_n_assessments_in_input_order(tmp_path: Path):
    values = [1, 60, 2, 70, 3, 80, 4]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(crp(v)) + "\n" for v in values), encoding="utf-8")
    proc = cli("assess", str(path))
    assert proc.returncode == 0, proc.stderr
    statuses = [r["differentials"]["infection"]["status"] for r in lines(proc.stdout)]
    assert statuses == ["no_red_flags" if v < 30 else "concern" for v in values]


def test_an_invalid_line_in_the_middle_names_its_own_line_and_the_others_are_assessed(tmp_path: Path):
    rows = [json.dumps(crp(5)), json.dumps(crp(50)), '{"schema": "cno-case/1", oops}', json.dumps(crp(6))]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = cli("assess", str(path))
    assert proc.returncode == 2
    out = lines(proc.stdout)
    assert len(out) == 4
    assert [r["differentials"]["infection"]["status"] for r in (out[0], out[1], out[3])] == [
        "no_red_flags",
        "concern",
        "no_red_flags",
    ]
    [error] = out[2]["errors"]
    assert error["path"] == "" and error["message"].startswith("line 3: not valid JSON")
    assert "line 3: not valid JSON" in proc.stderr


def test_a_case_failing_the_contract_is_named_by_its_line_on_stderr_and_keeps_the_error_shape(tmp_path: Path):
    path = tmp_path / "cases.jsonl"
    rows = [json.dumps(crp(5)), "", json.dumps(with_(example(), patient__name="x"))]
    path.write_text("\n".join(rows), encoding="utf-8")
    proc = cli("assess", str(path))
    assert proc.returncode == 2
    assert lines(proc.stdout)[1] == {
        "errors": [{"path": "patient.name", "message": "unknown field (not part of cno-case/1)"}]
    }
    assert "line 3: patient.name: unknown field" in proc.stderr


def test_pretty_printed_documents_one_after_another_are_each_assessed():
    text = json.dumps(crp(5), indent=2) + "\n" + json.dumps(crp(50), indent=4) + "\n"
    proc = cli("assess", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    assert [r["differentials"]["infection"]["status"] for r in lines(proc.stdout)] == [
        "no_red_flags",
        "concern",
    ]


def test_a_document_pretty_printed_at_indent_0_is_one_document():
    [(number, doc)] = documents(json.dumps(EXAMPLE, indent=0))
    assert number == 1 and doc == EXAMPLE


def test_a_broken_pretty_printed_document_names_the_line_of_the_fault_and_the_next_one_is_read():
    broken = json.dumps(EXAMPLE, indent=2).replace('"fever": false', '"fever": nope')
    fault = next(i for i, line in enumerate(broken.splitlines(), start=1) if "nope" in line)
    [(first, error), (second, doc)] = documents(broken + "\n" + json.dumps(EXAMPLE) + "\n")
    assert first == 1 and error.message == f"line {fault}: not valid JSON (Expecting value)"  # type: ignore[attr-defined]
    assert second == broken.count("\n") + 2 and doc == EXAMPLE


def test_a_line_that_only_begins_a_document_does_not_swallow_the_next_line():
    [(_, error), (number, doc)] = documents('{"schema": "cno-case/1",\n' + json.dumps(EXAMPLE) + "\n")
    assert error.message == "line 1: not valid JSON (the document ends before line 2)"  # type: ignore[attr-defined]
    assert number == 2 and doc == EXAMPLE


def test_input_ending_inside_a_document_is_an_error_naming_the_last_line():
    [(_, error)] = documents(json.dumps(EXAMPLE, indent=2)[:200])
    assert "the input ends inside the document" in error.message  # type: ignore[attr-defined]


def test_a_line_that_is_not_utf8_is_that_line_s_error(tmp_path: Path):
    path = tmp_path / "cases.jsonl"
    path.write_bytes(json.dumps(EXAMPLE).encode() + b"\n\xff\xfe\n" + json.dumps(EXAMPLE).encode() + b"\n")
    proc = cli("assess", str(path))
    assert proc.returncode == 2
    out = lines(proc.stdout)
    assert len(out) == 3 and out[1] == {"errors": [{"path": "", "message": "line 2: not UTF-8 text"}]}


def test_json_lines_from_stdin_are_assessed():
    proc = cli("assess", "-", stdin=json.dumps(crp(5)) + "\n\n" + json.dumps(crp(50)) + "\n")
    assert proc.returncode == 0
    assert len(lines(proc.stdout)) == 2


def test_the_first_assessment_is_written_before_the_input_is_closed():
    proc = subprocess.Popen(
        [sys.executable, "-m", "exclusion", "assess", "-"],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(crp(50)) + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "no assessment within 30 s although one whole case was written and stdin is still open"
        first = json.loads(proc.stdout.readline())
        assert first["differentials"]["infection"]["status"] == "concern"
        assert proc.poll() is None  # still waiting for more input
        proc.stdin.write(json.dumps(crp(5)) + "\n")
        proc.stdin.close()
        assert json.loads(proc.stdout.readline())["differentials"]["infection"]["status"] == "no_red_flags"
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_pretty_indents_only_a_single_case_and_keeps_json_lines_for_several():
    proc = cli("assess", "--pretty", "-", stdin=json.dumps(crp(5)) + "\n" + json.dumps(crp(50)) + "\n")
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 2


def test_version_is_the_ruleset_version():
    from exclusion.engine import RULESET_VERSION

    proc = cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"python -m exclusion {RULESET_VERSION}"
