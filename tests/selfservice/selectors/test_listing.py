import pytest

from integrations.models import ObjectLink
from selfservice.selectors.listing import ListSpec, clean_page, list_page
from tests import factories

pytestmark = pytest.mark.django_db

SPEC = ListSpec(
    sorts={"code": ("origin_code", "id"), "-code": ("-origin_code", "-id")},
    text_fields=("origin_code",),
    number_fields=("procore_id",),
)


def test_search_sort_and_pages_without_counting():
    company = factories.CompanyFactory()
    for i in range(5):
        factories.ObjectLinkFactory(company=company, origin_code=f"Steel-{i}", procore_id=100 + i)
    factories.ObjectLinkFactory(company=company, origin_code="Concrete")
    rows = ObjectLink.objects.filter(company=company)

    page = list_page(rows, SPEC, q="  STEEL ", sort="-code", per_page=2)
    assert [o.origin_code for o in page.rows] == ["Steel-4", "Steel-3"]
    assert page.has_next and not page.has_previous and page.q == "STEEL"
    last = list_page(rows, SPEC, q="steel", sort="-code", page=3, per_page=2)
    assert [o.origin_code for o in last.rows] == ["Steel-0"] and not last.has_next
    assert [o.origin_code for o in list_page(rows, SPEC, q="102").rows] == ["Steel-2"]
    assert list_page(rows, SPEC, sort="'; drop table").sort == "code"


def test_bad_page_numbers_are_page_one_or_capped():
    assert [clean_page(p) for p in ("x", None, "-3", "2", 10**9)] == [1, 1, 1, 2, 10_000]
