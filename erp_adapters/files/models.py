"""What the files adapter remembers of each export file it handed to an ERP.

An ERP reached through files is not ours: it cannot hold the Procore id under a unique
constraint for us, and it answers later. So each file written to an outbox is a row here,
keyed on the outbox and the file's name, with the Procore object it carries and, once the ERP's
acknowledgement arrives, its answer. ``create`` reads these rows to be idempotent on the
Procore id (one object is handed over once, however often the export is delivered), and the
inbox scan writes the answers into them, so an answer survives any restart.
"""

from __future__ import annotations

from django.db import models


class FileExport(models.Model):
    class State(models.TextChoices):
        WRITING = "writing", "Being written"
        WAITING = "waiting", "Waiting for the ERP's acknowledgement"
        SUCCESS = "success", "Imported by the ERP"
        FAILED = "failed", "Refused by the ERP"
        STALE = "stale", "No answer in time"
        RELEASED = "released", "Untied from Procore (void in the ERP, or reset)"

    outbox = models.CharField(max_length=500, help_text="The outbox folder (the ERP it went to).")
    file_name = models.CharField(max_length=255)
    entity = models.CharField(max_length=32)
    procore_id = models.BigIntegerField()
    request_detail_id = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WRITING)
    erp_id = models.CharField(max_length=255, blank=True, verbose_name="ERP id")
    erp_code = models.CharField(max_length=255, blank=True, verbose_name="ERP code")
    message = models.TextField(blank=True, help_text="The ERP's message, when it refused.")
    line_erp_ids = models.JSONField(
        default=list, blank=True, help_text="The ERP ids of a document's lines, in file order."
    )
    links = models.JSONField(
        default=list,
        blank=True,
        help_text="The External Data links the export needs once the ERP answers: "
        "[item type, Procore id, what the ERP id is] (the object's, a line's, a job cost "
        "code's).",
    )
    answer_file = models.CharField(max_length=255, blank=True)
    answer_reported = models.BooleanField(
        default=False,
        help_text="The answer was reported on the Request Detail: after a success the "
        "object is 'already in the ERP'; after a refusal or no answer, exporting the "
        "object again sends a new file.",
    )
    written_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outbox", "file_name"], name="files_erp_export_unique_file"
            )
        ]
        indexes = [
            models.Index(
                fields=["outbox", "entity", "procore_id", "-id"], name="files_erp_export_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"
