"""Companies and their connections: the first stop for support staff."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.debug import sensitive_post_parameters

from erp_adapters.base import AdapterError
from erp_adapters.registry import adapter_class
from integrations.admin.adapter_settings import AdapterSettingsWidget
from integrations.admin.base import (
    AuditedAdmin,
    CompanyLinkMixin,
    DetailActionsMixin,
    ExactIdSearchMixin,
    OperatorActionsMixin,
    short_time,
    state_cell,
)
from integrations.admin.overview import company_overview_view
from integrations.models import Company, CompanyMembership, Connection, ProcoreEnvironment
from integrations.services.audit import audit_record
from integrations.services.connections import (
    CheckOutcome,
    ConnectionSettingsError,
    connection_adapter_check,
    connection_adapter_settings_merge,
    connection_base_url_check,
    connection_changes_apply,
    connection_check,
    connection_destination_check,
)

# Secrets a person may set (write-only inputs); the access token is only ever fetched.
WRITE_ONLY_TEXT = ("client_id", "client_secret", "webhook_secret", "webhook_secret_previous")
# What a page shows in place of each secret field, for everyone (``secret_state``).
SECRET_STATE_FIELDS = {name: f"{name}_state" for name in WRITE_ONLY_TEXT}
# Secrets a person may type in the connection's change form: kept out of error reports.
SENSITIVE_POST_PARAMETERS = (*WRITE_ONLY_TEXT, "adapter_settings")


def secret_state(is_set: bool, changed_at: datetime | None) -> str:
    """What a page says of a secret instead of its value: whether it is set, and since when."""
    if not is_set:
        return "not set"
    if changed_at is None:
        return "set · change time not recorded"
    return f"set · changed {changed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def connection_secret_state(connection: Connection | None, name: str) -> str:
    """``secret_state`` of the secret field ``name`` (or ``adapter_settings.<key>``)."""
    if connection is None or not connection.pk:
        return "not set"
    if name.startswith("adapter_settings."):
        is_set = name.partition(".")[2] in (connection.adapter_settings or {})
    else:
        is_set = bool(getattr(connection, name))
    return secret_state(is_set, connection.secret_changed_at(name))


def _sentence(message: str) -> str:
    message = message.strip()
    return (message[:1].upper() + message[1:]).rstrip(".") + "."


class ConnectionAdminForm(forms.ModelForm):
    """Secrets are write-only: the form never renders them, and a blank field keeps the stored
    one. Changing where the credentials go needs the client secret again; a base URL must pass
    the same rule the client applies before sending (``services/connections.py``)."""

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
        help_text="A JSON object. Settings the adapter marks secret are write-only and not shown "
        "here: give one to change it, leave it out (or blank) to keep it, null to remove it. "
        "An empty box keeps every stored setting.",
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
        self.secrets_entered: set[str] = set()
        stored = self.instance if self.instance.pk else None
        for name in WRITE_ONLY_TEXT:
            if name not in self.fields:
                continue
            self.initial[name] = ""
            self.fields[name].help_text = (
                f"Write-only: {connection_secret_state(stored, name)}. "
                "Leave blank to keep the stored value."
            )
        if "adapter_settings" in self.fields:
            # Only the settings that are not secret; the secret ones are listed as set / not set.
            secret = stored.adapter_secret_names() if stored else frozenset()
            self.initial["adapter_settings"] = {
                k: v
                for k, v in (stored.adapter_settings if stored else {}).items()
                if k not in secret
            }
            self._adapter_settings_from_schema(stored)

    def _adapter_settings_from_schema(self, stored: Connection | None) -> None:
        """One input per setting of the chosen adapter, from its JSON Schema; the JSON box
        stays for an adapter that cannot be loaded or declares no settings."""
        key = (self.data.get("adapter_key") if self.is_bound else None) or (
            self.instance.adapter_key or ""
        )
        try:
            schema = adapter_class(key.strip()).settings_schema if key.strip() else None
        except (AdapterError, ImportError):
            schema = None
        if not schema or not schema.get("properties"):
            return
        field = self.fields["adapter_settings"]
        field.widget = AdapterSettingsWidget(
            schema,
            lambda name: connection_secret_state(
                stored if stored and stored.adapter_key == key else None,
                f"adapter_settings.{name}",
            ),
        )
        field.help_text = (
            f"The settings of the {schema.get('title') or key} adapter, checked against its "
            "schema when saved. Choose another adapter and save to see its settings."
        )

    def _keep_if_blank(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if value not in (None, ""):
            self.secrets_entered.add(name)
            return value
        return getattr(self.instance, name) if self.instance.pk else ""

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
        if value in (None, ""):
            return self.instance.adapter_settings if self.instance.pk else {}
        if not isinstance(value, dict):
            raise forms.ValidationError("The adapter settings must be a JSON object.")
        return connection_adapter_settings_merge(
            before=self.instance if self.instance.pk else None,
            adapter_key=self.cleaned_data.get("adapter_key", self.instance.adapter_key) or "",
            given=value,
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        before = self.instance if self.instance.pk else None
        after = Connection(
            environment=cleaned.get("environment", self.instance.environment),
            login_base_url=cleaned.get("login_base_url", self.instance.login_base_url) or "",
            api_base_url=cleaned.get("api_base_url", self.instance.api_base_url) or "",
            client_secret=cleaned.get("client_secret", self.instance.client_secret) or "",
            adapter_key=cleaned.get("adapter_key", self.instance.adapter_key) or "",
            adapter_settings=cleaned.get("adapter_settings", self.instance.adapter_settings),
        )
        if after.environment == ProcoreEnvironment.CUSTOM:
            if not (after.login_base_url and after.api_base_url):
                raise forms.ValidationError("The custom environment needs both base URLs.")
            for name in ("login_base_url", "api_base_url"):
                if name in self.errors:
                    continue
                try:
                    cleaned[name] = connection_base_url_check(getattr(after, name), field=name)
                except ConnectionSettingsError as exc:
                    self.add_error(name, _sentence(str(exc)))
        if self.errors:
            return cleaned
        try:
            connection_destination_check(
                before=before,
                after=after,
                client_secret_entered="client_secret" in self.secrets_entered,
            )
        except ConnectionSettingsError as exc:
            self.add_error("client_secret", _sentence(str(exc)))
            return cleaned
        if before is None or (
            before.adapter_key,
            before.adapter_settings,
        ) != (after.adapter_key, after.adapter_settings):
            try:
                connection_adapter_check(after)
            except ConnectionSettingsError as exc:
                self.add_error(exc.field or None, _sentence(str(exc)))
            else:
                cleaned["adapter_settings"] = after.adapter_settings
        return cleaned


# Each row is a token request and a read call while the person waits.
MAX_CHECK_ROWS = 10
_CHECK_LEVELS = {CheckOutcome.OK: messages.SUCCESS, CheckOutcome.RATE_LIMITED: messages.WARNING}
_ERP_LEVELS = {Connection.Health.OK: messages.SUCCESS, Connection.Health.DEGRADED: messages.WARNING}


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
    """Both sides, one message each: Procore, then the ERP's own health check."""
    result = connection_check(connection=connection)
    audit_record(
        action="action",
        instance=connection,
        actor=request.user,
        changes={"action": "test connection", "outcome": str(result.outcome)},
    )
    text = f"{connection.company}: Procore: {result.message}"
    if result.request_id:
        text += f" (Procore request id {result.request_id})"
    modeladmin.message_user(request, text, _CHECK_LEVELS.get(result.outcome, messages.ERROR))
    if result.erp is not None:
        level = _ERP_LEVELS.get(result.erp.health, messages.ERROR)
        modeladmin.message_user(
            request,
            f"{connection.company}: ERP ({connection.adapter_key or 'none'}): {result.erp.message}",
            level,
        )


@admin.action(description="Test connection", permissions=["operate"])
def check_connections(modeladmin, request, queryset) -> None:
    rows = list(queryset.select_related("company")[: MAX_CHECK_ROWS + 1])
    if not _too_many_to_check(modeladmin, request, rows):
        for connection in rows:
            _check_and_report(modeladmin, request, connection)


@admin.action(description="Test connection", permissions=["operate"])
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
    """The connection at a glance on its company's page; its secrets live on its own page."""

    model = Connection
    can_delete = False
    extra = 0
    fields = (
        "environment",
        "adapter_key",
        "health",
        "health_message",
        "health_checked_at",
        "erp_health",
        "erp_health_message",
        "erp_health_checked_at",
    )
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = CompanyMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(DetailActionsMixin, OperatorActionsMixin, ExactIdSearchMixin, AuditedAdmin):
    list_display = (
        "name",
        "connection_health",
        "overview_link",
        "procore_company_id",
        "is_active",
        "created_at",
        "metadata_link",
    )
    list_filter = ("is_active",)
    list_select_related = ("connection",)
    partial_text_search = ("name",)
    exact_int_search = ("procore_company_id",)
    search_help_text = "Company name, in part and whatever the case; or exact Procore company id."
    inlines = (ConnectionInline, MembershipInline)
    readonly_fields = ("created_at", "updated_at")
    actions = [check_company_connections]
    detail_actions = ("check_company_connections",)

    def get_urls(self):
        return [
            path(
                "<int:company_pk>/overview/",
                self.admin_site.admin_view(self.overview_view),
                name="integrations_company_overview",
            ),
            *super().get_urls(),
        ]

    def overview_view(self, request: HttpRequest, company_pk: int):
        return company_overview_view(self, request, company_pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "detail_links": [(_overview_url(object_id), "Overview")],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Connection")
    def connection_health(self, obj: Company) -> str:
        connection = getattr(obj, "connection", None)
        if connection is None:
            return state_cell("not connected", "unknown")
        return state_cell(connection.get_health_display(), connection.health)

    @admin.display(description="Overview")
    def overview_link(self, obj: Company) -> str:
        return format_html('<a href="{}">overview</a>', _overview_url(obj.pk))

    @admin.display(description="Metadata")
    def metadata_link(self, obj: Company) -> str:
        url = reverse("admin:integrations_metadataconfig_editor", args=[obj.pk])
        return format_html('<a href="{}">Edit metadata</a>', url)


def _overview_url(company_pk: Any) -> str:
    return reverse("admin:integrations_company_overview", args=[company_pk])


@admin.register(Connection)
class ConnectionAdmin(DetailActionsMixin, OperatorActionsMixin, CompanyLinkMixin, AuditedAdmin):
    form = ConnectionAdminForm
    actions = [check_connections]
    detail_actions = ("check_connections",)
    list_display = (
        "company",
        "health_shown",
        "checked",
        "environment",
        "adapter_key",
        "erp_health",
        "provisioned",
    )
    list_filter = ("environment", "health", "erp_health", "adapter_key")
    list_select_related = ("company",)
    search_fields = ("company__name", "=company__procore_company_id")
    search_help_text = "Company name, or exact Procore company id."
    readonly_fields = (
        "company_link",
        *SECRET_STATE_FIELDS.values(),
        "token_state",
        "adapter_settings_shown",
        "health_message",
        "health_checked_at",
        "erp_health",
        "erp_health_message",
        "erp_health_checked_at",
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
        ("ERP", {"fields": ("adapter_key", "adapter_settings", "adapter_settings_shown")}),
        ("Procore health", {"fields": ("health", "health_message", "health_checked_at")}),
        (
            "ERP health",
            {
                "fields": ("erp_health", "erp_health_message", "erp_health_checked_at"),
                "description": "The adapter's own health check, run with the Procore check by "
                "Test connection and check_connection.",
            },
        ),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def _editable(self, request: HttpRequest, obj: Connection | None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Connection | None = None):
        """Secret fields are write-only inputs for those who may change the connection; for
        everyone else Django would print each field's stored value as text, so they get the
        secret's state instead (and the settings without the secret ones)."""
        fieldsets = super().get_fieldsets(request, obj)
        if self._editable(request, obj):
            return fieldsets
        # (``company_link`` already names the company, as a link.)
        swap = {**SECRET_STATE_FIELDS, "adapter_settings": None, "company": None}
        return [
            (
                title,
                {
                    **options,
                    "fields": tuple(
                        swap.get(name, name)
                        for name in options["fields"]
                        if swap.get(name, name) is not None
                    ),
                },
            )
            for title, options in fieldsets
        ]

    @method_decorator(sensitive_post_parameters(*SENSITIVE_POST_PARAMETERS))
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def prepare_save(
        self, request: HttpRequest, obj: Connection, before: Connection | None
    ) -> None:
        """The same consequences as any other edit: times of the changed secrets, and the
        cached token dropped when the credentials or hosts changed."""
        connection_changes_apply(before=before, after=obj)

    @admin.display(description="Health", ordering="health")
    def health_shown(self, obj: Connection) -> str:
        return state_cell(obj.get_health_display(), obj.health)

    @admin.display(description="Checked", ordering="health_checked_at")
    def checked(self, obj: Connection) -> str:
        return short_time(obj.health_checked_at)

    @admin.display(description="Provisioned", ordering="provisioned_at")
    def provisioned(self, obj: Connection) -> str:
        return short_time(obj.provisioned_at)

    @admin.display(description="Client id")
    def client_id_state(self, obj: Connection) -> str:
        return connection_secret_state(obj, "client_id")

    @admin.display(description="Client secret")
    def client_secret_state(self, obj: Connection) -> str:
        return connection_secret_state(obj, "client_secret")

    @admin.display(description="Webhook secret")
    def webhook_secret_state(self, obj: Connection) -> str:
        return connection_secret_state(obj, "webhook_secret")

    @admin.display(description="Previous webhook secret")
    def webhook_secret_previous_state(self, obj: Connection) -> str:
        return connection_secret_state(obj, "webhook_secret_previous")

    @admin.display(description="Access token")
    def token_state(self, obj: Connection) -> str:
        state = connection_secret_state(obj, "access_token")
        if obj.pk and obj.access_token and obj.token_expires_at:
            state += f" · expires {obj.token_expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        return state

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

    @admin.display(description="Stored adapter settings")
    def adapter_settings_shown(self, obj: Connection) -> str:
        """Each setting with its value, except the secret ones: set / not set, and since when."""
        settings = (obj.adapter_settings or {}) if obj.pk else {}
        if not settings:
            return "—"
        secret = obj.adapter_secret_names()
        rows = [
            (name, " (secret)", connection_secret_state(obj, f"adapter_settings.{name}"))
            if name in secret
            else (name, "", json.dumps(settings[name], ensure_ascii=False))
            for name in sorted(settings)
        ]
        return format_html(
            '<ul class="adapter-settings">{}</ul>',
            format_html_join("", "<li><code>{}</code>{}: {}</li>", rows),
        )


@admin.register(CompanyMembership)
class CompanyMembershipAdmin(AuditedAdmin):
    list_display = ("user", "company", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "company")
    search_fields = ("user__username", "user__email", "company__name")
    autocomplete_fields = ("user",)
