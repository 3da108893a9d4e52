from __future__ import annotations

from django import forms


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="One-time password",
        max_length=32,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class OtpSetupForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=6,
        min_length=6,
        help_text="The 6 digits the app shows after you add the account.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
