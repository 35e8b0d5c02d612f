import pytest

from portal import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "broker": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_the_broker_when_redis_is_unreachable(client, monkeypatch):
    from django_q.brokers import redis_broker

    def unreachable_broker():
        return redis_broker.Redis(list_key="health-test")

    monkeypatch.setattr(
        redis_broker.Redis,
        "get_connection",
        staticmethod(lambda list_key=None: __import__("redis").Redis(port=1, socket_timeout=0.5)),
    )
    monkeypatch.setattr("django_q.brokers.get_broker", unreachable_broker)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failed"
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["broker"]


def test_healthz_names_the_database_when_it_fails_but_not_its_host_or_port(
    client, monkeypatch, caplog
):
    from django.db import OperationalError

    def broken() -> None:
        raise OperationalError(
            'connection to server at "db.internal.example" (10.1.2.3), port 6543 failed'
        )

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "failed: OperationalError"
    for secret in ("db.internal.example", "10.1.2.3", "6543"):
        assert secret not in response.content.decode()
    assert "db.internal.example" in caplog.text  # on-call staff still read it in the log
