"""Where credentials may go: Procore's hosts, loopback only in development, and the hosts an
operator lists; the client applies the same rule before a credential leaves, whatever is stored."""

from __future__ import annotations

import re

import pytest

from integrations.models import ProcoreEnvironment
from integrations.procore import ProcoreClient
from integrations.procore.destinations import check_base_url
from integrations.procore.errors import ConfigurationError
from integrations.procore.hosts import ENVIRONMENT_HOSTS
from integrations.services.connections import CheckOutcome, connection_check
from tests.factories import ConnectionFactory
from tests.integrations.procore.conftest import add_tokens

PROXY = "procore-proxy.example.net"


@pytest.fixture
def production(settings):
    """Production's rules: no DEBUG, no loopback, no custom hosts."""
    settings.DEBUG = False
    settings.PROCORE_ALLOW_LOOPBACK = False
    settings.PROCORE_ALLOWED_CUSTOM_HOSTS = []
    return settings


def test_every_procore_environment_has_its_hosts():
    fixed = {env for env in ProcoreEnvironment.values if env != ProcoreEnvironment.CUSTOM}
    assert set(ENVIRONMENT_HOSTS) == fixed


@pytest.mark.parametrize("url", [url for pair in ENVIRONMENT_HOSTS.values() for url in pair])
def test_procore_hosts_are_allowed_over_https(production, url):
    assert check_base_url(url + "/", what="the URL") == url


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com",
        "https://api.procore.com.evil.example.com",  # a look-alike suffix
        "https://evil.example.com/api.procore.com",
        "https://127.0.0.1.nip.io",  # resolves to loopback, but is not a loopback address
    ],
)
def test_other_hosts_are_refused_naming_the_setting_that_would_allow_them(production, url):
    with pytest.raises(
        ConfigurationError, match=r"not a Procore host.*PROCORE_ALLOWED_CUSTOM_HOSTS"
    ):
        check_base_url(url, what="the API URL")


@pytest.mark.parametrize(
    "url", ["https://user:pw@api.procore.com", "https://api.procore.com@evil.example.com"]
)
def test_a_url_carrying_a_user_name_or_password_is_refused(production, url):
    with pytest.raises(ConfigurationError, match="user name or password"):
        check_base_url(url, what="the API URL")


def test_hosts_an_operator_lists_are_allowed_over_https_only(production):
    production.PROCORE_ALLOWED_CUSTOM_HOSTS = [PROXY.upper()]
    assert check_base_url(f"https://{PROXY}:8443/", what="the API URL") == f"https://{PROXY}:8443"
    with pytest.raises(ConfigurationError, match="plain HTTP"):
        check_base_url(f"http://{PROXY}", what="the API URL")
    with pytest.raises(ConfigurationError, match="not a Procore host"):
        check_base_url("https://other.example.net", what="the API URL")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8001", "http://127.9.8.7", "http://[::1]:8001", "https://localhost"]
)
def test_loopback_only_in_development(production, url):
    with pytest.raises(ConfigurationError, match="loopback address, allowed only in development"):
        check_base_url(url, what="the login URL")
    production.DEBUG = True
    assert check_base_url(url, what="the login URL") == url
    production.DEBUG = False
    production.PROCORE_ALLOW_LOOPBACK = True
    assert check_base_url(url, what="the login URL") == url


@pytest.mark.parametrize("url", ["ftp://api.procore.com", "https://", "api.procore.com", "x"])
def test_what_is_not_an_http_url_is_refused(production, url):
    with pytest.raises(ConfigurationError, match="http"):
        check_base_url(url, what="the API URL")


# -- The client applies it to what is stored ------------------------------------------------------


@pytest.mark.django_db
def test_a_stored_login_url_that_is_no_longer_allowed_gets_no_credentials(production, rsps):
    production.PROCORE_ALLOWED_CUSTOM_HOSTS = [PROXY]
    connection = ConnectionFactory(
        login_base_url=f"https://{PROXY}", api_base_url=f"https://{PROXY}"
    )
    rsps.post(f"https://{PROXY}/oauth/token", json={"access_token": "t", "expires_in": 5400})
    rsps.get(f"https://{PROXY}/rest/v1.0/companies", json=[])
    assert connection_check(connection=connection).outcome == CheckOutcome.NOT_INSTALLED
    assert len(rsps.calls) == 2  # allowed while listed

    production.PROCORE_ALLOWED_CUSTOM_HOSTS = []
    result = connection_check(connection=connection)

    assert result.outcome == CheckOutcome.ERROR
    assert "is not a Procore host" in result.message
    assert len(rsps.calls) == 2  # nothing more was sent
    assert connection.client_secret not in result.message


@pytest.mark.django_db
def test_a_stored_api_url_that_is_not_allowed_never_gets_the_token(production, rsps, clock):
    """The login host is fine and a token is even cached: the API host still gets nothing."""
    production.PROCORE_ALLOW_LOOPBACK = True
    connection = ConnectionFactory(api_base_url="https://evil.example.com", access_token="tok")
    add_tokens(rsps, clock, "tok-1")
    rsps.get(re.compile(r"https://evil\.example\.com/.*"), json=[])

    client = ProcoreClient(connection)
    with pytest.raises(ConfigurationError, match="not a Procore host"):
        list(client.list_companies())
    with pytest.raises(ConfigurationError, match="not a Procore host"):
        client.create_hook(namespace="n", destination_url="https://p/x", destination_headers={})
    assert len(rsps.calls) == 0
