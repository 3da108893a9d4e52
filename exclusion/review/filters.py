"""The queue's filters, parsed and validated once for both the browser queue and the REST API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exclusion.review.models import FlagReason, FlagStatus
from patients import access
from patients.choices import Role

ALL_STATUSES = "all"


@dataclass(frozen=True)
class FlagFilters:
    status: str | None = FlagStatus.OPEN  # None: every status
    reason: str | None = None
    site_id: int | None = None
    assignee: str | int | None = None  # "me", "none" (unassigned), a user id, or None (anyone)


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open (default)")), *FlagStatus.choices, (ALL_STATUSES, _("All"))],
    )
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", _("Any reason")), *FlagReason.choices]
    )
    site = forms.ChoiceField(label=_("Site"), required=False, help_text=_("A site code, e.g. NORTH."))
    assignee = forms.CharField(
        label=_("Assignee"), required=False, help_text=_("'me', 'none' (unassigned) or a user id.")
    )

    def __init__(self, data: Any = None, *, user: Any, default_status: str | None = FlagStatus.OPEN) -> None:
        super().__init__(data)
        self.user = user
        self.default_status = default_status
        self._sites = {m.site.code: m.site_id for m in access.memberships(user)}
        self.fields["site"].choices = [
            ("", _("All my sites")),
            *[(code, code) for code in sorted(self._sites)],
        ]
        self.fields["site"].error_messages["invalid_choice"] = _("%(value)s is not one of your sites.")
        # Evaluated only when the browser form is rendered (the API never pays for the query).
        self.fields["assignee"].widget = forms.Select(choices=CallableChoiceIterator(self._assignee_choices))

    def _assignee_choices(self) -> list[tuple[str, str]]:
        reviewers = (
            get_user_model()
            .objects.filter(
                memberships__site_id__in=list(self._sites.values()), memberships__role=Role.REVIEWER
            )
            .distinct()
            .order_by("username")
        )
        return [
            ("", gettext("Anyone")),
            ("me", gettext("Me")),
            ("none", gettext("Unassigned")),
            *[(str(u.pk), u.get_username()) for u in reviewers],
        ]

    def clean_assignee(self) -> str | int | None:
        value = (self.cleaned_data.get("assignee") or "").strip().lower()
        if value in ("", "any"):
            return None
        if value in ("me", "none"):
            return value
        if value.isdigit():
            return int(value)
        raise forms.ValidationError(_("Use 'me', 'none' (unassigned) or a user id."))

    def filters(self) -> FlagFilters:
        """The validated filters; call after is_valid()."""
        data = self.cleaned_data
        status = data.get("status") or self.default_status
        return FlagFilters(
            status=None if status == ALL_STATUSES else status,
            reason=data.get("reason") or None,
            site_id=self._sites.get(data.get("site") or ""),
            assignee=data.get("assignee"),
        )
