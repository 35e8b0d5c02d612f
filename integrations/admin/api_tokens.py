"""API tokens: support can see who has which (never the token), create one for a user (shown
once) and revoke any."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from integrations.models import ApiToken
from integrations.services.api_tokens import api_token_create, api_token_revoke


class ApiTokenAddForm(forms.ModelForm):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True))

    class Meta:
        model = ApiToken
        fields = ("user", "name")


@admin.action(description="Revoke")
def revoke_tokens(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset) -> None:
    revoked = sum(
        api_token_revoke(token=token, actor=request.user)
        for token in queryset.select_related("user")
    )
    modeladmin.message_user(
        request,
        f"Revoked {revoked} token{'s' if revoked != 1 else ''}; calls with them are refused now.",
        messages.SUCCESS,
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("=prefix", "user__username", "name")
    search_help_text = "Token prefix (the part after erp_), user name or token name."
    actions = (revoke_tokens,)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: Any = None):
        return ("user", "name") if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the audit trail names it

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        created = api_token_create(
            user=form.cleaned_data["user"], name=form.cleaned_data["name"], actor=request.user
        )
        obj.pk = created.token.pk
        obj._state.adding = False
        self.message_user(
            request,
            f"API token for {created.token.user}: {created.secret} — copy it now and hand it over "
            "safely; it is not shown again.",
            messages.WARNING,
        )
