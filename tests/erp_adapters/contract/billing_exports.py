"""Pay application and direct cost exports (the events dictionary's ``request_data``) pointed at
records of ``sample_books()``: shared by the contract suite and each adapter's own tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from erp_adapters.money import amount, to_erp, total
from tests.erp_adapters.contract.books import Books, oid

FIXTURES = Path(__file__).resolve().parents[2] / "flows" / "fixtures" / "erp_requests"


def request_data(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text())["request_data"])


# -- exports -------------------------------------------------------------------------------------


def pay_app_export(books: Books, *lines: tuple[str, Any, Any]) -> dict[str, Any]:
    """The dictionary's pay application on job J-1001, with ``lines`` of (description,
    scheduled value, work completed this period)."""
    data = request_data("create_payment_application")
    pay_app = data["payment_application"]
    job = books.job(oid("j1"))
    pay_app.update(id=77, invoice_number="7", status="approved")
    pay_app["summary"].update(project_number=job.code, project_name=job.name)
    template = pay_app["items"][0]
    lines = lines or (("General Conditions", "1000.00", "250.10"), ("Sitework", 2000, 0.1))
    pay_app["items"] = [
        {
            **copy.deepcopy(template),
            "id": 900 + n,
            "item_number": n,
            "description_of_work": description,
            "scheduled_value": scheduled,
            "work_completed_this_period": this_period,
            "total_completed_and_stored_to_date": 0,
        }
        for n, (description, scheduled, this_period) in enumerate(lines, start=1)
    ]
    return data


def direct_cost_line(books: Books, n: int, total_amount: Any, **refs: str) -> dict[str, Any]:
    job, code, cost_type = oid("j1"), books.cost_code("03-300"), books.cost_type("M")
    template = request_data("create_company_level_direct_cost")["direct_cost"]["line_items"][0]
    return {
        **template,
        "id": str(4000 + n),
        "position": n,
        "description": f"Line {n}",
        "quantity": "1",
        "unit_cost": str(total_amount),
        "total_amount": total_amount,
        "project": {"id": "86", "name": books.job(job).name},
        "wbs_code": {"id": "1", "flat_code": code.code, "description": code.name},
        "job_origin_id": refs.get("job", job),
        "cost_code_origin_id": f"{refs.get('job', job)}|{refs.get('code', code.origin_id)}",
        "line_item_type_origin_id": refs.get("cost_type", cost_type.origin_id),
    }


def direct_cost_export(books: Books, *amounts: Any) -> dict[str, Any]:
    """The dictionary's invoice from Acme Paving, with lines of ``amounts`` on job J-1001."""
    data = request_data("create_company_level_direct_cost")
    direct_cost = data["direct_cost"]
    vendor = books.vendor("V-000001")
    direct_cost.update(id="88", invoice_number="INV-7781", direct_cost_type="invoice")
    direct_cost["vendor"] = {"id": "3001", "name": vendor.name, "origin_id": vendor.origin_id}
    amounts = amounts or ("1000.00", 250.5)
    direct_cost["line_items"] = [
        direct_cost_line(books, n, value) for n, value in enumerate(amounts, start=1)
    ]
    direct_cost["line_item_total"] = str(total(to_erp(amount(value)) for value in amounts))
    return data
