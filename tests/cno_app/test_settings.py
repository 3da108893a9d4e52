"""Settings are parsed strictly: a bad value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cno_app.env import (
    env_bool,
    env_origins,
    env_rate,
    env_time_zone,
    parse_broker_url,
    parse_database_url,
)

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A clean environment: the test run's own variables (DEBUG, the async-unsafe switch for Playwright)
    # must not leak into a check of production-like settings.
    dropped = {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_a_malformed_database_url_is_a_clear_startup_error():
    result = run_manage("check", DATABASE_URL="postgres//no-scheme-separator", DEBUG="1")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "malformed" in result.stderr or "unsupported" in result.stderr


def test_database_url_errors_name_the_problem_and_hide_the_password():
    with pytest.raises(ImproperlyConfigured, match="unsupported") as excinfo:
        parse_database_url("mysql://user:s3cret@db/cno", Path("/tmp/x.sqlite3"))
    assert "s3cret" not in str(excinfo.value)
    with pytest.raises(ImproperlyConfigured, match="no database name"):
        parse_database_url("postgres://user@db:5432/", Path("/tmp/x.sqlite3"))


def test_without_database_url_the_app_uses_an_sqlite_file():
    config = parse_database_url(None, Path("/tmp/cno-test.sqlite3"))
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/cno-test.sqlite3"}


def test_a_postgres_url_is_parsed_into_its_parts():
    config = parse_database_url("postgres://cno@127.0.0.1:5432/cno", Path("/unused"))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == (
        "cno",
        "127.0.0.1",
        5432,
        "cno",
    )


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_a_boolean_variable_rejects_words_it_does_not_know(value):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False, {"DEBUG": value})


def test_boolean_variables_accept_the_usual_spellings():
    assert env_bool("DEBUG", False, {"DEBUG": "Yes"}) is True
    assert env_bool("DEBUG", True, {"DEBUG": "0"}) is False
    assert env_bool("DEBUG", True, {}) is True


def test_origins_and_time_zone_and_broker_are_checked():
    with pytest.raises(ImproperlyConfigured, match="CSRF_TRUSTED_ORIGINS"):
        env_origins("CSRF_TRUSTED_ORIGINS", {"CSRF_TRUSTED_ORIGINS": "cno.example.org"})
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE"):
        env_time_zone("TIME_ZONE", "UTC", {"TIME_ZONE": "Mars/Olympus"})
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
        parse_broker_url("http://127.0.0.1:6379/0")
    assert parse_broker_url("") is None


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_check_deploy_passes_with_production_like_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="cno.example.org",
        CSRF_TRUSTED_ORIGINS="https://cno.example.org",
        DATABASE_URL="postgres://cno@127.0.0.1:5432/cno",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        TIME_ZONE="Europe/London",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("value", ["600", "600/minutes", "0/minute", "lots/hour"])
def test_an_api_rate_must_be_a_positive_count_per_period(value):
    with pytest.raises(ImproperlyConfigured, match="API_RATE_PER_TOKEN"):
        env_rate("API_RATE_PER_TOKEN", "600/minute", {"API_RATE_PER_TOKEN": value})
    assert env_rate("API_RATE_PER_TOKEN", "600/minute", {}) == "600/minute"
