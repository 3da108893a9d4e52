"""Services that keep ActivitySummary rows up to date: mark stale, enqueue, claim, recompute, sweep.

The protocol (see exclusion/summaries/models.py for the columns):
1. Every clinical change calls `summary_mark_stale()` inside its own transaction (bumps `dirty`) and
   `summary_enqueue_on_commit()`: after commit, a `recompute_summary(patient_id, generation)` message is sent
   with a short countdown. Only the message for the newest generation does the work, so a burst of edits
   leads to one recompute (a trailing debounce).
2. The worker claims the generation with a compare-and-set (a conditional UPDATE), reads the committed
   rows, computes in Python and writes back only if nobody wrote a newer result meanwhile. No lock is held
   while computing; a claim left by a dead worker expires after CLAIM_LEASE.
3. If the broker is down, the save still commits; the summary stays stale and the periodic sweep (and the
   bulk commands) pick it up later.
Work is done per chunk of patients in a constant number of queries, so the bulk paths scale.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from celery import current_app, group
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from exclusion import engine
from exclusion.assessments.models import Assessment
from exclusion.engine import vocabulary
from exclusion.summaries.facts import AssessmentFacts, EpisodeFacts, LesionFacts, TreatmentFacts, summarise
from exclusion.summaries.models import ActivitySummary
from patients.models import Episode, Lesion, Patient, Treatment
from patients.services import episode_reassess

logger = logging.getLogger(__name__)

# The tasks' names: stable, whatever module declares them (queued messages name their task).
RECOMPUTE_SUMMARY = "summaries.recompute_summary"
RECOMPUTE_CHUNK = "summaries.recompute_chunk"
REASSESS_CHUNK = "summaries.reassess_chunk"
SWEEP = "summaries.sweep"

CHUNK_SIZE = 200
# A claim older than this is presumed to belong to a dead worker (a chunk takes well under a second).
CLAIM_LEASE = datetime.timedelta(seconds=60)


def _debounce_seconds() -> float:
    return float(getattr(settings, "SUMMARY_DEBOUNCE_SECONDS", 1.5))


def _current_ruleset() -> str:
    return engine.RULESET_VERSION


def chunked(ids: Sequence[int], size: int = CHUNK_SIZE) -> list[list[int]]:
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


# --- Marking stale --------------------------------------------------------------------------------------


def summary_mark_stale(*, patient_ids: Iterable[int]) -> dict[int, int]:
    """Bump the generation of each patient's summary (creating it if missing); returns {id: generation}.

    Call inside the transaction that changed the data, so the bump commits (or rolls back) with it.
    """
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    ActivitySummary.objects.bulk_create([ActivitySummary(patient_id=i) for i in ids], ignore_conflicts=True)
    ActivitySummary.objects.filter(patient_id__in=ids).update(dirty=F("dirty") + 1, stale=True)
    return dict(ActivitySummary.objects.filter(patient_id__in=ids).values_list("patient_id", "dirty"))


def summary_mark_stale_where(*, site_id: int | None = None) -> int:
    """Mark every summary (of one site, or all) stale, creating missing rows; returns the patient count."""
    patients = Patient.objects.all() if site_id is None else Patient.objects.filter(site_id=site_id)
    missing = patients.filter(activity_summary__isnull=True).values_list("id", flat=True)
    ActivitySummary.objects.bulk_create(
        [ActivitySummary(patient_id=i) for i in missing.iterator()], ignore_conflicts=True, batch_size=1000
    )
    summaries = ActivitySummary.objects.all()
    if site_id is not None:
        summaries = summaries.filter(patient__site_id=site_id)
    return summaries.update(dirty=F("dirty") + 1, stale=True)


def summary_enqueue_on_commit(*, generations: dict[int, int]) -> None:
    """After the current transaction commits, ask a worker to recompute these summaries."""
    for patient_id, generation in generations.items():
        transaction.on_commit(functools.partial(_send_recompute, patient_id, generation))


def summary_after_change(*, patient_id: int) -> None:
    """The hook for services: mark the patient's summary stale and recompute it after commit."""
    summary_enqueue_on_commit(generations=summary_mark_stale(patient_ids=[patient_id]))


def _task(name: str) -> Any:
    # Tasks are sent by their stable name (exclusion.summaries.tasks declares them and calls this module;
    # ExclusionConfig.ready registers them), so this module does not import the tasks that import it.
    return current_app.tasks[name]


def _send_recompute(patient_id: int, generation: int) -> None:
    task = _task(RECOMPUTE_SUMMARY)
    _send(lambda: task.apply_async((patient_id, generation), countdown=_debounce_seconds()))


def _send(publish: Callable[[], Any]) -> bool:
    # The clinical save has already committed; a broker failure must not turn it into an error page.
    # The summary stays stale and the sweep catches up.
    try:
        publish()
    except Exception as exc:  # noqa: BLE001 - any broker/transport error
        logger.warning(
            "Summary recompute not enqueued or failed (%s); it stays stale and the sweep will catch up.",
            type(exc).__name__,
        )
        return False
    return True


# --- Claiming and recomputing --------------------------------------------------------------------------


def summary_recompute_one(*, patient_id: int, generation: int, now: datetime.datetime | None = None) -> bool:
    """Recompute one summary for `generation`; False when a newer edit, a fresh result or a live claim
    makes this message redundant (the debounce and the de-duplication)."""
    now = now or timezone.now()
    claimed = (
        ActivitySummary.objects.filter(
            patient_id=patient_id, dirty=generation, computed_generation__lt=generation
        )
        .filter(Q(claimed_generation__lt=generation) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .update(claimed_generation=generation, claimed_at=now)
    )
    if not claimed:
        return False
    return _recompute_claimed({patient_id: generation}, now=now) == 1


def summary_recompute_chunk(*, patient_ids: Sequence[int], now: datetime.datetime | None = None) -> int:
    """Claim and recompute the stale summaries among `patient_ids`; returns how many were written."""
    now = now or timezone.now()
    claims = _claim_stale(patient_ids, now=now)
    if not claims:
        return 0
    return _recompute_claimed(claims, now=now)


def _claim_stale(patient_ids: Sequence[int], *, now: datetime.datetime) -> dict[int, int]:
    """Compare-and-set on the whole chunk in one statement: claim each stale row's current generation
    unless a live claim already holds it. Returns {patient_id: claimed generation}."""
    if not patient_ids:
        return {}
    table = ActivitySummary._meta.db_table
    placeholders = ", ".join(["%s"] * len(patient_ids))
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claimed_generation = dirty, claimed_at = %s "
            f"WHERE patient_id IN ({placeholders}) AND computed_generation < dirty "
            "AND (claimed_generation < dirty OR claimed_at < %s) RETURNING patient_id, dirty",
            [adapt(now), *patient_ids, adapt(now - CLAIM_LEASE)],
        )
        return dict(cursor.fetchall())


def _recompute_claimed(claims: dict[int, int], *, now: datetime.datetime) -> int:
    """Read the committed rows of the claimed patients, summarise each, write back in one statement."""
    facts = load_facts(list(claims))
    treatments = load_treatments(list(claims))
    open_flags = _open_flag_patients(list(claims))
    ruleset = _current_ruleset()
    rows = []
    for patient_id, generation in claims.items():
        values = summarise(
            facts.get(patient_id, []),
            open_flag=patient_id in open_flags,
            current_ruleset=ruleset,
            treatments=treatments.get(patient_id, []),
        )
        rows.append((patient_id, generation, values))
    return _write(rows, now=now)


def load_facts(patient_ids: Sequence[int]) -> dict[int, list[EpisodeFacts]]:
    """Episodes, lesions and latest assessments of these patients, in three queries whatever the count.

    Episodes first: lesions and assessments are then fetched by episode id, through their own indexes.
    """
    episodes = list(
        Episode.objects.filter(patient_id__in=patient_ids)
        .order_by()
        .values_list(
            "id",
            "patient_id",
            "assessed_on",
            "crp_mg_l",
            "esr_mm_h",
            "pain_vas",
            "patient_global_vas",
            "physician_global_vas",
            "chaq",
            "whole_body_mri",
            "back_pain",
        )
    )
    episode_ids = [row[0] for row in episodes]
    if not episode_ids:
        return {}

    lesions: dict[int, list[LesionFacts]] = defaultdict(list)
    for episode_id, site, side, level, modality, marrow_oedema, collapse, active, symptomatic in (
        Lesion.objects.filter(episode_id__in=episode_ids)
        .order_by()
        .values_list(
            "episode_id",
            "site",
            "side",
            "level",
            "modality",
            "marrow_oedema",
            "vertebral_collapse",
            "active",
            "symptomatic",
        )
    ):
        lesions[episode_id].append(
            LesionFacts(site, side, level, modality, marrow_oedema, collapse, active, symptomatic)
        )

    assessments = Assessment.objects.filter(episode_id__in=episode_ids)
    if connection.vendor == "postgresql":
        # DISTINCT ON reads the (episode, -id) index once; the portable subquery does the same elsewhere.
        assessments = assessments.order_by("episode_id", "-id").distinct("episode_id")
    else:
        assessments = assessments.latest_per_episode().order_by()
    latest: dict[int, AssessmentFacts] = {}
    for episode_id, ruleset, biopsy, complete, bristol, points, monogenic in assessments.values_list(
        "episode_id",
        "ruleset",
        "biopsy_recommended",
        "exclusion_complete",
        "bristol_status",
        "result__jansson__points",
        "result__differentials__monogenic__status",
    ):
        latest[episode_id] = AssessmentFacts(
            ruleset, biopsy, complete, bristol, points, monogenic_concern=monogenic == vocabulary.CONCERN
        )

    facts: dict[int, list[EpisodeFacts]] = defaultdict(list)
    for (
        episode_id,
        patient_id,
        assessed_on,
        crp,
        esr,
        pain,
        patient_global,
        physician_global,
        chaq,
        whole_body_mri,
        back_pain,
    ) in episodes:
        facts[patient_id].append(
            EpisodeFacts(
                episode_id,
                assessed_on,
                crp,
                esr,
                pain,
                patient_global,
                physician_global,
                chaq,
                lesions=tuple(lesions[episode_id]),
                assessment=latest.get(episode_id),
                whole_body_mri=whole_body_mri,
                back_pain=back_pain,
            )
        )
    return facts


def load_treatments(patient_ids: Sequence[int]) -> dict[int, list[TreatmentFacts]]:
    """The treatment courses of these patients, in one query whatever the count (patient/start index)."""
    treatments: dict[int, list[TreatmentFacts]] = defaultdict(list)
    for treatment_id, patient_id, drug_class, drug, started_on, stopped_on, stop_reason in (
        Treatment.objects.filter(patient_id__in=patient_ids)
        .order_by("patient_id", "started_on", "id")
        .values_list("id", "patient_id", "drug_class", "drug", "started_on", "stopped_on", "stop_reason")
    ):
        treatments[patient_id].append(
            TreatmentFacts(drug_class, drug, started_on, stopped_on, stop_reason, id=treatment_id)
        )
    return treatments


def _open_flag_patients(patient_ids: Sequence[int]) -> set[int]:
    """Patients with an open review flag (the review queue's exclusion.Flag), one query."""
    try:
        flag_model = apps.get_model("exclusion", "Flag")
    except LookupError:
        return set()
    return set(
        flag_model.objects.filter(patient_id__in=patient_ids, status="open").values_list(
            "patient_id", flat=True
        )
    )


def _open_flag_changed() -> list[int]:
    """Fresh summaries whose `open_flag` no longer matches the review queue (a reviewer decided a flag,
    which is not an episode change): one query, so the sweep keeps the column true within a period."""
    try:
        flag_model = apps.get_model("exclusion", "Flag")
    except LookupError:
        return []
    open_flags = flag_model.objects.filter(patient_id=OuterRef("patient_id"), status="open")
    return list(
        ActivitySummary.objects.filter(stale=False)
        .annotate(has_open_flag=Exists(open_flags))
        .exclude(open_flag=F("has_open_flag"))
        .values_list("patient_id", flat=True)
    )


# The computed columns of a summary (everything but bookkeeping); tests compare exactly these.
SUMMARY_VALUE_COLUMNS = (
    "ruleset",
    "episodes_count",
    "first_assessed_on",
    "latest_assessed_on",
    "latest",
    "trend",
    "activity_state",
    "pedcno",
    "severe_course",
    "silent_activity",
    "spine_involved",
    "vertebral_collapse",
    "open_flag",
    "treatment",
    "response",
    "cdas_components",
    "prompts",
    "spine",
)
# The columns stored as JSON documents.
JSON_COLUMNS = frozenset({"latest", "trend", "treatment", "response", "cdas_components", "prompts", "spine"})


def _write(rows: list[tuple[int, int, dict[str, Any]]], *, now: datetime.datetime) -> int:
    """Upsert the results in one statement, each only if its claim still stands and nothing newer was written.

    `stale` stays true when `dirty` moved on while we computed; the newer edit's own message follows.
    """
    if not rows:
        return 0
    table = ActivitySummary._meta.db_table
    ops = connection.ops
    columns = (
        "patient_id",
        "dirty",
        "claimed_generation",
        "claimed_at",
        "computed_generation",
        "computed_at",
        "stale",
        "recompute_count",
        *SUMMARY_VALUE_COLUMNS,
    )
    params: list[Any] = []
    for patient_id, generation, values in rows:
        stamp = ops.adapt_datetimefield_value(now)
        params += [patient_id, generation, generation, stamp, generation, stamp, False, 1]
        for name in SUMMARY_VALUE_COLUMNS:
            value = values[name]
            if name in JSON_COLUMNS:
                value = json.dumps(value)
            elif isinstance(value, datetime.date):
                value = ops.adapt_datefield_value(value)
            params.append(value)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in SUMMARY_VALUE_COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row_sql] * len(rows))} "
        f"ON CONFLICT (patient_id) DO UPDATE SET {updates}, "
        "computed_generation = EXCLUDED.computed_generation, computed_at = EXCLUDED.computed_at, "
        f"stale = ({table}.dirty <> EXCLUDED.computed_generation), "
        f"recompute_count = {table}.recompute_count + 1 "
        f"WHERE {table}.claimed_generation = EXCLUDED.claimed_generation "
        f"AND {table}.computed_generation < EXCLUDED.computed_generation"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


# --- Reassessing ----------------------------------------------------------------------------------------


def summary_reassess_chunk(*, patient_ids: Sequence[int]) -> int:
    """Re-assess every episode of these patients with the current ruleset, then recompute their summaries.

    Each episode goes through the record's own path (patients.services.episode_reassess), so its stored
    assessment, its review flag and its summary follow exactly as after an edit. Idempotent: an episode
    whose input and ruleset are unchanged keeps its assessment and flag. Returns the episodes re-assessed.
    """
    episode_ids = list(
        Episode.objects.filter(patient_id__in=patient_ids).order_by("id").values_list("id", flat=True)
    )
    count = 0
    for episode_id in episode_ids:
        try:
            episode_reassess(episode_id=episode_id)
            count += 1
        except Exception as exc:  # noqa: BLE001 - one bad episode must not stop the cohort
            # Ids only: nothing identifying in logs. The summary keeps its old ruleset, so it shows up again.
            logger.error("Re-assessing episode %s failed: %s", episode_id, type(exc).__name__)
    with transaction.atomic():
        summary_mark_stale(patient_ids=patient_ids)
    summary_recompute_chunk(patient_ids=patient_ids)
    return count


# --- Sweep and bulk dispatch ---------------------------------------------------------------------------


def summary_sweep(*, sync: bool = False, chunk_size: int = CHUNK_SIZE) -> dict[str, int]:
    """Find what needs doing and do it (sync) or enqueue it in chunks: summaries that are stale (including
    claims abandoned by dead workers), patients without a summary, and summaries of an older ruleset
    (re-assessed first). Safe to run at any time and as often as wanted."""
    missing = list(Patient.objects.filter(activity_summary__isnull=True).values_list("id", flat=True))
    ActivitySummary.objects.bulk_create(
        [ActivitySummary(patient_id=i) for i in missing], ignore_conflicts=True, batch_size=1000
    )
    ruleset = _current_ruleset()
    outdated = list(
        ActivitySummary.objects.filter(stale=False)
        .exclude(ruleset=ruleset)
        .values_list("patient_id", flat=True)
    )
    flag_changed = _open_flag_changed()
    if flag_changed:
        with transaction.atomic():
            summary_mark_stale(patient_ids=flag_changed)
    stale = list(
        ActivitySummary.objects.filter(stale=True).order_by("patient_id").values_list("patient_id", flat=True)
    )
    summary_dispatch(stale, reassess=False, sync=sync, chunk_size=chunk_size)
    summary_dispatch(outdated, reassess=True, sync=sync, chunk_size=chunk_size)
    return {"stale": len(stale), "outdated": len(outdated)}


def summary_dispatch(
    patient_ids: Sequence[int],
    *,
    reassess: bool,
    sync: bool,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Run the chunks in-process (sync) or send them to workers as one Celery group.

    Returns False when the broker could not be reached; nothing is lost, the rows stay stale.
    """
    chunks = chunked(list(patient_ids), chunk_size)
    if not chunks:
        return True
    if sync:
        for chunk in chunks:
            if reassess:
                summary_reassess_chunk(patient_ids=chunk)
            else:
                summary_recompute_chunk(patient_ids=chunk)
            if progress is not None:
                progress(len(chunk))
        return True
    task = _task(REASSESS_CHUNK if reassess else RECOMPUTE_CHUNK)
    return _send(lambda: group(task.s(chunk) for chunk in chunks).apply_async())
