"""The portal's forms: what a person types, checked before any service sees it."""

from __future__ import annotations

from django import forms

from integrations.models import CompanyMembership, ImportEntity


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError("The code is 6 digits, as your authenticator app shows.")
        return token


class ImportForm(forms.Form):
    entity = forms.ChoiceField(label="What to import", choices=ImportEntity.choices)


class ResendItemsForm(forms.Form):
    entity = forms.ChoiceField(choices=ImportEntity.choices)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=CompanyMembership.Role.choices,
        initial=CompanyMembership.Role.VIEWER,
        help_text="Viewers see everything; company admins also retry, import and invite, and "
        "sign in with a code from an authenticator app.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What the token is for",
        max_length=100,
        help_text="E.g. nightly export. It helps you tell tokens apart when revoking one.",
    )
