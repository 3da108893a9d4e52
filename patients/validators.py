"""Validators shared by the model, the browser forms and the API serializers, so every door that stores a
value refuses the same values with the same message."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The case contract's age range ends at 120 years (exclusion.engine.schema.AGE_RANGE); a birth date
# must not make a patient older than that.
MAX_AGE_YEARS = 120


def age_in_years(birth_date: datetime.date, on: datetime.date) -> int:
    """Completed years between `birth_date` and `on`."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def birth_date_problem(birth_date: datetime.date | None, today: datetime.date | None = None) -> str | None:
    """Why `birth_date` cannot be stored (in the future, or an age over 120 years), or None."""
    if birth_date is None:
        return None
    today = today or datetime.date.today()
    if birth_date > today:
        return _("The birth date is in the future.")
    if age_in_years(birth_date, today) > MAX_AGE_YEARS:
        return _("The birth date makes the patient older than %(years)s years; check the year.") % {
            "years": MAX_AGE_YEARS
        }
    return None


def validate_birth_date(birth_date: datetime.date | None) -> None:
    """Django-style validator (forms, models and DRF fields all accept it)."""
    problem = birth_date_problem(birth_date)
    if problem:
        raise ValidationError(problem, code="birth_date")
