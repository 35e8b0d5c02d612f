"""Metadata versions and the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from integrations.admin.base import AuditedAdmin, LedgerAdmin, pretty_json
from integrations.models import AuditEntry, MetadataConfig
from integrations.services.metadata import (
    MetadataInvalid,
    metadata_config_create,
    metadata_document_validate,
)


class MetadataConfigAddForm(forms.ModelForm):
    """A new version: the document is checked against the metadata schema, problems by path;
    the version number is the next one for the company."""

    document = forms.JSONField(widget=forms.Textarea(attrs={"rows": 24, "cols": 100}))

    class Meta:
        model = MetadataConfig
        fields = ("company", "document", "comment")

    def clean_document(self) -> dict:
        try:
            return metadata_document_validate(self.cleaned_data["document"])
        except MetadataInvalid as invalid:
            raise forms.ValidationError([str(problem) for problem in invalid.problems]) from None


@admin.register(MetadataConfig)
class MetadataConfigAdmin(AuditedAdmin):
    """Versions are immutable: a saved version can be read, not edited; a new one is added."""

    list_display = ("company", "version", "comment", "created_by", "created_at", "pushed_at")
    list_filter = ("company",)
    list_select_related = ("company", "created_by")
    search_fields = ("=company__procore_company_id", "comment")
    readonly_fields = ("document_pretty", "created_by", "created_at", "pushed_at")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        if obj is None:
            kwargs["form"] = MetadataConfigAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return ("company", "document", "comment")
        return ("company", "version", "comment", "document_pretty", "created_by", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return ()
        return ("company", "version", "comment", "document_pretty", "created_by", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: MetadataConfig, form, change: bool) -> None:
        """New versions go through the metadata service (numbering, validation, audit)."""
        saved = metadata_config_create(
            company=obj.company,
            document=form.cleaned_data["document"],
            actor=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False

    @admin.display(description="Document")
    def document_pretty(self, obj: MetadataConfig) -> str:
        return pretty_json(obj.document)


@admin.register(AuditEntry)
class AuditEntryAdmin(LedgerAdmin):
    list_display = ("created_at", "actor_label", "action", "object_type", "object_repr", "company")
    list_filter = ("action", "object_type")
    list_select_related = ("company",)
    exact_text_search = ("object_id", "actor_label")
    exact_int_search = ("company__procore_company_id",)
    search_help_text = "Exact object id, user name, or Procore company id."
    fields = (
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "company_link",
        "changes_pretty",
    )
    readonly_fields = fields

    @admin.display(description="Changes")
    def changes_pretty(self, obj: AuditEntry) -> str:
        return pretty_json(obj.changes)
