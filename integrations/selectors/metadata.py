"""A company's ERP metadata versions, and how two of them differ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from integrations.models import Company, MetadataConfig

Path = tuple[str | int, ...]


def metadata_config_live(*, company: Company) -> MetadataConfig | None:
    """The newest version, which is the live one; None before the company has any.

    ``services.metadata.metadata_config_ensure`` gives a company without one its first version.
    """
    return MetadataConfig.objects.filter(company=company).order_by("-version").first()


def metadata_configs_of_company(*, company: Company) -> QuerySet[MetadataConfig]:
    """Every version of the company, newest first (the editor's list, the API's)."""
    return (
        MetadataConfig.objects.filter(company=company)
        .select_related("created_by")
        .order_by("-version")
    )


def metadata_config_of_company(*, company: Company, version: int | str) -> MetadataConfig | None:
    """Version ``version`` of this company only; None for another company's or a bad number."""
    try:
        number = int(version)
    except (TypeError, ValueError):
        return None
    return metadata_configs_of_company(company=company).filter(version=number).first()


def metadata_config_in_procore(*, company: Company) -> MetadataConfig | None:
    """The version Procore holds: the one pushed last (an older push is superseded)."""
    return (
        MetadataConfig.objects.filter(company=company, pushed_at__isnull=False)
        .order_by("-pushed_at", "-version")
        .first()
    )


@dataclass(frozen=True)
class MetadataChange:
    """One path that differs between two documents: ``added``, ``removed`` or ``changed``."""

    path: Path
    kind: str

    @property
    def text(self) -> str:
        return metadata_path_text(self.path)


def metadata_path_text(parts: Path) -> str:
    """``settings.entities.vendors.enabled``; list items as ``[0]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(the document itself)"


def metadata_documents_diff(old: Any, new: Any, prefix: Path = ()) -> list[MetadataChange]:
    """Every leaf path that differs, in document order: what a reviewer must look at."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[MetadataChange] = []
        keys = list(old) + [key for key in new if key not in old]
        for key in keys:
            if key not in new:
                changes.append(MetadataChange((*prefix, key), "removed"))
            elif key not in old:
                changes.append(MetadataChange((*prefix, key), "added"))
            else:
                changes.extend(metadata_documents_diff(old[key], new[key], (*prefix, key)))
        return changes
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        changes = []
        for index, (left, right) in enumerate(zip(old, new, strict=True)):
            changes.extend(metadata_documents_diff(left, right, (*prefix, index)))
        return changes
    same = type(old) is type(new) and old == new  # true is not 1 in a metadata document
    return [] if same else [MetadataChange(prefix, "changed")]
