"""The accounts settings come from the environment, parsed strictly like the rest."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from cno_app.env import env_lockout_parameters, env_positive_int, parse_cache_url


def test_without_cache_url_each_process_keeps_its_own_cache():
    assert parse_cache_url(None)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_cache_url_gives_the_shared_redis_cache():
    config = parse_cache_url("redis://127.0.0.1:6379/1")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_a_cache_url_of_another_kind_is_a_clear_error_without_its_password():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL") as excinfo:
        parse_cache_url("memcached://user:s3cret@cache:11211")
    assert "s3cret" not in str(excinfo.value)


def test_lockout_parameters_read_plus_as_together_and_comma_as_either():
    assert env_lockout_parameters("LOGIN_LOCKOUT_BY", "username+ip_address", {}) == [
        ["username", "ip_address"]
    ]
    by_either = env_lockout_parameters("LOGIN_LOCKOUT_BY", "", {"LOGIN_LOCKOUT_BY": "username, ip_address"})
    assert by_either == ["username", "ip_address"]
    with pytest.raises(ImproperlyConfigured, match="LOGIN_LOCKOUT_BY"):
        env_lockout_parameters("LOGIN_LOCKOUT_BY", "", {"LOGIN_LOCKOUT_BY": "username+cookie"})


@pytest.mark.parametrize("value", ["0", "-3", "ten", "1.5"])
def test_limits_and_minutes_are_whole_numbers_of_at_least_one(value):
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES"):
        env_positive_int("SESSION_IDLE_MINUTES", 30, {"SESSION_IDLE_MINUTES": value})
    assert env_positive_int("SESSION_IDLE_MINUTES", 30, {}) == 30


def test_the_default_settings_lock_after_ten_failures_for_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
