"""The engine's words in the interface's language, looked up by rule id, ``(kind, code)`` or input path.

The engine's documents stay English (``cno-assessment/1``, finding ``text`` included); only a page shows
German. ``language`` is a language code ("en-gb", "de", "de-at"): "de…" gives German, anything else the
engine's own English. An id or code the German catalogue (de.py) does not know falls back to English.

A stored finding text is translated from the English text itself, because a page only has the stored
assessment: each finding rule's English sentence is matched as a pattern (its numbers and word lists as
placeholders) and the values are carried over into the German template, numbers with a decimal comma.
A text no pattern matches (an older ruleset's wording) is shown in English, unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import de
from . import vocabulary as V
from .prompts import PROMPTS
from .rules import REGISTRY

# Input paths of the contract, in words a clinician uses (English; German in de.PATHS).
PATH_LABELS: dict[str, str] = {
    "patient.birth_date": "Birth date",
    "patient.sex": "Sex",
    "episode.assessed_on": "Assessment date",
    "episode.onset_on": "Onset date",
    "episode.age_years": "Age (without a birth date)",
    "episode.age_at_onset_years": "Age at onset (without a birth date)",
    "episode.symptoms.fever": "Fever (yes or no)",
    "episode.symptoms.max_temperature_c": "Highest temperature (°C)",
    "episode.labs.crp_mg_l": "CRP (mg/L)",
    "episode.labs.esr_mm_h": "ESR (mm/h)",
    "episode.labs.wbc_10e9_l": "White cell count (×10⁹/L)",
    "episode.labs.neutrophils_10e9_l": "Neutrophils (×10⁹/L)",
    "episode.labs.hemoglobin_g_l": "Haemoglobin (g/L)",
    "episode.labs.platelets_10e9_l": "Platelets (×10⁹/L)",
    "episode.labs.ldh_u_l": "LDH (U/L)",
    "episode.labs.ldh_uln_u_l": "LDH upper limit of normal (U/L)",
    "episode.labs.alp_u_l": "ALP (U/L)",
    "episode.labs.alp_lln_u_l": "ALP lower limit of normal (U/L)",
    "episode.labs.vitamin_c_low": "Vitamin C level",
    "episode.labs.blood_culture": "Blood culture",
    "episode.findings.restricted_diet": "Restricted diet (yes or no)",
    "episode.findings.hepatomegaly": "Liver examined (hepatomegaly yes or no)",
    "episode.findings.splenomegaly": "Spleen examined (splenomegaly yes or no)",
    "episode.findings.lymphadenopathy": "Lymph nodes examined (lymphadenopathy yes or no)",
    "episode.lesions": "Imaging lesions",
}


def is_german(language: str | None) -> bool:
    return (language or "").lower().startswith("de")


# --- rules --------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[str, str]]:
    out = {rule.id: (rule.title, rule.explanation) for rule in REGISTRY.values()}
    out.update({prompt.id: (prompt.title, prompt.explanation) for prompt in PROMPTS})
    return out


def rule_title(rule_id: str, language: str | None) -> str:
    """The title of a rule (or prompt); the id itself for an id the catalogue does not know."""
    if is_german(language) and rule_id in de.RULES:
        return de.RULES[rule_id][0]
    english = _catalogue().get(rule_id)
    return english[0] if english else rule_id


def rule_explanation(rule_id: str, language: str | None) -> str:
    """Why the rule exists, in a sentence or two; "" for an unknown id."""
    if is_german(language) and rule_id in de.RULES:
        return de.RULES[rule_id][1]
    english = _catalogue().get(rule_id)
    return english[1] if english else ""


def prompt_text(rule_id: str, language: str | None) -> str:
    """What the activity summary shows for a prompt (``PROMPT-…``); "" for an unknown id."""
    if is_german(language) and rule_id in de.PROMPT_TEXTS:
        return de.PROMPT_TEXTS[rule_id]
    return next((prompt.text for prompt in PROMPTS if prompt.id == rule_id), "")


# --- finding texts ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Words:
    """A placeholder that is a list of words (``", ".join``) or one choice among them (no separator)."""

    words: tuple[str, ...]
    separator: str = ""  # "" : exactly one of the words
    capitalised: bool = False  # the rule capitalises the first word (str.capitalize)


_IMAGING_INFECTION = _Words(("abscess", "sequestrum", "sinus tract"), ", ")
_IMAGING_MALIGNANCY = _Words(("cortical destruction", "soft tissue mass"), " and ")
_ORGANS = _Words(("hepatomegaly", "splenomegaly", "lymphadenopathy"), ", ", capitalised=True)
_CONSTITUTIONAL = _Words(("weight loss", "night sweats"), " and ", capitalised=True)
_SCURVY_CLUES = _Words(("restricted diet", "bruising or purpura", "gum bleeding"), ", ", capitalised=True)
_WHY = _Words(("unifocal disease", "a cytopenia"))
_HISTOLOGY = _Words(("malignancy", "Langerhans cell histiocytosis"))

# rule id -> the English sentences its rule writes (rules.py), in the order of de.FINDINGS' templates.
# ``{name}`` is a number unless named in _LISTS.
_ENGLISH_FINDINGS: dict[str, tuple[str, ...]] = {
    "INF-FEVER": (
        "Fever reported: bacterial osteomyelitis not excluded; consider blood culture and infection work-up.",
    ),
    "INF-TEMP-38": (
        "Maximum temperature {temperature} °C (≥ {fever} °C): infection not excluded; consider blood "
        "culture and infection work-up.",
    ),
    "INF-CRP-30": (
        "CRP {crp} mg/L (≥ {limit} mg/L): infection not excluded; consider biopsy with bacterial, fungal "
        "and mycobacterial culture taken off antibiotics.",
    ),
    "INF-BLOOD-CULTURE": (
        "Positive blood culture: infection not excluded; treat and investigate as infection.",
    ),
    "INF-IMAGING": (
        "Imaging shows {features}: atypical for CNO, infection not excluded; consider biopsy with cultures.",
    ),
    "INF-BIOPSY-GROWTH": ("Bone biopsy culture grew an organism: infection not excluded.",),
    "INF-IMMUNOCOMPROMISED": (
        "Immunocompromised patient: infection (including opportunistic) not excluded; consider cultures.",
    ),
    "INF-TB-EXPOSURE": (
        "Tuberculosis exposure: tuberculous osteomyelitis not excluded; consider biopsy with mycobacterial "
        "culture.",
    ),
    "INF-ANTIBIOTIC-RESPONSE": (
        "Complete, sustained response to antibiotics alone: favours infection; CNO should not be classified.",
    ),
    "MAL-CYTOPENIA-WBC": (
        "WBC {wbc} ×10⁹/L (< {limit}): leukaemia not excluded; consider blood film and bone-marrow "
        "examination.",
    ),
    "MAL-JONES-TRIAD": (
        "Leukaemia triad present (WBC {wbc} < {limit} ×10⁹/L, low-normal platelets {platelets} ×10⁹/L, "
        "night pain): sensitivity 100%, specificity 85% for ALL vs JRA; consider blood film and bone-marrow "
        "examination before any CNO diagnosis.",
    ),
    "MAL-NEUTROPENIA": (
        "Neutrophils {neutrophils} ×10⁹/L (< {limit}): leukaemia not excluded; consider blood film.",
    ),
    "MAL-CYTOPENIA-PLT": (
        "Platelets {platelets} ×10⁹/L (< {limit}): malignancy not excluded; consider blood film.",
    ),
    "MAL-ANAEMIA": (
        "Haemoglobin {hemoglobin} g/L is below the WHO cut-off of {cutoff} g/L for age and sex: malignancy "
        "not excluded; consider blood film.",
    ),
    "MAL-LDH": ("LDH {ldh} U/L is above the laboratory upper limit of {uln} U/L: malignancy not excluded.",),
    "MAL-BLASTS": ("Blasts on the blood smear: leukaemia not excluded; refer for haematology work-up.",),
    "MAL-ORGANOMEGALY": (
        "{organs}: leukaemia or lymphoma not excluded (OR 154 for ALL vs JIA); consider blood film and "
        "bone-marrow examination.",
    ),
    "MAL-CONSTITUTIONAL": (
        "{symptoms}: malignancy not excluded even with a normal blood count; consider the malignancy "
        "work-up.",
    ),
    "MAL-IMAGING": ("Imaging shows {features}: not seen in CNO; malignancy not excluded; consider biopsy.",),
    "MAL-VERTEBRAL-COLLAPSE": (
        "Vertebral collapse with {why}: malignancy or LCH not excluded; consider biopsy and bone-marrow "
        "examination.",
    ),
    "MAL-BIOPSY": ("Bone biopsy histology shows {histology}: this is not CNO.",),
    "MAL-HB-UNDER-6-MONTHS": (
        "Haemoglobin cannot be judged against a WHO cut-off under {months} months of age: compare it with "
        "the laboratory's infant reference range (malignancy screening incomplete).",
    ),
    "HPP-ALP-LOW": (
        "ALP {alp} U/L is below the laboratory lower limit of {lln} U/L: hypophosphatasia not excluded; "
        "consider pyridoxal-5'-phosphate and ALPL genetics.",
    ),
    "SCU-VITC-LOW": ("Low vitamin C: scurvy not excluded; it mimics CNO; consider vitamin C replacement.",),
    "SCU-CLINICAL": (
        "{clues} with vitamin C unknown: scurvy not excluded; consider a plasma vitamin C level before "
        "diagnosing CNO.",
    ),
    "MONO-ONSET-UNDER-3": (
        "Onset at {age} years (under {limit}): monogenic autoinflammatory bone disease (Majeed syndrome "
        "LPIN2, DIRA IL1RN) not excluded; consider genetic testing.",
        "Assessed at {age} years, so onset under {limit}: monogenic autoinflammatory bone disease (Majeed "
        "syndrome LPIN2, DIRA IL1RN) not excluded; consider genetic testing.",
    ),
    "MONO-NEONATAL-PUSTULOSIS": ("Neonatal pustulosis: consider DIRA (IL1RN).",),
    "MONO-FAMILY": (
        "Consanguinity or an affected sibling: a recessive monogenic form (Majeed, DIRA) is not excluded; "
        "consider genetic testing.",
    ),
}
_LISTS: dict[tuple[str, str], _Words] = {
    ("INF-IMAGING", "features"): _IMAGING_INFECTION,
    ("MAL-IMAGING", "features"): _IMAGING_MALIGNANCY,
    ("MAL-ORGANOMEGALY", "organs"): _ORGANS,
    ("MAL-CONSTITUTIONAL", "symptoms"): _CONSTITUTIONAL,
    ("SCU-CLINICAL", "clues"): _SCURVY_CLUES,
    ("MAL-VERTEBRAL-COLLAPSE", "why"): _WHY,
    ("MAL-BIOPSY", "histology"): _HISTOLOGY,
}
# A number as the rules print it (``f"{x:g}"``, ``:.1f``, or a threshold such as 38.0). The 9 of ×10⁹/L
# is a superscript, part of the unit, so it never matches.
_NUMBER = r"\d+(?:\.\d+)?(?:e[+-]\d+)?"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _words_pattern(words: _Words) -> str:
    forms = [*words.words, *(w.capitalize() for w in words.words)] if words.capitalised else list(words.words)
    one = "(?:" + "|".join(re.escape(w) for w in sorted(forms, key=len, reverse=True)) + ")"
    if not words.separator:
        return one
    return f"{one}(?:{re.escape(words.separator)}{one})*"


def _compile(rule_id: str, english: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(english):
        parts.append(re.escape(english[last : match.start()]))
        name = match.group(1)
        words = _LISTS.get((rule_id, name))
        parts.append(f"(?P<{name}>{_words_pattern(words) if words else _NUMBER})")
        last = match.end()
    parts.append(re.escape(english[last:]))
    return re.compile("".join(parts))


@lru_cache(maxsize=1)
def _finding_patterns() -> dict[str, tuple[tuple[re.Pattern[str], str], ...]]:
    return {
        rule_id: tuple(
            (_compile(rule_id, english), german)
            for english, german in zip(sentences, de.FINDINGS.get(rule_id, ()), strict=False)
        )
        for rule_id, sentences in _ENGLISH_FINDINGS.items()
    }


def _german_words(value: str, words: _Words) -> str | None:
    items = value.split(words.separator) if words.separator else [value]
    german = [de.WORDS.get(item.lower()) for item in items]
    if None in german:
        return None
    text = de.JOINERS.get(words.separator, ", ").join(g for g in german if g)
    return text[:1].upper() + text[1:] if words.capitalised else text


def finding_text(rule_id: str, english_text: str, language: str | None) -> str:
    """A stored finding's text in ``language``: the English text itself, or German with its values
    carried over; the English text when it is not a sentence this ruleset's rule writes."""
    if not is_german(language):
        return english_text
    for pattern, german in _finding_patterns().get(rule_id, ()):
        match = pattern.fullmatch(english_text or "")
        if match is None:
            continue
        values: dict[str, str] = {}
        for name, value in match.groupdict().items():
            words = _LISTS.get((rule_id, name))
            translated = (
                _german_words(value, words) if words else value.replace(".", ",")
            )  # German decimal comma
            if translated is None:
                return english_text
            values[name] = translated
        return german.format(**values)
    return english_text


# --- vocabulary ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TermWords:
    """What a page shows of a vocabulary term: its label, short label (never empty) and detail."""

    label: str
    short: str
    detail: str


def term(kind: str, code: str, language: str | None) -> TermWords | None:
    """The words of a vocabulary term (any kind of vocabulary.KINDS); None for an unknown kind or code."""
    terms = V.KINDS.get(kind)
    found = terms.get(code) if terms is not None else None
    if found is None:
        return None
    label = found.label
    short = getattr(found, "short_label", label)
    detail = getattr(found, "detail", "")
    if is_german(language):
        if kind == "jansson_item":
            return TermWords(de.JANSSON_ITEMS.get(code, label), de.JANSSON_ITEMS.get(code, label), "")
        if kind == "rule_group":
            return TermWords(de.RULE_GROUPS.get(code, label), de.RULE_GROUPS.get(code, label), "")
        german = de.TERMS.get((kind, code))
        if german is not None:
            de_label, de_short, de_detail = german
            return TermWords(de_label, de_short or de_label, de_detail or detail)
    return TermWords(label, short, detail)


def term_label(kind: str, code: str, language: str | None, default: str | None = None) -> str:
    """As vocabulary.label, in ``language``: ``default`` (or KeyError) for a code the kind does not have."""
    words = term(kind, code, language)
    if words is None:
        if default is None:
            raise KeyError(f"no {kind} term {code!r}")
        return default
    return words.label


def jansson_label(code: str, language: str | None) -> str:
    """The label of a Jansson item; the code itself when unknown."""
    return term_label("jansson_item", code, language, default=code)


def rule_group_label(code: str, language: str | None) -> str:
    """The label of a rule group; the code itself when unknown."""
    return term_label("rule_group", code, language, default=code)


# --- input paths --------------------------------------------------------------------------------------
def path_label(path: str, language: str | None) -> str:
    """An input path in words ("Birth date"); a path with no label is humanised from its last part."""
    if is_german(language) and path in de.PATHS:
        return de.PATHS[path]
    if path in PATH_LABELS:
        return PATH_LABELS[path]
    return path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


@lru_cache(maxsize=1)
def _validation_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), template) for pattern, template in de.VALIDATION)


def validation_message(message: str, language: str | None) -> str:
    """A message of the case format's validation in ``language``; one no pattern knows stays as written."""
    if not is_german(language):
        return message
    for pattern, template in _validation_patterns():
        match = pattern.fullmatch(message)
        if match is not None:
            return template.format(*(_german_units(group or "") for group in match.groups()))
    return message


def _german_units(text: str) -> str:
    # German writes litres with a lower-case l (mg/l, ×10⁹/l); the values themselves are the document's.
    return re.sub(r"(?<=/)L\b", "l", text)
