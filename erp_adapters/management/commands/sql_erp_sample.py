"""Write the sample ERP database (a SQLite file) that the ``sql`` adapter's docs describe, and
print the adapter settings that connect a company to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from erp_adapters.sql.sample import create_sample_database, sample_settings


class Command(BaseCommand):
    help = (
        "Create the sample SQL ERP as a SQLite file from the committed layout and records "
        "(erp_adapters/sql/sample/), and print the sql adapter settings for it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Where to write the SQLite file, e.g. sample-erp.sqlite3")
        parser.add_argument(
            "--empty", action="store_true", help="Only the tables, without the sample records."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Overwrite the file if it exists."
        )
        parser.add_argument(
            "--settings-file",
            metavar="JSON_FILE",
            help="Also write the adapter settings to this file (for connect_company "
            "--adapter-settings @JSON_FILE).",
        )

    def handle(
        self,
        *args: Any,
        path: str,
        empty: bool,
        replace: bool,
        settings_file: str | None = None,
        **options: Any,
    ) -> None:
        target = Path(path).expanduser().resolve()
        if target.exists():
            if not replace:
                raise CommandError(f"{target} exists; pass --replace to overwrite it.")
            target.unlink()
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        url = f"sqlite:///{target}"
        create_sample_database(url, data=not empty)
        self.stdout.write(self.style.SUCCESS(f"Wrote the sample ERP database {target}."))
        document = json.dumps(sample_settings(url), indent=2)
        if settings_file:
            Path(settings_file).write_text(document + "\n")
            self.stdout.write(f"Wrote the sql adapter settings to {settings_file}.")
            return
        self.stdout.write("Adapter settings for a company's connection (adapter key 'sql'):")
        self.stdout.write(document)
