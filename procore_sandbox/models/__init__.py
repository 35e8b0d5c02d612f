"""The sandbox's own tables (prefixed ``procore_sandbox_``); nothing here refers to the portal."""

from procore_sandbox.models.erp import (
    ErpConnection,
    ErpRequest,
    ErpRequestDetail,
    ExportRequest,
    StagedRecord,
)
from procore_sandbox.models.objects import ProcoreObject
from procore_sandbox.models.tenants import (
    AccessToken,
    App,
    Company,
    Installation,
    RateWindow,
    SandboxSetting,
)
from procore_sandbox.models.webhooks import Delivery, DeliveryAttempt, Hook, Trigger, WebhookEvent

__all__ = [
    "AccessToken",
    "App",
    "Company",
    "Delivery",
    "DeliveryAttempt",
    "ErpConnection",
    "ErpRequest",
    "ErpRequestDetail",
    "ExportRequest",
    "Hook",
    "Installation",
    "ProcoreObject",
    "RateWindow",
    "SandboxSetting",
    "StagedRecord",
    "Trigger",
    "WebhookEvent",
]
