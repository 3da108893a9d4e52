"""The review-queue tests' fixtures (built in tests/exclusion/review/cases.py)."""

from tests.exclusion.review.cases import flagged_episode, reviewer, south_reviewer  # noqa: F401
