"""The Webhooks API over HTTP: hooks, triggers, deliveries (§c.1)."""

from __future__ import annotations

HOOKS = "/rest/v1.0/webhooks/hooks"


def _hook_body(procore, **hook):
    attrs = {
        "api_version": "v2",
        "namespace": "acme-erp",
        "destination_url": "http://127.0.0.1:9/events",
        "destination_headers": {"Authorization": "Bearer secret"},
        **hook,
    }
    return {"company_id": procore.company_id, "hook": attrs}


def test_hook_lifecycle(procore):
    created = procore.post(HOOKS, _hook_body(procore))
    hook = created.json()
    assert created.status_code == 201
    assert hook["owned_by_company_id"] == procore.company_id
    assert hook["destination_headers"] == {"Authorization": "Bearer secret"}
    procore.post(HOOKS, _hook_body(procore, namespace="other-app"))
    mine = procore.get(HOOKS, params={"company_id": procore.company_id, "namespace": "acme-erp"})
    every = procore.get(HOOKS, params={"company_id": procore.company_id, "namespace": "*"})
    assert [h["id"] for h in mine.json()] == [hook["id"]]
    assert len(every.json()) == 2
    path = f"{HOOKS}/{hook['id']}"
    updated = procore.patch(
        path,
        {
            "company_id": procore.company_id,
            "hook": {"destination_headers": {"Authorization": "Bearer rotated"}},
        },
    )
    assert updated.json()["destination_headers"] == {"Authorization": "Bearer rotated"}
    assert procore.delete(path, params={"company_id": procore.company_id}).status_code == 204
    assert procore.get(path, params={"company_id": procore.company_id}).status_code == 404


def test_hook_validation(procore):
    bad_namespace = procore.post(HOOKS, _hook_body(procore, namespace="Acme ERP"))
    bad_url = procore.post(HOOKS, _hook_body(procore, destination_url="ftp://x"))
    bad_version = procore.post(HOOKS, _hook_body(procore, api_version="v9"))
    assert bad_namespace.status_code == 422
    assert "namespace" in bad_namespace.json()["errors"]
    assert "destination_url" in bad_url.json()["errors"]
    assert "api_version" in bad_version.json()["errors"]


def test_company_id_or_project_id_never_both(procore):
    body = _hook_body(procore)
    body["project_id"] = 1
    both = procore.post(HOOKS, body)
    neither = procore.post(HOOKS, {"hook": body["hook"]})
    assert both.status_code == 400
    assert neither.status_code == 400


def test_triggers_single_duplicate_and_bulk(procore):
    hook = procore.post(HOOKS, _hook_body(procore)).json()
    triggers = f"{HOOKS}/{hook['id']}/triggers"
    body = {
        "company_id": procore.company_id,
        "api_version": "v2",
        "trigger": {"resource_name": "ERP Requests", "event_type": "create"},
    }
    first = procore.post(triggers, body)
    duplicate = procore.post(triggers, body)
    unknown = procore.post(
        triggers, {**body, "trigger": {"resource_name": "Spaceships", "event_type": "create"}}
    )
    assert first.status_code == 201
    assert first.json()["webhook_hook_id"] == hook["id"]
    assert first.json()["resource_name"] == "ERP Requests"
    assert duplicate.status_code == 422
    assert unknown.status_code == 422
    bulk = procore.post(
        triggers + "/bulk",
        {
            "company_id": procore.company_id,
            "api_version": "v2",
            "triggers": [
                {"resource_name": "ERP Requests", "event_type": "update"},
                {"resource_name": "ERP Requests", "event_type": "explode"},
            ],
        },
    )
    assert bulk.status_code == 207
    assert len(bulk.json()["success"]) == 1
    assert bulk.json()["failed"][0]["trigger"]["event_type"] == "explode"
    too_many = procore.post(
        triggers + "/bulk",
        {
            "company_id": procore.company_id,
            "triggers": [{"resource_name": "Projects", "event_type": "create"}] * 501,
        },
    )
    assert too_many.status_code == 413
    listed = procore.get(triggers, params={"company_id": procore.company_id}).json()
    assert len(listed) == 2
    removed = procore.call(
        "DELETE",
        triggers + "/bulk",
        json_body={"company_id": procore.company_id, "triggers": [listed[0]["id"], 999999]},
    )
    assert removed.status_code == 207
    assert removed.json()["success"] == [listed[0]["id"]]
    single = procore.delete(
        f"{triggers}/{listed[1]['id']}", params={"company_id": procore.company_id}
    )
    assert single.status_code == 204


def test_resources_list_erp_requests(procore):
    names = [r["name"] for r in procore.get("/rest/v1.0/webhooks/resources").json()]
    assert "ERP Requests" in names


def test_deliveries_of_an_unknown_hook_is_404(procore):
    response = procore.get(f"{HOOKS}/999999/deliveries", params={"company_id": procore.company_id})
    assert response.status_code == 404
