"""The files adapter's ledger of export files, for people on call: which exports wait for the
ERP's acknowledgement, since when, and what the ERP answered. Read-only: the files and the
ERP's answers are the record; support re-drives the ERP request, not this row."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from erp_adapters.files.models import FileExport


@admin.register(FileExport)
class FileExportAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "entity",
        "procore_id",
        "state",
        "erp_code",
        "written_at",
        "answered_at",
    )
    list_filter = ("state", "entity")
    search_fields = ("=file_name", "=procore_id", "=erp_id", "=erp_code")
    ordering = ("-id",)
    show_full_result_count = False
    readonly_fields = [field.name for field in FileExport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
