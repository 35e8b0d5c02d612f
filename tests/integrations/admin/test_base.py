"""What every ledger admin shares (base.py): read-only, exact-id search, capped counts."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_ledgers_are_read_only(admin_client_logged_in, populated):
    for key in ("event", "request", "detail", "attempt", "link", "run"):
        obj = populated[key]
        opts = obj._meta
        model_admin = admin.site._registry[type(obj)]
        assert not model_admin.has_add_permission(None)
        assert not model_admin.has_change_permission(None, obj)
        assert not model_admin.has_delete_permission(None, obj)
        page = admin_client_logged_in.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        ).content.decode()
        assert 'name="_save"' not in page


def test_search_by_origin_id_and_procore_id(admin_client_logged_in, populated):
    link = populated["link"]
    link.procore_id = 987654321012
    link.save()
    other = factories.ObjectLinkFactory(company=link.company, origin_id="OTHER-1")
    url = reverse("admin:integrations_objectlink_changelist")
    page = admin_client_logged_in.get(url, {"q": link.origin_id}).content.decode()
    assert link.origin_id in page and other.origin_id not in page
    page = admin_client_logged_in.get(url, {"q": "987654321012"}).content.decode()
    assert link.origin_id in page and other.origin_id not in page


def test_ledger_count_is_capped(admin_client_logged_in, populated, monkeypatch):
    from integrations.admin import base

    monkeypatch.setattr(base, "COUNT_CAP", 2)
    for _ in range(4):
        factories.NotificationEventFactory(company=populated["company"])
    page = admin_client_logged_in.get(
        reverse("admin:integrations_notificationevent_changelist")
    ).content.decode()
    assert "5 notification events" not in page
