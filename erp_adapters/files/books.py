"""What the file-exchange entities need of the files adapter: its settings and folders, and a
reader of each import file.

A protocol, so that the entities depend on this small shape rather than on ``adapter`` (which
builds its table from them): the imports run one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from erp_adapters.base import Entity
from erp_adapters.files.reading import LayoutReader


class FilesBooks(Protocol):
    settings: Mapping[str, Any]
    outbox_key: str
    stale_after: timedelta
    check_every: int

    def folder(self, setting: str) -> Path: ...

    def import_file(self, entity: Entity) -> Path: ...

    def reader(self, entity: Entity) -> LayoutReader: ...

    def holds(self, entity: Entity, erp_id: str) -> bool: ...

    def erp_ids(self, entity: Entity) -> set[str]: ...
