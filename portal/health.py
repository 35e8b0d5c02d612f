"""``/healthz``: is this process able to do its job? Load balancers and on-call staff read it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    """Ping django-q2's broker (Redis when REDIS_URL is set, else the ORM broker)."""
    from django_q.brokers import get_broker

    broker = get_broker()
    if not broker.ping():
        raise RuntimeError(f"{type(broker).__name__} did not answer ping")


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "broker": check_broker}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            # The answer is public: it names the failing part and the kind of error, never the
            # error's text (a database error names its host and port). The log has the detail.
            logger.warning("health check %s failed: %s", name, exc)
            results[name] = f"failed: {type(exc).__name__}"
        else:
            results[name] = "ok"
    failed = sorted(name for name, result in results.items() if result != "ok")
    body = {"status": "ok" if not failed else "failed", "failed": failed, "checks": results}
    return JsonResponse(body, status=200 if not failed else 503)
