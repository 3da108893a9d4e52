"""Idempotency keys: a client's retry of a create (same `Idempotency-Key`, same body) gets the first answer
again instead of a second patient or episode.

One row per (user, key), written in the same transaction as what the request created, so a row exists only
for a request that succeeded; it holds the SHA-256 of the canonical JSON body and the response. Keys older
than IDEMPOTENCY_KEY_TTL (24 h) are ignored (a reuse after that is a new request) and may be purged with
`IdempotencyKey.objects.expired().delete()`. The mechanism is cno_app.api.idempotency.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

IDEMPOTENCY_KEY_TTL = datetime.timedelta(hours=24)
IDEMPOTENCY_KEY_MAX_LENGTH = 255


class IdempotencyKeyQuerySet(models.QuerySet["IdempotencyKey"]):
    def expired(self, now: datetime.datetime | None = None) -> IdempotencyKeyQuerySet:
        return self.filter(created_at__lt=(now or timezone.now()) - IDEMPOTENCY_KEY_TTL)


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    # "POST /api/v1/cases/": a key names one request, on one endpoint.
    endpoint = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    # The JSON text as first sent (jsonb would reorder the keys of the answer).
    response_body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.key}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.created_at < (now or timezone.now()) - IDEMPOTENCY_KEY_TTL
