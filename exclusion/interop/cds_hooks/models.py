"""CDS Hooks: the registered EHR clients, the JWT ids already used, the cards sent and the feedback on them.

A client belongs to one site: every call it signs sees that site's records only. Cards are kept so that
feedback (which names a card by its uuid) can be tied to the patient, episode and review flag it was about.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class CdsClient(models.Model):
    """An EHR (or any CDS client) allowed to call the service: its JWT issuer and its public keys."""

    name = models.CharField(max_length=200)
    site = models.ForeignKey("patients.Site", on_delete=models.PROTECT, related_name="cds_clients")
    issuer = models.CharField(max_length=255, unique=True, help_text="The `iss` of the client's JWTs.")
    jwks = models.JSONField(help_text='Public keys only, as a JWK Set: {"keys": [...]}.')
    active = models.BooleanField(default=True, help_text="Inactive clients are refused (401).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__code", "name"]
        verbose_name = "CDS Hooks client"

    def __str__(self) -> str:
        return f"{self.name} ({self.site.code})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from exclusion.interop.cds_hooks.auth import jwks_problem

        problem = jwks_problem(self.jwks)
        if problem:
            raise ValidationError({"jwks": problem})


class CdsCallSeen(models.Model):
    """A JWT id already accepted from an issuer: a replay is refused by the unique constraint, whichever
    worker sees it. Rows are kept until the token expires (then pruned)."""

    issuer = models.CharField(max_length=255)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="cds_jti_once_per_issuer")]

    def __str__(self) -> str:
        return f"jti of {self.issuer} until {self.expires_at:%Y-%m-%d %H:%M}"


class CdsCard(models.Model):
    """A card the service answered, so feedback on it can be tied to what it was about."""

    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(CdsClient, on_delete=models.PROTECT, related_name="cards")
    # Null when the card came from the prefetch alone (or the record was removed since).
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    episode = models.ForeignKey(
        "patients.Episode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flag = models.ForeignKey(
        "exclusion.Flag", null=True, blank=True, on_delete=models.SET_NULL, related_name="cds_cards"
    )
    concern = models.CharField(max_length=48, help_text="What the card is about, e.g. malignancy_concern.")
    indicator = models.CharField(max_length=10)
    summary = models.CharField(max_length=140)
    ruleset = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"card {self.uuid} ({self.concern})"


class FeedbackOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Overridden"


class CdsFeedback(models.Model):
    """One feedback item of a client on one of its cards, stored once however often it is posted."""

    client = models.ForeignKey(CdsClient, on_delete=models.PROTECT, related_name="feedback")
    card = models.ForeignKey(CdsCard, on_delete=models.PROTECT, related_name="feedback")
    outcome = models.CharField(max_length=10, choices=FeedbackOutcome.choices)
    # {"reason": {"system", "code", "display"}, "userComment": "..."} as the client sent it (checked).
    override_reason = models.JSONField(default=dict, blank=True)
    outcome_timestamp = models.DateTimeField()
    flag = models.ForeignKey(
        "exclusion.Flag", null=True, blank=True, on_delete=models.SET_NULL, related_name="cds_feedback"
    )
    # SHA-256 of the item's canonical content: the same item posted twice is one row.
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-outcome_timestamp", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "card", "content_hash"], name="cds_feedback_once"),
            models.CheckConstraint(
                condition=Q(outcome__in=FeedbackOutcome.values), name="cds_feedback_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} on card {self.card_id}"
