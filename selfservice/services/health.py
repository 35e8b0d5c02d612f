"""Checking both sides of a company's connection now, as a company admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser

from erp_adapters.base import HealthStatus
from integrations.models import Company
from integrations.selectors.connections import connection_for_company
from integrations.services.audit import audit_record
from integrations.services.connections import ConnectionCheckResult, connection_check
from integrations.services.erp_health import erp_health_check


class NotConnected(ValueError):
    """The company has no connection to check."""


@dataclass(frozen=True)
class CheckReport:
    procore: ConnectionCheckResult
    erp: HealthStatus


def connection_check_by_member(*, user: AbstractBaseUser, company: Company) -> CheckReport:
    """Get a fresh Procore token and read the company (``connection_check``), ask the ERP's
    adapter whether it answers (``erp_health_check``); both verdicts are stored with their
    time, and the check is audited with who asked."""
    connection = connection_for_company(company_id=company.pk)
    if connection is None:
        raise NotConnected(
            "This company has no connection yet; a company admin connects it on the Connection page."
        )
    report = CheckReport(
        procore=connection_check(connection=connection),
        erp=erp_health_check(connection=connection),
    )
    audit_record(
        action="action",
        instance=connection,
        actor=user,
        company=company,
        changes={
            "action": "check connection",
            "procore": str(report.procore.outcome),
            "erp": str(report.erp.state),
        },
    )
    return report
