"""Pluggable adapters: a third party's package, installed with pip, is found through the
``erp_portal.adapters`` entry-point group, with no change to the portal."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from erp_adapters.registry import (
    ENTRY_POINT_GROUP,
    available_adapters,
    get_adapter,
    installed_adapters,
    secret_setting_names,
)

PACKAGE = Path(__file__).parent / "third_party" / "acme_ledger"


def build_wheel(source: Path, out: Path) -> Path:
    """A wheel of the test package (pure Python), written by hand: the venv's setuptools
    cannot build one without the ``wheel`` package, and nothing may be downloaded."""
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    dist_info = f"{name}-{version}.dist-info"
    files: dict[str, bytes] = {
        f"acme_ledger/{path.name}": path.read_bytes()
        for path in sorted((source / "acme_ledger").glob("*.py"))
    }
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items())
        for group, points in project["entry-points"].items()
    )
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {version}\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{dist_info}/entry_points.txt"] = entry_points.encode()
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([path, f"sha256={digest}", len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()
    wheel = out / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


@pytest.fixture
def acme_installed(tmp_path, monkeypatch):
    """``pip install`` of the package into a folder of its own, put on ``sys.path`` as a
    deployment's site-packages would be."""
    wheel = build_wheel(PACKAGE, tmp_path)
    target = tmp_path / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    monkeypatch.syspath_prepend(str(target))
    installed_adapters.cache_clear()
    yield target
    installed_adapters.cache_clear()
    for module in [m for m in sys.modules if m == "acme_ledger" or m.startswith("acme_ledger.")]:
        del sys.modules[module]


def test_an_installed_package_adds_its_adapter(acme_installed):
    assert (acme_installed / "acme_ledger" / "adapter.py").exists()
    assert installed_adapters()["acme"] == "acme_ledger.adapter:AcmeLedgerAdapter"
    assert "acme" in available_adapters()
    adapter = get_adapter("acme", {"ledger": "north"})
    assert adapter.label == "Acme Ledger"
    assert [o.data["name"] for o in adapter.vendors.list()] == ["Ledger north vendor"]
    result = adapter.vendors.create({"vendor": {"id": 9, "name": "Widgets"}})
    assert (result.origin_id, result.created) == ("acme-9", True)
    assert adapter.health_check().ok


def test_its_settings_schema_is_enforced_and_its_secrets_kept_secret(acme_installed):
    from erp_adapters.base import AdapterSettingsError

    with pytest.raises(AdapterSettingsError, match="colour: is not a setting"):
        get_adapter("acme", {"colour": "red"})
    assert secret_setting_names("acme", {"ledger": "x", "api_token": "t"}) == {"api_token"}


def test_without_the_package_the_key_is_unknown():
    installed_adapters.cache_clear()
    assert "acme" not in available_adapters()
    assert ENTRY_POINT_GROUP == "erp_portal.adapters"


def test_a_package_cannot_take_a_built_in_key(acme_installed, monkeypatch):
    from erp_adapters import registry

    monkeypatch.setattr(
        registry, "installed_adapters", lambda: {"demo": "acme_ledger.adapter:AcmeLedgerAdapter"}
    )
    assert available_adapters()["demo"].__name__ == "DemoAdapter"
