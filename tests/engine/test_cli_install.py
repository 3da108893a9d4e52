"""The project installs as a package whose `cno-exclusion` script runs from any directory, without Django."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exclusion.engine import RULESET_VERSION

from .helpers import EXAMPLE
from .test_cli import ROOT

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | str = "/", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_installed_cno_exclusion_assesses_a_file_from_the_root_directory(tmp_path: Path):
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "pyproject.toml", src)
    for package in ("exclusion", "patients", "cno_app"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    # The wheel is built offline with this environment's setuptools; the fresh venv installs only the wheel.
    wheels = tmp_path / "wheels"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
        "-w", wheels, src,
    )  # fmt: skip
    if built.returncode != 0 and "No module named" in built.stderr and "setuptools" in built.stderr:
        pytest.skip(f"no setuptools in this environment, so no wheel can be built offline: {built.stderr}")
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("cno_workbench-*.whl")
    assert wheel.name == f"cno_workbench-{RULESET_VERSION}-py3-none-any.whl"  # one version: the ruleset's

    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel
    )
    assert installed.returncode == 0, installed.stderr

    case = tmp_path / "case.json"
    case.write_text(json.dumps(EXAMPLE, indent=2), encoding="utf-8")
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
    }  # no PYTHONPATH, no Django settings
    script = venv / "bin" / "cno-exclusion"
    version = _run(script, "--version", env=env)
    assert version.returncode == 0 and version.stdout.strip() == f"cno-exclusion {RULESET_VERSION}"
    proc = _run(script, "assess", case, env=env)
    assert proc.returncode == 0, proc.stderr
    [result] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert result["schema"] == "cno-assessment/1" and result["ruleset"] == RULESET_VERSION
    no_django = _run(python, "-c", "import sys, exclusion.cli; assert 'django' not in sys.modules", env=env)
    assert no_django.returncode == 0, no_django.stderr
