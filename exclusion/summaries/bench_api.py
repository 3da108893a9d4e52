"""Benchmark of the summary API against a bare DRF view reading the same rows (`make bench`).

Builds (once) a synthetic cohort in its own PostgreSQL database, BENCH_API_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cno_bench_api, created if missing): 300 patients imported from the
synthetic demo cases through the services, their summaries computed, and an api_client token. Then it
serves the application with gunicorn (2 workers, DEBUG off, persistent connections) and drives it with wrk,
side by side in one run:
- the summary detail `/api/v1/patients/<id>/summary/` against a bare APIView reading the same row;
- the summaries list `/api/v1/summaries/?page_size=50` against a bare APIView reading the same 50 rows;
both with the same token authentication, permission and throttling (exclusion/summaries/bench_urls.py).
Prints requests per second for each and the ratio; exits 1 if a ratio is under 0.8.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cno_bench_api"
ROOT = Path(__file__).resolve().parents[2]
TARGET_RATIO = 0.8


def _create_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _prepare(env: dict[str, str], patients: int) -> tuple[str, int]:
    """Migrate, import the cohort if missing, compute the summaries; returns (token, a patient id)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from exclusion.summaries.models import ActivitySummary
    from exclusion.summaries.services import summary_mark_stale, summary_recompute_chunk
    from patients.models import Patient, Site, SiteMembership
    from patients.services import case_import
    from patients.tokens.services import token_create

    site, _ = Site.objects.get_or_create(code="BENCH", defaults={"name": "Bench (synthetic)"})
    cases = sorted((ROOT / "demo_data" / "cases").glob("*.json"))
    have = Patient.objects.filter(site=site).count()
    for number in range(have, patients):
        doc = json.loads(cases[number % len(cases)].read_text())
        case_import(actor=None, site=site, record_number=f"BENCH-{number:05d}", doc=doc)
    ids = list(Patient.objects.filter(site=site).values_list("id", flat=True))
    summary_mark_stale(patient_ids=ids)
    summary_recompute_chunk(patient_ids=ids)
    assert ActivitySummary.objects.filter(patient_id__in=ids, stale=False).count() == len(ids)

    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-registry")
    SiteMembership.objects.get_or_create(user=user, site=site, defaults={"role": "api_client"})
    _, key = token_create(actor=None, user=user, name=f"bench {secrets.token_hex(4)}")
    return key, ids[len(ids) // 2]


def _wait_until_up(base: str, key: str) -> None:
    request = urllib.request.Request(f"{base}/api/v1/rules/", headers={"Authorization": f"Bearer {key}"})
    for _ in range(100):
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def _same_rows(base: str, key: str, real: str, bare: str) -> None:
    """Both sides must read the same rows, or the comparison means nothing."""

    def get(path: str) -> object:
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def patient_ids(body: object) -> list[int]:
        rows = body["results"] if isinstance(body, dict) and "results" in body else [body]
        return [row.get("patient_id", row.get("patient")) for row in rows]  # type: ignore[union-attr]

    assert patient_ids(get(real)) == patient_ids(get(bare)), (real, bare)


def _wrk(url: str, key: str, seconds: int) -> float:
    result = subprocess.run(
        ["wrk", "-t2", "-c4", f"-d{seconds}s", "-H", f"Authorization: Bearer {key}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    if "Non-2xx or 3xx responses" in result.stdout:
        raise SystemExit(f"{url} answered with errors under load:\n{result.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if match is None:
        raise SystemExit(f"could not read wrk's output:\n{result.stdout}")
    return float(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=5, help="Per measurement (each is taken twice).")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    url = os.environ.get("BENCH_API_DATABASE_URL", DEFAULT_URL)
    _create_database(url)
    env = {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback, as behind a TLS-terminating proxy
        "API_RATE_PER_TOKEN": "100000000/second",  # measure the work, not 429s
        "DJANGO_SETTINGS_MODULE": "exclusion.summaries.bench_settings",
    }
    os.environ.pop("CELERY_BROKER_URL", None)  # summaries computed in-process; nothing is enqueued
    key, patient_id = _prepare(env, args.patients)

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{args.port}", "cno_app.wsgi"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pairs = [
        (
            "summary detail",
            f"/api/v1/patients/{patient_id}/summary/",
            f"/bench/bare/patients/{patient_id}/summary/",
        ),
        ("summaries list, page of 50", "/api/v1/summaries/?page_size=50", "/bench/bare/summaries/"),
    ]
    failed = False
    try:
        _wait_until_up(base, key)
        print(
            f"summary API vs bare DRF view: gunicorn -w 2, wrk -t2 -c4, {args.patients} patients, PostgreSQL"
        )
        for name, real, bare in pairs:
            _same_rows(base, key, real, bare)
            for path in (real, bare):
                _wrk(base + path, key, 1)  # warm-up: connections, caches
            # Alternate twice and keep each side's best, so drift on the machine hits both alike.
            real_rps = max(_wrk(base + real, key, args.seconds), 0.0)
            bare_rps = _wrk(base + bare, key, args.seconds)
            real_rps = max(real_rps, _wrk(base + real, key, args.seconds))
            bare_rps = max(bare_rps, _wrk(base + bare, key, args.seconds))
            ratio = real_rps / bare_rps
            failed |= ratio < TARGET_RATIO
            print(
                f"  {name}: {real_rps:,.0f} req/s; bare view {bare_rps:,.0f} req/s; "
                f"ratio {ratio:.2f} (target >= {TARGET_RATIO})"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
