"""Connections: base URLs per Procore environment, both required for a custom one."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def test_custom_environment_needs_both_base_urls():
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionFactory(environment="custom", login_base_url="", api_base_url="")


def test_environment_hosts_follow_procore_docs():
    connection = ConnectionFactory.build(environment="sandbox")
    assert connection.login_url == "https://login-sandbox.procore.com"
    assert connection.api_url == "https://sandbox.procore.com"
    custom = ConnectionFactory.build(api_base_url="http://127.0.0.1:8001/")
    assert custom.api_url == "http://127.0.0.1:8001"
