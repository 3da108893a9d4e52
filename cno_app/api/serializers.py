"""The base of every API input serializer: strict envelopes.

DRF drops keys it does not know and turns numbers into strings (`"record_number": 4.5e3` would become
"4500.0"), so a misspelt field (`birthdate`) answers 200 with nothing changed. An `Input` refuses both:
every unknown key and every value of the wrong JSON type is a 400 naming its field, together with the
fields' own errors. The OpenAPI schema says the same (`additionalProperties: false`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

# The JSON types each kind of field accepts (bool is an int in Python, so it is checked apart).
# The names are for people (lazy: read in the request's language).
_JSON_TYPES: list[tuple[type[serializers.Field], tuple[type, ...], Any]] = [
    (serializers.BooleanField, (bool,), gettext_lazy("true or false")),
    (serializers.ChoiceField, (str,), gettext_lazy("a string")),
    (serializers.CharField, (str,), gettext_lazy("a string")),
    (serializers.DateTimeField, (str,), gettext_lazy("a string (ISO 8601 date and time)")),
    (serializers.DateField, (str,), gettext_lazy("a string (ISO 8601 date, YYYY-MM-DD)")),
    (serializers.IntegerField, (int,), gettext_lazy("a whole number")),
    (serializers.FloatField, (int, float), gettext_lazy("a number")),
]


def type_error(field: serializers.Field, value: Any) -> str | None:
    """Why `value` is not of the JSON type `field` takes, or None when it is (or the field takes any)."""
    if value is None:
        return None  # the field's own allow_null decides
    for kind, types, name in _JSON_TYPES:
        if isinstance(field, kind):
            if isinstance(value, bool) and bool not in types:
                return _("Must be %(kind)s, not true or false.") % {"kind": name}
            return None if isinstance(value, types) else _("Must be %(kind)s.") % {"kind": name}
    return None


class Input(serializers.Serializer):
    """A request body: known keys only, each of its field's JSON type."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)  # DRF's "expected a dictionary" error
        writable = {name: field for name, field in self.fields.items() if not field.read_only}
        errors: dict[str, list[str]] = {
            str(key): [_("Unknown field: not part of this request.")] for key in data if key not in writable
        }
        for name, field in writable.items():
            if name in data and (problem := type_error(field, data[name])):
                errors[name] = [problem]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, Mapping):
                for name, detail in exc.detail.items():
                    errors.setdefault(str(name), detail)  # a type error says it better than a coercion error
            else:
                errors.setdefault("non_field_errors", exc.detail)
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictInputExtension(OpenApiSerializerExtension):
    """Every `Input` is documented as refusing unknown keys."""

    target_class = Input
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema
