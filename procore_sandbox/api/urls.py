"""URL patterns of the API, at the root of the sandbox's URL space (like Procore's hosts)."""

from __future__ import annotations

from django.urls import path, re_path

from procore_sandbox.api import core, erp, oauth, webhooks
from procore_sandbox.api.base import unknown_path

V1 = "rest/v1.0/"
C = V1 + "companies/<int:company_id>/"

urlpatterns = [
    path("oauth/token", oauth.token, name="oauth_token"),
    path("oauth/token/info", oauth.token_info, name="oauth_token_info"),
    path("oauth/revoke", oauth.revoke, name="oauth_revoke"),
    path(V1 + "me", erp.me, name="api_me"),
    path(V1 + "companies", erp.companies, name="api_companies"),
    # ERP (§b.1, §i)
    path(C + "erp_connections", erp.erp_connections, name="api_erp_connections"),
    path(C + "erp_requests/<int:request_id>", erp.erp_request_show, name="api_erp_request"),
    path(C + "erp_request_details", erp.request_details, name="api_request_details"),
    path(C + "erp_request_details/sync", erp.request_details_sync, name="api_request_details_sync"),
    path(C + "erp_request_details/<int:detail_id>", erp.request_detail, name="api_request_detail"),
    path(C + "external_data/sync", erp.external_data_sync, name="api_external_data_sync"),
    path(C + "external_data", erp.external_data_sync, name="api_external_data"),
    path(C + "staged_records", erp.staged_records_collection, name="api_staged_records"),
    path(C + "staged_records/sync", erp.staged_records_sync, name="api_staged_records_sync"),
    path(C + "staged_records/<int:record_id>", erp.staged_record, name="api_staged_record"),
    path(C + "invoice_payments/sync", core.invoice_payments_sync, name="api_invoice_payments"),
    path(
        C + "invoice_payments/<int:payment_id>/unlink",
        core.invoice_payment_unlink,
        name="api_invoice_payment_unlink",
    ),
    # Core sync endpoints (§b.2)
    path(V1 + "vendors/sync", core.vendors_sync, name="api_vendors_sync"),
    path(V1 + "vendors", core.vendors_list, name="api_vendors"),
    path(V1 + "vendors/<int:object_id>", core.vendor_detail, name="api_vendor"),
    path(V1 + "projects/sync", core.projects_sync, name="api_projects_sync"),
    path(V1 + "projects", core.projects_list, name="api_projects"),
    path(V1 + "projects/<int:object_id>", core.project_detail, name="api_project"),
    path(
        V1 + "projects/<int:project_id>/configuration",
        core.project_configuration,
        name="api_project_configuration",
    ),
    path(V1 + "sub_jobs/sync", core.sub_jobs_sync, name="api_sub_jobs_sync"),
    path(V1 + "sub_jobs", core.sub_jobs_list, name="api_sub_jobs"),
    path(V1 + "sub_jobs/<int:object_id>", core.sub_job_detail, name="api_sub_job"),
    path(
        V1 + "standard_cost_codes/sync",
        core.standard_cost_codes_sync,
        name="api_standard_cost_codes_sync",
    ),
    path(V1 + "standard_cost_codes", core.standard_cost_codes_list, name="api_standard_cost_codes"),
    path(
        V1 + "standard_cost_codes/<int:object_id>",
        core.standard_cost_code_detail,
        name="api_standard_cost_code",
    ),
    path(V1 + "line_item_types/sync", core.line_item_types_sync, name="api_line_item_types_sync"),
    path(V1 + "line_item_types", core.line_item_types_list, name="api_line_item_types"),
    path(V1 + "cost_codes/sync", core.cost_codes_sync, name="api_cost_codes_sync"),
    path(V1 + "cost_codes", core.cost_codes_list, name="api_cost_codes"),
    path(V1 + "cost_codes/<int:object_id>", core.cost_code_detail, name="api_cost_code"),
    path(
        V1 + "cost_code_line_item_types/sync",
        core.cost_code_line_item_types_sync,
        name="api_cost_code_line_item_types_sync",
    ),
    path(
        V1 + "cost_code_line_item_types",
        core.cost_code_line_item_types_list,
        name="api_cost_code_line_item_types",
    ),
    # Both spellings: the 2021 dictionary writes "cost_codes_line_item_types".
    re_path(
        r"^rest/v1\.0/cost_codes?_line_item_types/(?P<object_id>[0-9]+)$",
        core.cost_code_line_item_type_detail,
        name="api_cost_code_line_item_type",
    ),
    path(V1 + "erp_job_costs/sync", core.erp_job_costs_sync, name="api_erp_job_costs_sync"),
    path(V1 + "erp_job_costs/<int:object_id>", core.erp_job_cost_detail, name="api_erp_job_cost"),
    path(
        V1 + "erp_transactions/sync", core.erp_transactions_sync, name="api_erp_transactions_sync"
    ),
    path(V1 + "insurances/sync", core.insurances_sync, name="api_insurances_sync"),
    re_path(
        r"^rest/v1\.0/(?P<entity>" + "|".join(core.LEGACY_STAGING) + r")/sync$",
        core.legacy_staging_sync,
        name="api_legacy_staging_sync",
    ),
    # Webhooks (§c.1)
    path(V1 + "webhooks/hooks", webhooks.hooks, name="api_hooks"),
    path(V1 + "webhooks/hooks/<int:hook_id>", webhooks.hook, name="api_hook"),
    path(V1 + "webhooks/hooks/<int:hook_id>/triggers", webhooks.triggers, name="api_triggers"),
    path(
        V1 + "webhooks/hooks/<int:hook_id>/triggers/bulk",
        webhooks.triggers_bulk,
        name="api_triggers_bulk",
    ),
    path(
        V1 + "webhooks/hooks/<int:hook_id>/triggers/<int:trigger_id>",
        webhooks.trigger,
        name="api_trigger",
    ),
    path(
        V1 + "webhooks/hooks/<int:hook_id>/deliveries",
        webhooks.deliveries,
        name="api_deliveries",
    ),
    path(V1 + "webhooks/resources", webhooks.resources, name="api_webhook_resources"),
    path(
        V1 + "webhooks/resources/api_versions",
        webhooks.api_versions,
        name="api_webhook_api_versions",
    ),
    # Last: every other path under rest/ and oauth/ answers a JSON 404 (api/base.py).
    re_path(r"^(?:rest|oauth)(?:/(?P<rest>.*))?$", unknown_path, name="api_unknown_path"),
]
