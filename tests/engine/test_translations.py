"""The German catalogue of the engine's words (translations.py, de.py): complete, and every finding text a
rule really writes comes out in German with its values; anything it does not know stays English."""

from __future__ import annotations

import pytest

from exclusion.engine import de, translations, vocabulary
from exclusion.engine.prompts import PROMPTS
from exclusion.engine.rules import DIFFERENTIALS, REGISTRY

from .helpers import born_days_before, drop, example, lesion, run, with_

FINDING_RULES = {rule.id for d in DIFFERENTIALS for rule in (*d.red_flags, *d.notes)}
SPINE = {
    "site": "spine_thoracic",
    "modality": "mri",
    "level": "T7",
    "marrow_oedema": True,
    "vertebral_collapse": True,
}


def _with_lesion(**features: object) -> dict:
    doc = example()
    doc["episode"]["lesions"][0].update(features)
    return doc


def _biopsy(histology: str, culture: str = "no_growth") -> dict:
    return with_(
        example(), episode__biopsy={"histology": histology, "culture": culture, "on_antibiotics": False}
    )


# (rule id, a case that fires it, what the German text says: the values with a decimal comma)
CASES = [
    ("INF-FEVER", with_(example(), episode__symptoms__fever=True), "Fieber angegeben: bakterielle"),
    ("INF-TEMP-38", with_(example(), episode__symptoms__max_temperature_c=38.6), "38,6 °C (≥ 38,0 °C)"),
    ("INF-CRP-30", with_(example(), episode__labs__crp_mg_l=45.5), "CRP 45,5 mg/l (≥ 30 mg/l): Infektion"),
    ("INF-BLOOD-CULTURE", with_(example(), episode__labs__blood_culture="positive"), "Positive Blutkultur"),
    ("INF-IMAGING", _with_lesion(abscess=True, sinus_tract=True), "Bildgebung zeigt Abszess, Fistel:"),
    ("INF-BIOPSY-GROWTH", _biopsy("inflammatory", "growth"), "Keimnachweis in der Kultur"),
    (
        "INF-IMMUNOCOMPROMISED",
        with_(example(), episode__findings__immunocompromised=True),
        "Immunsupprimiert",
    ),
    ("INF-TB-EXPOSURE", with_(example(), episode__findings__tb_exposure=True), "tuberkulöse Osteomyelitis"),
    (
        "INF-ANTIBIOTIC-RESPONSE",
        with_(example(), episode__findings__sustained_response_to_antibiotics_alone=True),
        "allein auf Antibiotika",
    ),
    ("MAL-CYTOPENIA-WBC", with_(example(), episode__labs__wbc_10e9_l=3.2), "Leukozyten 3,2 ×10⁹/l (< 4,0)"),
    (
        "MAL-JONES-TRIAD",
        with_(
            example(),
            episode__labs__wbc_10e9_l=3.2,
            episode__labs__platelets_10e9_l=180.5,
            episode__symptoms__night_pain=True,
        ),
        "(Leukozyten 3,2 < 4,0 ×10⁹/l, niedrig-normale Thrombozyten 180,5 ×10⁹/l",
    ),
    (
        "MAL-NEUTROPENIA",
        with_(example(), episode__labs__neutrophils_10e9_l=1.1),
        "Granulozyten 1,1 ×10⁹/l (< 2,0)",
    ),
    (
        "MAL-CYTOPENIA-PLT",
        with_(example(), episode__labs__platelets_10e9_l=95),
        "Thrombozyten 95 ×10⁹/l (< 150)",
    ),
    (
        "MAL-ANAEMIA",
        with_(example(), episode__labs__hemoglobin_g_l=98.5),
        "98,5 g/l liegt unter dem WHO-Grenzwert von 115 g/l",
    ),
    (
        "MAL-LDH",
        with_(example(), episode__labs__ldh_u_l=450.5),
        "LDH 450,5 U/l liegt über dem oberen Normwert des Labors von 300 U/l",
    ),
    ("MAL-BLASTS", with_(example(), episode__labs__blasts_on_smear=True), "Blasten im Blutausstrich"),
    (
        "MAL-ORGANOMEGALY",
        with_(example(), episode__findings__hepatomegaly=True, episode__findings__lymphadenopathy=True),
        "Hepatomegalie, Lymphadenopathie: Leukämie oder Lymphom",
    ),
    (
        "MAL-CONSTITUTIONAL",
        with_(example(), episode__symptoms__weight_loss=True, episode__symptoms__night_sweats=True),
        "Gewichtsverlust und Nachtschweiß: Malignom",
    ),
    (
        "MAL-IMAGING",
        _with_lesion(cortical_destruction=True, soft_tissue_mass=True),
        "Bildgebung zeigt Kortikalisdestruktion und Weichteilmasse:",
    ),
    (
        "MAL-VERTEBRAL-COLLAPSE",
        with_(example(), episode__lesions=[SPINE]),
        "Wirbelkörpereinbruch bei unifokalem Befall:",
    ),
    ("MAL-BIOPSY", _biopsy("lch"), "zeigt eine Langerhans-Zell-Histiozytose (LCH): Dies ist keine CNO."),
    (
        "MAL-HB-UNDER-6-MONTHS",
        born_days_before(example(), 100),
        "unter 6 Monaten nicht an einem WHO-Grenzwert",
    ),
    (
        "HPP-ALP-LOW",
        with_(example(), episode__labs__alp_u_l=90.5),
        "AP 90,5 U/l liegt unter dem unteren Normwert des Labors von 130 U/l",
    ),
    ("SCU-VITC-LOW", with_(example(), episode__labs__vitamin_c_low=True), "Vitamin C erniedrigt: Skorbut"),
    (
        "SCU-CLINICAL",
        with_(example(), episode__findings__restricted_diet=True, episode__findings__gum_bleeding=True),
        "Eingeschränkte Ernährung, Zahnfleischbluten bei unbekanntem Vitamin C:",
    ),
    ("MONO-ONSET-UNDER-3", born_days_before(example(), 700), "Beginn mit 1,9 Jahren (unter 3): monogene"),
    (
        "MONO-NEONATAL-PUSTULOSIS",
        with_(example(), episode__findings__neonatal_pustulosis=True),
        "DIRA (IL1RN) erwägen",
    ),
    (
        "MONO-FAMILY",
        with_(example(), episode__findings__consanguinity_or_affected_sibling=True),
        "Konsanguinität oder betroffenes Geschwister: eine rezessive",
    ),
    # The other sentences a rule can write.
    (
        "MAL-VERTEBRAL-COLLAPSE",
        with_(example(), episode__lesions=[SPINE, lesion(site="femur")], episode__labs__platelets_10e9_l=120),
        "Wirbelkörpereinbruch mit Zytopenie:",
    ),
    ("MAL-BIOPSY", _biopsy("malignant"), "Histologie der Knochenbiopsie zeigt ein Malignom:"),
    (
        "MONO-ONSET-UNDER-3",
        drop(born_days_before(example(), 700), "episode.onset_on"),
        "Beurteilt mit 1,9 Jahren, Beginn also unter 3:",
    ),
    ("INF-IMAGING", _with_lesion(sequestrum=True), "Bildgebung zeigt Sequester: untypisch für CNO"),
    (
        "MAL-CONSTITUTIONAL",
        with_(example(), episode__symptoms__night_sweats=True),
        "Nachtschweiß: Malignom auch bei",
    ),
    (
        "SCU-CLINICAL",
        with_(example(), episode__findings__bruising_or_purpura=True),
        "Hämatome oder Purpura bei unbekanntem",
    ),
]


def _finding(result: dict, code: str) -> dict:
    found = [f for d in result["differentials"].values() for f in d["findings"] if f["code"] == code]
    assert found, f"{code} did not fire"
    return found[0]


def test_every_rule_has_a_german_title_and_explanation_different_from_the_english():
    for rule in (*REGISTRY.values(), *PROMPTS):
        title, explanation = (
            translations.rule_title(rule.id, "de"),
            translations.rule_explanation(rule.id, "de"),
        )
        assert title and title != rule.title, rule.id
        assert explanation and explanation != rule.explanation, rule.id
        assert translations.rule_title(rule.id, "en-gb") == rule.title
        assert translations.rule_explanation(rule.id, "en-gb") == rule.explanation


def test_every_prompt_has_a_german_text():
    for prompt in PROMPTS:
        assert translations.prompt_text(prompt.id, "de") not in ("", prompt.text)
        assert translations.prompt_text(prompt.id, "en") == prompt.text


def test_every_finding_rule_has_a_german_finding_and_a_case_here_that_fires_it():
    assert set(de.FINDINGS) == FINDING_RULES
    assert {code for code, _, _ in CASES} == FINDING_RULES


def test_every_vocabulary_term_jansson_item_and_rule_group_has_a_german_label():
    for kind, terms in vocabulary.KINDS.items():
        for term in terms:
            german = translations.term(kind, term.code, "de")
            assert german is not None and german.label and german.label != term.label, (kind, term.code)
            assert german.short, (kind, term.code)
            if getattr(term, "detail", ""):
                assert german.detail and german.detail != term.detail, (kind, term.code)
    for item in vocabulary.JANSSON_ITEMS:
        assert translations.jansson_label(item.code, "de") not in ("", item.label)
    for group in vocabulary.RULE_GROUPS:
        assert translations.rule_group_label(group.code, "de") not in ("", group.label)


def test_every_labelled_input_path_has_a_german_label():
    for path, english in translations.PATH_LABELS.items():
        assert translations.path_label(path, "en-gb") == english
        assert translations.path_label(path, "de") not in ("", english)


@pytest.mark.parametrize(
    ("code", "doc", "german"), CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)]
)
def test_a_finding_the_rule_writes_reads_in_german_with_its_values(code, doc, german):
    finding = _finding(run(doc), code)
    text = translations.finding_text(code, finding["text"], "de")
    assert german in text, text
    assert text != finding["text"] and "{" not in text
    assert translations.finding_text(code, finding["text"], "en-gb") == finding["text"]


def test_the_crp_finding_reads_as_german_clinicians_write_it():
    finding = _finding(run(with_(example(), episode__labs__crp_mg_l=45)), "INF-CRP-30")
    assert translations.finding_text("INF-CRP-30", finding["text"], "de-at") == (
        "CRP 45 mg/l (≥ 30 mg/l): Infektion nicht ausgeschlossen; Biopsie mit bakterieller, mykologischer "
        "und mykobakterieller Kultur ohne antibiotische Vorbehandlung erwägen."
    )


def test_the_9_of_the_unit_is_not_taken_for_a_value():
    finding = _finding(run(with_(example(), episode__labs__platelets_10e9_l=95)), "MAL-CYTOPENIA-PLT")
    assert translations.finding_text("MAL-CYTOPENIA-PLT", finding["text"], "de").startswith(
        "Thrombozyten 95 ×10⁹/l (< 150):"
    )


def test_a_finding_text_no_rule_of_this_ruleset_writes_stays_english():
    older = "CRP 45 mg/L (> 20 mg/L): infection not excluded."
    assert translations.finding_text("INF-CRP-30", older, "de") == older
    unknown_word = (
        "Imaging shows a cloaca: atypical for CNO, infection not excluded; consider biopsy with cultures."
    )
    assert translations.finding_text("INF-IMAGING", unknown_word, "de") == unknown_word
    assert translations.finding_text("INF-RETIRED", "Some old finding.", "de") == "Some old finding."


def test_unknown_ids_and_codes_fall_back_to_english():
    assert translations.rule_title("INF-RETIRED", "de") == "INF-RETIRED"
    assert translations.rule_explanation("INF-RETIRED", "de") == ""
    assert translations.term("status", "retired", "de") is None
    assert translations.term_label("status", "retired", "de", default="Retired") == "Retired"
    with pytest.raises(KeyError):
        translations.term_label("status", "retired", "de")
    assert translations.jansson_label("retired_item", "de") == "retired_item"
    assert translations.path_label("episode.labs.new_marker_u_l", "de") == "New marker u l"
    assert translations.path_label("patient.birth_date", "fr") == "Birth date"
    assert translations.term_label("status", "concern", None) == "Concern — work-up needed"


# --- The case format's validation messages (an import's row errors) -------------------------------------


def test_validation_messages_read_in_german_with_their_values_and_german_units():
    from exclusion.engine import validation

    doc = with_(example(), episode__labs__crp_mg_l=5000, episode__colour="blue")
    messages = {error["path"]: error["message"] for error in validation.validate_case(doc)}
    assert translations.validation_message(messages["episode.labs.crp_mg_l"], "de") == (
        "5000 liegt außerhalb des plausiblen Bereichs 0–500 mg/l"
    )
    assert translations.validation_message(messages["episode.colour"], "de") == (
        "unbekanntes Feld (nicht Teil von cno-case/1)"
    )


def test_a_validation_message_stays_as_written_in_english_or_when_no_pattern_knows_it():
    message = "5000 is outside the plausible range 0–500 mg/L"
    assert translations.validation_message(message, "en-gb") == message
    assert translations.validation_message("something new", "de") == "something new"
