"""Storing assessments: the engine's result for an episode, kept when its input or the ruleset changed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from exclusion.assessments.models import Assessment
from patients.models import Episode


def case_hash(doc: dict[str, Any]) -> str:
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def assessment_store(*, episode: Episode, case: dict[str, Any], result: dict[str, Any]) -> Assessment:
    """The episode's assessment of `case`: the latest one when neither the input nor the ruleset changed,
    else a new record (the history of assessments is kept)."""
    digest = case_hash(case)
    latest = Assessment.objects.filter(episode=episode).order_by("-id").first()
    if latest is not None and latest.ruleset == result["ruleset"] and latest.input_hash == digest:
        return latest
    return Assessment.objects.create(
        episode=episode,
        ruleset=result["ruleset"],
        input_hash=digest,
        case=case,
        result=result,
        biopsy_recommended=result["biopsy"]["recommended"],
        exclusion_complete=result["exclusion_complete"],
        bristol_status=result["bristol"]["status"],
        focality=result["focality"],
    )
