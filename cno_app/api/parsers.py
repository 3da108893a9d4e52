"""A JSON parser that refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413, and bodies nested deeper
than MAX_JSON_DEPTH with 400.

DRF reads the request stream itself, so Django's own size check (which guards request.body) never runs
for API requests; this parser applies the same limit whether or not a Content-Length was sent. The depth
is counted by one scan of the bytes before json.loads, which recurses and would raise RecursionError
(a 500) on a body nested a few thousand levels deep.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


# A case document is at most 4 levels deep (case > episode > lesions > lesion); 32 leaves room for any
# envelope this API will ever need.
MAX_JSON_DEPTH = 32

# A string (to its closing quote, or to the end of a malformed body: never a second try from a later
# quote, so the scan stays linear), or one bracket.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `body` opens more than `limit` arrays or objects inside one another; brackets inside
    strings do not count. One pass without recursion, whatever the depth; malformed JSON is left to the
    JSON parser."""
    depth = 0
    for match in _TOKEN.finditer(body):
        token = match[0]
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def max_body_size() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 1_048_576


class LimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = max_body_size()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        if json_depth_exceeds(body):
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        return super().parse(io.BytesIO(body), media_type, parser_context)
