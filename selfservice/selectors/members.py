"""Who belongs to a company, for its members page."""

from __future__ import annotations

from integrations.models import Company, CompanyMembership


def company_members(*, company: Company) -> list[CompanyMembership]:
    return list(
        CompanyMembership.objects.filter(company=company)
        .select_related("user")
        .order_by("user__email", "user__username")
    )
