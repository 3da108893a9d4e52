"""The base of every API view."""

from __future__ import annotations

from rest_framework.views import APIView

from cno_app.api import openapi  # noqa: F401 - registers the token security scheme with drf-spectacular


class ApiView(APIView):
    """Errors in the one `{"errors": [{"path", "message"}]}` shape (see cno_app.api.exceptions)."""

    uniform_errors = True
