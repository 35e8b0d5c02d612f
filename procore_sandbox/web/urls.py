from __future__ import annotations

from django.urls import path

from procore_sandbox.web import views

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
]
