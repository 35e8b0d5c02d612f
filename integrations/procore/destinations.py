"""Where the portal may send a connection's Procore credentials: the one rule, in one place.

A connection's client id and secret go to its login URL and its access token to its API URL, so
whoever may set those URLs could have the credentials sent to a server of their own. A base URL
is therefore accepted only when it is

- one of Procore's own hosts (``ENVIRONMENT_HOSTS``, procore-erp-api.md §d), over HTTPS;
- a loopback host (127.0.0.0/8, ::1, ``localhost``), over HTTP or HTTPS, only while ``DEBUG`` or
  ``PROCORE_ALLOW_LOOPBACK`` is on (the local sandbox of the demo, development and the tests);
- a host an operator lists in ``PROCORE_ALLOWED_CUSTOM_HOSTS`` (a proxy, a Procore test stack),
  over HTTPS.

The forms and services that save a connection call :func:`check_base_url` to refuse the URL,
and the Procore client calls it again before its first byte leaves (``auth.fetch_token`` for
the login URL, ``transport.Transport`` for the API URL), so a connection saved before a host
was taken off the list, or written around the services, cannot send either.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

from integrations.procore.errors import ConfigurationError
from integrations.procore.hosts import ENVIRONMENT_HOSTS

PROCORE_HOSTS: frozenset[str] = frozenset(
    urlsplit(url).hostname or "" for pair in ENVIRONMENT_HOSTS.values() for url in pair
)


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 or ``localhost``: addresses that never leave this machine."""
    host = host.lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def loopback_allowed() -> bool:
    """The local sandbox is reachable only in a development set-up, never by default in
    production (an admin could otherwise aim the credentials at a port on the server itself)."""
    return bool(settings.DEBUG or getattr(settings, "PROCORE_ALLOW_LOOPBACK", False))


def allowed_custom_hosts() -> frozenset[str]:
    """The hosts an operator allows besides Procore's, lower-cased (``PROCORE_ALLOWED_CUSTOM_HOSTS``)."""
    listed = getattr(settings, "PROCORE_ALLOWED_CUSTOM_HOSTS", ()) or ()
    return frozenset(h.strip().lower().rstrip(".") for h in listed if h and h.strip())


def check_base_url(url: str, *, what: str) -> str:
    """``url`` without its trailing slash if credentials may be sent there, else
    :class:`ConfigurationError` saying why and what would allow it (the message names the URL,
    never a credential)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigurationError(f"{what} {url!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"{what} {url!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(f"{what} must not carry a user name or password")
    if is_loopback_host(host):
        if not (loopback_allowed() or host in allowed_custom_hosts()):
            raise ConfigurationError(
                f"{what} {url!r} is a loopback address, allowed only in development "
                "(DEBUG or PROCORE_ALLOW_LOOPBACK on)"
            )
        return url.rstrip("/")
    if parts.scheme == "http":
        raise ConfigurationError(
            f"{what} {url!r} uses plain HTTP; only loopback addresses (the local sandbox) may"
        )
    if host not in PROCORE_HOSTS and host not in allowed_custom_hosts():
        raise ConfigurationError(
            f"{what} {url!r} is not a Procore host; an operator may allow it by adding "
            f"{host!r} to PROCORE_ALLOWED_CUSTOM_HOSTS"
        )
    return url.rstrip("/")
