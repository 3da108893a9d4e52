"""Services of the exclusion app: evaluating episodes with the rule engine."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from exclusion import engine
from exclusion.models import Assessment
from patients.casedoc import episode_to_case
from patients.models import Episode


def case_hash(doc: dict[str, Any]) -> str:
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def episode_evaluate(*, episode: Episode) -> Assessment:
    """Assess the episode; store a new record only when its input or the ruleset changed."""
    doc = episode_to_case(episode)
    digest = case_hash(doc)
    latest = Assessment.objects.filter(episode=episode).order_by("-id").first()
    if latest is not None and latest.ruleset == engine.RULESET_VERSION and latest.input_hash == digest:
        return latest
    result = engine.assess(doc)
    return Assessment.objects.create(
        episode=episode,
        ruleset=result["ruleset"],
        input_hash=digest,
        case=doc,
        result=result,
        biopsy_recommended=result["biopsy"]["recommended"],
        exclusion_complete=result["exclusion_complete"],
        bristol_status=result["bristol"]["status"],
        focality=result["focality"],
    )
