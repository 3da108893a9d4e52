from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("One-time password"),
        max_length=32,
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class OtpSetupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=6,
        min_length=6,
        help_text=gettext_lazy("The 6 digits the app shows after you add the account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
