"""Play the file-exchange ERP's importer once: take the portal's outbox files into the books
and acknowledge them (``erp_adapters/files/simulator.py``). For the demo and for trying a
connection's folders by hand; a real ERP runs its own importer."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from erp_adapters.files.simulator import erp_import_outbox


class Command(BaseCommand):
    help = (
        "Import the portal's outbox files into the file-exchange ERP's export files and write "
        "their acknowledgements, as the ERP's scheduled importer would."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--import-folder", required=True, type=Path)
        parser.add_argument("--outbox-folder", required=True, type=Path)
        parser.add_argument("--inbox-folder", required=True, type=Path)
        parser.add_argument(
            "--refuse",
            action="append",
            default=[],
            help="Answer 'failed' to files whose name contains this (repeatable).",
        )

    def handle(self, *args, import_folder, outbox_folder, inbox_folder, refuse, **options):
        for folder in (import_folder, outbox_folder, inbox_folder):
            if not folder.is_dir():
                raise CommandError(f"{folder} is not a folder.")
        done = erp_import_outbox(
            import_folder=import_folder,
            outbox_folder=outbox_folder,
            inbox_folder=inbox_folder,
            refuse=tuple(refuse),
        )
        for item in done:
            if item.status == "success":
                self.stdout.write(f"{item.file}: imported as {item.erp_code} ({item.erp_id})")
            else:
                self.stdout.write(f"{item.file}: refused")
        self.stdout.write(self.style.SUCCESS(f"{len(done)} file(s) answered in {inbox_folder}."))
