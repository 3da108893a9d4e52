"""What the record says about one lesion, defined once for every reader (pages, summaries, trends).

Plain Python on purpose: the activity summaries (pure, no database) and the pages (model instances) both
ask it, so a lesion is "active" by one definition everywhere.
"""

from __future__ import annotations

from typing import Protocol

MRI = "mri"  # the contract's code for MRI (exclusion.engine.schema.MODALITIES; patients.choices.Modality)


class LesionLike(Protocol):
    """A Lesion row or the summaries' LesionFacts: the three fields that decide activity."""

    @property
    def active(self) -> bool: ...

    @property
    def modality(self) -> str: ...

    @property
    def marrow_oedema(self) -> bool: ...


def lesion_is_active(lesion: LesionLike) -> bool:
    """Active when marked so, or on MRI with marrow oedema (the MRI sign of active inflammation, ref. I1)."""
    return bool(lesion.active or (lesion.modality == MRI and lesion.marrow_oedema))
