"""The admin site: every integrations model is in it, and each of its pages renders for support
staff without showing a secret."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.integrations.admin.conftest import SECRET

pytestmark = pytest.mark.django_db


def integration_models():
    return [m for m in admin.site._registry if m._meta.app_label == "integrations"]


def test_every_integrations_model_is_in_the_admin():
    from django.apps import apps

    registered = set(integration_models())
    assert set(apps.get_app_config("integrations").get_models()) == registered


@pytest.mark.parametrize("model", integration_models(), ids=lambda m: m._meta.model_name)
def test_changelist_and_change_form_render(admin_client_logged_in, populated, model):
    opts = model._meta
    response = admin_client_logged_in.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert response.status_code == 200
    obj = model.objects.first()
    assert obj is not None, "the fixture must populate every model"
    response = admin_client_logged_in.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "erp-pw-31" not in response.content.decode()


def test_the_index_counts_dead_letters_and_names_their_companies(admin_client_logged_in):
    from integrations.models.erp_requests import WorkState
    from tests.factories import CompanyFactory, ERPRequestFactory

    index = reverse("admin:index")
    assert "dead-letter-notice" not in admin_client_logged_in.get(index).content.decode()
    company = CompanyFactory(name="Demo Construction Co.")
    for _ in range(3):
        ERPRequestFactory(company=company, state=WorkState.DEAD)
    ERPRequestFactory(state=WorkState.FAILED)
    page = admin_client_logged_in.get(index).content.decode()
    assert "<strong>3 dead letters</strong>" in page
    assert f'href="{reverse("admin:integrations_erprequest_changelist")}?state__exact=dead"' in page
    overview = reverse("admin:integrations_company_overview", args=[company.pk])
    assert f'<a href="{overview}">Demo Construction Co.</a> (3)' in page


def test_the_index_counts_close_outs_procore_never_took(admin_client_logged_in):
    from integrations.models.erp_requests import WorkState
    from tests.factories import ERPRequestDetailFactory

    index = reverse("admin:index")
    ERPRequestDetailFactory(state=WorkState.DEAD)
    ERPRequestDetailFactory(state=WorkState.DEAD)
    page = admin_client_logged_in.get(index).content.decode()
    assert "<strong>2 close-outs</strong></a> Procore did not take" in page
    changelist = reverse("admin:integrations_erprequestdetail_changelist")
    assert f'href="{changelist}?state__exact=dead"' in page
    assert "dead letter" not in page  # no dead request: only the close-outs are named
