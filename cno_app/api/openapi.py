"""OpenAPI pieces shared by every API: the token security scheme, the one error shape and its examples.

The case contract's components live with the case API (exclusion.workbench.api.openapi).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cno_app.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from a site administrator: `Authorization: Bearer cno_...`.",
        }


# --- Error shapes -------------------------------------------------------------------------------------


class ErrorItem(serializers.Serializer):
    path = serializers.CharField(help_text="Where the problem is (a dotted path); empty for the request.")
    message = serializers.CharField()


class ErrorOutput(serializers.Serializer):
    errors = ErrorItem(many=True)


class ConflictOutput(ErrorOutput):
    current_version = serializers.IntegerField(help_text="The record's version now: reload it and retry.")


def _example(name: str, path: str, message: str, **extra: Any) -> OpenApiExample:
    return OpenApiExample(name, value={"errors": [{"path": path, "message": message}], **extra})


ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        ErrorOutput,
        "Invalid input: every problem, each with the path of the field it concerns.",
        [
            OpenApiExample(
                "Invalid case document",
                value={
                    "errors": [
                        {
                            "path": "episode.labs.crp_mg_dl",
                            "message": "unknown field (not part of cno-case/1)",
                        },
                        {
                            "path": "episode.labs.crp_mg_l",
                            "message": "900 is outside the plausible range 0–500 mg/L",
                        },
                    ]
                },
            )
        ],
    ),
    401: OpenApiResponse(
        ErrorOutput,
        "No credentials, or an invalid or revoked token.",
        [_example("Not authenticated", "", "Authentication credentials were not provided.")],
    ),
    403: OpenApiResponse(
        ErrorOutput,
        "Your role at this site does not allow this.",
        [
            _example(
                "Read-only role",
                "",
                "Your role at this site (reviewer) does not allow changing clinical records.",
            )
        ],
    ),
    404: OpenApiResponse(
        ErrorOutput,
        "No such object among your sites (another site's object is a 404 too).",
        [_example("Not found", "", "Not found.")],
    ),
    409: OpenApiResponse(
        ConflictOutput,
        "The episode changed since you read it: reload, reapply, and send the new version.",
        [
            _example(
                "Stale version",
                "version",
                "The episode was changed by someone else (now version 3).",
                current_version=3,
            )
        ],
    ),
    413: OpenApiResponse(
        ErrorOutput,
        "The request body is larger than 1 MiB.",
        [_example("Too large", "", "The request body is larger than 1048576 bytes.")],
    ),
    429: OpenApiResponse(
        ErrorOutput,
        "Too many requests for this token; retry after the Retry-After header's seconds.",
        [_example("Throttled", "", "Request was throttled. Expected available in 12 seconds.")],
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an endpoint; 401 and 429 apply to every endpoint."""
    return {code: ERROR_RESPONSES[code] for code in sorted({401, 429, *codes})}
