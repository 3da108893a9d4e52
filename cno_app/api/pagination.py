"""Keyset ("cursor") pagination in a stable order: (a timestamp or date, id), ascending.

The cursor encodes the last row's sort key, so pages never skip or repeat rows when rows are added between
requests, and every page costs one query however deep it is. Clients follow `next` until it is null.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Any
from urllib.parse import urlencode

from django.db.models import DateTimeField, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _encode(value: Any, pk: int) -> str:
    raw = json.dumps([value.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, is_datetime: bool) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        text, pk = json.loads(raw)
        value = parse_datetime(text) if is_datetime else parse_date(text)
        if value is None or type(pk) is not int:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            {"cursor": ["Invalid cursor: use the `next` link of a previous page."]}
        ) from exc
    return value, pk


def page_size(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]})
    return int(raw)


class KeysetPage:
    """One page of `queryset` ordered by (`field`, id); `results` and the `next` link."""

    def __init__(self, queryset: QuerySet, request: Request, field: str) -> None:
        size = page_size(request)
        is_datetime = isinstance(queryset.model._meta.get_field(field), DateTimeField)
        cursor = request.query_params.get("cursor")
        if cursor:
            value, pk = _decode(cursor, is_datetime)
            queryset = queryset.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
        rows = list(queryset.order_by(field, "pk")[: size + 1])
        self.results = rows[:size]
        self.next: str | None = None
        if len(rows) > size:
            last = self.results[-1]
            value = getattr(last, field)
            if isinstance(value, datetime.datetime):
                value = value.astimezone(datetime.UTC)
            params = request.query_params.copy()
            params["cursor"] = _encode(value, last.pk)
            self.next = request.build_absolute_uri(request.path) + "?" + urlencode(sorted(params.items()))


def paginated_response_data(page: KeysetPage, serialized: list[Any]) -> dict[str, Any]:
    return {"next": page.next, "results": serialized}


# The documented parameters and shape of every keyset page.
PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="Opaque position from the `next` link of the previous page."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        description=f"Items per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
    ),
]


def paginated(serializer: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """A page of `serializer` items: follow `next` until it is null."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last."),
            "results": serializer(many=True),
        },
    )
