"""Every Procore path the portal calls, in one place.

Procore's ERP API reference is access-restricted. Paths marked ``NON_PUBLIC`` are the project's
decisions from ``procore-erp-api.md`` §(i), shared with the local Procore sandbox and the tests;
when Procore confirms or corrects one, the change is one line here. The others come from Procore's
public or legacy pages (§b, §c). Templates are formatted with keyword arguments only.
"""

from __future__ import annotations

from typing import Final

V1 = "/rest/v1.0"

# -- OAuth (login host) ----------------------------------------------------------------------
OAUTH_TOKEN: Final = "/oauth/token"  # noqa: S105 - a path, not a password

# -- Companies (§b.2, DMSA page) ---------------------------------------------------------------
COMPANIES: Final = f"{V1}/companies"

# -- ERP connection (§b.1; create is legacy-2022) -------------------------------------------
ERP_CONNECTIONS: Final = f"{V1}/companies/{{company_id}}/erp_connections"

# -- Core sync endpoints (§b.2, legacy-2021/2022) -------------------------------------------
STANDARD_COST_CODES_SYNC: Final = f"{V1}/standard_cost_codes/sync"
STANDARD_COST_CODE: Final = f"{V1}/standard_cost_codes/{{id}}"
LINE_ITEM_TYPES_SYNC: Final = f"{V1}/line_item_types/sync"
COST_CODES_SYNC: Final = f"{V1}/cost_codes/sync"  # ?project_id=[&sub_job_id=]
COST_CODE: Final = f"{V1}/cost_codes/{{id}}"
COST_CODE_LINE_ITEM_TYPES_SYNC: Final = f"{V1}/cost_code_line_item_types/sync"  # ?project_id=
# The 2021 doc spells the delete "cost_codes_line_item_types"; the sync path's spelling is used.
COST_CODE_LINE_ITEM_TYPE: Final = f"{V1}/cost_code_line_item_types/{{id}}"
VENDORS_SYNC: Final = f"{V1}/vendors/sync"
VENDORS: Final = f"{V1}/vendors"  # ?company_id=
PROJECTS: Final = f"{V1}/projects"  # ?company_id=
LINE_ITEM_TYPES: Final = f"{V1}/line_item_types"  # ?company_id=
STANDARD_COST_CODES: Final = f"{V1}/standard_cost_codes"  # ?standard_cost_code_list_id=
PROJECTS_SYNC: Final = f"{V1}/projects/sync"
PROJECT: Final = f"{V1}/projects/{{id}}"
PROJECT_CONFIGURATION: Final = f"{V1}/projects/{{project_id}}/configuration"
SUB_JOBS_SYNC: Final = f"{V1}/sub_jobs/sync"  # ?project_id= (a.6 names `sub_jobs/sync`)
SUB_JOB: Final = f"{V1}/sub_jobs/{{id}}"
ERP_TRANSACTIONS_SYNC: Final = f"{V1}/erp_transactions/sync"
ERP_JOB_COSTS_SYNC: Final = f"{V1}/erp_job_costs/sync"
# DELETE of one ERP job cost: the path is in the legacy tables (§b.1, legacy-2021/2022); the id
# it takes is inferred to be the one ``erp_job_costs/sync`` answers per item (not documented).
ERP_JOB_COST: Final = f"{V1}/erp_job_costs/{{id}}"
INVOICE_PAYMENTS_SYNC: Final = f"{V1}/companies/{{company_id}}/invoice_payments/sync"

# Staging endpoints used before Staged Records, still used when an entity's metadata does not
# enable staged_records (§a.5): PATCH /rest/v1.0/<entity>/sync with {company_id, updates}.
LEGACY_STAGING_SYNC: Final = f"{V1}/{{entity}}/sync"
LEGACY_STAGING_ENTITIES: Final = frozenset(
    {
        "erp_vendors",
        "erp_projects",
        "erp_sub_jobs",
        "erp_prime_contracts",
        "erp_work_order_contracts",
        "erp_purchase_order_contracts",
        "erp_work_order_contract_line_items",
        "erp_purchase_order_contract_line_items",
    }
)

# -- Webhooks (§c.1) ---------------------------------------------------------------------------
WEBHOOK_HOOKS: Final = f"{V1}/webhooks/hooks"
WEBHOOK_HOOK: Final = f"{V1}/webhooks/hooks/{{hook_id}}"
WEBHOOK_TRIGGERS: Final = f"{V1}/webhooks/hooks/{{hook_id}}/triggers"
WEBHOOK_TRIGGER: Final = f"{V1}/webhooks/hooks/{{hook_id}}/triggers/{{trigger_id}}"
WEBHOOK_TRIGGERS_BULK: Final = f"{V1}/webhooks/hooks/{{hook_id}}/triggers/bulk"
WEBHOOK_DELIVERIES: Final = f"{V1}/webhooks/hooks/{{hook_id}}/deliveries"

# == NON-PUBLIC: the project's choices (procore-erp-api.md §i) =================================
# Procore documents these only in its access-restricted reference; verify them with Procore.
ERP_METADATA: Final = f"{V1}/companies/{{company_id}}/erp_connections"  # PATCH {"connection": …}
ERP_REQUEST: Final = f"{V1}/companies/{{company_id}}/erp_requests/{{id}}"
ERP_REQUEST_DETAIL: Final = f"{V1}/companies/{{company_id}}/erp_request_details/{{id}}"
ERP_REQUEST_DETAILS_SYNC: Final = f"{V1}/companies/{{company_id}}/erp_request_details/sync"
EXTERNAL_DATA_SYNC: Final = f"{V1}/companies/{{company_id}}/external_data/sync"
STAGED_RECORDS: Final = f"{V1}/companies/{{company_id}}/staged_records"
STAGED_RECORDS_SYNC: Final = f"{V1}/companies/{{company_id}}/staged_records/sync"
# Requisitions and payments (issue 11): the dictionary links "Invoice Payments Unlink"
# (reference anchor invoice-payments#unlinks-an-invoice-payment-from-erp) without its path.
INVOICE_PAYMENT_UNLINK: Final = f"{V1}/companies/{{company_id}}/invoice_payments/{{id}}/unlink"

# (method, template) pairs; ERP_METADATA shares its path with the public create (POST).
NON_PUBLIC: Final = frozenset(
    {
        ("PATCH", ERP_METADATA),
        ("GET", ERP_REQUEST),
        ("PATCH", ERP_REQUEST_DETAIL),
        ("PATCH", ERP_REQUEST_DETAILS_SYNC),
        ("PATCH", EXTERNAL_DATA_SYNC),
        ("POST", STAGED_RECORDS),
        ("GET", STAGED_RECORDS),
        ("PATCH", STAGED_RECORDS_SYNC),
        ("PATCH", INVOICE_PAYMENT_UNLINK),
    }
)
# Request Detail statuses (§i "Status spellings").
REQUEST_DETAIL_STATUSES: Final = ("in_progress", "success", "failed", "stale")
# Every /sync endpoint takes at most this many items per call (§i "Batch size", §b.2).
SYNC_BATCH_SIZE: Final = 1000
# Bulk trigger create/delete accepts at most this many triggers per call (§b.3).
TRIGGERS_BULK_SIZE: Final = 500
# Hooks are created with this api_version (§i).
WEBHOOK_API_VERSION: Final = "v2"


def build(template: str, **values: object) -> str:
    """Fill a template; ids are formatted as integers so a stray string cannot reshape a path."""
    clean = {k: (str(int(v)) if k != "entity" else _entity(v)) for k, v in values.items()}
    return template.format(**clean)


def _entity(value: object) -> str:
    if value not in LEGACY_STAGING_ENTITIES:
        raise ValueError(f"{value!r} is not a legacy staging entity")
    return str(value)
