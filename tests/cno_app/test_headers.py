"""Security headers: a strict Content-Security-Policy, a Permissions-Policy, no caching of patient data, and a
forwarded-protocol header believed only behind the TLS proxy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_episode, make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pages(north):
    """Every kind of HTML page a clinician, a reviewer and a site admin open, with the user who opens it."""
    episode = make_episode(north)
    clinician = make_user(north, "clinician")
    reviewer = make_user(north, "reviewer")
    admin = make_user(north, "site_admin")
    return {
        "patient list": (clinician, reverse("patients:list")),
        "patient page": (clinician, reverse("patients:patient_detail", args=[episode.patient_id])),
        "episode page": (clinician, reverse("patients:episode_detail", args=[episode.pk])),
        "episode form": (clinician, reverse("patients:episode_edit", args=[episode.pk])),
        "new patient form": (clinician, reverse("patients:patient_create")),
        "review queue": (reviewer, reverse("review:queue")),
        "rules page": (clinician, reverse("patients:rules")),
        "tokens page": (admin, reverse("tokens:list")),
        "login": (None, reverse("login")),
    }


PAGE_NAMES = [
    "patient list",
    "patient page",
    "episode page",
    "episode form",
    "new patient form",
    "review queue",
    "rules page",
    "tokens page",
    "login",
]


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_carries_a_strict_policy_and_is_not_stored(client, pages, name):
    user, url = pages[name]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, name
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    found = directives(response)
    assert found["script-src"] == "script-src 'self'"
    assert found["style-src"] == "style-src 'self'"
    assert found["object-src"] == "object-src 'none'"
    assert found["frame-ancestors"] == "frame-ancestors 'none'"
    assert "no-store" in response.headers["Cache-Control"]
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_api_answers_with_patient_data_are_not_stored(north, as_user):
    episode = make_episode(north)
    client = as_user(make_user(north, "clinician"))
    for url in (
        reverse("api-patient", args=[episode.patient_id]),
        reverse("api-episode", args=[episode.pk]),
        reverse("api-patients"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
        assert "geolocation=()" in response.headers["Permissions-Policy"], url


def test_refusals_are_not_stored_either(client, north):
    response = client.get(reverse("api-patients"))
    assert response.status_code == 401
    assert "no-store" in response.headers["Cache-Control"]


def test_the_published_json_schemas_keep_their_public_cache_header(client, db):
    response = client.get(reverse("api-schema-case"))
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]


def test_the_api_docs_page_has_no_inline_script_or_style(client, north):
    client.force_login(make_user(north, "clinician"))
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert "<script>" not in html  # every script has a src
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_forwarded_protocol_is_believed_only_behind_the_trusted_proxy(settings, client, db):
    # Without TRUSTED_PROXY (the default) a client's own X-Forwarded-Proto does not make a request secure.
    assert settings.SECURE_PROXY_SSL_HEADER is None
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # what TRUSTED_PROXY=1 sets
    assert client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"}).status_code == 200


def test_the_health_check_answers_over_plain_http_even_with_the_ssl_redirect(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A clean environment: the test run's own variables must not leak into production-like settings.
    dropped = {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


PRODUCTION_LIKE = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "cno.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://cno.example.org",
    "DATABASE_URL": "postgres://cno@127.0.0.1:5432/cno",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "TRUSTED_PROXY": "1",
}


def test_check_deploy_is_clean_behind_the_trusted_proxy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_LIKE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_trusted_proxy_switches_on_the_forwarded_protocol_header():
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    behind = manage("shell", "-c", code, **PRODUCTION_LIKE)
    assert behind.stdout.splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')", behind.stderr
    alone = manage("shell", "-c", code, **{**PRODUCTION_LIKE, "TRUSTED_PROXY": "0"})
    assert alone.stdout.splitlines()[-1] == "None", alone.stderr
