"""The activity summary's decision-support prompts (reference rules J1–J4), as catalogue entries.

They are part of the public rule catalogue (``rule_catalogue()``, /rules/, /api/v1/rules/, docs/rules.md)
but not of an assessment: they look at a patient's whole course and treatments, which one case document
does not hold. The activity summary (exclusion.summaries.facts, pure Python) decides them and shows each
prompt's ``text`` with its ``source``. Wording is "consider", never an order; no dose anywhere (ref. §7).
Ids are stable, like every rule id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import citations as C
from . import vocabulary as V

EP = "episodes[]."  # every episode of the patient, oldest first
CTP_OPTIONS = "methotrexate or sulfasalazine; a TNF inhibitor with or without methotrexate; a bisphosphonate"


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptRule:
    id: str
    code: str  # the prompt's code in the summary's `prompts`
    title: str
    inputs: tuple[str, ...]
    explanation: str
    source: str
    text: str  # what the summary shows when the prompt applies
    group: str = V.PROMPT

    def as_dict(self) -> dict[str, Any]:
        # The catalogue's shape, the same as a Rule's.
        return {
            "id": self.id,
            "title": self.title,
            "inputs": list(self.inputs),
            "explanation": self.explanation,
            "source": self.source,
        }


WBMRI_AT_DIAGNOSIS = PromptRule(
    id="PROMPT-WBMRI-AT-DIAGNOSIS",
    code="wbmri_at_diagnosis",
    title="No whole-body MRI at diagnosis",
    inputs=("episodes[0].imaging.whole_body_mri",),
    explanation="The first episode has no whole-body MRI including the spine on file "
    "(imaging.whole_body_mri not true). Lesions are often clinically silent (47/162 asymptomatic, Roderick "
    "2016; 67% of radiological relapses silent, Beck 2010; whole-body MRI found more active lesions than "
    "examination in 45%, Arnoldi 2017), so every patient at diagnosis warrants one.",
    source="; ".join((C.DANGELO_2021, C.GUARIENTO_2023, C.RODERICK_2016, C.BECK_2010, C.ARNOLDI_2017)),
    text="Consider a whole-body MRI including the spine: none is on file for the first episode, and CNO "
    "lesions are often clinically silent.",
)
SPINE_IMAGING = PromptRule(
    id="PROMPT-SPINE-IMAGING",
    code="spine_imaging",
    title="Back pain without spine imaging",
    inputs=(
        EP + "symptoms.back_pain",
        EP + "imaging.whole_body_mri",
        EP + "lesions[].site",
        EP + "lesions[].modality",
    ),
    explanation="Back pain at an episode with neither a whole-body MRI nor a spinal MRI lesion entry, at "
    "that episode or a later one. 22.7% of children presented with back pain alone (d'Angelo 2021); spinal "
    "lesions lead to height loss and kyphosis (Guariento 2023).",
    source="; ".join((C.DANGELO_2021, C.GUARIENTO_2023, C.RODERICK_2016)),
    text="Back pain without spine imaging on file: consider MRI of the spine (a whole-body MRI includes it).",
)
SPINE_SECOND_LINE = PromptRule(
    id="PROMPT-SPINE-SECOND-LINE",
    code="spine_second_line",
    title="Active spinal lesion or vertebral collapse",
    inputs=(
        EP + "lesions[].site",
        EP + "lesions[].active",
        EP + "lesions[].marrow_oedema",
        EP + "lesions[].vertebral_collapse",
    ),
    explanation="An active spinal lesion at the latest episode, or a vertebral collapse at any episode, is "
    "an eligibility criterion for the second-line options of the CARRA consensus treatment plans "
    f"({CTP_OPTIONS}). "
    "Pamidronate: 82.3% of vertebral lesions resolved (Bhat 2019).",
    source="; ".join((C.ZHAO_2018_CTP, C.BHAT_2019)),
    text="Active spinal lesion or vertebral collapse: consider the second-line options of the CARRA "
    f"consensus treatment plans ({CTP_OPTIONS}).",
)
NSAID_REFRACTORY = PromptRule(
    id="PROMPT-NSAID-REFRACTORY",
    code="nsaid_refractory",
    title="Active on NSAID monotherapy at two consecutive episodes",
    inputs=(
        "treatments[].drug_class",
        "treatments[].started_on",
        "treatments[].stopped_on",
        EP + "activity",
        EP + "lesions",
    ),
    explanation="Disease active (an active lesion, pain or physician global of 1 or more) at the latest two "
    "episodes, both after the start of NSAID monotherapy that is still the current treatment. The "
    "reference leaves the length of an NSAID trial open (Beck 2010 assessed at 6 months), so none is "
    "implied: the prompt needs two consecutive active episodes, not a duration.",
    source="; ".join((C.ZHAO_2018_CTP, C.BECK_2010)),
    text="Active at two consecutive episodes on NSAID monotherapy: the second-line options of the CARRA "
    f"consensus treatment plans may be considered ({CTP_OPTIONS}).",
)
MONOGENIC_IL1 = PromptRule(
    id="PROMPT-MONOGENIC-IL1",
    code="monogenic_il1",
    title="Monogenic disease a concern: IL-1 blockade",
    inputs=("differentials.monogenic",),
    explanation="An episode's assessment has monogenic autoinflammatory bone disease as a concern (onset "
    "before 3 years, neonatal pustulosis, consanguinity or an affected sibling). In Majeed syndrome and "
    "DIRA IL-1 blockade is the class reported effective; TNF blockade was reported ineffective in Majeed "
    "syndrome.",
    source=C.MAJEED_IL1,
    text="Monogenic disease (Majeed syndrome, DIRA) is a concern: if it is confirmed, consider that IL-1 "
    "blockade is the class reported effective (TNF blockade was reported ineffective in Majeed syndrome).",
)

# Catalogue order (after the assessment's rules).
PROMPTS: tuple[PromptRule, ...] = (
    WBMRI_AT_DIAGNOSIS,
    SPINE_IMAGING,
    SPINE_SECOND_LINE,
    NSAID_REFRACTORY,
    MONOGENIC_IL1,
)
PROMPTS_BY_CODE: dict[str, PromptRule] = {prompt.code: prompt for prompt in PROMPTS}
