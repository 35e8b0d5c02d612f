"""Shared set-up for the adapter tests: small seeded books, and export payloads taken from the
events dictionary (``fixtures/<request_name>.json``) pointed at rows of those books."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from erp_adapters.demo.models import (
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCostType,
    DemoVendor,
)
from erp_adapters.demo.seeding import demo_erp_seed
from erp_adapters.registry import get_adapter

FIXTURES = Path(__file__).parent / "fixtures"
TENANT = "books"


def request_data(request_name: str) -> Any:
    """A fresh copy of the dictionary's ``request_data`` for ``request_name``."""
    document = json.loads((FIXTURES / f"{request_name}.json").read_text())
    assert document["request_name"] == request_name
    return copy.deepcopy(document["request_data"])


@pytest.fixture
def books(db):
    """25 vendors, the cost code tree, 5 cost types, 2 jobs with 2 commitments each."""
    return demo_erp_seed(tenant=TENANT, vendors=25, jobs=2, commitments_per_job=2)


@pytest.fixture
def adapter(db):
    return get_adapter("demo", {"tenant": TENANT, "page_size": 10})


def cost_code_ref(code: DemoCostCode, job: DemoJob | None = None) -> dict[str, Any]:
    """How a Procore line item refers to a cost code synced from this ERP."""
    origin = str(code.guid) if job is None else f"{job.guid}|{code.guid}"
    return {"id": 9000 + code.pk, "name": code.name, "full_code": code.code, "origin_id": origin}


def cost_type_ref(cost_type: DemoCostType) -> dict[str, Any]:
    return {
        "id": 800 + cost_type.pk,
        "name": cost_type.name,
        "code": cost_type.code,
        "origin_id": str(cost_type.guid),
    }


def commitment_export(
    *,
    job: DemoJob,
    vendor: DemoVendor,
    cost_code: DemoCostCode,
    cost_type: DemoCostType,
    procore_id: int = 41,
    number: str = "SC-900",
) -> dict[str, Any]:
    """The dictionary's `create_commitment`, for a job and vendor this ERP holds."""
    data = request_data("create_commitment")
    data["job_id"] = str(job.guid)
    commitment = data["commitment"]
    commitment.update(id=procore_id, number=number)
    commitment["project"].update(name=job.name, origin_id=str(job.guid))
    commitment["vendor"].update(company=vendor.name, origin_id=str(vendor.guid))
    for item in data["commitment_items"]:
        item["cost_code"] = cost_code_ref(cost_code, job)
        item["line_item_type"] = cost_type_ref(cost_type)
    return data


@pytest.fixture
def refs(books):
    """Rows the export payloads point at."""
    job = DemoJob.objects.get(tenant=TENANT, code="J-1001")
    # A commitment line posts to a cost code open on the job, with a cost type assigned to it.
    pair = (
        DemoJobCostType.objects.filter(job_cost_code__job=job, job_cost_code__sub_job=None)
        .select_related("job_cost_code__cost_code", "cost_type")
        .order_by("job_cost_code__cost_code__code", "cost_type__code")
        .first()
    )
    return {
        "job": job,
        "vendor": DemoVendor.objects.get(tenant=TENANT, code="V-000003"),
        "cost_code": pair.job_cost_code.cost_code,
        "cost_type": pair.cost_type,
    }
