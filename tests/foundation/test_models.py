import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from integrations.models import Company, ItemType, NotificationEvent
from tests.factories import (
    CompanyFactory,
    ConnectionFactory,
    ERPRequestDetailFactory,
    ERPRequestFactory,
    MetadataConfigFactory,
    NotificationEventFactory,
    ObjectLinkFactory,
)

pytestmark = pytest.mark.django_db


def test_company_id_holds_64_bit_values():
    big = 2**62 + 12345
    CompanyFactory(procore_company_id=big)
    assert Company.objects.get(procore_company_id=big).procore_company_id == big


def test_second_company_with_same_procore_id_is_refused():
    CompanyFactory(procore_company_id=42)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(procore_company_id=42)


def test_second_object_link_with_same_origin_is_refused_by_the_database():
    link = ObjectLinkFactory(item_type=ItemType.VENDOR, origin_id="V-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectLinkFactory(company=link.company, item_type=ItemType.VENDOR, origin_id="V-1")


def test_same_origin_id_is_fine_for_another_type_or_company():
    link = ObjectLinkFactory(item_type=ItemType.VENDOR, origin_id="X-1")
    ObjectLinkFactory(company=link.company, item_type=ItemType.PROJECT, origin_id="X-1")
    ObjectLinkFactory(item_type=ItemType.VENDOR, origin_id="X-1")


def test_duplicate_webhook_event_is_refused_per_company():
    event = NotificationEventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationEventFactory(company=event.company, ulid=event.ulid)
    # The same key at another company is another event.
    NotificationEventFactory(ulid=event.ulid)
    assert NotificationEvent.objects.filter(dedupe_key=event.ulid).count() == 2


def test_erp_request_is_unique_per_company_and_procore_id():
    request = ERPRequestFactory(procore_request_id=777)
    with pytest.raises(IntegrityError), transaction.atomic():
        ERPRequestFactory(company=request.company, procore_request_id=777)


def test_request_detail_is_unique_per_company():
    detail = ERPRequestDetailFactory(procore_detail_id=555)
    with pytest.raises(IntegrityError), transaction.atomic():
        ERPRequestDetailFactory(erp_request=detail.erp_request, procore_detail_id=555)


def test_metadata_versions_are_unique_and_immutable():
    config = MetadataConfigFactory(version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MetadataConfigFactory(company=config.company, version=1)
    config.document = {"settings": {"changed": True}}
    with pytest.raises(ValidationError):
        config.save()


def test_custom_environment_needs_both_base_urls():
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionFactory(environment="custom", login_base_url="", api_base_url="")


def test_environment_hosts_follow_procore_docs():
    connection = ConnectionFactory.build(environment="sandbox")
    assert connection.login_url == "https://login-sandbox.procore.com"
    assert connection.api_url == "https://sandbox.procore.com"
    custom = ConnectionFactory.build(api_base_url="http://127.0.0.1:8001/")
    assert custom.api_url == "http://127.0.0.1:8001"


def test_states_are_explicit_choices():
    field = NotificationEvent._meta.get_field("state")
    assert {value for value, _ in field.choices} == {
        "received",
        "processed",
        "ignored",
        "failed",
        "duplicate",
    }
