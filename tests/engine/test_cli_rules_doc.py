"""docs/rules.md is the output of `cno-exclusion rules`: regenerate it, never edit it by hand."""

from __future__ import annotations

from .test_cli import ROOT, cli


def test_docs_rules_md_is_the_output_of_the_rules_command():
    proc = cli("rules")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# Rule catalogue (ruleset ")
    assert "must not be edited by hand" in proc.stdout.splitlines()[2]
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == proc.stdout, "docs/rules.md is stale: run `cno-exclusion rules > docs/rules.md`"
