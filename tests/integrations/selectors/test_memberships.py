import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from integrations.models import CompanyMembership
from integrations.selectors.memberships import (
    companies_for_user,
    company_for_user,
    membership_role,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_member_sees_their_companies_and_nothing_else():
    mine, theirs = factories.CompanyFactory(), factories.CompanyFactory()
    user = factories.UserFactory()
    CompanyMembership.objects.create(user=user, company=mine, role="viewer")

    assert list(companies_for_user(user)) == [mine]
    assert company_for_user(user, mine.pk) == mine
    assert membership_role(user, mine) == "viewer"
    assert membership_role(user, theirs) is None
    for other in (theirs.pk, str(theirs.pk), "abc", None, 10**30):
        with pytest.raises(Http404):
            company_for_user(user, other)


def test_a_viewer_is_not_a_company_admin_and_strangers_see_nothing():
    company = factories.CompanyFactory()
    viewer, admin = factories.UserFactory(), factories.UserFactory()
    CompanyMembership.objects.create(user=viewer, company=company, role="viewer")
    CompanyMembership.objects.create(user=admin, company=company, role="admin")

    assert list(companies_for_user(admin, role="admin")) == [company]
    assert not companies_for_user(viewer, role="admin").exists()
    with pytest.raises(Http404):
        company_for_user(viewer, company.pk, role="admin")
    assert not companies_for_user(AnonymousUser()).exists()
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    assert not companies_for_user(staff).exists()  # support uses the audited admin
    viewer.is_active = False
    assert not companies_for_user(viewer).exists()


def test_company_and_role_in_one_query_and_404_for_strangers(django_assert_num_queries):
    from integrations.selectors.memberships import (
        company_and_role_for_user,
        user_is_company_admin_anywhere,
    )

    company, other = factories.CompanyFactory(), factories.CompanyFactory()
    admin = factories.UserFactory()
    CompanyMembership.objects.create(user=admin, company=company, role="admin")

    with django_assert_num_queries(1):
        assert company_and_role_for_user(admin, str(company.pk)) == (company, "admin")
    for wrong in (other.pk, "x", None):
        with pytest.raises(Http404):
            company_and_role_for_user(admin, wrong)
    with pytest.raises(Http404):
        company_and_role_for_user(AnonymousUser(), company.pk)
    assert user_is_company_admin_anywhere(admin)
    viewer = factories.UserFactory()
    CompanyMembership.objects.create(user=viewer, company=other, role="viewer")
    assert not user_is_company_admin_anywhere(viewer)
    with pytest.raises(Http404):
        company_and_role_for_user(viewer, other.pk, role="admin")
