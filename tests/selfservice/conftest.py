"""Two companies with something on every page, their people, and clients signed in as them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from integrations.models import (
    Company,
    CompanyMembership,
    ERPRequest,
    ObjectLink,
    SyncRun,
)
from integrations.models.erp_requests import GaveUpBecause, WorkState
from tests import factories


@dataclass
class CompanyWorld:
    company: Company
    failed: ERPRequest
    dead: ERPRequest
    succeeded: ERPRequest
    run: SyncRun
    refused: ObjectLink


def company_world(name: str) -> CompanyWorld:
    """A connected company with one of everything the pages show."""
    connection = factories.ConnectionFactory(company__name=name)
    company = connection.company
    now = timezone.now()
    failed = factories.ERPRequestFactory(
        company=company,
        state=WorkState.FAILED,
        last_error="The ERP refused the vendor",
        attempts=1,
        completed_at=now,
    )
    factories.ERPRequestDetailFactory(
        erp_request=failed,
        status="failed",
        messages=[f"Vendor 'Acme {name}' has no tax id; add it in the ERP, then retry."],
    )
    dead = factories.ERPRequestFactory(
        company=company,
        request_name="update_vendor",
        state=WorkState.DEAD,
        gave_up_because=GaveUpBecause.PROCORE,
        attempts=8,
        last_error="Gave up (too many attempts, 8 attempts): Procore answered 503",
        completed_at=now,
    )
    succeeded = factories.ERPRequestFactory(
        company=company, state=WorkState.SUCCEEDED, completed_at=now
    )
    factories.NotificationEventFactory(company=company, resource_id=failed.procore_request_id)
    run = factories.SyncRunFactory(
        company=company,
        entity="vendors",
        state=SyncRun.State.RUNNING,
        progress_done=250,
        progress_total=1000,
        started_at=now,
    )
    refused = factories.ObjectLinkFactory(
        company=company,
        origin_code=f"{name[:3].upper()}-V-7",
        state=ObjectLink.State.FAILED,
        last_error="name: has already been taken",
    )
    factories.ObjectLinkFactory(company=company, state=ObjectLink.State.SYNCED)
    return CompanyWorld(company, failed, dead, succeeded, run, refused)


@pytest.fixture
def world_a(db) -> CompanyWorld:
    return company_world("Alpha Builders")


@pytest.fixture
def world_b(db) -> CompanyWorld:
    return company_world("Bravo Concrete")


def member(company: Company, role: str, username: str):
    user = factories.UserFactory(username=username, email=f"{username}@example.com")
    CompanyMembership.objects.create(user=user, company=company, role=role)
    return user


def totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(client, user, *, verified_with: TOTPDevice | None = None):
    """A client signed in as ``user`` (past two-factor, when a device is given)."""
    client.force_login(user)
    if verified_with is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_with.persistent_id
        session.save()
    return client


@pytest.fixture
def viewer_a(world_a):
    return member(world_a.company, CompanyMembership.Role.VIEWER, "vera")


@pytest.fixture
def admin_a(world_a):
    return member(world_a.company, CompanyMembership.Role.ADMIN, "adam")


@pytest.fixture
def viewer_client(client, viewer_a):
    return sign_in(client, viewer_a)


@pytest.fixture
def admin_client(client, admin_a):
    return sign_in(client, admin_a, verified_with=totp_device(admin_a))
