"""The published JSON Schemas of the contract, served at /api/v1/schemas/<name>.json.

Public: they describe the format and hold no patient data, so a client can fetch them before it has a
token. Built once from the engine (exclusion.engine.jsonschemas), the same text as docs/schemas/; a plain
Django view, so no authentication, throttling or database query is involved.
"""

from __future__ import annotations

import hashlib
from functools import cache

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from exclusion.engine import jsonschemas

CONTENT_TYPE = "application/schema+json"
# URL name -> file name under docs/schemas/.
SCHEMAS = {
    "cno-case-1": jsonschemas.CASE_FILE,
    "cno-assessment-1": jsonschemas.ASSESSMENT_FILE,
}


@cache
def _body(name: str) -> bytes:
    return jsonschemas.render(jsonschemas.published()[SCHEMAS[name]]).encode("utf-8")


def _etag(request: HttpRequest, name: str) -> str | None:
    return hashlib.sha256(_body(name)).hexdigest()[:32] if name in SCHEMAS else None


@require_safe
@cache_control(public=True, max_age=3600)  # changes only with a release; the ETag revalidates it
@condition(etag_func=_etag)
def schema_view(request: HttpRequest, name: str) -> HttpResponse:
    if name not in SCHEMAS:
        raise Http404("no such schema")
    return HttpResponse(_body(name), content_type=CONTENT_TYPE)


urlpatterns = [
    path("schemas/cno-case-1.json", schema_view, {"name": "cno-case-1"}, name="api-schema-case"),
    path(
        "schemas/cno-assessment-1.json",
        schema_view,
        {"name": "cno-assessment-1"},
        name="api-schema-assessment",
    ),
]
