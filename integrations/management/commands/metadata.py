"""Read, replace and push a company's ERP metadata from the command line.

    manage.py metadata --company ID --show > metadata.json     # the live version
    manage.py metadata --company ID --load metadata.json --comment "Enable jobs" --push

``--load`` validates the file against the schema and saves it as the next version (every problem
is listed with its path); ``--push`` sends the live version to Procore.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.models import Company
from integrations.procore import ProcoreError
from integrations.services.metadata import (
    MetadataInvalid,
    MetadataPushError,
    metadata_config_create,
    metadata_config_ensure,
    metadata_config_push,
)

LABEL = "metadata command"


class Command(BaseCommand):
    help = "Show, load (as a new validated version) and push a company's ERP metadata."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, type=int, help="Procore company id.")
        parser.add_argument("--show", action="store_true", help="Print the live version's JSON.")
        parser.add_argument("--load", metavar="FILE", help="A JSON file ('-' for stdin).")
        parser.add_argument("--comment", default="", help="Why this version (with --load).")
        parser.add_argument("--push", action="store_true", help="Push the live version.")

    def handle(self, *args: Any, company: int, **options: Any) -> None:
        row = Company.objects.filter(procore_company_id=company).first()
        if row is None:
            raise CommandError(f"No company with Procore id {company}.")
        if not (options["show"] or options["load"] or options["push"]):
            raise CommandError("Say what to do: --show, --load FILE and/or --push.")
        if options["load"]:
            text = self._read(options["load"])
            try:
                config = metadata_config_create(
                    company=row, document=text, actor_label=LABEL, comment=options["comment"]
                )
            except MetadataInvalid as exc:
                raise CommandError(str(exc)) from None
            self.stderr.write(f"Saved metadata version {config.version} for {row}.")
        if options["push"]:
            try:
                pushed = metadata_config_push(company=row, actor_label=LABEL)
            except MetadataPushError as exc:
                raise CommandError(str(exc)) from None
            except ProcoreError as exc:
                raise CommandError(f"Procore refused the metadata: {exc}") from None
            self.stderr.write(f"Pushed metadata version {pushed.version} to Procore.")
        if options["show"]:
            live = metadata_config_ensure(company=row)
            self.stdout.write(json.dumps(live.document, indent=2, ensure_ascii=False))

    def _read(self, source: str) -> str:
        if source == "-":
            return sys.stdin.read()
        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc.strerror}") from None
