"""The lab values of a case as FHIR Observations: LOINC code, UCUM unit, and the units a Bundle may use.

One table, read by the export (resources.py), `$cno-assess` (mapping.py) and CDS Hooks prefetch templates.
`path` is the field of `episode.labs` in `cno-case/1` (body temperature is `episode.symptoms`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True, slots=True, kw_only=True)
class Analyte:
    key: str  # the case field, e.g. "crp_mg_l"
    group: str  # "labs" or "symptoms"
    loinc: str
    display: str
    ucum: str  # the unit the case field is in
    # Other UCUM units a Bundle may carry, with the factor that turns a value in that unit into `ucum`.
    # Temperature is not a factor (°F): see mapping.py.
    factors: dict[str, float] = field(default_factory=dict)
    # The case field holding this analyte's reference limit, if any ("high" or "low" in referenceRange).
    limit_key: str | None = None
    limit_side: str | None = None


ANALYTES: tuple[Analyte, ...] = (
    Analyte(
        key="crp_mg_l",
        group="labs",
        loinc="1988-5",
        display="C reactive protein [Mass/volume] in Serum or Plasma",
        ucum="mg/L",
        factors={"mg/L": 1.0, "mg/dL": 10.0},
    ),
    Analyte(
        key="esr_mm_h",
        group="labs",
        loinc="30341-2",
        display="Erythrocyte sedimentation rate",
        ucum="mm/h",
        factors={"mm/h": 1.0, "mm/(1.h)": 1.0},
    ),
    Analyte(
        key="wbc_10e9_l",
        group="labs",
        loinc="6690-2",
        display="Leukocytes [#/volume] in Blood by Automated count",
        ucum="10*9/L",
        factors={"10*9/L": 1.0, "10*3/uL": 1.0, "/nL": 1.0, "10*3/mm3": 1.0},
    ),
    Analyte(
        key="neutrophils_10e9_l",
        group="labs",
        loinc="751-8",
        display="Neutrophils [#/volume] in Blood by Automated count",
        ucum="10*9/L",
        factors={"10*9/L": 1.0, "10*3/uL": 1.0, "/nL": 1.0, "10*3/mm3": 1.0},
    ),
    Analyte(
        key="hemoglobin_g_l",
        group="labs",
        loinc="718-7",
        display="Hemoglobin [Mass/volume] in Blood",
        ucum="g/L",
        factors={"g/L": 1.0, "g/dL": 10.0},
    ),
    Analyte(
        key="platelets_10e9_l",
        group="labs",
        loinc="777-3",
        display="Platelets [#/volume] in Blood by Automated count",
        ucum="10*9/L",
        factors={"10*9/L": 1.0, "10*3/uL": 1.0, "/nL": 1.0, "10*3/mm3": 1.0},
    ),
    Analyte(
        key="ldh_u_l",
        group="labs",
        loinc="2532-0",
        display="Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma",
        ucum="U/L",
        factors={"U/L": 1.0},
        limit_key="ldh_uln_u_l",
        limit_side="high",
    ),
    Analyte(
        key="alp_u_l",
        group="labs",
        loinc="6768-6",
        display="Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",
        ucum="U/L",
        factors={"U/L": 1.0},
        limit_key="alp_lln_u_l",
        limit_side="low",
    ),
    Analyte(
        key="max_temperature_c",
        group="symptoms",
        loinc="8310-5",
        display="Body temperature",
        ucum="Cel",
        factors={"Cel": 1.0},
    ),
)
BY_LOINC: dict[str, Analyte] = {a.loinc: a for a in ANALYTES}
BY_KEY: dict[str, Analyte] = {a.key: a for a in ANALYTES}
