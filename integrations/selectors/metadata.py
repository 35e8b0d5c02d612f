"""A company's ERP metadata versions."""

from __future__ import annotations

from integrations.models import Company, MetadataConfig


def metadata_config_live(*, company: Company) -> MetadataConfig | None:
    """The newest version, which is the live one; None before the company has any.

    ``services.metadata.metadata_config_ensure`` gives a company without one its first version.
    """
    return MetadataConfig.objects.filter(company=company).order_by("-version").first()
