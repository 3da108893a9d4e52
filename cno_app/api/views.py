"""The base of every API view."""

from __future__ import annotations

from typing import Any

from rest_framework.views import APIView

from cno_app.api import openapi  # noqa: F401 - registers the token security scheme with drf-spectacular


class ApiView(APIView):
    """Errors in the one `{"errors": [{"path", "message"}]}` shape (see cno_app.api.exceptions)."""

    uniform_errors = True


def validated(serializer_class: type, data: Any) -> dict[str, Any]:
    """The input serializer's validated data; a ValidationError becomes a 400 naming each field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
