"""Metadata versions and the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from integrations.admin.base import AuditedAdmin, LedgerAdmin, pretty_json
from integrations.models import AuditEntry, Company, MetadataConfig
from integrations.services.metadata import (
    MetadataInvalid,
    metadata_config_create,
    metadata_document_validate,
)
from integrations.views.metadata_editor import EditorPlace, metadata_editor


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

    list_display = (
        "company",
        "version",
        "comment",
        "created_by",
        "created_at",
        "pushed_at",
        "editor_link",
    )
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

    @admin.display(description="Editor")
    def editor_link(self, obj: MetadataConfig) -> str:
        url = reverse("admin:integrations_metadataconfig_editor", args=[obj.company_id])
        return format_html('<a href="{}?version={}">Open in the editor</a>', url, obj.version)

    def get_urls(self):
        editor = path(
            "editor/<int:company_id>/",
            self.admin_site.admin_view(self.editor_view),
            name="integrations_metadataconfig_editor",
        )
        return [editor, *super().get_urls()]

    def editor_view(self, request: HttpRequest, company_id: int) -> HttpResponse:
        """The metadata editor for support staff: any company; saving and publishing need the
        permission to add metadata versions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        company = get_object_or_404(Company, pk=company_id)
        may_write = self.has_add_permission(request)
        place = EditorPlace(
            company=company,
            url=reverse("admin:integrations_metadataconfig_editor", args=[company.pk]),
            template="admin/integrations/metadataconfig/editor.html",
            can_edit=may_write,
            can_publish=may_write,
            context={**self.admin_site.each_context(request), "opts": self.model._meta},
        )
        return metadata_editor(request, place)


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
