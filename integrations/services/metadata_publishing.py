"""Publishing a metadata version to Procore for a person waiting on a page or a script.

The push itself is ``services.metadata.metadata_config_push``; this module gives the editor and
the API one way to call it with a client that does not sleep through rate limits, and one answer
in words an accountant can act on, whatever went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.models import Company, MetadataConfig
from integrations.procore import ProcoreError
from integrations.selectors.connections import connection_for_company
from integrations.services.metadata import (
    MetadataInvalid,
    MetadataPushError,
    metadata_config_push,
)
from integrations.services.provisioning import interactive_client


@dataclass(frozen=True)
class PublishResult:
    """``config`` is the version now live in Procore (a new one when an older was restored)."""

    ok: bool
    message: str
    config: MetadataConfig | None = None


def metadata_config_publish(
    *, company: Company, config: MetadataConfig, actor: Any = None, actor_label: str = ""
) -> PublishResult:
    """Push ``config`` to Procore now; never raises for what a person can fix or retry."""
    if config.company_id != company.pk:
        return PublishResult(False, f"Version {config.version} is not one of {company}'s.")
    connection = connection_for_company(company_id=company.pk)
    if connection is None:
        return PublishResult(
            False, f"{company} is not connected to Procore yet: connect it, then publish."
        )
    try:
        with interactive_client(connection) as client:
            pushed = metadata_config_push(
                company=company, client=client, config=config, actor=actor, actor_label=actor_label
            )
    except (MetadataPushError, MetadataInvalid) as exc:
        return PublishResult(False, str(exc))
    except ProcoreError as exc:
        return PublishResult(
            False,
            f"Procore did not take version {config.version}: {exc}. Nothing changed in Procore; "
            "try again in a minute, or check the connection if it keeps failing.",
        )
    restored = (
        f" (saved again as version {pushed.version}, so the newest version is the live one)"
        if pushed.pk != config.pk
        else ""
    )
    return PublishResult(True, f"Version {config.version} is live in Procore{restored}.", pushed)
