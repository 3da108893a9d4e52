"""Browser forms of the review queue. They only shape input: the services decide what is valid, and the
views attach the services' field errors to these forms so nothing typed is lost."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exclusion.review.models import COMMENT_MAX_LENGTH, Decision, NotIndicatedReason


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason_code = forms.ChoiceField(
        label=_("Coded reason (when a biopsy is not indicated)"),
        required=False,
        choices=[("", "—"), *NotIndicatedReason.choices],
    )
    diagnosis = forms.CharField(
        label=_("Alternative diagnosis"),
        required=False,
        max_length=200,
        help_text=_("Required for an alternative diagnosis."),
    )
    comment = forms.CharField(
        label=_("Decision comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when a biopsy is not indicated: say why."),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment for the history"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args: Any, reviewers: list[Any], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reviewers = {str(r.pk): r for r in reviewers}
        choices = [("", gettext("— nobody —"))]
        choices += [
            (
                pk,
                gettext("%(username)s (me)") % {"username": r.get_username()}
                if r.pk == user.pk
                else r.get_username(),
            )
            for pk, r in self.reviewers.items()
        ]
        self.fields["assignee"].choices = choices
        self.fields["assignee"].required = False

    def chosen(self) -> Any | None:
        return self.reviewers.get(self.cleaned_data.get("assignee") or "")


class SignOffForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Sign-off note (optional)"), required=False, max_length=2000, widget=forms.TextInput
    )
