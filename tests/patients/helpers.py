"""Form payloads for the episode form, as a browser would post them."""

from __future__ import annotations

from typing import Any

from patients.choices import LESION_FEATURES


def episode_post(
    lesions: list[dict[str, Any]] = (), version: int | None = None, **fields: Any
) -> dict[str, Any]:
    """A POST body for the episode form: the given fields (tri-states as "yes"/"no"/""), and lesion rows."""
    data: dict[str, Any] = {"assessed_on": "2024-05-10", "crp_unit": "mg_l", "hemoglobin_unit": "g_l"}
    if version is not None:
        data["version"] = str(version)
    data.update({name: "" if value is None else str(value) for name, value in fields.items()})
    data["lesions-TOTAL_FORMS"] = str(len(lesions))
    data["lesions-INITIAL_FORMS"] = str(sum(1 for lesion in lesions if lesion.get("id")))
    data["lesions-MIN_NUM_FORMS"] = "0"
    data["lesions-MAX_NUM_FORMS"] = "1000"
    for index, lesion in enumerate(lesions):
        for name, value in lesion.items():
            if name in LESION_FEATURES or name == "DELETE":
                if value:
                    data[f"lesions-{index}-{name}"] = "on"
            else:
                data[f"lesions-{index}-{name}"] = str(value)
    return data


def symmetric_episode_post(**fields: Any) -> dict[str, Any]:
    """The contract's three-lesion symmetric example, typed into the form."""
    values = {
        "onset_on": "2024-02-01",
        "bone_pain": "yes",
        "local_swelling": "no",
        "night_pain": "no",
        "fever": "no",
        "max_temperature_c": 37.1,
        "weight_loss": "no",
        "night_sweats": "no",
        "ill_appearance": "no",
        "hepatomegaly": "no",
        "splenomegaly": "no",
        "lymphadenopathy": "no",
        "bruising_or_purpura": "no",
        "gum_bleeding": "no",
        "restricted_diet": "no",
        "neonatal_pustulosis": "no",
        "consanguinity_or_affected_sibling": "no",
        "crp_mg_l": 12,
        "esr_mm_h": 28,
        "wbc_10e9_l": 7.2,
        "neutrophils_10e9_l": 3.9,
        "hemoglobin_g_l": 124,
        "platelets_10e9_l": 310,
        "ldh_u_l": 220,
        "ldh_uln_u_l": 300,
        "alp_u_l": 240,
        "alp_lln_u_l": 130,
        "blasts_on_smear": "no",
        "blood_culture": "negative",
        "pain_vas": 4,
        "physician_global_vas": 4,
    }
    values.update(fields)
    lesions = [
        {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True, "sclerosis": True},
        {"site": "tibia", "side": "right", "modality": "mri", "marrow_oedema": True},
        {
            "site": "clavicle",
            "side": "right",
            "modality": "mri",
            "marrow_oedema": True,
            "bone_expansion": True,
        },
    ]
    return episode_post(lesions=lesions, **values)
