"""The object links' admin: what just changed comes first, with its state and when; a link is
found by the object's name or ERP code, in part and whatever the case, or by its origin id."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import ObjectLink
from tests.factories import CompanyFactory, ObjectLinkFactory

pytestmark = pytest.mark.django_db

URL = "admin:integrations_objectlink_changelist"


def test_the_link_that_changed_last_is_listed_first_with_its_state_and_when(
    admin_client_logged_in,
):
    company = CompanyFactory()
    older = ObjectLinkFactory(company=company, name="Granite Works", state="staged")
    newer = ObjectLinkFactory(company=company, name="Acme Concrete", state="staged")
    # Procore's approver imports the older one: it changed last.
    moment = timezone.now() + timedelta(minutes=5)
    ObjectLink.objects.filter(pk=older.pk).update(state="synced", updated_at=moment)

    page = admin_client_logged_in.get(reverse(URL)).content.decode()
    assert page.index("Granite Works") < page.index("Acme Concrete")
    row = page[page.rindex("<tr", 0, page.index("Granite Works")) :]
    row = row[: row.index("</tr>")]
    assert "Synced" in row
    assert f"{moment:%Y-%m-%d %H:%M}" in row
    assert newer.pk != older.pk


@pytest.mark.parametrize("term", ["granite", "GRANITE WORKS", "v-0000", "00041", "guid-abc-123"])
def test_a_link_is_found_by_name_or_code_in_part_or_by_its_whole_origin_id(
    admin_client_logged_in, term
):
    company = CompanyFactory()
    ObjectLinkFactory(
        company=company, name="Granite Works", origin_code="V-000041", origin_id="guid-abc-123"
    )
    ObjectLinkFactory(company=company, name="Acme Concrete", origin_code="V-900", origin_id="zz")
    page = admin_client_logged_in.get(reverse(URL), {"q": term}).content.decode()
    assert "Granite Works" in page
    assert "Acme Concrete" not in page


def test_a_pasted_origin_id_finds_its_link_alone(admin_client_logged_in):
    """An exact id answers by its b-tree index, without the partial matches around it."""
    company = CompanyFactory()
    ObjectLinkFactory(company=company, name="Granite Works", origin_id="ERP-00000041")
    ObjectLinkFactory(company=company, name="Acme Concrete", origin_id="ERP-000000411")
    page = admin_client_logged_in.get(reverse(URL), {"q": "ERP-00000041"}).content.decode()
    assert "Granite Works" in page and "Acme Concrete" not in page


def test_partial_search_is_served_by_trigram_indexes_on_postgresql():
    """The admin's partial search compiles to ``UPPER(x) LIKE UPPER('%term%')``; on PostgreSQL
    each column searched in part has a trigram index the planner can use for it."""
    from django.contrib import admin
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    queryset, _ = admin.site._registry[ObjectLink].get_search_results(
        None, ObjectLink.objects.all(), "granite"
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in (
        "object_link_name_trgm",
        "object_link_origin_code_trgm",
    ):
        assert index in plan, plan
