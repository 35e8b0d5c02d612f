"""The handler registry, the context a handler gets, and the outcome it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from erp_adapters.base import Adapter, ExternalLink
from integrations.models import Company, Connection, ERPRequest
from integrations.procore import ProcoreClient

# Every request_name of the events dictionary (procore-erp-api.md §a.6), including the
# dictionary's own `create_contract_payment` spelling of `create_payment` (§h.15).
KNOWN_REQUEST_NAMES: frozenset[str] = frozenset(
    {
        "create_standard_cost_codes",
        "sync_standard_cost_codes",
        "delete_standard_cost_codes",
        "unlink_standard_cost_codes",
        "sync_standard_categories",
        "delete_standard_categories",
        "create_vendor",
        "sync_vendors",
        "create_vendor_in_procore",
        "link_vendor",
        "link_all_vendors",
        "merge_vendors",
        "unlink_vendor",
        "create_or_update_job",
        "sync_jobs",
        "create_job_in_procore",
        "sync_single_job",
        "reset_job",
        "create_sub_job",
        "sync_sub_jobs",
        "create_sub_job_in_procore",
        "sync_sub_job",
        "reset_sub_job",
        "delete_cost_codes",
        "delete_cost_type_assignments",
        "delete_cost_code",
        "create_budget",
        "update_budget",
        "create_budget_in_procore",
        "create_requisitions",
        "reset_requisition",
        "create_payment",
        "create_contract_payment",
        "sync_contract_payments",
        "reset_payment",
        "create_commitment",
        "sync_commitments",
        "unlink_commitment",
        "create_commitment_in_procore",
        "create_commitment_change_order",
        "sync_commitment_change_orders",
        "unlink_commitment_change_order",
        "create_payment_application",
        "unlink_payment_application",
        "sync_prime_contracts",
        "create_prime_contract_change_order",
        "unlink_prime_contract_change_order",
        "reset_prime_contract_change_order",
        "create_company_level_direct_cost",
        "unlink_company_level_direct_cost",
        "reset_company_level_direct_cost",
        "sync_metadata",
    }
)


@dataclass(frozen=True)
class Outcome:
    """How the request ended, as the approver will read it on each Request Detail.

    ``per_detail`` overrides status and messages for item-level events, where each item has its
    own Request Detail (``create_standard_cost_codes``, ``delete_cost_codes``, …).
    """

    status: str  # "success" or "failed"
    messages: tuple[str, ...] = ()
    per_detail: dict[int, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # External Data updates that mark the exported objects synced in Procore. The engine sends
    # them in one call with those of other requests, just before the close-outs.
    links: tuple[ExternalLink, ...] = ()

    @classmethod
    def success(cls, *messages: str, links: tuple[ExternalLink, ...] = ()) -> Outcome:
        return cls("success", tuple(messages), links=tuple(links))

    @classmethod
    def failed(cls, *messages: str) -> Outcome:
        return cls("failed", tuple(messages))

    def for_detail(self, detail_id: int) -> tuple[str, tuple[str, ...]]:
        return self.per_detail.get(detail_id, (self.status, self.messages))


@dataclass
class HandlerContext:
    erp_request: ERPRequest
    connection: Connection
    client: ProcoreClient

    @property
    def company(self) -> Company:
        return self.connection.company

    @property
    def request_data(self) -> dict[str, Any]:
        return self.erp_request.request_data or {}

    @cached_property
    def adapter(self) -> Adapter:
        from erp_adapters.registry import get_adapter

        return get_adapter(self.connection.adapter_key, self.connection.adapter_settings)


Handler = Callable[[HandlerContext], Outcome]
_HANDLERS: dict[str, Handler] = {}


def register(*request_names: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more request names (each name once)."""

    def decorate(function: Handler) -> Handler:
        for name in request_names:
            if name not in KNOWN_REQUEST_NAMES:
                raise ValueError(f"{name!r} is not a request name of the events dictionary")
            if name in _HANDLERS:
                raise ValueError(f"{name!r} already has a handler: {_HANDLERS[name].__qualname__}")
            _HANDLERS[name] = function
        return function

    return decorate


def handler_for(request_name: str) -> Handler | None:
    return _HANDLERS.get(request_name)


def handled_request_names() -> frozenset[str]:
    return frozenset(_HANDLERS)
