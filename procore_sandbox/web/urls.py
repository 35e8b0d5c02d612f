from __future__ import annotations

from django.urls import path

from procore_sandbox.web import (
    job_views,
    payapps_direct_costs_views,
    prime_contract_views,
    requisition_views,
    views,
)

CO = "companies/<int:company_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("companies/new", views.company_new, name="company_new"),
    path("deliver", views.deliver_now, name="deliver_now"),
    path("settings", views.knobs, name="knobs"),
    path(CO, views.company, name="company"),
    path(CO + "apps/new", views.app_new, name="app_new"),
    path(CO + "apps/remove", views.app_remove, name="app_remove"),
    path(CO + "vendors/new", views.vendor_new, name="vendor_new"),
    path(CO + "projects/new", views.project_new, name="project_new"),
    path(CO + "commitments/new", views.commitment_new, name="commitment_new"),
    path(CO + "change-orders/new", views.change_order_new, name="change_order_new"),
    path(CO + "objects/<int:object_id>/", views.object_detail, name="object"),
    path(CO + "objects/<int:object_id>/send", views.object_send, name="object_send"),
    path(CO + "erp/", views.erp, name="erp"),
    path(CO + "erp/exports/<int:export_id>/accept", views.export_accept_view, name="export_accept"),
    path(CO + "erp/exports/<int:export_id>/reject", views.export_reject_view, name="export_reject"),
    path(CO + "erp/staged/<int:record_id>/import", views.staged_approve, name="staged_approve"),
    path(CO + "erp/buttons/<slug:name>", views.button, name="button"),
    path(CO + "webhooks/", views.webhooks, name="webhooks"),
    # Jobs and their cost structure (project user)
    path(CO + "sub-jobs/new", job_views.sub_job_new, name="sub_job_new"),
    path(
        CO + "objects/<int:object_id>/cost-codes/new", job_views.cost_code_new, name="cost_code_new"
    ),
    path(
        CO + "objects/<int:object_id>/cost-codes/delete",
        job_views.cost_codes_delete,
        name="cost_codes_delete",
    ),
    path(
        CO + "objects/<int:object_id>/cost-types/assign",
        job_views.cost_type_assign,
        name="cost_type_assign",
    ),
    path(
        CO + "objects/<int:object_id>/cost-types/delete",
        job_views.assignments_delete,
        name="assignments_delete",
    ),
    path(CO + "objects/<int:object_id>/job-costs", job_views.job_cost_set, name="job_cost_set"),
    path(CO + "objects/<int:object_id>/budget/new", job_views.budget_new, name="budget_new"),
    path(CO + "objects/<int:object_id>/budget/line", job_views.budget_line_set, name="budget_line"),
    path(
        CO + "objects/<int:object_id>/budget/change", job_views.budget_change, name="budget_change"
    ),
    # The ERP Integrations Tool's other buttons (approver, Super User)
    path(
        CO + "erp/objects/<int:object_id>/<slug:action>",
        job_views.object_action,
        name="object_action",
    ),
    path(CO + "erp/vendors/link", job_views.vendor_link, name="vendor_link"),
    path(CO + "erp/vendors/link-all", job_views.vendors_link_all, name="vendors_link_all"),
    path(CO + "erp/vendors/merge", job_views.vendors_merge, name="vendors_merge"),
    path(
        CO + "erp/standard-cost-codes/new",
        job_views.standard_cost_code_new,
        name="standard_cost_code_new",
    ),
    path(
        CO + "erp/standard-cost-codes/export",
        job_views.standard_cost_codes_export,
        name="standard_cost_codes_export",
    ),
    path(
        CO + "erp/super-user/<slug:action>", job_views.super_user_action, name="super_user_action"
    ),
    # Payment applications and company-level direct costs
    path(
        CO + "pay-apps-direct-costs/",
        payapps_direct_costs_views.page,
        name="payapps_direct_costs",
    ),
    path(CO + "pay-apps/new", payapps_direct_costs_views.pay_app_new, name="pay_app_new"),
    path(
        CO + "direct-costs/new", payapps_direct_costs_views.direct_cost_new, name="direct_cost_new"
    ),
    path(
        CO + "pay-apps-direct-costs/<int:object_id>/<slug:action>",
        payapps_direct_costs_views.document_action,
        name="payapps_direct_costs_action",
    ),
    # Prime contracts and their change orders (project user)
    path(
        CO + "prime-contracts/new",
        prime_contract_views.prime_contract_new,
        name="prime_contract_new",
    ),
    path(
        CO + "prime-change-orders/new",
        prime_contract_views.prime_change_order_new,
        name="prime_change_order_new",
    ),
    # Subcontractor invoices (requisitions) and their payments (issue 11)
    path(
        CO + "objects/<int:object_id>/invoices/new",
        requisition_views.requisition_new,
        name="requisition_new",
    ),
    path(
        CO + "objects/<int:object_id>/payments/new",
        requisition_views.payment_new,
        name="payment_new",
    ),
    path(
        CO + "erp/invoices/export",
        requisition_views.requisitions_export,
        name="requisitions_export",
    ),
]
