"""Companies and their connections: the first stop for support staff."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from integrations.admin.base import (
    AuditedAdmin,
    CompanyLinkMixin,
    ExactIdSearchMixin,
)
from integrations.models import Company, CompanyMembership, Connection
from integrations.services.connections import CheckOutcome, connection_check

WRITE_ONLY_TEXT = ("client_id", "client_secret", "webhook_secret", "webhook_secret_previous")


class ConnectionAdminForm(forms.ModelForm):
    """Secrets are write-only: the form never renders them, and a blank field keeps the stored one."""

    client_id = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    client_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    webhook_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    webhook_secret_previous = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False)
    )
    login_base_url = forms.URLField(required=False, assume_scheme="https")
    api_base_url = forms.URLField(required=False, assume_scheme="https")
    adapter_settings = forms.JSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": '{"tenant": "acme"}'}),
        help_text="Write-only (it may hold ERP credentials). Leave blank to keep the stored settings.",
    )

    class Meta:
        model = Connection
        fields = (
            "company",
            "environment",
            "login_base_url",
            "api_base_url",
            *WRITE_ONLY_TEXT,
            "erp_connection_id",
            "standard_cost_code_list_id",
            "webhook_hook_id",
            "webhook_trigger_id",
            "adapter_key",
            "adapter_settings",
            "health",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*WRITE_ONLY_TEXT, "adapter_settings"):
            self.initial[name] = ""
            stored = getattr(self.instance, name, None) if self.instance.pk else None
            state = "set" if stored else "not set"
            self.fields[name].help_text = (
                f"Currently {state}. Leave blank to keep the stored value. "
                + (self.fields[name].help_text or "")
            ).strip()

    def _keep_if_blank(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if value in (None, "") and self.instance.pk:
            return getattr(self.instance, name)
        return value if value is not None else ""

    def clean_client_id(self) -> str:
        return self._keep_if_blank("client_id")

    def clean_client_secret(self) -> str:
        return self._keep_if_blank("client_secret")

    def clean_webhook_secret(self) -> str:
        return self._keep_if_blank("webhook_secret")

    def clean_webhook_secret_previous(self) -> str:
        return self._keep_if_blank("webhook_secret_previous")

    def clean_adapter_settings(self) -> dict:
        value = self.cleaned_data.get("adapter_settings")
        if value in (None, "") and self.instance.pk:
            return self.instance.adapter_settings
        return value or {}

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("environment") == "custom" and not (
            cleaned.get("login_base_url") and cleaned.get("api_base_url")
        ):
            raise forms.ValidationError("The custom environment needs both base URLs.")
        return cleaned


# Each row is a token request and a read call while the person waits.
MAX_CHECK_ROWS = 10
_CHECK_LEVELS = {CheckOutcome.OK: messages.SUCCESS, CheckOutcome.RATE_LIMITED: messages.WARNING}


def _too_many_to_check(modeladmin: admin.ModelAdmin, request: HttpRequest, rows: list) -> bool:
    if len(rows) <= MAX_CHECK_ROWS:
        return False
    modeladmin.message_user(
        request,
        f"Select at most {MAX_CHECK_ROWS} rows to test at a time; for more, use "
        "`python manage.py check_connection --company ID`.",
        messages.ERROR,
    )
    return True


def _check_and_report(
    modeladmin: admin.ModelAdmin, request: HttpRequest, connection: Connection
) -> None:
    result = connection_check(connection=connection)
    text = f"{connection.company}: {result.message}"
    if result.request_id:
        text += f" (Procore request id {result.request_id})"
    modeladmin.message_user(request, text, _CHECK_LEVELS.get(result.outcome, messages.ERROR))


@admin.action(description="Test connection")
def check_connections(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("company")[: MAX_CHECK_ROWS + 1])
    if not _too_many_to_check(modeladmin, request, rows):
        for connection in rows:
            _check_and_report(modeladmin, request, connection)


@admin.action(description="Test connection")
def check_company_connections(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("connection")[: MAX_CHECK_ROWS + 1])
    if _too_many_to_check(modeladmin, request, rows):
        return
    for company in rows:
        connection = getattr(company, "connection", None)
        if connection is None:
            modeladmin.message_user(request, f"{company}: not connected.", messages.ERROR)
        else:
            _check_and_report(modeladmin, request, connection)


class ConnectionInline(admin.StackedInline):
    model = Connection
    form = ConnectionAdminForm
    can_delete = False
    extra = 0
    fields = ("environment", "adapter_key", "health", "health_message", "health_checked_at")
    readonly_fields = (
        "environment",
        "adapter_key",
        "health",
        "health_message",
        "health_checked_at",
    )
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = CompanyMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(ExactIdSearchMixin, AuditedAdmin):
    list_display = ("name", "procore_company_id", "is_active", "connection_health", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("connection",)
    exact_text_search = ("name",)
    exact_int_search = ("procore_company_id",)
    search_help_text = "Exact Procore company id or exact name."
    inlines = (ConnectionInline, MembershipInline)
    readonly_fields = ("created_at", "updated_at")
    actions = [check_company_connections]

    @admin.display(description="Connection")
    def connection_health(self, obj: Company) -> str:
        connection = getattr(obj, "connection", None)
        if connection is None:
            return "not connected"
        return connection.get_health_display()


@admin.register(Connection)
class ConnectionAdmin(CompanyLinkMixin, AuditedAdmin):
    form = ConnectionAdminForm
    actions = [check_connections]
    list_display = (
        "company",
        "environment",
        "adapter_key",
        "health",
        "health_checked_at",
        "provisioned_at",
    )
    list_filter = ("environment", "health", "adapter_key")
    list_select_related = ("company",)
    search_fields = ("company__name", "=company__procore_company_id")
    search_help_text = "Company name, or exact Procore company id."
    readonly_fields = (
        "company_link",
        "token_state",
        "adapter_settings_keys",
        "health_message",
        "health_checked_at",
        "provisioned_at",
        "provisioning_lease",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("company", "company_link")}),
        (
            "Procore",
            {
                "fields": (
                    "environment",
                    "login_base_url",
                    "api_base_url",
                    "client_id",
                    "client_secret",
                    "token_state",
                )
            },
        ),
        (
            "Provisioned in Procore",
            {
                "fields": (
                    "erp_connection_id",
                    "standard_cost_code_list_id",
                    "webhook_hook_id",
                    "webhook_trigger_id",
                    "webhook_secret",
                    "webhook_secret_previous",
                    "provisioned_at",
                    "provisioning_lease",
                )
            },
        ),
        ("ERP", {"fields": ("adapter_key", "adapter_settings", "adapter_settings_keys")}),
        ("Health", {"fields": ("health", "health_message", "health_checked_at")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="Access token")
    def token_state(self, obj: Connection) -> str:
        if not obj.pk or not obj.access_token:
            return "none cached"
        return format_html("cached (hidden), expires {}", obj.token_expires_at or "unknown")

    @admin.display(description="Provisioning now")
    def provisioning_lease(self, obj: Connection) -> str:
        """Who is provisioning this connection, and until when their lease holds (it runs out
        by itself if their process died)."""
        if not obj.pk or not obj.lease_owner or obj.lease_expires_at is None:
            return "no"
        until = f"{obj.lease_expires_at:%Y-%m-%d %H:%M:%S} UTC"
        if obj.lease_expires_at < timezone.now():
            return f"no (the lease of {obj.lease_owner} ran out at {until})"
        return f"yes, by {obj.lease_owner}, until {until} at the latest"

    @admin.display(description="Adapter settings keys")
    def adapter_settings_keys(self, obj: Connection) -> str:
        keys = sorted((obj.adapter_settings or {}).keys()) if obj.pk else []
        return ", ".join(keys) or "—"


@admin.register(CompanyMembership)
class CompanyMembershipAdmin(AuditedAdmin):
    list_display = ("user", "company", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "company")
    search_fields = ("user__username", "user__email", "company__name")
    autocomplete_fields = ("user",)
