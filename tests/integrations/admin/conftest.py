"""Fixtures for the admin's tests: a row of every integrations model, with secrets that must
never show on a page."""

import pytest

from integrations.models import (
    AuditEntry,
    CircuitBreaker,
    CompanyMembership,
    ImportSchedule,
    LinkProposal,
    LinkReview,
    ObjectListVersion,
    SentJobCosts,
)
from integrations.services.api_tokens import api_token_create
from tests import factories

SECRET = "client-secret-never-shown-9b1"


@pytest.fixture
def populated(db):
    connection = factories.ConnectionFactory(
        client_secret=SECRET, adapter_settings={"tenant": "acme", "password": "erp-pw-31"}
    )
    company = connection.company
    request = factories.ERPRequestFactory(company=company, request_data={"vendor": {"name": "X"}})
    return {
        "company": company,
        "connection": connection,
        "metadata": factories.MetadataConfigFactory(company=company),
        "link": factories.ObjectLinkFactory(company=company),
        "event": factories.NotificationEventFactory(company=company),
        "request": request,
        "detail": factories.ERPRequestDetailFactory(erp_request=request),
        "run": factories.SyncRunFactory(company=company),
        "version": ObjectListVersion.objects.create(
            company=company, item_type="vendor", object_count=1, list_hash="abc", hashes={"V": "h"}
        ),
        "attempt": factories.ApiAttemptFactory(company=company),
        "sent_job_costs": SentJobCosts.objects.create(
            company=company, origin_id="J-1001", procore_ids={"0123456789abcdef": 9001}
        ),
        "membership": CompanyMembership.objects.create(
            user=factories.UserFactory(), company=company
        ),
        "schedule": ImportSchedule.objects.create(
            company=company, entity="vendors", every_minutes=60
        ),
        "audit": AuditEntry.objects.create(
            company=company, action="action", object_type="integrations.Company", object_id="1"
        ),
        "breaker": CircuitBreaker.objects.create(
            key=f"procore:{company.pk}", company=company, target="procore", state="open"
        ),
        "api_token": api_token_create(user=factories.UserFactory(), name="script").token,
        "proposal": LinkProposal.objects.create(
            review=LinkReview.objects.create(
                company=company, entity="vendors", item_type="vendor", procore_records=1
            ),
            procore_id=77,
            procore_name="Acme Steel",
            match="ambiguous",
            candidates=[{"origin_id": "G1", "code": "V-1", "name": "Acme Steel Inc"}],
        ),
    }
