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


def test_healthz_names_the_database_when_it_fails(client, monkeypatch):
    def broken() -> None:
        raise RuntimeError("could not connect to server")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    body = client.get("/healthz").json()
    assert body["failed"] == ["database"]
    assert "could not connect" in body["checks"]["database"]
