"""factory-boy factories for the portal's models; tests build what they need from these."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from integrations import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Company

    procore_company_id = factory.Sequence(lambda n: 5_000_000_000 + n)
    name = factory.Sequence(lambda n: f"Company {n}")


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Connection

    company = factory.SubFactory(CompanyFactory)
    environment = models.ProcoreEnvironment.CUSTOM
    login_base_url = "http://127.0.0.1:8001"
    api_base_url = "http://127.0.0.1:8001"
    client_id = factory.Sequence(lambda n: f"client-{n}")
    client_secret = "super-secret-client-value"
    webhook_secret = "whsec-current-0123456789"
    adapter_key = "demo"


class ObjectLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ObjectLink

    company = factory.SubFactory(CompanyFactory)
    item_type = models.ItemType.VENDOR
    origin_id = factory.Sequence(lambda n: f"V-{n:06d}")


class MetadataConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MetadataConfig

    company = factory.SubFactory(CompanyFactory)
    version = factory.Sequence(lambda n: n + 1)
    document = factory.LazyFunction(lambda: {"settings": {"labels": {"name": "Demo ERP"}}})


class ERPRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ERPRequest

    company = factory.SubFactory(CompanyFactory)
    procore_request_id = factory.Sequence(lambda n: 70_000 + n)
    request_name = "create_vendor"
    request_data = factory.LazyFunction(lambda: {"request_detail_id": 1})


class ERPRequestDetailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ERPRequestDetail

    erp_request = factory.SubFactory(ERPRequestFactory)
    company = factory.SelfAttribute("erp_request.company")
    procore_detail_id = factory.Sequence(lambda n: 90_000 + n)


class NotificationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NotificationEvent

    company = factory.SubFactory(CompanyFactory)
    ulid = factory.Sequence(lambda n: f"01EDPD2J6SBY1163N77H{n:06d}")
    dedupe_key = factory.SelfAttribute("ulid")
    event_id = factory.Sequence(lambda n: 123_000_000 + n)
    resource_name = "ERP Requests"
    resource_id = factory.Sequence(lambda n: 54_000 + n)
    event_type = "create"
    api_version = "v2.0"
    payload = factory.LazyAttribute(
        lambda e: {
            "id": e.event_id,
            "ulid": e.ulid,
            "company_id": e.company.procore_company_id,
            "resource_name": e.resource_name,
            "resource_id": e.resource_id,
            "event_type": e.event_type,
            "api_version": e.api_version,
        }
    )


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncRun

    company = factory.SubFactory(CompanyFactory)
    item_type = models.ItemType.VENDOR
    trigger = models.SyncRun.Trigger.COMMAND


class ApiAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ApiAttempt

    company = factory.SubFactory(CompanyFactory)
    method = "GET"
    path = "/rest/v1.0/companies"
    status_code = 200


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CompanyMembership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = models.CompanyMembership.Role.VIEWER
