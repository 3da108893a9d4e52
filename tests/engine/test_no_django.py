"""The engine and its command line must never import Django, not even indirectly."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from .helpers import HERE

ROOT = HERE.parent.parent
FILES = sorted((ROOT / "exclusion" / "engine").rglob("*.py")) + [
    ROOT / "exclusion" / "__init__.py",
    ROOT / "exclusion" / "__main__.py",
    ROOT / "exclusion" / "cli.py",
]


def _imported_modules(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.update(
                a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return names


def test_no_engine_or_cli_file_imports_django():
    assert len(FILES) >= 9
    for path in FILES:
        bad = {
            m for m in _imported_modules(path) if m == "django" or m.startswith(("django.", "rest_framework"))
        }
        assert not bad, f"{path} imports {bad}"


def test_importing_the_engine_and_the_cli_loads_no_django_module():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys, exclusion.engine, exclusion.cli, exclusion.engine.rules; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
