"""Shared fixtures of this part of the suite: API clients with tokens, fresh throttle counts."""

from tests.clients import as_user, fresh_throttle_counts  # noqa: F401
