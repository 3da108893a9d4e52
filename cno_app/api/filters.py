"""Shared pieces for django-filter FilterSets used by both the browser lists and the API.

A browser checkbox sends "1"; an API client sends "true" or "false". One strict boolean field reads both and
names anything else as an error (django-filter's own boolean quietly ignores a typo such as "ture").
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

_TRUE = frozenset(("true", "1", "yes", "on"))
_FALSE = frozenset(("false", "0", "no", "off"))


class StrictBooleanField(forms.NullBooleanField):
    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise forms.ValidationError(f"Must be true or false (got {str(value)[:20]!r}).", code="invalid")

    def validate(self, value: Any) -> None:
        pass  # None (absent) is always allowed: the filter is then not applied


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def filtered(filterset: django_filters.FilterSet) -> QuerySet[Any]:
    """The FilterSet's queryset; invalid parameters become a 400 naming each parameter."""
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    queryset: QuerySet[Any] = filterset.qs
    return queryset


def filterset_parameters(
    filterset_class: type[django_filters.FilterSet], *names: str
) -> list[OpenApiParameter]:
    """OpenAPI query parameters for the named filters, typed and described from the FilterSet itself."""
    parameters = []
    for name in names:
        spec = filterset_class.base_filters[name]
        kind: type = str
        if isinstance(spec, django_filters.BooleanFilter):
            kind = bool
        elif isinstance(spec, django_filters.IsoDateTimeFilter):
            kind = datetime.datetime
        parameters.append(OpenApiParameter(name, kind, description=str(spec.extra.get("help_text", ""))))
    return parameters
