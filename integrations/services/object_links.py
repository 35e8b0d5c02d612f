"""What the portal knows of each ERP object in Procore (``ObjectLink`` rows)."""

from __future__ import annotations

from integrations.models import Company, ObjectLink


def object_link_mark_synced(
    *,
    company: Company | None = None,
    company_pk: int | None = None,
    item_type: str,
    origin_id: str,
    procore_id: int,
    origin_code: str = "",
) -> ObjectLink:
    """The object exists in Procore with our origin id; tolerates losing a creation race."""
    defaults = {"procore_id": procore_id, "state": ObjectLink.State.SYNCED, "last_error": ""}
    if origin_code:
        defaults["origin_code"] = origin_code[:255]
    if company is None:
        company = Company(pk=company_pk)
    link, _ = ObjectLink.objects.update_or_create(
        company=company, item_type=item_type, origin_id=origin_id, defaults=defaults
    )
    return link
