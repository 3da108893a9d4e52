"""CDS Hooks services: answer a `patient-view` call with cards, and store the feedback on them.

A call reads only what it carries (`context` and `prefetch`; nothing is fetched from the EHR) and the
records of the calling client's site. A patient is known when the prefetched Patient carries a record
number of that site in the site's identifier system (selectors.py); then the cards reflect the latest
episode, with any prefetched lab dated after it taking the episode's value. Otherwise the prefetch alone is
assessed (mapping.py), which leaves unknown everything the EHR did not send.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from exclusion import engine
from exclusion.engine.validation import CaseValidationError
from exclusion.interop.cds_hooks import selectors
from exclusion.interop.cds_hooks.cards import CardContext, cards_for, override_systems
from exclusion.interop.cds_hooks.models import CdsCard, CdsClient, CdsFeedback, FeedbackOutcome
from exclusion.interop.fhir.mapping import case_from_fhir, observation_when
from exclusion.review.models import FlagEvent, FlagEventKind
from patients.casedoc import episode_to_case
from patients.models import Episode, Patient

logger = logging.getLogger("cno_app.cds_hooks")

SERVICE_ID = "cno-exclusion"
HOOK = "patient-view"
MAX_FEEDBACK_ITEMS = 100
MAX_COMMENT = 2000
MAX_WARNINGS_SHOWN = 5


class HookRequestError(Exception):
    """The request cannot be answered: a status (400 or 412) and what to put in the OperationOutcome."""

    def __init__(self, status: int, message: str, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.path = path


@dataclass
class HookCall:
    hook_instance: str
    patient_id: str
    patient: dict[str, Any] | None  # the prefetched Patient, if sent
    observations: list[dict[str, Any]] | None  # the prefetched lab Observations; None when not sent


def _absolute(path: str) -> str:
    # The public address (a proxy may hand us another host): the same base as the review emails' links.
    return settings.SITE_URL.rstrip("/") + path


def _required_string(body: dict[str, Any], key: str, path: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise HookRequestError(400, f"{path} is required (a non-empty string).", path)
    return value


def _observations_of(labs: Any) -> list[dict[str, Any]] | None:
    if labs is None:
        return None
    if not isinstance(labs, dict) or labs.get("resourceType") != "Bundle":
        raise HookRequestError(400, "prefetch.labs must be a FHIR Bundle of Observations.", "prefetch.labs")
    entries = labs.get("entry") or []
    if not isinstance(entries, list):
        raise HookRequestError(400, "prefetch.labs.entry must be a list.", "prefetch.labs.entry")
    return [e["resource"] for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)]


def hook_call_read(body: Any) -> HookCall:
    """The parts of a CDS Hooks request this service uses, checked (HookRequestError 400 otherwise)."""
    if not isinstance(body, dict):
        raise HookRequestError(400, "The body must be a CDS Hooks request (a JSON object).")
    hook = _required_string(body, "hook", "hook")
    if hook != HOOK:
        raise HookRequestError(400, f"This service answers the {HOOK} hook, not {hook!r}.", "hook")
    instance = _required_string(body, "hookInstance", "hookInstance")
    context = body.get("context")
    if not isinstance(context, dict):
        raise HookRequestError(400, "context is required (a JSON object).", "context")
    patient_id = _required_string(context, "patientId", "context.patientId")
    prefetch = body.get("prefetch")
    if prefetch is None:
        prefetch = {}
    if not isinstance(prefetch, dict):
        raise HookRequestError(400, "prefetch must be a JSON object.", "prefetch")
    patient = prefetch.get("patient")
    if patient is not None:
        if not isinstance(patient, dict) or patient.get("resourceType") != "Patient":
            raise HookRequestError(400, "prefetch.patient must be a FHIR Patient.", "prefetch.patient")
        if patient.get("id") is not None and patient.get("id") != patient_id:
            raise HookRequestError(
                400, "prefetch.patient is not the Patient named by context.patientId.", "prefetch.patient.id"
            )
    return HookCall(
        hook_instance=instance,
        patient_id=patient_id,
        patient=patient,
        observations=_observations_of(prefetch.get("labs")),
    )


def _warnings_text(warnings: list[str]) -> str:
    if not warnings:
        return ""
    shown = "; ".join(warnings[:MAX_WARNINGS_SHOWN])
    more = len(warnings) - MAX_WARNINGS_SHOWN
    text = f" Not used from the EHR data: {shown}" + (f" (and {more} more)." if more > 0 else "")
    for char in ("\\", "*", "_", "[", "]", "`"):
        text = text.replace(char, "\\" + char)
    return text


def _merged_case(episode: Episode, call: HookCall) -> tuple[dict[str, Any], str]:
    """The episode's case with each prefetched analyte dated after the episode in place of its value."""
    base = episode_to_case(episode)
    on = episode.assessed_on.isoformat()
    newer = []
    for observation in call.observations or []:
        when = observation_when(observation) if isinstance(observation, dict) else None
        if when is not None and when.day > episode.assessed_on:
            newer.append(observation)
    if not newer:
        return base, f"_Assessed from the workbench's episode of {on}._"
    labs_case, warnings = case_from_fhir(call.patient, newer)
    merged = copy.deepcopy(base)
    taken = []
    for group in ("labs", "symptoms"):
        for key, value in (labs_case["episode"].get(group) or {}).items():
            merged["episode"].setdefault(group, {})[key] = value
            taken.append(key)
    if not taken:
        return base, f"_Assessed from the workbench's episode of {on}._{_warnings_text(warnings)}"
    merged["episode"]["assessed_on"] = max(labs_case["episode"]["assessed_on"], on)
    return merged, (
        f"_Assessed from the workbench's episode of {on} with newer EHR results "
        f"({', '.join(taken)}) up to {merged['episode']['assessed_on']}._{_warnings_text(warnings)}"
    )


def _assessment(case: dict[str, Any]) -> dict[str, Any]:
    try:
        return engine.assess(case)
    except CaseValidationError as exc:
        first = exc.errors[0] if exc.errors else {"path": "", "message": "invalid"}
        raise HookRequestError(
            400, f"The prefetched data do not make a valid case: {first['message']}", first["path"]
        ) from exc


def _episode_answer(episode: Episode, call: HookCall) -> tuple[dict[str, Any], str]:
    case, provenance = _merged_case(episode, call)
    try:
        return engine.assess(case), provenance
    except CaseValidationError:
        # Newer EHR values that the case format refuses: the record alone still answers.
        on = episode.assessed_on.isoformat()
        note = f"_Assessed from the workbench's episode of {on}; newer EHR results were not usable._"
        return _assessment(episode_to_case(episode)), note


def patient_view(*, client: CdsClient, call: HookCall) -> list[dict[str, Any]]:
    """The cards of a `patient-view` call, recorded (CdsCard) so feedback can find them.

    Raises HookRequestError 412 when nothing was prefetched (the service fetches nothing itself, and
    without a prefetched Patient no record of the site can be recognised).
    """
    site = client.site
    patient: Patient | None = selectors.patient_for_prefetch(site, call.patient)
    episode = selectors.latest_episode(patient) if patient is not None else None
    flag = None
    if episode is not None:
        result, provenance = _episode_answer(episode, call)
        link = (
            "Open the episode in the CNO workbench",
            reverse("patients:episode_detail", args=[episode.pk]),
        )
        flag = selectors.flag_of_episode(episode)
    elif call.patient is None and call.observations is None:
        raise HookRequestError(
            412,
            "Prefetch required: send prefetch.patient (and prefetch.labs) as the discovery document asks; "
            "this service fetches nothing from the EHR.",
            "prefetch",
        )
    else:
        case, warnings = case_from_fhir(call.patient, call.observations or [])
        result = _assessment(case)
        provenance = (
            "_Assessed from the EHR data sent with this call only (no imaging, examination or history): "
            f"everything not sent is unknown._{_warnings_text(warnings)}"
        )
        if patient is not None:
            link = (
                "Open the patient in the CNO workbench",
                reverse("patients:patient_detail", args=[patient.pk]),
            )
        else:
            link = ("The CNO exclusion rules", reverse("patients:rules"))
    ctx = CardContext(
        ruleset=result["ruleset"],
        source_url=_absolute(reverse("patients:rules")),
        link_label=link[0],
        link_url=_absolute(link[1]),
        provenance=provenance,
    )
    cards = cards_for(result, ctx)
    with transaction.atomic():
        for card in cards:
            concern = card.pop("concern")
            stored = CdsCard.objects.create(
                client=client,
                patient=patient,
                episode=episode,
                flag=flag,
                concern=concern,
                indicator=card["indicator"],
                summary=card["summary"],
                ruleset=result["ruleset"],
            )
            card["uuid"] = str(stored.uuid)
    return cards


# --- feedback ------------------------------------------------------------------------------------------
@dataclass
class FeedbackItem:
    card: CdsCard
    outcome: str
    override_reason: dict[str, Any]
    outcome_timestamp: datetime.datetime
    content_hash: str


class FeedbackError(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("invalid feedback")
        self.errors = errors


def _override_reason(value: Any, path: str, errors: list[dict[str, str]]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append({"path": path, "message": "overrideReason must be an object with a reason Coding."})
        return {}
    out: dict[str, Any] = {}
    reason = value.get("reason")
    if reason is not None:
        if not isinstance(reason, dict) or not isinstance(reason.get("code"), str):
            errors.append({"path": f"{path}.reason", "message": "reason must be a Coding with a code."})
            return {}
        system = reason.get("system")
        if system not in override_systems():
            errors.append(
                {"path": f"{path}.reason.system", "message": "not one of the card's override reasons."}
            )
            return {}
        out["reason"] = {
            "system": system,
            "code": reason["code"][:64],
            "display": str(reason.get("display") or "")[:200],
        }
    comment = value.get("userComment")
    if comment is not None:
        if not isinstance(comment, str):
            errors.append({"path": f"{path}.userComment", "message": "userComment must be a string."})
            return {}
        out["userComment"] = comment.replace("\x00", "")[:MAX_COMMENT]
    return out


def feedback_read(*, client: CdsClient, body: Any) -> list[FeedbackItem]:
    """The feedback items of a request, each on a card this client was sent (FeedbackError otherwise)."""
    items = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise FeedbackError([{"path": "feedback", "message": "feedback must be a non-empty list."}])
    if len(items) > MAX_FEEDBACK_ITEMS:
        raise FeedbackError(
            [{"path": "feedback", "message": f"at most {MAX_FEEDBACK_ITEMS} items per call."}]
        )
    errors: list[dict[str, str]] = []
    read: list[FeedbackItem] = []
    for index, item in enumerate(items):
        path = f"feedback[{index}]"
        if not isinstance(item, dict):
            errors.append({"path": path, "message": "each item must be a JSON object."})
            continue
        card = None
        card_id = item.get("card")
        if isinstance(card_id, str):
            # Another client's card is as unknown as a card never sent (and so is a malformed uuid).
            try:
                card_uuid = uuid.UUID(card_id)
            except ValueError:
                card_uuid = None
            if card_uuid is not None:
                card = CdsCard.objects.select_related("flag").filter(client=client, uuid=card_uuid).first()
        if card is None:
            errors.append({"path": f"{path}.card", "message": "not a card this service sent to this client."})
        outcome = item.get("outcome")
        if outcome not in FeedbackOutcome.values:
            errors.append({"path": f"{path}.outcome", "message": "outcome must be accepted or overridden."})
        stamp_text = item.get("outcomeTimestamp")
        stamp = parse_datetime(stamp_text) if isinstance(stamp_text, str) else None
        if stamp is None or stamp.tzinfo is None:
            errors.append(
                {
                    "path": f"{path}.outcomeTimestamp",
                    "message": "outcomeTimestamp must be an instant with a zone.",
                }
            )
        reason = _override_reason(item.get("overrideReason"), f"{path}.overrideReason", errors)
        if reason and outcome == FeedbackOutcome.ACCEPTED:
            errors.append(
                {"path": f"{path}.overrideReason", "message": "an accepted card has no override reason."}
            )
        if errors or card is None or stamp is None:
            continue
        canonical = {
            "card": str(card.uuid),
            "outcome": outcome,
            "overrideReason": reason,
            "outcomeTimestamp": stamp.astimezone(datetime.UTC).isoformat(),
        }
        digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
        read.append(FeedbackItem(card, str(outcome), reason, stamp, digest))
    if errors:
        raise FeedbackError(errors)
    return read


def _event_text(client: CdsClient, item: FeedbackItem) -> str:
    if item.outcome == FeedbackOutcome.ACCEPTED:
        text = f"The EHR card \u201c{item.card.summary}\u201d was accepted in {client.name}."
    else:
        text = f"The EHR card \u201c{item.card.summary}\u201d was overridden in {client.name}"
        reason = item.override_reason.get("reason")
        text += f": {reason.get('display') or reason['code']}." if reason else "."
    comment = item.override_reason.get("userComment")
    return text + (f"\nComment: {comment}" if comment else "")


def feedback_store(*, client: CdsClient, items: list[FeedbackItem]) -> tuple[int, int]:
    """Store each item once (the same item again changes nothing); a new item on a card about a review
    flag is also an event in that flag's history. Returns (stored, already stored)."""
    stored = duplicates = 0
    with transaction.atomic():
        for item in items:
            try:
                with transaction.atomic():
                    row, created = CdsFeedback.objects.get_or_create(
                        client=client,
                        card=item.card,
                        content_hash=item.content_hash,
                        defaults={
                            "outcome": item.outcome,
                            "override_reason": item.override_reason,
                            "outcome_timestamp": item.outcome_timestamp,
                            "flag": item.card.flag,
                        },
                    )
            except IntegrityError:  # the same item stored by a concurrent call
                created = False
            if not created:
                duplicates += 1
                continue
            stored += 1
            if item.card.flag is not None:
                FlagEvent.objects.create(
                    flag=item.card.flag,
                    kind=FlagEventKind.EHR_FEEDBACK,
                    actor=None,
                    actor_label=f"{client.name} (EHR)"[:150],
                    text=_event_text(client, item),
                    detail={
                        "client": client.pk,
                        "card": str(item.card.uuid),
                        "concern": item.card.concern,
                        "outcome": item.outcome,
                        "override_reason": item.override_reason.get("reason") or {},
                        "outcome_timestamp": item.outcome_timestamp.isoformat(),
                        "feedback": row.pk,
                    },
                )
    return stored, duplicates


# --- registration --------------------------------------------------------------------------------------
class ClientRegistrationError(Exception):
    """Why a client cannot be registered, in words for the person registering it."""


def cds_client_register(*, name: str, site_code: str, issuer: str, jwks: Any) -> CdsClient:
    """Register an EHR for one site with its JWT issuer and public keys (refusing any private key)."""
    from exclusion.interop.cds_hooks.auth import jwks_problem
    from patients.models import Site

    name, issuer = name.strip(), issuer.strip()
    if not name:
        raise ClientRegistrationError("The client needs a name.")
    site = Site.objects.filter(code__iexact=site_code.strip()).first()
    if site is None:
        known = ", ".join(Site.objects.values_list("code", flat=True)) or "none"
        raise ClientRegistrationError(f"No site with the code {site_code!r} (sites: {known}).")
    if not issuer or len(issuer) > 255:
        raise ClientRegistrationError(
            "The issuer must be 1 to 255 characters (the iss of the client's JWTs)."
        )
    if CdsClient.objects.filter(issuer=issuer).exists():
        raise ClientRegistrationError(f"A client with the issuer {issuer!r} is already registered.")
    problem = jwks_problem(jwks)
    if problem:
        raise ClientRegistrationError(f"Bad JWKS: {problem}")
    return CdsClient.objects.create(name=name[:200], site=site, issuer=issuer, jwks=jwks)
