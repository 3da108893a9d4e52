"""The demo command and the deployment file."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from patients.models import Patient, Site
from patients.selectors import patient_list

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_command_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("load_demo")
    assert Patient.objects.count() == 0


def test_the_demo_command_loads_two_sites_and_prints_each_demo_user_once(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Site.objects.count() == 2
    assert Patient.objects.count() >= 30
    text = out.getvalue()
    for username in ("north-clinician", "north-reviewer", "north-admin", "north-api", "south-clinician"):
        assert text.count(username) == 1
    from django.contrib.auth import get_user_model

    south = get_user_model().objects.get(username="south-clinician")
    assert {p.site.code for p in patient_list(user=south)} == {"SOUTH"}
    assert "12 new treatment courses" in text
    naproxen_then_adalimumab = Patient.objects.get(record_number="NF-1002").treatments.order_by("started_on")
    assert [(t.drug, t.stop_reason) for t in naproxen_then_adalimumab] == [
        ("naproxen", "remission"),
        ("naproxen", "inefficacy"),
        ("adalimumab", ""),
    ]
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "0 new episodes" in again.getvalue()
    assert "0 new treatment courses" in again.getvalue()


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is not installed")
def test_the_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={"SECRET_KEY": "compose-validation-only", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is not installed")
def test_only_the_tls_proxy_is_published_and_every_app_process_shares_the_redis_cache():
    import yaml

    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={"SECRET_KEY": "compose-validation-only", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    services = yaml.safe_load(result.stdout)["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["image"].startswith("caddy")
    assert services["web"]["environment"]["TRUSTED_PROXY"] == "1"
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["CACHE_URL"].startswith("redis://redis:6379/")
