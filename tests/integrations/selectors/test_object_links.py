"""Reads of the portal's object links."""

from __future__ import annotations

from integrations.models import ObjectLink
from integrations.selectors.object_links import object_link_origin_ids_under


def test_the_cost_codes_under_a_job_are_found_by_their_origin_id(db):
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    for origin_id, procore_id in (("job-1|cc-1", 5), ("job-1|cc-2", None), ("job-10|cc-1", 6)):
        ObjectLink.objects.create(
            company=company, item_type="cost_code", origin_id=origin_id, procore_id=procore_id
        )
    found = object_link_origin_ids_under(
        company_id=company.pk, item_type="cost_code", holder_origin_id="job-1"
    )
    assert found == ["job-1|cc-1"]  # linked ones only, and not job-10's
