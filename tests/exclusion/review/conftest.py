"""The review-queue tests' fixtures (built in tests/exclusion/review/cases.py)."""

import pytest

from exclusion.models import Flag
from tests.exclusion.review.cases import flagged_episode, reviewer, south_reviewer  # noqa: F401


@pytest.fixture
def flag(flagged_episode):  # noqa: F811 - the fixture imported above
    return Flag.objects.get(episode=flagged_episode)
