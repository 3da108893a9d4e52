"""Geometry of the skeleton map: where each lesion's marker goes on a front view of the skeleton.

Plain numbers only; the drawing itself is templates/patients/_skeleton_map.html. A front view, so the
patient's right is on the viewer's left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from patients.choices import BoneSite, Side
from patients.lesions import lesion_is_active

WIDTH, HEIGHT = 240, 465
MIDX = 120
# site -> (distance from the midline for left/right lesions, height)
SITE_POSITIONS = {
    BoneSite.SKULL: (16, 28),
    BoneSite.MAXILLA: (10, 52),
    BoneSite.MANDIBLE: (12, 66),
    BoneSite.SPINE_CERVICAL: (0, 82),
    BoneSite.CLAVICLE: (26, 97),
    BoneSite.STERNUM: (0, 125),
    BoneSite.SCAPULA: (42, 114),
    BoneSite.RIB: (30, 140),
    BoneSite.SPINE_THORACIC: (0, 150),
    BoneSite.HUMERUS: (60, 150),
    BoneSite.SPINE_LUMBAR: (0, 205),
    BoneSite.ULNA: (58, 226),
    BoneSite.RADIUS: (70, 224),
    BoneSite.SACRUM: (0, 238),
    BoneSite.PELVIS: (30, 235),
    BoneSite.HAND: (78, 268),
    BoneSite.FEMUR: (26, 300),
    BoneSite.TIBIA: (20, 378),
    BoneSite.FIBULA: (34, 382),
    BoneSite.FOOT: (28, 440),
    BoneSite.OTHER: (100, 452),
}
# spine letter -> (site, height of level 0, height per level)
SPINE_LEVELS = {
    "C": (BoneSite.SPINE_CERVICAL, 74, 2.2),
    "T": (BoneSite.SPINE_THORACIC, 100, 7.0),
    "L": (BoneSite.SPINE_LUMBAR, 188, 7.0),
}
RIB_TOP, RIB_STEP = 104, 6
FAN_STEP = 9  # how far apart markers at one place are fanned out
TEXT_DROP = 3.5  # the marker's number sits this far below its centre (vertically centred in the circle)


@dataclass(frozen=True, slots=True)
class Marker:
    """One lesion on the map: its number in the list, its centre, and whether it is active."""

    index: int
    x: float
    y: float
    active: bool
    lesion: Any

    @property
    def text_y(self) -> float:
        return self.y + TEXT_DROP


@dataclass(frozen=True, slots=True)
class SkeletonMap:
    width: int
    height: int
    markers: tuple[Marker, ...]


def _spine_position(lesion: Any) -> tuple[int, float] | None:
    level = (lesion.level or "").strip().upper()
    if len(level) >= 2 and level[0] in SPINE_LEVELS and level[1:].isdigit():
        site, top, step = SPINE_LEVELS[level[0]]
        if lesion.site == site:
            return 0, top + int(level[1:]) * step
    return None


def _place(lesion: Any) -> tuple[float, float]:
    dx, y = SITE_POSITIONS.get(lesion.site, SITE_POSITIONS[BoneSite.OTHER])
    spine = _spine_position(lesion)
    if spine is not None:
        dx, y = spine
    if lesion.site == BoneSite.RIB and (lesion.level or "").strip().isdigit():
        y = RIB_TOP + int(lesion.level.strip()) * RIB_STEP
    if lesion.side == Side.RIGHT:
        x = MIDX - dx
    elif lesion.side == Side.LEFT:
        x = MIDX + dx
    else:
        x = MIDX if lesion.site != BoneSite.OTHER else MIDX + dx
    return x, y


def skeleton_layout(lesions: Iterable[Any]) -> SkeletonMap:
    """A marker per lesion, numbered from 1 in the order given."""
    crowd: dict[tuple[int, int], int] = defaultdict(int)
    markers = []
    for index, lesion in enumerate(lesions, start=1):
        x, y = _place(lesion)
        # Several lesions at one place are fanned out so each stays visible.
        key = (round(x), round(y))
        nth = crowd[key]
        crowd[key] += 1
        x, y = x + (nth % 2) * FAN_STEP - (nth // 2 % 2) * FAN_STEP, y + (nth // 2) * FAN_STEP
        markers.append(Marker(index=index, x=x, y=y, active=lesion_is_active(lesion), lesion=lesion))
    return SkeletonMap(width=WIDTH, height=HEIGHT, markers=tuple(markers))
