"""Every endpoint × role × own site / other site / anonymous, with the expected status of each cell.

The acting user always belongs to NORTH with the role under test. "own" targets a NORTH record, "other" a
SOUTH record: another site's record is a 404 (its existence is not revealed), never a 403. Writing clinical
data needs clinician or site_admin, or api_client with api_write; reviewers and plain api_clients get 403.
Lists are scoped rather than refused: their "other" cell is a 200 that must not contain the SOUTH record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient

from exclusion.models import Flag
from exclusion.registry.models import JobKind, JobStatus, RegistryJob
from exclusion.summaries.services import summary_recompute_chunk
from patients.models import SiteMembership
from tests.clients import token_client
from tests.database import built_once
from tests.factories import case, contract_example, make_episode, make_site, make_treatment, make_user

ROLES = ["clinician", "reviewer", "site_admin", "api_client", "api_client_write"]
READ = dict.fromkeys(ROLES, 200)


def write(ok: int) -> dict[str, int]:
    return {"clinician": ok, "reviewer": 403, "site_admin": ok, "api_client": 403, "api_client_write": ok}


# Registry exports are a site administrator's; a job is seen by its creator and the site's administrators,
# so a job of someone else does not exist for the other roles (404, never 403).
ADMIN_ONLY = {
    "clinician": 403,
    "reviewer": 403,
    "site_admin": 202,
    "api_client": 403,
    "api_client_write": 403,
}


def admin_sees(ok: int) -> dict[str, int]:
    return {role: ok if role == "site_admin" else 404 for role in ROLES}


REVIEW_ONLY = {
    "clinician": 403,
    "reviewer": 200,
    "site_admin": 403,
    "api_client": 403,
    "api_client_write": 403,
}
SCOPED_LIST = "200, without the other site's record"


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[Any], str]  # target -> url
    own: dict[str, int]
    other: int | str
    body: Callable[[Any], dict] | None = None  # target -> body
    anonymous: int = 401
    multipart: bool = False  # the body is a form with files (an upload), not JSON


def treatment_body(target: Any) -> dict[str, Any]:
    return {"drug_class": "nsaid", "drug": "ibuprofen", "started_on": "2024-05-10"}


def upload() -> SimpleUploadedFile:
    line = json.dumps({"record_number": "IMP-1", "case": contract_example()})
    return SimpleUploadedFile("cohort.jsonl", (line + "\n").encode())


def unifocal_case() -> dict[str, Any]:
    # One tibia lesion: the engine recommends a biopsy, so the review queue opens a flag.
    return case(lesions=[{"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}])


ENDPOINTS = [
    Endpoint("list patients", "GET", lambda t: "/api/v1/patients/", READ, SCOPED_LIST),
    Endpoint(
        "create patient",
        "POST",
        lambda t: "/api/v1/patients/",
        write(201),
        404,
        body=lambda t: {"site": t.site.code, "record_number": "NEW-1", "sex": "female"},
    ),
    Endpoint("read patient", "GET", lambda t: f"/api/v1/patients/{t.patient.id}/", READ, 404),
    Endpoint(
        "update patient",
        "PATCH",
        lambda t: f"/api/v1/patients/{t.patient.id}/",
        write(200),
        404,
        body=lambda t: {"record_number": "RENAMED-1"},
    ),
    Endpoint("list episodes", "GET", lambda t: f"/api/v1/patients/{t.patient.id}/episodes/", READ, 404),
    Endpoint(
        "create episode",
        "POST",
        lambda t: f"/api/v1/patients/{t.patient.id}/episodes/",
        write(201),
        404,
        body=lambda t: {"episode": contract_example()["episode"]},
    ),
    Endpoint("read episode", "GET", lambda t: f"/api/v1/episodes/{t.episode.id}/", READ, 404),
    Endpoint(
        "update episode",
        "PUT",
        lambda t: f"/api/v1/episodes/{t.episode.id}/",
        write(200),
        404,
        body=lambda t: {"version": t.episode.version, "episode": contract_example()["episode"]},
    ),
    Endpoint("episode as case", "GET", lambda t: f"/api/v1/episodes/{t.episode.id}/case/", READ, 404),
    Endpoint(
        "episode assessment", "GET", lambda t: f"/api/v1/episodes/{t.episode.id}/assessment/", READ, 404
    ),
    Endpoint(
        "import case",
        "POST",
        lambda t: "/api/v1/cases/",
        write(201),
        404,
        body=lambda t: {"site": t.site.code, "record_number": "NEW-2", "case": contract_example()},
    ),
    Endpoint("list treatments", "GET", lambda t: f"/api/v1/patients/{t.patient.id}/treatments/", READ, 404),
    Endpoint(
        "create treatment",
        "POST",
        lambda t: f"/api/v1/patients/{t.patient.id}/treatments/",
        write(201),
        404,
        body=treatment_body,
    ),
    Endpoint("read treatment", "GET", lambda t: f"/api/v1/treatments/{t.treatment.id}/", READ, 404),
    Endpoint(
        "update treatment",
        "PUT",
        lambda t: f"/api/v1/treatments/{t.treatment.id}/",
        write(200),
        404,
        body=lambda t: {**treatment_body(t), "version": t.treatment.version},
    ),
    Endpoint(
        "delete treatment", "DELETE", lambda t: f"/api/v1/treatments/{t.treatment.id}/", write(204), 404
    ),
    Endpoint("patient summary", "GET", lambda t: f"/api/v1/patients/{t.patient.id}/summary/", READ, 404),
    Endpoint("list summaries", "GET", lambda t: "/api/v1/summaries/", READ, SCOPED_LIST),
    Endpoint("rule catalogue", "GET", lambda t: "/api/v1/rules/", READ, 200),
    Endpoint("list flags", "GET", lambda t: "/api/v1/flags/", READ, SCOPED_LIST),
    Endpoint("read flag", "GET", lambda t: f"/api/v1/flags/{t.flag.id}/", READ, 404),
    Endpoint(
        "decide flag",
        "POST",
        lambda t: f"/api/v1/flags/{t.flag.id}/decision/",
        REVIEW_ONLY,
        404,
        body=lambda t: {"decision": "biopsy_ordered"},
    ),
    # Registry jobs (exports and imports of a site's records). Lists show only the jobs the user may see.
    Endpoint("list exports", "GET", lambda t: "/api/v1/exports/", READ, 200),
    Endpoint(
        "start export",
        "POST",
        lambda t: "/api/v1/exports/",
        ADMIN_ONLY,
        404,
        body=lambda t: {"site": t.site.code, "deidentify": True},
    ),
    Endpoint("read export", "GET", lambda t: f"/api/v1/exports/{t.export.id}/", admin_sees(200), 404),
    Endpoint(
        "download export", "GET", lambda t: f"/api/v1/exports/{t.export.id}/download/", admin_sees(200), 404
    ),
    Endpoint("delete export", "DELETE", lambda t: f"/api/v1/exports/{t.export.id}/", admin_sees(204), 404),
    Endpoint("list imports", "GET", lambda t: "/api/v1/imports/", READ, 200),
    Endpoint(
        "start import",
        "POST",
        lambda t: "/api/v1/imports/",
        write(202),
        404,
        body=lambda t: {"site": t.site.code, "dry_run": "true", "file": upload()},
        multipart=True,
    ),
    Endpoint("read import", "GET", lambda t: f"/api/v1/imports/{t.import_job.id}/", admin_sees(200), 404),
    Endpoint("schema", "GET", lambda t: "/api/v1/schema/", READ, 200, anonymous=200),
    Endpoint("docs", "GET", lambda t: "/api/v1/docs/", READ, 200, anonymous=200),
    # FHIR R4 (issue 15): the same tokens and scoping; metadata is public (no patient data in it).
    Endpoint("fhir metadata", "GET", lambda t: "/fhir/r4/metadata", READ, 200, anonymous=200),
    Endpoint("fhir read patient", "GET", lambda t: f"/fhir/r4/Patient/{t.patient.id}", READ, 404),
    Endpoint(
        "fhir patient everything", "GET", lambda t: f"/fhir/r4/Patient/{t.patient.id}/$everything", READ, 404
    ),
    Endpoint("fhir read codesystem", "GET", lambda t: "/fhir/r4/CodeSystem/cno-differential", READ, 200),
    # CDS Hooks (issue 15): discovery is public; the service and its feedback take a registered CDS client's
    # signed JWT only, so no API token of any role gets in (401, as for anyone without a valid JWT).
    Endpoint("cds discovery", "GET", lambda t: "/cds-services", READ, 200, anonymous=200),
    Endpoint(
        "cds service",
        "POST",
        lambda t: "/cds-services/cno-exclusion",
        dict.fromkeys(ROLES, 401),
        401,
        body=lambda t: {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p"}},
    ),
    Endpoint(
        "cds feedback",
        "POST",
        lambda t: "/cds-services/cno-exclusion/feedback",
        dict.fromkeys(ROLES, 401),
        401,
        body=lambda t: {"feedback": []},
    ),
    # $cno-assess assesses the posted Bundle and stores nothing: any role at a site may call it.
    Endpoint(
        "fhir cno-assess",
        "POST",
        lambda t: "/fhir/r4/$cno-assess",
        READ,
        200,
        body=lambda t: {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": {"resourceType": "Patient", "gender": "female"}}],
        },
    ),
]


def _cells() -> list[Any]:
    cells = []
    for endpoint in ENDPOINTS:
        for role in ROLES:
            for where in ("own", "other"):
                expected = endpoint.own[role] if where == "own" else endpoint.other
                cells.append(
                    pytest.param(endpoint, role, where, expected, id=f"{endpoint.name}|{role}|{where}")
                )
    return cells


def registry_jobs(site: Any) -> tuple[RegistryJob, RegistryJob]:
    """A done export (with its zip) of the site's administrator and an import of one of its clinicians."""
    admin = make_user(site, "site_admin", f"{site.code.lower()}-registry-admin")
    clinician = make_user(site, "clinician", f"{site.code.lower()}-registry-clinician")
    export = RegistryJob.objects.create(
        kind=JobKind.EXPORT, site=site, created_by=admin, status=JobStatus.DONE, total=1, done=1
    )
    export.output.save(f"{site.code}-job{export.pk}.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    imported = RegistryJob.objects.create(
        kind=JobKind.IMPORT, site=site, created_by=clinician, status=JobStatus.DONE, source_name="a.jsonl"
    )
    return export, imported


def build_world() -> SimpleNamespace:
    north, south = make_site("NORTH"), make_site("SOUTH")
    targets = {}
    for where, site, number in (("own", north, "N-1"), ("other", south, "S-1")):
        episode = make_episode(site, number, unifocal_case())
        export, import_job = registry_jobs(site)
        targets[where] = SimpleNamespace(
            site=site,
            patient=episode.patient,
            episode=episode,
            flag=Flag.objects.get(episode=episode),
            treatment=make_treatment(episode.patient),
            export=export,
            import_job=import_job,
        )
    summary_recompute_chunk(patient_ids=[target.patient.id for target in targets.values()])
    return SimpleNamespace(north=north, south=south, **targets)


@pytest.fixture(scope="module")
def world_rows(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """The matrix's two sites and their records, built once for the ~500 cells (each cell's own writes
    are rolled back at its end); registry files in the module's own directory."""
    with override_settings(REGISTRY_DIR=tmp_path_factory.mktemp("registry")):
        yield from built_once(django_db_blocker, build_world)


@pytest.fixture
def world(world_rows, db) -> SimpleNamespace:
    return world_rows


def _user(world: SimpleNamespace, role: str) -> Any:
    user = make_user(world.north, "api_client" if role == "api_client_write" else role)
    if role == "api_client_write":
        SiteMembership.objects.filter(user=user).update(api_write=True)
    return user


def _request(client: APIClient, endpoint: Endpoint, target: Any) -> Any:
    body = endpoint.body(target) if endpoint.body else None
    if endpoint.multipart:
        return client.generic(
            endpoint.method,
            endpoint.url(target),
            data=encode_multipart(BOUNDARY, body or {}),
            content_type=MULTIPART_CONTENT,
        )
    return client.generic(
        endpoint.method,
        endpoint.url(target),
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )


@pytest.mark.parametrize(("endpoint", "role", "where", "expected"), _cells())
def test_permission_matrix_cell(world, endpoint, role, where, expected):
    target = getattr(world, where)
    response = _request(token_client(_user(world, role)), endpoint, target)
    if expected == SCOPED_LIST:
        assert response.status_code == 200
        key = "patient_id" if "summar" in endpoint.name else "id"
        ids = {row[key] for row in response.json()["results"]}
        own_id = world.own.flag.id if "flag" in endpoint.name else world.own.patient.id
        other_id = world.other.flag.id if "flag" in endpoint.name else world.other.patient.id
        assert own_id in ids and other_id not in ids
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix_anonymous(world, endpoint):
    response = _request(APIClient(), endpoint, world.own)
    assert response.status_code == endpoint.anonymous
    if endpoint.anonymous == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


# Writes some role may not make (a POST that stores nothing, like $cno-assess, refuses no role).
REFUSABLE_WRITES = [e for e in ENDPOINTS if e.method != "GET" and 403 in e.own.values()]


@pytest.mark.parametrize("endpoint", REFUSABLE_WRITES, ids=lambda e: e.name)
def test_refused_writes_change_nothing(world, endpoint):
    """A 403 or 404 write leaves the records as they were (no half-saved patient, episode, treatment,
    decision or registry job)."""
    from patients.models import Episode, Patient, Treatment

    def state() -> tuple[Any, ...]:
        treatments = Treatment.objects.order_by("pk").values_list("pk", "version", "drug")
        jobs = RegistryJob.objects.count()
        return (
            Patient.objects.count(),
            Episode.objects.count(),
            world.own.episode.version,
            [*treatments],
            jobs,
        )

    before = state()
    refused_here = next(role for role in ROLES if endpoint.own[role] == 403)
    allowed_here = next(role for role in ROLES if endpoint.own[role] < 300)
    for where, role in (("own", refused_here), ("other", allowed_here)):
        response = _request(token_client(_user(world, role)), endpoint, getattr(world, where))
        assert response.status_code in (403, 404)
    world.own.episode.refresh_from_db()
    assert state() == before
    assert set(Flag.objects.values_list("status", flat=True)) == {"open"}


def test_session_authentication_follows_the_same_rules(world):
    """The browser's session works on the API too, with the same scoping."""
    user = _user(world, "clinician")
    client = APIClient()
    client.force_login(user)
    assert client.get(f"/api/v1/patients/{world.own.patient.id}/").status_code == 200
    assert client.get(f"/api/v1/patients/{world.other.patient.id}/").status_code == 404


# A token acts only at its site: a NORTH token of a user who is a clinician at SOUTH too gets, for every
# endpoint, exactly the "other" cell of a NORTH-only user.
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_north_token_of_a_user_also_at_south_gets_the_other_cell(world, endpoint):
    user = _user(world, "clinician")
    SiteMembership.objects.create(user=user, site=world.south, role="clinician")
    response = _request(token_client(user, world.north), endpoint, world.other)
    if endpoint.other == SCOPED_LIST:
        assert response.status_code == 200
        key = "patient_id" if "summar" in endpoint.name else "id"
        other_id = world.other.flag.id if "flag" in endpoint.name else world.other.patient.id
        assert other_id not in {row[key] for row in response.json()["results"]}
    else:
        assert response.status_code == endpoint.other, response.content[:300]


# Site-admin rows, in the browser's session: a NORTH site admin against a NORTH target ("own") and a
# SOUTH-only one ("other"); anonymous visitors are sent to a login page. `done` says whether the request took
# effect: a refused one changes nothing and shows no token.
@dataclass(frozen=True)
class AdminRow:
    name: str
    method: str
    url: Callable[[Any], str]  # target -> url
    body: Callable[[Any], dict] | None
    own: int
    other: int
    done: Callable[[Any, Any], bool]  # (target, response) -> took effect


def _shows_token(target: Any, response: Any) -> bool:
    return "cno_" in response.content.decode()


def _role_now(target: Any, response: Any) -> bool:
    return SiteMembership.objects.get(pk=target.membership.pk).role == "reviewer"


def _member_of_north(target: Any, response: Any) -> bool:
    return SiteMembership.objects.filter(user=target.outsider, site__code="NORTH").exists()


ADMIN_ROWS = [
    AdminRow(
        "membership list",
        "GET",
        lambda t: "/admin/patients/sitemembership/",
        None,
        200,
        200,
        lambda t, r: t.membership.user.username in r.content.decode(),
    ),
    AdminRow(
        "membership change",
        "POST",
        lambda t: f"/admin/patients/sitemembership/{t.membership.pk}/change/",
        lambda t: {"user": t.membership.user_id, "site": t.membership.site_id, "role": "reviewer"},
        302,
        302,  # to the admin index: "doesn't exist"
        _role_now,
    ),
    AdminRow(
        "membership add to NORTH",
        "POST",
        lambda t: "/admin/patients/sitemembership/add/",
        lambda t: {"user": t.outsider.pk, "site": t.north_id, "role": "reviewer"},
        302,
        200,  # the form again, with the user refused
        _member_of_north,
    ),
    AdminRow(
        "token page mint",
        "POST",
        lambda t: "/tokens/",
        lambda t: {"site": t.membership.site_id, "user": t.membership.user_id, "name": "matrix"},
        200,
        400,
        _shows_token,
    ),
    AdminRow(
        "token admin mint",
        "POST",
        lambda t: "/admin/patients/apitoken/add/",
        lambda t: {"site": t.membership.site_id, "user": t.membership.user_id, "name": "matrix"},
        200,
        200,  # the form again, with the user refused
        _shows_token,
    ),
]


@pytest.fixture
def admin_world(world) -> SimpleNamespace:
    from django.test import Client

    admin = make_user(world.north, "site_admin", "north-admin", is_staff=True)
    browser = Client()
    browser.force_login(admin)
    targets = {}
    for where, site, name in (
        ("own", world.north, "north-registry"),
        ("other", world.south, "south-registry"),
    ):
        user = make_user(site, "api_client", name)
        targets[where] = SimpleNamespace(
            membership=SiteMembership.objects.get(user=user),
            # Someone not yet at NORTH: for "own" a user of EAST (which the admin also administers, below),
            # for "other" a user of SOUTH only.
            outsider=make_user(None if where == "own" else site, "api_client", f"{name}-new"),
            north_id=world.north.id,
        )
    east = make_site("EAST")
    SiteMembership.objects.create(user=targets["own"].outsider, site=east, role="api_client")
    SiteMembership.objects.create(user=admin, site=east, role="site_admin")
    return SimpleNamespace(browser=browser, **targets)


@pytest.mark.parametrize(
    ("row", "where"),
    [
        pytest.param(row, where, id=f"{row.name}|site_admin|{where}")
        for row in ADMIN_ROWS
        for where in ("own", "other")
    ],
)
def test_site_admin_matrix_cell(admin_world, row, where):
    target = getattr(admin_world, where)
    body = row.body(target) if row.body else None
    if row.method == "GET":
        response = admin_world.browser.get(row.url(target))
    else:
        response = admin_world.browser.post(row.url(target), body)
    assert response.status_code == (row.own if where == "own" else row.other), response.content[:300]
    assert row.done(target, response) == (where == "own")


@pytest.mark.parametrize("row", ADMIN_ROWS, ids=lambda r: f"{r.name}|anonymous")
def test_site_admin_matrix_anonymous(admin_world, row):
    from django.test import Client

    target = admin_world.own
    anonymous = Client()
    if row.method == "GET":
        response = anonymous.get(row.url(target))
    else:
        response = anonymous.post(row.url(target), row.body(target) if row.body else None)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not row.done(target, response) or row.method == "GET"
