"""The rule registry: every rule the engine applies, with its id, inputs, explanation and citation.

Rule ids are stable (they appear as finding codes in stored assessments): never rename or reuse one.
Citations are taken from shared/clinical/reference.md. Wording is decision support ("not excluded",
"consider", "supports"), never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .snapshot import Snapshot

# --- citations (shared/clinical/reference.md) -------------------------------------------------------------
RODERICK_2016 = (
    "Roderick MR, Shah R, Rogers V, Finn A, Ramanan AV. Chronic recurrent multifocal osteomyelitis (CRMO) – "
    "advancing the diagnosis. Pediatr Rheumatol Online J 2016;14(1):47. doi:10.1186/s12969-016-0109-1. "
    "PMID 27576444"
)
JANSSON_2009 = (
    "Jansson AF, Müller TH, Gliera L, et al. Clinical score for nonbacterial "
    "osteitis in children and adults. "
    "Arthritis Rheum 2009;60(4):1152–1159. doi:10.1002/art.24402. PMID 19333943"
)
JONES_2006 = (
    "Jones OY, Spencer CH, Bowyer SL, Dent PB, Gottlieb BS, Rabinovich CE. A "
    "multicenter case-control study on "
    "predictive factors distinguishing childhood leukemia from juvenile rheumatoid arthritis. Pediatrics "
    "2006;117(5):e840–e844. PMID 16651289"
)
LOUVIGNE_2020 = (
    "Louvigné M, et al. Persistent osteoarticular pain in children: early clinical and laboratory findings "
    "suggestive of acute lymphoblastic leukemia (ALL vs JIA). Pediatr Rheumatol 2020. "
    "doi:10.1186/s12969-019-0376-8"
)
EULAR_ACR_2025 = (
    "Zhao Y, Oliver MS, Schnabel A, et al. EULAR/American College of Rheumatology "
    "Classification Criteria for "
    "Pediatric Chronic Nonbacterial Osteomyelitis. Arthritis Rheumatol 2025. doi:10.1002/art.43137. "
    "PMID 40342207"
)
EULAR_ACR_2022_LABS = (
    EULAR_ACR_2025 + " (provisional 2022 laboratory exclusions: platelets < 100 ×10⁹/L, abnormal LDH — "
    "secondary report)"
)
ZHAO_2017 = (
    "Zhao Y, Laxer RM, Ferguson PJ. Treatment advances in chronic non-bacterial osteomyelitis and other "
    "autoinflammatory bone conditions. Curr Treat Options Rheumatol 2017;3:17–32 (no DOI/PMID in reference)"
)
KOSTIK_2023 = (
    "Kostik MM, et al. NBO diagnostic score (NBO vs bacterial osteomyelitis). Front Pediatr 2023. "
    "doi:10.3389/fped.2023.1067206"
)
SCHNABEL_2016 = (
    "Schnabel A, et al. Unexpectedly high incidences of chronic non-bacterial as compared to bacterial "
    "osteomyelitis in children. Rheumatol Int 2016. doi:10.1007/s00296-016-3572-6"
)
GROTE_2017 = (
    "Grote V, Silier CCG, Voit AM, Jansson AF. Bacterial osteomyelitis or nonbacterial osteitis in children. "
    "Pediatr Infect Dis J 2017;36(5):451–456. doi:10.1097/INF.0000000000001469. PMID 28403046"
)
KOSTIK_TB = (
    "Kostik MM, Kopchak OL, Maletin AS, Zorin VI, Mushkin AY. CNO vs tuberculous osteomyelitis "
    "(journal not captured; no DOI/PMID in reference)"
)
CONTRACT = (
    "Project contract cno-case/1 (shared/contract/case-v1.md); no publication for this item in "
    "shared/clinical/reference.md"
)
AGODI_2013 = "Agodi A, et al. BMC Pediatr 2013;13:15 (no DOI/PMID in reference)"
CLINICS_2011 = (
    "ALL vs systemic JIA. Clinics (São Paulo) 2011 (SciELO S1807-59322011001000001; no DOI/PMID in reference)"
)
WHO_2011 = (
    "World Health Organization. Haemoglobin concentrations for the diagnosis of anaemia and assessment of "
    "severity. WHO/NMH/NHD/MNM/11.1, 2011; WHO 2024 guideline (6–23 months: 105 g/L)"
)
LEUK_RES_2012 = (
    "Differential diagnosis of paediatric bone pain: acute lymphoblastic leukemia. "
    "Leuk Res 2012;36(4):521–523. "
    "doi:10.1016/j.leukres.2012.01.001"
)
ZHAO_ACR_2020 = (
    "Zhao Y, et al. Comparison of clinicopathologic and imaging features between CNO and its mimickers. "
    "ACR Convergence 2020, abstract 1162 (imaging red flags as reported secondarily; "
    "no DOI/PMID in reference)"
)
BAKY_2020 = (
    "Baky F, et al. Clin Orthop Relat Res 2020;478(10):2367–2374; McMahon A, Pilkington C. Pediatr Rheumatol "
    "2008;6(Suppl 1):P190 (no DOI/PMID in reference)"
)
WHYTE_2009 = (
    "Whyte MP, et al. J Bone Miner Res 2009;24(8):1493–1505; Girschick HJ, Mornet E, Beer M, Warmuth-Metz M, "
    "Schneider P. BMC Pediatr 2007;7:3. PMID 17241478"
)
SCURVY = EULAR_ACR_2025 + "; scurvy mimicking CNO: Pediatrics 2019;144(3):e20182824"
MONOGENIC = (
    "Insights Imaging 2022 review, doi:10.1186/s13244-022-01288-3; Ferguson PJ, et "
    "al. J Med Genet 2005;42:551 "
    "(Majeed, LPIN2); DIRA (IL1RN): Sakran W, et al. Pediatr Infect Dis J 2013;32(1):94"
)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    inputs: tuple[str, ...]
    explanation: str
    source: str
    group: str
    # Red flags and notes: returns the finding text when the rule fires, else None.
    check: Callable[[Snapshot], str | None] | None = None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "inputs": list(self.inputs),
            "explanation": self.explanation,
            "source": self.source,
        }


REGISTRY: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add a rule; a duplicate id is a programming error and fails at import time."""
    if rule.id in REGISTRY:
        raise ValueError(f"duplicate rule id {rule.id!r}")
    REGISTRY[rule.id] = rule
    return rule


def _rule(
    id: str,
    title: str,
    inputs: tuple[str, ...],
    explanation: str,
    source: str,
    group: str,
    check: Callable[[Snapshot], str | None] | None = None,
) -> Rule:
    return register(Rule(id, title, inputs, explanation, source, group, check))


def _g(x: float) -> str:
    return f"{x:g}"


S = "episode.symptoms."
F = "episode.findings."
L = "episode.labs."
LES = "episode.lesions[]."
B = "episode.biopsy."
AGE_INPUTS = (
    "patient.birth_date",
    "episode.onset_on",
    "episode.assessed_on",
    "episode.age_years",
    "episode.age_at_onset_years",
)


# ===== infection ==========================================================================================
def _fever(s: Snapshot) -> str | None:
    if s.symptoms["fever"] is True:
        return (
            "Fever reported: bacterial osteomyelitis not excluded; consider blood culture "
            "and infection work-up."
        )
    return None


def _temp(s: Snapshot) -> str | None:
    t = s.symptoms["max_temperature_c"]
    if t is not None and t >= 38.0:
        return (
            f"Maximum temperature {_g(t)} °C (≥ 38.0 °C): infection not excluded; consider blood culture "
            "and infection work-up."
        )
    return None


def _crp30(s: Snapshot) -> str | None:
    crp = s.labs["crp_mg_l"]
    if crp is not None and crp >= 30:
        return (
            f"CRP {_g(crp)} mg/L (≥ 30 mg/L): infection not excluded; consider biopsy with bacterial, "
            "fungal and mycobacterial culture taken off antibiotics."
        )
    return None


def _blood_culture(s: Snapshot) -> str | None:
    if s.labs["blood_culture"] == "positive":
        return "Positive blood culture: infection not excluded; treat and investigate as infection."
    return None


def _inf_imaging(s: Snapshot) -> str | None:
    seen = [f for f in ("abscess", "sequestrum", "sinus_tract") if f in s.features]
    if seen:
        return (
            f"Imaging shows {', '.join(x.replace('_', ' ') for x in seen)}: atypical for CNO, infection not "
            "excluded; consider biopsy with cultures."
        )
    return None


def _biopsy_growth(s: Snapshot) -> str | None:
    if s.culture == "growth":
        return "Bone biopsy culture grew an organism: infection not excluded."
    return None


def _immuno(s: Snapshot) -> str | None:
    if s.findings["immunocompromised"] is True:
        return (
            "Immunocompromised patient: infection (including opportunistic) not excluded; consider cultures."
        )
    return None


def _tb(s: Snapshot) -> str | None:
    if s.findings["tb_exposure"] is True:
        return (
            "Tuberculosis exposure: tuberculous osteomyelitis not excluded; consider biopsy with "
            "mycobacterial culture."
        )
    return None


def _abx(s: Snapshot) -> str | None:
    if s.findings["sustained_response_to_antibiotics_alone"] is True:
        return (
            "Complete, sustained response to antibiotics alone: favours infection; CNO "
            "should not be classified."
        )
    return None


INFECTION_FLAGS = (
    _rule(
        "INF-FEVER",
        "Fever reported",
        (S + "fever",),
        "Fever is much more frequent in bacterial than in nonbacterial osteomyelitis (90.6% vs 34.1%).",
        KOSTIK_2023,
        "infection",
        _fever,
    ),
    _rule(
        "INF-TEMP-38",
        "Temperature of 38.0 °C or more",
        (S + "max_temperature_c",),
        "A measured temperature of at least 38.0 °C counts as fever.",
        KOSTIK_2023,
        "infection",
        _temp,
    ),
    _rule(
        "INF-CRP-30",
        "CRP of 30 mg/L or more",
        (L + "crp_mg_l",),
        "A CRP of 30 mg/L or more is 'significantly raised' (Bristol criteria) and sends the case down the "
        "biopsy route; exactly 30 counts as raised (conservative choice).",
        RODERICK_2016,
        "infection",
        _crp30,
    ),
    _rule(
        "INF-BLOOD-CULTURE",
        "Positive blood culture",
        (L + "blood_culture",),
        "A positive blood culture is evidence of infection.",
        ZHAO_2017,
        "infection",
        _blood_culture,
    ),
    _rule(
        "INF-IMAGING",
        "Abscess, sequestrum or sinus tract",
        (LES + "abscess", LES + "sequestrum", LES + "sinus_tract"),
        "Abscess (0% of CNO vs 39% of bacterial osteomyelitis), sequestrum and sinus "
        "tract point to infection.",
        SCHNABEL_2016,
        "infection",
        _inf_imaging,
    ),
    _rule(
        "INF-BIOPSY-GROWTH",
        "Bone biopsy culture growth",
        (B + "culture",),
        "Growth in a bone biopsy culture is evidence of infection.",
        RODERICK_2016,
        "infection",
        _biopsy_growth,
    ),
    _rule(
        "INF-IMMUNOCOMPROMISED",
        "Immunocompromised",
        (F + "immunocompromised",),
        "An immunocompromised child is at risk of atypical infection; the contract makes this a red flag.",
        CONTRACT,
        "infection",
        _immuno,
    ),
    _rule(
        "INF-TB-EXPOSURE",
        "Tuberculosis exposure",
        (F + "tb_exposure",),
        "Tuberculous osteomyelitis mimics CNO; monofocal disease with possible TB needs biopsy with "
        "microbiology.",
        KOSTIK_TB,
        "infection",
        _tb,
    ),
    _rule(
        "INF-ANTIBIOTIC-RESPONSE",
        "Sustained response to antibiotics alone",
        (F + "sustained_response_to_antibiotics_alone",),
        "A complete and sustained response to antimicrobials alone is an exclusion criterion for CNO.",
        EULAR_ACR_2025,
        "infection",
        _abx,
    ),
)
INF_EXCLUDED = _rule(
    "INF-EXCLUDED-BIOPSY",
    "Adequate biopsy without growth",
    (B + "histology", B + "culture", B + "on_antibiotics"),
    "An adequate biopsy (histology given, culture done, taken off antibiotics) with no growth excludes "
    "bacterial infection.",
    RODERICK_2016,
    "infection",
)
INF_SCREENING = _rule(
    "INF-SCREENING",
    "Infection screening data",
    (S + "fever", S + "max_temperature_c", L + "crp_mg_l"),
    "Infection can only be called free of red flags when the temperature (fever or maximum temperature) and "
    "the CRP are known.",
    ZHAO_2017,
    "infection",
)


# ===== malignancy =========================================================================================
def _wbc(s: Snapshot) -> str | None:
    wbc = s.labs["wbc_10e9_l"]
    if wbc is not None and wbc < 4.0:
        return (
            f"WBC {_g(wbc)} ×10⁹/L (< 4.0): leukaemia not excluded; consider blood film and "
            "bone-marrow examination."
        )
    return None


def _jones(s: Snapshot) -> str | None:
    wbc, plt = s.labs["wbc_10e9_l"], s.labs["platelets_10e9_l"]
    if (
        wbc is not None
        and wbc < 4.0
        and plt is not None
        and 150 <= plt <= 250
        and s.symptoms["night_pain"] is True
    ):
        return (
            f"Leukaemia triad present (WBC {_g(wbc)} < 4.0 ×10⁹/L, low-normal platelets {_g(plt)} ×10⁹/L, "
            "night pain): sensitivity 100%, specificity 85% for ALL vs JRA; consider blood film and "
            "bone-marrow examination before any CNO diagnosis."
        )
    return None


def _neut(s: Snapshot) -> str | None:
    n = s.labs["neutrophils_10e9_l"]
    if n is not None and n < 2.0:
        return f"Neutrophils {_g(n)} ×10⁹/L (< 2.0): leukaemia not excluded; consider blood film."
    return None


def _plt(s: Snapshot) -> str | None:
    plt = s.labs["platelets_10e9_l"]
    if plt is not None and plt < 150:
        return f"Platelets {_g(plt)} ×10⁹/L (< 150): malignancy not excluded; consider blood film."
    return None


def _anaemia(s: Snapshot) -> str | None:
    if s.anaemia:
        return (
            f"Haemoglobin {_g(s.labs['hemoglobin_g_l'])} g/L is below the WHO cut-off of {s.who_cutoff} g/L "
            "for age and sex: malignancy not excluded; consider blood film."
        )
    return None


def _ldh(s: Snapshot) -> str | None:
    ldh, uln = s.labs["ldh_u_l"], s.labs["ldh_uln_u_l"]
    if ldh is not None and uln is not None and ldh > uln:
        return (
            f"LDH {_g(ldh)} U/L is above the laboratory upper limit of {_g(uln)} U/L: malignancy not "
            "excluded."
        )
    return None


def _blasts(s: Snapshot) -> str | None:
    if s.labs["blasts_on_smear"] is True:
        return "Blasts on the blood smear: leukaemia not excluded; refer for haematology work-up."
    return None


def _organs(s: Snapshot) -> str | None:
    seen = [k for k in ("hepatomegaly", "splenomegaly", "lymphadenopathy") if s.findings[k] is True]
    if seen:
        return (
            f"{', '.join(seen).capitalize()}: leukaemia or lymphoma not excluded (OR 154 for ALL vs JIA); "
            "consider blood film and bone-marrow examination."
        )
    return None


def _constitutional(s: Snapshot) -> str | None:
    seen = [k.replace("_", " ") for k in ("weight_loss", "night_sweats") if s.symptoms[k] is True]
    if seen:
        return (
            f"{' and '.join(seen).capitalize()}: malignancy not excluded even with a normal blood count; "
            "consider the malignancy work-up."
        )
    return None


def _mal_imaging(s: Snapshot) -> str | None:
    seen = [f.replace("_", " ") for f in ("cortical_destruction", "soft_tissue_mass") if f in s.features]
    if seen:
        return (
            f"Imaging shows {' and '.join(seen)}: not seen in CNO; malignancy not excluded; consider biopsy."
        )
    return None


def _collapse(s: Snapshot) -> str | None:
    if "vertebral_collapse" in s.features and (s.focality == "unifocal" or s.cytopenia):
        why = "unifocal disease" if s.focality == "unifocal" else "a cytopenia"
        return (
            f"Vertebral collapse with {why}: malignancy or LCH not excluded; consider biopsy and "
            "bone-marrow examination."
        )
    return None


def _mal_biopsy(s: Snapshot) -> str | None:
    if s.histology in ("malignant", "lch"):
        label = "malignancy" if s.histology == "malignant" else "Langerhans cell histiocytosis"
        return f"Bone biopsy histology shows {label}: this is not CNO."
    return None


MALIGNANCY_FLAGS = (
    _rule(
        "MAL-CYTOPENIA-WBC",
        "WBC below 4.0 ×10⁹/L",
        (L + "wbc_10e9_l",),
        "A WBC below 4.0 ×10⁹/L predicts leukaemia rather than juvenile arthritis.",
        JONES_2006,
        "malignancy",
        _wbc,
    ),
    _rule(
        "MAL-JONES-TRIAD",
        "Leukaemia triad (Jones 2006)",
        (L + "wbc_10e9_l", L + "platelets_10e9_l", S + "night_pain"),
        "WBC < 4.0 ×10⁹/L with low-normal platelets (150–250 ×10⁹/L) and night pain: sensitivity 100%, "
        "specificity 85% for ALL.",
        JONES_2006,
        "malignancy",
        _jones,
    ),
    _rule(
        "MAL-NEUTROPENIA",
        "Neutrophils below 2.0 ×10⁹/L",
        (L + "neutrophils_10e9_l",),
        "Neutrophils below 2.0 ×10⁹/L point to ALL rather than JIA (OR 50).",
        LOUVIGNE_2020,
        "malignancy",
        _neut,
    ),
    _rule(
        "MAL-CYTOPENIA-PLT",
        "Platelets below 150 ×10⁹/L",
        (L + "platelets_10e9_l",),
        "Thrombocytopenia discriminates ALL from juvenile arthritis; the contract uses < 150 ×10⁹/L.",
        CLINICS_2011 + "; " + EULAR_ACR_2022_LABS,
        "malignancy",
        _plt,
    ),
    _rule(
        "MAL-ANAEMIA",
        "Haemoglobin below the WHO cut-off",
        (
            L + "hemoglobin_g_l",
            "patient.sex",
            "patient.birth_date",
            "episode.assessed_on",
            "episode.age_years",
        ),
        "Low haemoglobin predicts malignancy in children with musculoskeletal pain; "
        "anaemia is judged against "
        "the WHO cut-off for age (and sex from 15 years).",
        WHO_2011 + "; " + AGODI_2013,
        "malignancy",
        _anaemia,
    ),
    _rule(
        "MAL-LDH",
        "LDH above the laboratory upper limit",
        (L + "ldh_u_l", L + "ldh_uln_u_l"),
        "A raised LDH is a malignancy concern; judged only against the reporting laboratory's upper limit.",
        EULAR_ACR_2022_LABS + "; " + AGODI_2013,
        "malignancy",
        _ldh,
    ),
    _rule(
        "MAL-BLASTS",
        "Blasts on the blood smear",
        (L + "blasts_on_smear",),
        "Blasts on the smear indicate leukaemia (although 75% of children with ALL have none).",
        JONES_2006,
        "malignancy",
        _blasts,
    ),
    _rule(
        "MAL-ORGANOMEGALY",
        "Hepatomegaly, splenomegaly or lymphadenopathy",
        (F + "hepatomegaly", F + "splenomegaly", F + "lymphadenopathy"),
        "Organomegaly or lymphadenopathy was present in 37/49 children with ALL vs 2/98 with JIA (OR 154).",
        LOUVIGNE_2020,
        "malignancy",
        _organs,
    ),
    _rule(
        "MAL-CONSTITUTIONAL",
        "Weight loss or night sweats",
        (S + "weight_loss", S + "night_sweats"),
        "Constitutional symptoms must trigger the malignancy work-up even with a normal blood count.",
        LEUK_RES_2012 + "; " + LOUVIGNE_2020,
        "malignancy",
        _constitutional,
    ),
    _rule(
        "MAL-IMAGING",
        "Cortical destruction or soft-tissue mass",
        (LES + "cortical_destruction", LES + "soft_tissue_mass"),
        "Cortical destruction and a soft-tissue mass are imaging features of malignancy, not of CNO.",
        ZHAO_ACR_2020,
        "malignancy",
        _mal_imaging,
    ),
    _rule(
        "MAL-VERTEBRAL-COLLAPSE",
        "Vertebral collapse, unifocal or with a cytopenia",
        (
            LES + "vertebral_collapse",
            "episode.lesions",
            L + "wbc_10e9_l",
            L + "neutrophils_10e9_l",
            L + "platelets_10e9_l",
            L + "hemoglobin_g_l",
        ),
        "Vertebra plana has causes other than CNO (LCH, leukaemia); with unifocal disease or a cytopenia "
        "(WBC < 4.0, neutrophils < 2.0, platelets < 150 or anaemia) it needs biopsy.",
        BAKY_2020,
        "malignancy",
        _collapse,
    ),
    _rule(
        "MAL-BIOPSY",
        "Biopsy histology malignant or LCH",
        (B + "histology",),
        "A biopsy showing malignancy or LCH settles the differential.",
        RODERICK_2016,
        "malignancy",
        _mal_biopsy,
    ),
)
MAL_EXCLUDED = _rule(
    "MAL-EXCLUDED-BIOPSY",
    "Adequate biopsy with benign histology",
    (B + "histology", B + "culture", B + "on_antibiotics"),
    "An adequate biopsy with inflammatory, nonspecific or normal histology excludes "
    "malignancy (as fixed by the "
    "contract).",
    RODERICK_2016,
    "malignancy",
)


def _under_6_months(s: Snapshot) -> str | None:
    if s.age_known and s.who_cutoff is None:
        return (
            "Haemoglobin cannot be judged against a WHO cut-off under 6 months of age: compare it with the "
            "laboratory's infant reference range (malignancy screening incomplete)."
        )
    return None


MAL_HB_UNDER_6M = _rule(
    "MAL-HB-UNDER-6-MONTHS",
    "Haemoglobin not assessable under 6 months",
    ("patient.birth_date", "episode.age_years"),
    "WHO gives no anaemia cut-off under 6 months, so the anaemia screen cannot be completed automatically.",
    WHO_2011,
    "malignancy",
    _under_6_months,
)
MAL_SCREENING = _rule(
    "MAL-SCREENING",
    "Malignancy screening data",
    (
        L + "wbc_10e9_l",
        L + "hemoglobin_g_l",
        L + "platelets_10e9_l",
        L + "ldh_u_l",
        L + "ldh_uln_u_l",
        "patient.birth_date",
    ),
    "Malignancy can only be called free of red flags when WBC, haemoglobin (with an "
    "age to judge it), platelets "
    "and LDH with its laboratory upper limit are known.",
    JONES_2006,
    "malignancy",
)


# ===== hypophosphatasia ===================================================================================
def _alp(s: Snapshot) -> str | None:
    alp, lln = s.labs["alp_u_l"], s.labs["alp_lln_u_l"]
    if alp is not None and lln is not None and alp < lln:
        return (
            f"ALP {_g(alp)} U/L is below the laboratory lower limit of {_g(lln)} U/L: hypophosphatasia not "
            "excluded; consider pyridoxal-5'-phosphate and ALPL genetics."
        )
    return None


HPP_FLAGS = (
    _rule(
        "HPP-ALP-LOW",
        "ALP below the laboratory lower limit",
        (L + "alp_u_l", L + "alp_lln_u_l"),
        "Hypophosphatasia mimics CRMO; a low ALP for age and sex needs work-up. Judged only against the "
        "reporting laboratory's lower limit (ALP is strongly age dependent).",
        WHYTE_2009,
        "hypophosphatasia",
        _alp,
    ),
)
HPP_SCREENING = _rule(
    "HPP-SCREENING",
    "Hypophosphatasia screening data",
    (L + "alp_u_l", L + "alp_lln_u_l"),
    "Hypophosphatasia can only be judged with an ALP and the laboratory's lower limit; a value without its "
    "limit counts as unknown.",
    WHYTE_2009,
    "hypophosphatasia",
)
HPP_EXCLUDED = _rule(
    "HPP-EXCLUDED-ALP",
    "ALP at or above its lower limit",
    (L + "alp_u_l", L + "alp_lln_u_l"),
    "An ALP at or above the laboratory's lower limit excludes hypophosphatasia (as fixed by the contract).",
    WHYTE_2009,
    "hypophosphatasia",
)


# ===== scurvy =============================================================================================
def _vitc(s: Snapshot) -> str | None:
    if s.labs["vitamin_c_low"] is True:
        return "Low vitamin C: scurvy not excluded; it mimics CNO; consider vitamin C replacement."
    return None


def _scurvy_clinical(s: Snapshot) -> str | None:
    if s.labs["vitamin_c_low"] is not None:
        return None
    seen = [
        k.replace("_", " ")
        for k in ("restricted_diet", "bruising_or_purpura", "gum_bleeding")
        if s.findings[k] is True
    ]
    if seen:
        return (
            f"{', '.join(seen).capitalize()} with vitamin C unknown: scurvy not excluded; consider a plasma "
            "vitamin C level before diagnosing CNO."
        )
    return None


SCURVY_FLAGS = (
    _rule(
        "SCU-VITC-LOW",
        "Vitamin C low",
        (L + "vitamin_c_low",),
        "Vitamin C deficiency is an exclusion criterion for CNO.",
        SCURVY,
        "scurvy",
        _vitc,
    ),
    _rule(
        "SCU-CLINICAL",
        "Scurvy clues with vitamin C unknown",
        (L + "vitamin_c_low", F + "restricted_diet", F + "bruising_or_purpura", F + "gum_bleeding"),
        "A restricted diet, bruising or purpura, or gum bleeding call for a vitamin C level.",
        SCURVY,
        "scurvy",
        _scurvy_clinical,
    ),
)
SCU_SCREENING = _rule(
    "SCU-SCREENING",
    "Scurvy screening data",
    (F + "restricted_diet",),
    "Without a vitamin C level, scurvy can only be called free of red flags when the diet is known not to be "
    "restricted.",
    SCURVY,
    "scurvy",
)
SCU_EXCLUDED = _rule(
    "SCU-EXCLUDED-VITC",
    "Vitamin C known not low",
    (L + "vitamin_c_low",),
    "A vitamin C level that is not low excludes scurvy.",
    SCURVY,
    "scurvy",
)


# ===== monogenic ==========================================================================================
def _onset3(s: Snapshot) -> str | None:
    if s.onset_under_3:
        return (
            f"Onset at {s.age_at_onset_years:.1f} years (under 3): monogenic autoinflammatory bone disease "
            "(Majeed syndrome LPIN2, DIRA IL1RN) not excluded; consider genetic testing."
        )
    return None


def _neonatal(s: Snapshot) -> str | None:
    if s.findings["neonatal_pustulosis"] is True:
        return "Neonatal pustulosis: consider DIRA (IL1RN)."
    return None


def _family(s: Snapshot) -> str | None:
    if s.findings["consanguinity_or_affected_sibling"] is True:
        return (
            "Consanguinity or an affected sibling: a recessive monogenic form (Majeed, DIRA) is not "
            "excluded; consider genetic testing."
        )
    return None


MONOGENIC_FLAGS = (
    _rule(
        "MONO-ONSET-UNDER-3",
        "Onset before 3 years",
        AGE_INPUTS,
        "Non-genetic CNO is rare before 3 years; early onset should prompt consideration of monogenic forms.",
        MONOGENIC + "; " + EULAR_ACR_2025,
        "monogenic",
        _onset3,
    ),
    _rule(
        "MONO-NEONATAL-PUSTULOSIS",
        "Neonatal pustulosis",
        (F + "neonatal_pustulosis",),
        "Neonatal pustulosis with multifocal osteomyelitis suggests DIRA.",
        MONOGENIC,
        "monogenic",
        _neonatal,
    ),
    _rule(
        "MONO-FAMILY",
        "Consanguinity or affected sibling",
        (F + "consanguinity_or_affected_sibling",),
        "Majeed syndrome and DIRA are autosomal recessive; consanguinity or an affected sibling raises their "
        "likelihood.",
        MONOGENIC,
        "monogenic",
        _family,
    ),
)

MONO_SCREENING = _rule(
    "MONO-SCREENING",
    "Monogenic screening data",
    AGE_INPUTS,
    "The age at onset must be known (birth date, or the age at onset) to screen for "
    "monogenic forms; they are "
    "never excluded by the engine.",
    MONOGENIC,
    "monogenic",
)


# ===== biopsy =============================================================================================
BIOPSY_REASONS = (
    (
        "unifocal_non_clavicular",
        _rule(
            "BIOPSY-UNIFOCAL",
            "Unifocal disease outside the clavicle",
            ("episode.lesions",),
            "In a child with a unifocal lesion other than the clavicle, MRI-guided biopsy with cultures and "
            "pathology is strongly recommended (Bristol criterion 2).",
            ZHAO_2017 + "; " + RODERICK_2016,
            "biopsy",
        ),
    ),
    (
        "crp_at_least_30",
        _rule(
            "BIOPSY-CRP-30",
            "CRP of 30 mg/L or more",
            (L + "crp_mg_l",),
            "A CRP of 30 mg/L or more sends the case down the Bristol biopsy route.",
            RODERICK_2016,
            "biopsy",
        ),
    ),
    (
        "infection_concern",
        _rule(
            "BIOPSY-INFECTION",
            "Infection concern",
            ("differentials.infection",),
            "Any infection red flag calls for biopsy with bacterial, fungal and mycobacterial cultures.",
            ZHAO_2017,
            "biopsy",
        ),
    ),
    (
        "malignancy_concern",
        _rule(
            "BIOPSY-MALIGNANCY",
            "Malignancy concern",
            ("differentials.malignancy",),
            "Any malignancy red flag calls for histology (and, for leukaemia, bone-marrow examination).",
            ZHAO_2017,
            "biopsy",
        ),
    ),
    (
        "age_under_3",
        _rule(
            "BIOPSY-AGE-UNDER-3",
            "Onset before 3 years",
            AGE_INPUTS,
            "Atypical age (onset before 3 years) was a reason for biopsy in the Bristol cohort.",
            RODERICK_2016,
            "biopsy",
        ),
    ),
    (
        "ill_appearance",
        _rule(
            "BIOPSY-ILL-APPEARANCE",
            "Ill appearance",
            (S + "ill_appearance",),
            "An ill-appearing child needs biopsy with cultures and pathology review.",
            ZHAO_2017,
            "biopsy",
        ),
    ),
)
BIOPSY_ADEQUATE = _rule(
    "BIOPSY-ADEQUATE",
    "Adequate biopsy on file",
    (B + "histology", B + "culture", B + "on_antibiotics"),
    "A biopsy is adequate when histology is reported, a culture was done and it was taken off antibiotics; "
    "then no new biopsy is recommended (reasons are still listed).",
    RODERICK_2016,
    "biopsy",
)


# ===== Bristol ============================================================================================
BRISTOL_APPLICABLE = _rule(
    "BRISTOL-APPLICABLE",
    "Bristol criteria applicable",
    ("episode.lesions", S + "bone_pain", S + "local_swelling"),
    "The Bristol criteria apply to bone pain or local swelling with at least one imaged lesion; without CRP "
    "they cannot be evaluated.",
    RODERICK_2016,
    "bristol",
)
BRISTOL_C1 = _rule(
    "BRISTOL-C1",
    "Bristol criterion 1",
    ("episode.lesions", L + "crp_mg_l", S + "fever", S + "max_temperature_c"),
    "More than one bone (or the clavicle alone), CRP < 30 mg/L, no fever, and typical imaging (MRI marrow "
    "oedema; or X-ray/CT lysis, sclerosis, periosteal reaction or hyperostosis): "
    "supports CNO without biopsy.",
    RODERICK_2016,
    "bristol",
)
BRISTOL_C2 = _rule(
    "BRISTOL-C2",
    "Bristol criterion 2",
    (B + "histology", B + "culture", B + "on_antibiotics"),
    "Otherwise an adequate biopsy showing inflammatory histology with no growth, taken off antibiotics, is "
    "required.",
    RODERICK_2016,
    "bristol",
)


# ===== Jansson clinical score =============================================================================
JANSSON_ITEMS = (
    (
        "normal_blood_count",
        13,
        _rule(
            "JANSSON-NBC",
            "Normal blood count (13 points)",
            (L + "wbc_10e9_l", L + "hemoglobin_g_l", L + "platelets_10e9_l", "patient.birth_date"),
            "WBC 4.0–13.5 ×10⁹/L, haemoglobin at or above the WHO cut-off, platelets 150–450 "
            "×10⁹/L (OR 81.5); "
            "unknown when any of the three is unknown.",
            JANSSON_2009,
            "jansson",
        ),
    ),
    (
        "symmetric_lesions",
        10,
        _rule(
            "JANSSON-SYMMETRIC",
            "Symmetric lesions (10 points)",
            ("episode.lesions",),
            "Some site has lesions on both the left and the right (OR 30.0).",
            JANSSON_2009,
            "jansson",
        ),
    ),
    (
        "marginal_sclerosis",
        10,
        _rule(
            "JANSSON-SCLEROSIS",
            "Marginal sclerosis (10 points)",
            (LES + "sclerosis",),
            "Any lesion with marginal sclerosis (OR 26.8).",
            JANSSON_2009,
            "jansson",
        ),
    ),
    (
        "normal_body_temperature",
        9,
        _rule(
            "JANSSON-TEMPERATURE",
            "Normal body temperature (9 points)",
            (S + "fever", S + "max_temperature_c"),
            "No fever reported and maximum temperature below 38.0 °C (OR 20.3); unknown when "
            "both are unknown.",
            JANSSON_2009,
            "jansson",
        ),
    ),
    (
        "vertebral_clavicular_or_sternal",
        8,
        _rule(
            "JANSSON-SITE",
            "Vertebral, clavicular or sternal lesion (8 points)",
            (LES + "site",),
            "A lesion of the spine, clavicle or sternum (OR 13.9).",
            JANSSON_2009,
            "jansson",
        ),
    ),
    (
        "more_than_one_lesion",
        7,
        _rule(
            "JANSSON-MULTIPLE",
            "More than one lesion (7 points)",
            ("episode.lesions",),
            "More than one radiologically proven lesion, counted as lesion entries, not bones (OR 10.9).",
            JANSSON_2009,
            "jansson",
        ),
    ),
    (
        "crp_at_least_10",
        6,
        _rule(
            "JANSSON-CRP-10",
            "CRP of 10 mg/L or more (6 points)",
            (L + "crp_mg_l",),
            "CRP ≥ 10 mg/L adds points because the comparison group included benign bone tumours (OR 6.9).",
            JANSSON_2009,
            "jansson",
        ),
    ),
)
JANSSON_THRESHOLD = 39
JANSSON_RESULT = _rule(
    "JANSSON-THRESHOLD",
    "Jansson score supports NBO",
    ("patient.birth_date", "episode.assessed_on", "episode.age_years"),
    "A score of 39 or more (of 63) supports nonbacterial osteitis (PPV 97%, "
    "sensitivity 68%); derived in patients "
    "older than 3 years, so not applicable at 3 years or less. Below 39 it does not discriminate.",
    JANSSON_2009,
    "jansson",
)


def rule_catalogue() -> list[dict]:
    """All rules in registration order (stable): infection, malignancy, hypophosphatasia, scurvy, monogenic,
    biopsy, Bristol, Jansson."""
    return [rule.as_dict() for rule in REGISTRY.values()]
