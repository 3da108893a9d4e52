"""Synthetic test data builders. Everything goes through the services, as production writes do."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from patients.models import Episode, Patient, Site, SiteMembership
from patients.services import case_import

FIXTURES = Path(__file__).parent / "fixtures"
_numbers = itertools.count(1)


def contract_example() -> dict[str, Any]:
    """The three-lesion symmetric case printed in the cno-case/1 contract."""
    return json.loads((FIXTURES / "contract_example.json").read_text())


def make_site(code: str = "NORTH", name: str | None = None) -> Site:
    site, _ = Site.objects.get_or_create(code=code, defaults={"name": name or f"{code} (synthetic)"})
    return site


def make_user(site: Site | None, role: str = "clinician", username: str | None = None, **extra: Any):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_numbers)}", password="not-a-real-password-1", **extra
    )
    if site is not None:
        SiteMembership.objects.create(user=user, site=site, role=role)
    return user


def case(**episode_changes: Any) -> dict[str, Any]:
    """The contract example with top-level episode keys replaced, e.g. case(lesions=[...])."""
    doc = copy.deepcopy(contract_example())
    doc["episode"].update(episode_changes)
    return doc


def make_episode(site: Site, record_number: str | None = None, doc: dict | None = None) -> Episode:
    """Import a case document as a system job (no acting user)."""
    return case_import(
        actor=None, site=site, record_number=record_number or f"T-{next(_numbers):04d}", doc=doc or case()
    )


def make_patient(site: Site, record_number: str | None = None) -> Patient:
    return make_episode(site, record_number).patient


def make_totp_device(user: Any) -> Any:
    """A confirmed authenticator for the user, as if they had set one up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)


def totp_code(device: Any) -> str:
    """The code the user's authenticator app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def verify_otp(client: Any, user: Any) -> None:
    """Mark the client's session as having given a one-time password (what the OTP step does)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or make_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def make_treatment(patient: Patient, **overrides: Any) -> Any:
    """An ongoing naproxen course from the patient's first episode (or 2024-05-10), through the service
    as a system job; pass drug_class, drug, started_on, stopped_on, stop_reason to change it."""
    import datetime

    from patients.treatments.services import treatment_create

    first = patient.episodes.order_by("assessed_on").first()
    values: dict[str, Any] = {
        "drug_class": "nsaid",
        "drug": "naproxen",
        "started_on": first.assessed_on if first else datetime.date(2024, 5, 10),
        **overrides,
    }
    return treatment_create(actor=None, patient=patient, **values)
