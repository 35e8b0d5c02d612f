"""Who belongs to a company, for its members page: searched, sorted and paged like every
self-service list (``selectors/listing.py``)."""

from __future__ import annotations

from integrations.models import Company, CompanyMembership
from selfservice.selectors.listing import ListPage, ListSpec, list_page

MEMBERS_LIST = ListSpec(
    sorts={
        "email": ("user__email", "user__username", "id"),
        "name": ("user__first_name", "user__last_name", "user__email", "id"),
        "role": ("role", "user__email", "id"),
        "newest": ("-created_at", "-id"),
    },
    text_fields=("user__email", "user__username", "user__first_name", "user__last_name"),
)


def members_page(*, company: Company, q: str = "", sort: str = "", page: int | str = 1) -> ListPage:
    """One page of the company's members, searched by part of a name or e-mail address."""
    queryset = CompanyMembership.objects.filter(company=company).select_related("user")
    return list_page(queryset, MEMBERS_LIST, q=q, sort=sort, page=page)
