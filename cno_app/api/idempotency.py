"""The `Idempotency-Key` header: a client that retries a create after a timeout gets the first answer again
and creates nothing new.

    return idempotent(request, lambda: self._create(request))

Without the header the request runs as it always did. With it, the key is looked up for this user (keys
of different users never meet): unknown, the request runs and, when it succeeds, its status and body are
stored with the key *in the same transaction* as what it created; known with the same endpoint and the
same body (SHA-256 of the canonical JSON), the stored answer is sent again; known with another body or
endpoint, the answer is a 422. A failed request stores nothing, so its retry runs again.

Two simultaneous requests with one key: the second's insert of the key waits on the unique (user, key)
constraint until the first commits, then reads the first's answer (or, if the first failed, runs itself).
Keys older than 24 hours are ignored (patients.models.idempotency).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from cno_app.api.openapi import ErrorOutput
from patients.models import IdempotencyKey
from patients.models.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional; 1–255 characters, e.g. a UUID, new for each new request. A retry with the same "
    "key and the same body (within 24 hours) gets the first answer again and creates nothing; the same key "
    "with another body is a 422. Keys are per user.",
)

REUSED_KEY_MESSAGE = (
    "This Idempotency-Key was already used for a different request (another body or endpoint); "
    "send a new key with a new request."
)

IDEMPOTENCY_RESPONSES: dict[int, OpenApiResponse] = {
    422: OpenApiResponse(
        ErrorOutput,
        "The Idempotency-Key was already used with a different request body.",
        [OpenApiExample("Key reused", value={"errors": [{"path": HEADER, "message": REUSED_KEY_MESSAGE}]})],
    )
}


class IdempotencyKeyReused(exceptions.ValidationError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class _NotStored(Exception):
    """Unwinds the transaction of a request that answered with an error, keeping its response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def request_key(request: Request) -> str | None:
    """The request's Idempotency-Key, None without one; a 400 when it is empty, too long or not text."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key.strip():
        raise exceptions.ValidationError({HEADER: ["Must not be empty: omit the header instead."]})
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [f"At most {IDEMPOTENCY_KEY_MAX_LENGTH} characters ({len(key)} sent)."]}
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in key):
        raise exceptions.ValidationError({HEADER: ["Must not contain control characters."]})
    return key


def body_sha256(data: Any) -> str:
    """The SHA-256 of the canonical JSON of a parsed body: key order and spacing do not count."""
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyKey) -> Response:
    if record.response_status is None:  # rows are committed with their answer; defensive only
        raise exceptions.ValidationError({HEADER: ["A request with this key is still being processed."]})
    response = Response(json.loads(record.response_body), status=record.response_status)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(request: Request, handler: Callable[[], Response]) -> Response:
    """Run `handler` at most once per (user, Idempotency-Key); see the module's docstring."""
    key = request_key(request)
    user = request.user
    if key is None or isinstance(user, AnonymousUser):  # anonymous requests never reach a create
        return handler()
    endpoint = f"{request.method} {request.path}"[:255]
    digest = body_sha256(request.data)
    try:
        with transaction.atomic():
            record, created = IdempotencyKey.objects.select_for_update().get_or_create(
                user=user, key=key, defaults={"endpoint": endpoint, "request_sha256": digest}
            )
            if not created and not record.is_expired():
                if record.endpoint != endpoint or record.request_sha256 != digest:
                    raise IdempotencyKeyReused({HEADER: [REUSED_KEY_MESSAGE]})
                return _replay(record)
            response = handler()
            if not status.is_success(response.status_code):
                raise _NotStored(response)
            record.endpoint = endpoint
            record.request_sha256 = digest
            record.response_status = response.status_code
            record.response_body = json.dumps(response.data, cls=DjangoJSONEncoder, ensure_ascii=False)
            record.created_at = timezone.now()
            record.save()
            return response
    except _NotStored as exc:
        return exc.response
