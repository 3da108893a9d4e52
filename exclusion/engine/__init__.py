"""CNO/CRMO exclusion engine: pure Python, no Django (see the cno-case/1 contract).

Public API: RULESET_VERSION, CaseValidationError, validate_case, assess, assess_valid, explain,
rule_catalogue, canonical_case; the codes and labels of the assessment are in ``vocabulary``.
"""

from . import vocabulary
from .assess import RULESET_VERSION, assess, assess_valid
from .canonical import canonical_case
from .explain import explain
from .rules import rule_catalogue
from .validation import CaseValidationError, validate_case

__all__ = [
    "RULESET_VERSION",
    "CaseValidationError",
    "assess",
    "assess_valid",
    "canonical_case",
    "explain",
    "rule_catalogue",
    "validate_case",
    "vocabulary",
]
