"""The portal's domain. One module per concern; everything is re-exported here."""

from integrations.models.access import CompanyMembership
from integrations.models.api_tokens import ApiToken
from integrations.models.attempts import ApiAttempt
from integrations.models.audit import AuditEntry
from integrations.models.breakers import CircuitBreaker
from integrations.models.company import Company
from integrations.models.connection import Connection, ProcoreEnvironment
from integrations.models.erp_requests import ERPRequest, ERPRequestDetail
from integrations.models.events import NotificationEvent
from integrations.models.job_costs import SentJobCosts
from integrations.models.link_review import LinkProposal, LinkReview
from integrations.models.metadata import MetadataConfig
from integrations.models.objects import ItemType, ObjectLink, ObjectListVersion
from integrations.models.schedules import ImportEntity, ImportSchedule
from integrations.models.sync import SyncRun

__all__ = [
    "ApiAttempt",
    "ApiToken",
    "AuditEntry",
    "CircuitBreaker",
    "Company",
    "CompanyMembership",
    "Connection",
    "ERPRequest",
    "ERPRequestDetail",
    "ImportEntity",
    "ImportSchedule",
    "ItemType",
    "LinkProposal",
    "LinkReview",
    "MetadataConfig",
    "NotificationEvent",
    "ObjectLink",
    "ObjectListVersion",
    "ProcoreEnvironment",
    "SentJobCosts",
    "SyncRun",
]
