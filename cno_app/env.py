"""Strict parsing of the environment variables that configure the app.

A bad value stops start-up with a message naming the variable: a silent default
would hide a misconfigured deployment.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
DATABASE_ENGINES = {
    "django.db.backends.postgresql": "postgres",
    "django.db.backends.sqlite3": "sqlite",
}


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}, got {raw!r}.")


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but empty; give a comma-separated list.")
    return items


def env_origins(name: str, environ: Mapping[str, str] = os.environ) -> list[str]:
    origins = env_list(name, [], environ)
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin such as https://cno.example.org."
            )
    return origins


def env_time_zone(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    value = environ.get(name) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}: {value!r} is not a known IANA time zone.") from exc
    return value


def _redacted(url: str) -> str:
    """The URL without its password, safe to put in an error message."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def parse_database_url(url: str | None, default_sqlite: Path) -> dict:
    """DATABASES['default'] from DATABASE_URL; an SQLite file when it is unset."""
    if url is None or url.strip() == "":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    try:
        config = dj_database_url.parse(url.strip(), conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL {_redacted(url)!r} is malformed: {exc}. "
            "Expected postgres://USER@HOST:PORT/NAME or sqlite:///PATH."
        ) from exc
    engine = config.get("ENGINE")
    if engine not in DATABASE_ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL {_redacted(url)!r} names an unsupported database; use postgres:// or sqlite:///."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL {_redacted(url)!r} has no database name.")
    if engine.endswith("sqlite3"):
        config.pop("CONN_MAX_AGE", None)
        config.pop("CONN_HEALTH_CHECKS", None)
    return config


def parse_broker_url(url: str | None) -> str | None:
    if url is None or url.strip() == "":
        return None
    scheme = urlsplit(url.strip()).scheme
    if scheme not in {"redis", "rediss", "amqp", "memory"}:
        raise ImproperlyConfigured(
            f"CELERY_BROKER_URL {_redacted(url)!r} has scheme {scheme!r}; expected redis://HOST:PORT/DB."
        )
    return url.strip()


RATE_PERIODS = {"second", "minute", "hour", "day"}


def env_rate(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    """A throttle rate such as 600/minute (DRF's format), checked at start-up, not at the first request."""
    value = (environ.get(name) or default).strip()
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in RATE_PERIODS:
        raise ImproperlyConfigured(
            f"{name} must look like 600/minute (a positive count per second, minute, hour or day), "
            f"got {value!r}."
        )
    return value


def env_positive_int(name: str, default: int, environ: Mapping[str, str] = os.environ) -> int:
    """A whole number of at least 1 (a limit, a number of minutes), checked at start-up."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, got {raw!r}.")
    return int(value)


def parse_cache_url(url: str | None) -> dict:
    """CACHES['default'] from CACHE_URL: Redis, shared by every process, or process-local memory when unset.

    Throttle counts and the like need the shared one as soon as more than one process serves requests.
    """
    if url is None or url.strip() in {"", "locmem://"}:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cno"}
    value = url.strip()
    scheme = urlsplit(value).scheme
    if scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(
            f"CACHE_URL {_redacted(value)!r} has scheme {scheme!r}; expected redis://HOST:PORT/DB "
            "(or leave it unset for a cache in each process's memory)."
        )
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value, "KEY_PREFIX": "cno"}


LOCKOUT_PARAMETERS = {"username", "ip_address", "user_agent"}


def env_lockout_parameters(
    name: str, default: str, environ: Mapping[str, str] = os.environ
) -> list[str | list[str]]:
    """django-axes' AXES_LOCKOUT_PARAMETERS: comma-separated alternatives, each one parameter or several
    joined by "+" (all of them together), e.g. "username+ip_address" or "username,ip_address"."""
    value = (environ.get(name) or default).strip()
    result: list[str | list[str]] = []
    for alternative in value.split(","):
        parts = [part.strip() for part in alternative.split("+") if part.strip()]
        unknown = [part for part in parts if part not in LOCKOUT_PARAMETERS]
        if not parts or unknown:
            raise ImproperlyConfigured(
                f"{name} must list {sorted(LOCKOUT_PARAMETERS)} joined by '+' (together) or ',' (either), "
                f"got {value!r}."
            )
        result.append(parts[0] if len(parts) == 1 else parts)
    return result
