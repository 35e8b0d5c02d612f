"""People: the company's members, and invitations by company admins."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from integrations.models import AuditEntry, CompanyMembership

pytestmark = pytest.mark.django_db


def test_members_are_listed_and_viewers_cannot_invite(viewer_client, viewer_a, world_a):
    page = viewer_client.get(reverse("selfservice:members", args=[world_a.company.pk]))
    assert "vera@example.com" in page.content.decode()
    assert "Send the invitation" not in page.content.decode()
    invite = reverse("selfservice:invite", args=[world_a.company.pk])
    assert (
        viewer_client.post(invite, {"email": "x@example.com", "role": "admin"}).status_code == 403
    )
    assert not get_user_model().objects.filter(email="x@example.com").exists()


def test_an_invited_person_gets_a_link_sets_a_password_and_sees_the_company(
    admin_client, admin_a, world_a, django_capture_on_commit_callbacks
):
    invite = reverse("selfservice:invite", args=[world_a.company.pk])
    with django_capture_on_commit_callbacks(execute=True):
        with_callbacks = admin_client.post(
            invite, {"email": "Nina@Example.com", "role": "viewer"}, follow=True
        )
    assert "nina@example.com was added and e-mailed with a link to set a password" in (
        with_callbacks.content.decode()
    )
    nina = get_user_model().objects.get(email="nina@example.com")
    assert not nina.has_usable_password()
    assert CompanyMembership.objects.get(user=nina).role == "viewer"
    assert AuditEntry.objects.filter(actor=admin_a, object_type="integrations.CompanyMembership")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.com"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    from django.test import Client

    browser = Client()
    form = browser.get(link, follow=True)
    browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Sturdy-pass-2026", "new_password2": "Sturdy-pass-2026"},
    )
    browser.post(
        reverse("selfservice:login"),
        {"username": "nina@example.com", "password": "Sturdy-pass-2026"},
    )
    page = browser.get(reverse("selfservice:dashboard", args=[world_a.company.pk]))
    assert page.status_code == 200


def test_inviting_a_member_twice_is_refused_with_the_reason(admin_client, viewer_a, world_a):
    invite = reverse("selfservice:invite", args=[world_a.company.pk])
    page = admin_client.post(invite, {"email": "vera@example.com", "role": "admin"})
    assert "is a member of Alpha Builders already" in page.content.decode()
    assert CompanyMembership.objects.get(user=viewer_a).role == "viewer"
    assert not mail.outbox


def test_a_bad_address_is_refused_at_its_field(admin_client, world_a):
    invite = reverse("selfservice:invite", args=[world_a.company.pk])
    page = admin_client.post(invite, {"email": "not-an-address", "role": "viewer"})
    assert "Enter a valid email address" in page.content.decode()


def test_an_existing_user_is_added_and_told_to_sign_in(
    admin_client, world_a, world_b, django_capture_on_commit_callbacks
):
    from tests.selfservice.conftest import member

    other = member(world_b.company, "viewer", "olga")
    invite = reverse("selfservice:invite", args=[world_a.company.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(invite, {"email": "olga@example.com", "role": "viewer"})
    assert CompanyMembership.objects.filter(user=other).count() == 2
    assert "Sign in with your user name olga" in mail.outbox[0].body


def test_people_are_searched_by_part_of_a_name_or_address_and_sorted(
    viewer_client, viewer_a, world_a
):
    users = get_user_model().objects
    for email, first in (("zoe@example.com", "Zoe"), ("adam@builder.test", "Adam")):
        CompanyMembership.objects.create(
            company=world_a.company,
            user=users.create_user(username=email, email=email, first_name=first),
            role="admin" if first == "Zoe" else "viewer",
        )
    page = reverse("selfservice:members", args=[world_a.company.pk])

    found = viewer_client.get(page, {"q": "BUILDER"}).content.decode()
    assert "adam@builder.test" in found and "zoe@example.com" not in found
    nobody = viewer_client.get(page, {"q": "nobody-here"}).content.decode()
    assert "Nobody matches “nobody-here”." in nobody

    by_email = viewer_client.get(page, {"sort": "email"}).content.decode()
    assert by_email.index("adam@builder.test") < by_email.index("zoe@example.com")
    by_name = viewer_client.get(page, {"sort": "name"}).content.decode()
    assert by_name.index("Adam") < by_name.index("Zoe")
