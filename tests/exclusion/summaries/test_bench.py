"""`make bench` builds its cohort with set-based SQL, which a schema change can break without any test
noticing (it did: a NOT NULL column added by a later migration). These run its steps on a tiny cohort in the
test database, so the suite fails when the bench would. They time nothing: the bench itself measures."""

from __future__ import annotations

import pytest
from django.db import connection

from exclusion.models import ActivitySummary
from exclusion.summaries import bench
from patients.models import Episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort() -> list[int]:
    if connection.vendor != "postgresql":
        pytest.skip("the bench cohort is built with PostgreSQL's SQL (make test runs on PostgreSQL)")
    bench._generate(5)
    return bench._bench_patient_ids()


def test_the_bench_cohort_builds_on_the_current_schema(cohort):
    assert cohort
    assert Episode.objects.filter(patient_id__in=cohort).exists()


def test_the_floor_and_the_job_write_a_summary_for_every_bench_patient(cohort):
    bench._job(cohort, chunk_size=50)
    bench._floor(cohort)
    assert ActivitySummary.objects.filter(patient_id__in=cohort).count() == len(cohort)
