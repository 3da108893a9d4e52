"""CNO/CRMO exclusion engine: pure Python, no Django (see shared/contract/case-v1.md).

Public API: RULESET_VERSION, CaseValidationError, validate_case, assess, explain, rule_catalogue,
canonical_case.
"""

from .assess import RULESET_VERSION, assess
from .canonical import canonical_case
from .explain import explain
from .rules import rule_catalogue
from .validation import CaseValidationError, validate_case

__all__ = [
    "RULESET_VERSION",
    "CaseValidationError",
    "assess",
    "canonical_case",
    "explain",
    "rule_catalogue",
    "validate_case",
]
