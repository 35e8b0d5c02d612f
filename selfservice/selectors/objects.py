"""The company's objects as the portal knows them: one row per ERP object, by entity and state."""

from __future__ import annotations

from integrations.models import Company, ObjectLink
from integrations.models.objects import ItemType
from selfservice.selectors.listing import ListPage, ListSpec, list_page

OBJECTS_LIST = ListSpec(
    sorts={
        "code": ("origin_code", "id"),
        "-code": ("-origin_code", "-id"),
        "type": ("item_type", "origin_code", "id"),
        "state": ("state", "origin_code", "id"),
        "newest": ("-updated_at", "-id"),
    },
    text_fields=("origin_code", "origin_id"),
    number_fields=("procore_id",),
)


def objects_page(
    *,
    company: Company,
    item_type: str = "",
    state: str = "",
    q: str = "",
    sort: str = "",
    page: int | str = 1,
) -> ListPage:
    """One page of the company's object links, filtered by entity and state when given (values
    outside the choices are ignored, not an error)."""
    queryset = ObjectLink.objects.filter(company=company).defer("content_hash")
    if item_type in ItemType.values:
        queryset = queryset.filter(item_type=item_type)
    if state in ObjectLink.State.values:
        queryset = queryset.filter(state=state)
    return list_page(queryset, OBJECTS_LIST, q=q, sort=sort, page=page)
