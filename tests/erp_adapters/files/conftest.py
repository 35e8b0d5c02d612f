"""Real folders for the files adapter: an import folder, an outbox and an inbox under pytest's
temporary directory, and helpers that write files as an ERP would."""

from __future__ import annotations

from pathlib import Path

import pytest

from erp_adapters.registry import get_adapter

VENDOR_HEADER = (
    "erp_id,code,name,address,city,state_code,zip,country_code,business_phone,"
    "email_address,website,is_active"
)


@pytest.fixture
def folders(tmp_path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("import", "outbox", "inbox")}
    for path in paths.values():
        path.mkdir()
    return paths


def files_settings(folders: dict[str, Path], **overrides) -> dict:
    return {
        "import_folder": str(folders["import"]),
        "outbox_folder": str(folders["outbox"]),
        "inbox_folder": str(folders["inbox"]),
        **overrides,
    }


@pytest.fixture
def adapter(db, folders):
    return get_adapter("files", files_settings(folders))


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def acknowledge(
    inbox: Path, name: str, rows: list[tuple[str, ...]], *, delimiter: str = ","
) -> Path:
    """The ERP's acknowledgement: written under a temporary name, then renamed."""
    lines = [delimiter.join(("file", "status", "erp_id", "erp_code", "message"))]
    lines += [delimiter.join(row) for row in rows]
    temporary = write(inbox / f"{name}.tmp", "\r\n".join(lines) + "\r\n")
    final = inbox / name
    temporary.rename(final)
    return final
