"""The handler registry, the context a handler gets, and the outcome it reports.

A handler is a function of a :class:`HandlerContext` that does the ERP-side work and returns an
:class:`Outcome`; the engine (``services/erp_requests.py``) claims, fetches, classifies errors,
applies what the outcome reports and closes out the Request Details. The engine imports only
this module: handler modules, one per section of Procore's events dictionary, register
themselves when the app is ready (``handlers_discover``), so an entity is added by adding a
file, never by touching the engine.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from erp_adapters.base import Adapter, ExternalLink
from integrations.breakers import Breaker, erp_breaker, erp_call_allowed
from integrations.models import Company, Connection, ERPRequest
from integrations.procore import ProcoreClient

# Every request_name of the events dictionary (procore-erp-api.md §a.6), by the section it is
# listed in; the key is also the name of the handler module for that section. The dictionary's
# own `create_contract_payment` spelling of `create_payment` is listed too (§h.15).
SECTIONS: dict[str, frozenset[str]] = {
    "standard_cost_codes": frozenset(
        {
            "create_standard_cost_codes",
            "sync_standard_cost_codes",
            "delete_standard_cost_codes",
            "unlink_standard_cost_codes",
        }
    ),
    "cost_types": frozenset({"sync_standard_categories", "delete_standard_categories"}),
    "vendors": frozenset(
        {
            "create_vendor",
            "sync_vendors",
            "create_vendor_in_procore",
            "link_vendor",
            "link_all_vendors",
            "merge_vendors",
            "unlink_vendor",
        }
    ),
    "jobs": frozenset(
        {
            "create_or_update_job",
            "sync_jobs",
            "create_job_in_procore",
            "sync_single_job",
            "reset_job",
        }
    ),
    "sub_jobs": frozenset(
        {
            "create_sub_job",
            "sync_sub_jobs",
            "create_sub_job_in_procore",
            "sync_sub_job",
            "reset_sub_job",
        }
    ),
    "cost_codes": frozenset(
        {"delete_cost_codes", "delete_cost_type_assignments", "delete_cost_code"}
    ),
    "budgets": frozenset({"create_budget", "update_budget", "create_budget_in_procore"}),
    "requisitions": frozenset({"create_requisitions", "reset_requisition"}),
    "payments": frozenset(
        {"create_payment", "create_contract_payment", "sync_contract_payments", "reset_payment"}
    ),
    "commitments": frozenset(
        {
            "create_commitment",
            "sync_commitments",
            "unlink_commitment",
            "create_commitment_in_procore",
        }
    ),
    "commitment_change_orders": frozenset(
        {
            "create_commitment_change_order",
            "sync_commitment_change_orders",
            "unlink_commitment_change_order",
        }
    ),
    "payment_applications": frozenset({"create_payment_application", "unlink_payment_application"}),
    "prime_contracts": frozenset({"sync_prime_contracts"}),
    "prime_contract_change_orders": frozenset(
        {
            "create_prime_contract_change_order",
            "unlink_prime_contract_change_order",
            "reset_prime_contract_change_order",
        }
    ),
    "direct_costs": frozenset(
        {
            "create_company_level_direct_cost",
            "unlink_company_level_direct_cost",
            "reset_company_level_direct_cost",
        }
    ),
    "metadata": frozenset({"sync_metadata"}),
}
KNOWN_REQUEST_NAMES: frozenset[str] = frozenset().union(*SECTIONS.values())

# What each entity and direction of the ERP metadata (procore-erp-api.md §f) makes Procore send:
# the portal may publish a document that enables an entity or a direction only when every one
# of these request names has a handler (``metadata_flows_unhandled``).
METADATA_FLOWS: dict[str, dict[str, frozenset[str]]] = {
    "standard_cost_codes": {
        "import": frozenset({"sync_standard_cost_codes"}),
        "export": frozenset({"create_standard_cost_codes"}),
    },
    "standard_categories": {"import": frozenset({"sync_standard_categories"})},
    "vendors": {
        "import": frozenset({"sync_vendors", "create_vendor_in_procore"}),
        "export": frozenset({"create_vendor"}),
        "unlink": frozenset({"unlink_vendor"}),
    },
    "jobs": {
        "import": frozenset({"sync_jobs", "create_job_in_procore", "sync_single_job"}),
        "export": frozenset({"create_or_update_job"}),
        "cost_code_deletions": frozenset({"delete_cost_codes"}),
        "cost_type_assignment_deletions": frozenset({"delete_cost_type_assignments"}),
    },
    "sub_jobs": {
        "import": frozenset({"sync_sub_jobs", "create_sub_job_in_procore", "sync_sub_job"}),
        "export": frozenset({"create_sub_job"}),
        "cost_code_deletions": frozenset({"delete_cost_codes"}),
        "cost_type_assignment_deletions": frozenset({"delete_cost_type_assignments"}),
    },
    "budgets": {"export": frozenset({"create_budget", "update_budget"})},
    "job_costs": {"import": frozenset({"sync_single_job"})},
    "job_cost_transactions": {"import": frozenset({"sync_single_job"})},
    "commitments": {
        "import": frozenset({"sync_commitments", "create_commitment_in_procore"}),
        "export": frozenset({"create_commitment"}),
        "unlink": frozenset({"unlink_commitment"}),
    },
    "commitment_items": {"export": frozenset({"create_commitment"})},
    "commitment_change_orders": {
        "import": frozenset({"sync_commitment_change_orders"}),
        "export": frozenset({"create_commitment_change_order"}),
        "unlink": frozenset({"unlink_commitment_change_order"}),
    },
    "commitment_change_order_items": {"export": frozenset({"create_commitment_change_order"})},
    "company_level_direct_costs": {
        "export": frozenset({"create_company_level_direct_cost"}),
        "unlink": frozenset({"unlink_company_level_direct_cost"}),
    },
    "requisitions": {"export": frozenset({"create_requisitions"})},
    "payment_applications": {
        "export": frozenset({"create_payment_application"}),
        "unlink": frozenset({"unlink_payment_application"}),
    },
    "prime_contracts": {"import": frozenset({"sync_prime_contracts"})},
    "prime_contract_change_orders": {
        "export": frozenset({"create_prime_contract_change_order"}),
        "unlink": frozenset({"unlink_prime_contract_change_order"}),
    },
    "contract_payments": {
        "import": frozenset({"sync_contract_payments"}),
        "export": frozenset({"create_payment", "create_contract_payment"}),
    },
}
SECTION_OF: dict[str, str] = {name: key for key, names in SECTIONS.items() for name in names}


@dataclass(frozen=True)
class LinkChange:
    """What the portal must now record of one of its object links (``ObjectLink``).

    A handler never writes links itself: it reports them, and the engine applies them in the
    same transaction as the request's outcome, so a request that is retried or fails leaves
    no half-recorded state behind. ``kind`` is ``synced`` (the object exists in Procore with
    this origin id), ``unlinked`` (Procore no longer ties it to the ERP object) or ``merged``
    (Procore merged it into another object; it is never sent again).
    """

    item_type: str
    origin_id: str
    procore_id: int | None = None
    origin_code: str = ""
    kind: str = "synced"
    name: str = ""
    # What the ERP object's content hashed to when it was sent (blank: keep the one recorded).
    content_hash: str = ""

    @classmethod
    def now_synced(
        cls,
        item_type: str,
        origin_id: str,
        *,
        procore_id: int,
        origin_code: str = "",
        name: str = "",
        content_hash: str = "",
    ) -> LinkChange:
        return cls(
            item_type,
            str(origin_id),
            int(procore_id),
            origin_code or "",
            name=name or "",
            content_hash=content_hash or "",
        )

    @classmethod
    def unlinked(cls, item_type: str, origin_id: str) -> LinkChange:
        return cls(item_type, str(origin_id), kind="unlinked")

    @classmethod
    def merged(cls, item_type: str, origin_id: str) -> LinkChange:
        return cls(item_type, str(origin_id), kind="merged")


@dataclass(frozen=True)
class Outcome:
    """How the request ended, as the approver will read it on each Request Detail.

    ``per_detail`` overrides status and messages for item-level events, where each item has its
    own Request Detail (``create_standard_cost_codes``, ``delete_cost_codes``, …).
    ``external_data`` are the External Data updates that mark exported objects synced in
    Procore; the engine sends them in one call with those of other requests, just before the
    close-outs. ``object_links`` are the portal's own records to update (``LinkChange``).
    """

    status: str  # "success", "failed", "in_progress" or "stale" (Request Detail statuses)
    messages: tuple[str, ...] = ()
    per_detail: dict[int, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    external_data: tuple[ExternalLink, ...] = ()
    object_links: tuple[LinkChange, ...] = ()
    check_again_in: float = 0.0

    @classmethod
    def success(
        cls,
        *messages: str,
        external_data: tuple[ExternalLink, ...] = (),
        object_links: tuple[LinkChange, ...] = (),
    ) -> Outcome:
        return cls(
            "success",
            tuple(messages),
            external_data=tuple(external_data),
            object_links=tuple(object_links),
        )

    @classmethod
    def failed(cls, *messages: str) -> Outcome:
        return cls("failed", tuple(messages))

    @classmethod
    def in_progress(cls, *messages: str, check_again_in: float = 300.0) -> Outcome:
        """The ERP is still working on it (an import file not acknowledged yet, a long job):
        Procore shows "in progress", and the engine asks the handler again later."""
        return cls("in_progress", tuple(messages), check_again_in=check_again_in)

    @classmethod
    def stale(cls, *messages: str) -> Outcome:
        """It can no longer complete (its object was deleted in Procore, say): the reason is
        closed out as ``stale``, and support can see it and re-drive it."""
        return cls("stale", tuple(messages))

    @property
    def succeeded(self) -> bool:
        return self.status == "success"

    def for_detail(self, detail_id: int) -> tuple[str, tuple[str, ...]]:
        return self.per_detail.get(detail_id, (self.status, self.messages))


@dataclass
class HandlerContext:
    erp_request: ERPRequest
    connection: Connection
    client: ProcoreClient
    adapter_used: bool = False

    @property
    def company(self) -> Company:
        return self.connection.company

    @property
    def request_data(self) -> dict[str, Any]:
        return self.erp_request.request_data or {}

    @cached_property
    def erp_breaker(self) -> Breaker:
        return erp_breaker(self.connection.company_id, self.connection.company.name)

    @cached_property
    def adapter(self) -> Adapter:
        """The company's ERP adapter; asking for it checks the ERP's circuit breaker, and the
        engine reports how the handler's ERP work went."""
        from erp_adapters.registry import get_adapter

        erp_call_allowed(self.erp_breaker)
        self.adapter_used = True
        return get_adapter(self.connection.adapter_key, self.connection.adapter_settings)


Handler = Callable[[HandlerContext], Outcome]
_HANDLERS: dict[str, Handler] = {}


def register(*request_names: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more request names: each name once, and only from the
    module of its section (``integrations.handlers.<section>``), so a newcomer finds every
    name of an entity in one file."""

    def decorate(function: Handler) -> Handler:
        for name in request_names:
            if name not in KNOWN_REQUEST_NAMES:
                raise ValueError(f"{name!r} is not a request name of the events dictionary")
            home = f"{__package__}.{SECTION_OF[name]}"
            if function.__module__ != home:
                raise ValueError(f"{name!r} belongs in {home}, not in {function.__module__}")
            if name in _HANDLERS:
                raise ValueError(f"{name!r} already has a handler: {_HANDLERS[name].__qualname__}")
            _HANDLERS[name] = function
        return function

    return decorate


def handler_for(request_name: str) -> Handler | None:
    return _HANDLERS.get(request_name)


def handled_request_names() -> frozenset[str]:
    return frozenset(_HANDLERS)


def handlers_discover() -> None:
    """Import every module of this package, so each registers its handlers (app ready)."""
    package = importlib.import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "registry":
            importlib.import_module(f"{__package__}.{module.name}")


def metadata_flows_unhandled(document: Any) -> list[tuple[str, str]]:
    """(path, reason) for every entity or direction a metadata document enables that the
    portal has no handler for: publishing it would make Procore send requests that can only
    fail. Reads only what it needs; the schema's own checks come first elsewhere."""
    entities = ((document or {}).get("settings") or {}).get("entities") or {}
    handled = handled_request_names()
    problems: list[tuple[str, str]] = []
    for entity, config in entities.items():
        if not isinstance(config, dict) or not config.get("enabled"):
            continue
        where = f"settings.entities.{entity}"
        flows = METADATA_FLOWS.get(entity)
        if flows is None:
            problems.append((f"{where}.enabled", f"this portal does not handle {entity!r}."))
            continue
        enabled = [
            direction
            for direction in flows
            if ((config.get("configs") or {}).get(direction) or {}).get("enabled")
        ]
        if not any(flows[direction] & handled for direction in flows):
            problems.append(
                (f"{where}.enabled", f"this portal does not handle {entity.replace('_', ' ')} yet.")
            )
            continue
        for direction in enabled:
            missing = sorted(flows[direction] - handled)
            if missing:
                problems.append(
                    (
                        f"{where}.configs.{direction}.enabled",
                        f"this portal cannot {direction} {entity.replace('_', ' ')} yet "
                        f"(no handler for {', '.join(missing)}).",
                    )
                )
    return problems
