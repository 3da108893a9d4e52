"""Benchmark of the bulk summary recompute against the database's own floor (`make bench`).

Builds (once) a synthetic cohort in its own PostgreSQL database, BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cno_bench, created if missing): 20,000 patients × 3 episodes × 3
lesions, each episode with one assessment. The rows are inserted with set-based SQL (generate_series),
because the audited models refuse bulk_create on purpose and 240,000 audited saves would take an hour;
this bench-only path never touches a real database. Then it times, best of --repeat runs:
- the job: `summary_dispatch(sync=True)` over every patient in chunks of 200, exactly what each Celery
  chunk task runs (claim, three reads, compute in Python, one upsert), in this process;
- the floor: reading the same episode, lesion and latest-assessment rows in one query, plus bulk-writing
  the same number of summary rows of the same size in one statement.
and prints patients per second for both and their ratio.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cno_bench"


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("CELERY_BROKER_URL", None)  # in-process: no broker involved in the measurement
    os.environ["DEBUG"] = "0"  # no query log: measure the job, not Django's debug cursor
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cno_app.settings")
    import django

    django.setup()


def _create_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    connection.close()


def _generate(patients: int) -> None:
    """Synthetic rows, set-based. Values vary with the row number so the computation has work to do."""
    from django.db import connection, transaction

    from exclusion import engine

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO patients_site (code, name, require_otp, registry_secret) VALUES "
            "('BENCH-A', 'Bench A (synthetic)', false, ''), ('BENCH-B', 'Bench B (synthetic)', false, '') "
            "ON CONFLICT (code) DO NOTHING"
        )
        cursor.execute(
            """
            INSERT INTO patients_patient (site_id, record_number, sex, birth_date, created_at, updated_at)
            SELECT (SELECT id FROM patients_site
                    WHERE code = CASE WHEN n %% 2 = 0 THEN 'BENCH-A' ELSE 'BENCH-B' END),
                   'B' || lpad(n::text, 6, '0'), (ARRAY['female','male'])[1 + n %% 2],
                   date '2010-01-01' + (n %% 2000), now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [patients],
        )
        cursor.execute(
            """
            INSERT INTO patients_episode (patient_id, assessed_on, onset_on, crp_mg_l, esr_mm_h, pain_vas,
                patient_global_vas, physician_global_vas, chaq, version, created_at, updated_at)
            SELECT p.id, date '2023-01-01' + k * 120, date '2022-12-01' + k * 120,
                   (p.id %% 40) / (k + 1.0), (p.id %% 60) / (k + 1.0), ((p.id + 3) %% 10) / (k + 1),
                   ((p.id + 5) %% 10) / (k + 1), ((p.id + 7) %% 10) / (k + 1.0),
                   CASE WHEN p.id %% 7 = 0 THEN NULL ELSE ((p.id %% 6) / 2.0) / (k + 1) END, 1, now(), now()
            FROM patients_patient p CROSS JOIN generate_series(0, 2) AS k
            WHERE p.site_id IN (SELECT id FROM patients_site WHERE code LIKE 'BENCH-%%')
            """,
            [],
        )
        cursor.execute(
            """
            INSERT INTO patients_lesion (episode_id, site, side, level, modality, marrow_oedema, lytic,
                sclerosis, periosteal_reaction, hyperostosis, bone_expansion, cortical_destruction,
                soft_tissue_mass, abscess, sequestrum, sinus_tract, vertebral_collapse, symptomatic, active)
            SELECT e.id,
                   (ARRAY['tibia', 'femur', 'clavicle', 'spine_thoracic', 'pelvis', 'fibula'])
                       [1 + (e.id + j) %% 6],
                   (ARRAY['left','right','midline'])[1 + (e.id * 3 + j) %% 3], '', 'mri',
                   (e.id + j) %% 3 <> 0, false, j = 0, false, false, false, false, false, false, false, false,
                   (e.id + j) %% 97 = 0, j = 1, false
            FROM patients_episode e
            JOIN patients_patient p ON p.id = e.patient_id
            JOIN patients_site s ON s.id = p.site_id AND s.code LIKE 'BENCH-%%'
            CROSS JOIN generate_series(0, 2) AS j
            """,
            [],
        )
        cursor.execute(
            """
            INSERT INTO exclusion_assessment (episode_id, ruleset, input_hash, "case", result, created_at,
                biopsy_recommended, exclusion_complete, bristol_status, focality)
            SELECT e.id, %s, md5(e.id::text), '{}'::jsonb,
                   jsonb_build_object('schema', 'cno-assessment/1', 'ruleset', %s::text,
                       'jansson', jsonb_build_object('points', 20 + e.id %% 44)),
                   now(), e.id %% 5 = 0, e.id %% 3 <> 0, 'criterion_1_met', 'multifocal'
            FROM patients_episode e
            JOIN patients_patient p ON p.id = e.patient_id
            JOIN patients_site s ON s.id = p.site_id AND s.code LIKE 'BENCH-%%'
            """,
            [engine.RULESET_VERSION, engine.RULESET_VERSION],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _bench_patient_ids() -> list[int]:
    from patients.models import Patient

    return list(
        Patient.objects.filter(site__code__startswith="BENCH-").order_by("id").values_list("id", flat=True)
    )


FLOOR_READ = """
    SELECT e.id, e.patient_id, e.assessed_on, e.crp_mg_l, e.esr_mm_h, e.pain_vas, e.patient_global_vas,
           e.physician_global_vas, e.chaq, l.site, l.side, l.level, l.modality, l.marrow_oedema,
           l.vertebral_collapse, l.active, a.ruleset, a.biopsy_recommended, a.exclusion_complete,
           a.bristol_status, a.result -> 'jansson' -> 'points'
    FROM patients_episode e
    LEFT JOIN patients_lesion l ON l.episode_id = e.id
    LEFT JOIN (SELECT DISTINCT ON (episode_id) * FROM exclusion_assessment ORDER BY episode_id, id DESC) a
        ON a.episode_id = e.id
    WHERE e.patient_id = ANY(%s)
"""


def _floor(patient_ids: list[int]) -> float:
    """Seconds to read the rows in one query and write as many summary rows (same size) in one statement."""
    import json

    from django.db import connection, transaction
    from psycopg2.extras import execute_values

    from exclusion.summaries.models import ActivitySummary

    sample = ActivitySummary.objects.filter(patient_id=patient_ids[0]).values("latest", "trend").get()
    latest, trend = json.dumps(sample["latest"]), json.dumps(sample["trend"])
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FLOOR_READ, [patient_ids])
        rows = cursor.fetchall()
        assert rows
        execute_values(
            cursor.cursor,  # the raw psycopg2 cursor: the floor skips Django entirely
            "INSERT INTO patients_activitysummary (patient_id, dirty, claimed_generation, claimed_at, "
            "computed_generation, computed_at, stale, recompute_count, ruleset, episodes_count, "
            "first_assessed_on, latest_assessed_on, latest, trend, activity_state, pedcno, severe_course, "
            "silent_activity, spine_involved, vertebral_collapse, open_flag, prompts) VALUES %s "
            "ON CONFLICT (patient_id) DO UPDATE SET "
            "latest = EXCLUDED.latest, trend = EXCLUDED.trend, computed_at = EXCLUDED.computed_at, "
            "episodes_count = EXCLUDED.episodes_count, activity_state = EXCLUDED.activity_state, "
            "pedcno = EXCLUDED.pedcno, severe_course = EXCLUDED.severe_course, "
            "silent_activity = EXCLUDED.silent_activity, spine_involved = EXCLUDED.spine_involved, "
            "vertebral_collapse = EXCLUDED.vertebral_collapse, open_flag = EXCLUDED.open_flag, "
            "ruleset = EXCLUDED.ruleset, first_assessed_on = EXCLUDED.first_assessed_on, "
            "latest_assessed_on = EXCLUDED.latest_assessed_on",
            [
                (
                    pid,
                    1,
                    1,
                    "now",
                    1,
                    "now",
                    False,
                    1,
                    "bench",
                    3,
                    "2023-01-01",
                    "2023-09-29",
                    latest,
                    trend,
                    "active",
                    None,
                    False,
                    False,
                    False,
                    False,
                    False,
                    "[]",
                )
                for pid in patient_ids
            ],
            template="(%s, %s, %s, %s::timestamptz, %s, %s::timestamptz, %s, %s, %s, %s, %s::date, %s::date, "
            "%s::jsonb, %s::jsonb, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
            page_size=len(patient_ids),
        )
    return time.perf_counter() - started


def _job(patient_ids: list[int], chunk_size: int) -> float:
    from django.db import transaction

    from exclusion.summaries import services as summary_services

    with transaction.atomic():
        summary_services.summary_mark_stale(patient_ids=patient_ids)
    started = time.perf_counter()
    summary_services.summary_dispatch(patient_ids, reassess=False, sync=True, chunk_size=chunk_size)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--chunk-size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true", help="Drop and rebuild the bench database.")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.regenerate:
        import psycopg2

        parts = urlsplit(url)
        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')
        admin.close()
    _create_database(url)
    _setup_django(url)
    from django.core.management import call_command

    from exclusion.summaries.models import ActivitySummary

    call_command("migrate", verbosity=0)
    patient_ids = _bench_patient_ids()
    if len(patient_ids) != args.patients:
        if patient_ids:
            print("the bench database holds another cohort size; rerun with --regenerate", file=sys.stderr)
            return 2
        started = time.perf_counter()
        _generate(args.patients)
        patient_ids = _bench_patient_ids()
        took = time.perf_counter() - started
        print(f"generated {len(patient_ids)} patients × 3 episodes × 3 lesions in {took:.1f} s")
    _job(patient_ids, args.chunk_size)  # warm-up, and summaries exist for the floor's row size
    assert not ActivitySummary.objects.filter(patient_id__in=patient_ids, stale=True).exists()
    floor = min(_floor(patient_ids) for _ in range(args.repeat))
    job = min(_job(patient_ids, args.chunk_size) for _ in range(args.repeat))  # and leaves correct summaries
    count = len(patient_ids)
    print(f"bulk summary recompute: {count} patients × 3 episodes × 3 lesions, chunks of {args.chunk_size}")
    print(f"  (best of {args.repeat} runs, in-process: what each Celery chunk task does, without the broker)")
    print(f"  job:   {job:6.2f} s  {count / job:8.0f} patients/s")
    print(f"  floor: {floor:6.2f} s  {count / floor:8.0f} patients/s  (one read query + one bulk write)")
    print(f"  ratio: {job / floor:.2f}× the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
