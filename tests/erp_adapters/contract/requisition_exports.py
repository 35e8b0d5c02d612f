"""Export payloads for the requisition and payment contract (``create_requisitions`` items and
``create_contract_payment``), pointed at ``requisition_books()``; the adapters' own tests use
them too."""

from __future__ import annotations

from typing import Any

from tests.erp_adapters.contract.books import oid


def line_item(
    procore_id: int,
    amount: str,
    *,
    line: str = "sc1-l1",
    kind: str = "Billings::ContractItem",
    description: str = "Footings",
    retainage: str = "0.0",
) -> dict[str, Any]:
    change_order = kind == "Billings::ChangeOrderItem"
    return {
        "procore_requisition_item_id": procore_id,
        "requisition_item_type": kind,
        "amount": amount,
        "retainage_this_period": retainage,
        "description": description,
        "commitment_item_origin_id": None if change_order else oid(line),
        "change_order_line_item_origin_id": oid(line) if change_order else None,
    }


def requisition(*items: dict[str, Any], procore_id: int = 77, commitment: str = "sc1") -> dict:
    """One requisition of ``create_requisitions`` billing SC-001 (or ``commitment``)."""
    return {
        "procore_requisition_id": procore_id,
        "request_detail_id": 4400 + procore_id,
        "code": f"INV-{8000 + procore_id}",
        "invoice_number": f"INV-{8000 + procore_id}",
        "billing_date": "2026-11-30",
        "contract_id": 555,
        "contract_origin_id": oid(commitment),
        "job_origin_id": oid("j1"),
        "line_items": list(items),
    }


def accepted() -> dict:
    return requisition(
        line_item(501, "1000.10", retainage="100.01"),
        line_item(
            502, "0.1", line="sc1-l2", kind="Billings::ContractDetailItem", description="Slab"
        ),
    )


def payment(procore_id: int = 8101, *, amount: str = "2500.00", requisition_id: int = 9001):
    return {
        "request_detail_id": 4501,
        "company_id": 1,
        "contract_payment": {
            "id": procore_id,
            "project_id": 1,
            "contract_id": 555,
            "requisition_id": requisition_id,
            "invoice_number": "INV-7001",
            "amount": amount,
            "date_payment_created": "2026-11-19",
            "date_payment_settled": "2026-11-20",
            "payment_method": "check",
            "check_number": "20011",
        },
    }
