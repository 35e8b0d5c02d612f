import pytest

from integrations.models import AuditEntry, CompanyMembership
from integrations.services.memberships import membership_grant
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_grant_makes_a_member_changes_a_role_and_is_audited_once():
    user, company = factories.UserFactory(), factories.CompanyFactory()
    membership_grant(user=user, company=company, role="viewer", actor_label="demo_setup")
    membership_grant(user=user, company=company, role="viewer", actor_label="demo_setup")
    assert CompanyMembership.objects.get(user=user).role == "viewer"
    membership_grant(user=user, company=company, role="admin", actor_label="demo_setup")
    assert CompanyMembership.objects.get(user=user).role == "admin"
    entries = AuditEntry.objects.filter(object_type="integrations.CompanyMembership")
    assert [e.action for e in entries.order_by("id")] == ["create", "update"]
    assert entries.last().changes["role"] == {"from": "viewer", "to": "admin"}
    with pytest.raises(ValueError, match="not a role"):
        membership_grant(user=user, company=company, role="owner")
