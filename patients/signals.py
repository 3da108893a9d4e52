"""What the record tells the rest of the application: an episode changed.

patients.services sends `episode_changed` inside the transaction that changed the episode (or its lesions,
biopsy or patient), after it validated and assessed the episode, so receivers store derived data in the
same transaction. Receivers that enqueue work do it with transaction.on_commit.

Arguments (all keyword):
- `episode`: the Episode, with patient, biopsy and lesions loaded; None when it was deleted;
- `patient_id`;
- `case`: the episode as a validated cno-case/1 document (None when deleted);
- `result`: the engine's assessment of `case` (None when deleted);
- `reason`: EDITED, DELETED or REASSESSED (the ruleset changed; the record did not).
"""

from __future__ import annotations

from django.dispatch import Signal

EDITED = "edited"
DELETED = "deleted"
REASSESSED = "reassessed"

episode_changed = Signal()

# A treatment course was added, changed or deleted (patients.treatments sends it inside the transaction).
# Arguments (keyword): `patient_id`. The activity summary follows it; nothing is assessed again.
treatment_changed = Signal()
