"""Schemathesis against the live schema (/api/v1/schema/), through the Django WSGI application.

Every operation gets generated requests, valid and invalid, as an authenticated site admin: once with
random ids (mostly 404s) and once aimed at existing records. No response may be a server error, use an
undocumented status or content type, or break the documented response schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from exclusion.models import Flag
from exclusion.summaries.services import summary_recompute_chunk
from patients.tokens.services import token_create
from tests.factories import case, make_episode, make_site, make_treatment, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 15
# The operations are fuzzed in a few parts, so that the test workers share them (one part per test).
PARTS = 3


def _run(operation, headers: dict, mode: GenerationMode, path_parameters: dict | None) -> None:
    strategy = operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=path_parameters)

    @given(generated=strategy)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(generated) -> None:
        response = generated.call(headers=headers)
        generated.validate_response(response, checks=CHECKS, headers=headers)

    exercise()


@pytest.fixture
def keep_the_test_connection():
    """The raw WSGI app would close the DB connection after each request, as in production; Django's own
    test client avoids that the same way: the test's transaction must survive every request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
@pytest.mark.parametrize("part", range(PARTS), ids=lambda part: f"part {part + 1} of {PARTS}")
def test_schemathesis_finds_no_server_error_and_no_schema_breaking_response(part: int):
    north = make_site("NORTH")
    make_site("SOUTH")
    user = make_user(north, "site_admin", "fuzz-admin")
    _, key = token_create(actor=None, user=user, name="schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    unifocal = [{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}]
    episode = make_episode(north, "FUZZ-1", case(lesions=unifocal))
    summary_recompute_chunk(patient_ids=[episode.patient_id])
    existing = {
        "patient_id": episode.patient_id,
        "episode_id": episode.id,
        "flag_id": Flag.objects.get(episode=episode).id,
        "treatment_id": make_treatment(episode.patient).id,
    }

    rates = {"token": "100000/minute", "anon": "100000/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 12
        for operation in operations[part::PARTS]:
            names = {parameter.name for parameter in operation.path_parameters}
            aimed = {name: value for name, value in existing.items() if name in names} or None
            _run(operation, headers, GenerationMode.POSITIVE, None)
            if aimed:
                _run(operation, headers, GenerationMode.POSITIVE, aimed)
            try:
                _run(operation, headers, GenerationMode.NEGATIVE, None)
            except Unsatisfiable:
                pass  # nothing in this operation can be made invalid (no parameters, no body)
