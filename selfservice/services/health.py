"""Checking both sides of a company's connection now, as a company admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser

from integrations.models import Company
from integrations.selectors.connections import connection_for_company
from integrations.services.audit import audit_record
from integrations.services.connections import (
    ConnectionCheckResult,
    ERPCheckResult,
    connection_check,
)


class NotConnected(ValueError):
    """The company has no connection to check."""


@dataclass(frozen=True)
class CheckReport:
    procore: ConnectionCheckResult
    erp: ERPCheckResult


def connection_check_by_member(*, user: AbstractBaseUser, company: Company) -> CheckReport:
    """Both sides, as support's Test connection checks them (``connection_check``: a fresh
    Procore token and the company, then the ERP adapter's own health check); both verdicts are
    stored with their time, and the check is audited with who asked."""
    connection = connection_for_company(company_id=company.pk)
    if connection is None:
        raise NotConnected(
            "This company has no connection yet; a company admin connects it on the Connection page."
        )
    procore = connection_check(connection=connection)
    report = CheckReport(procore=procore, erp=procore.erp)
    audit_record(
        action="action",
        instance=connection,
        actor=user,
        company=company,
        changes={
            "action": "check connection",
            "procore": str(report.procore.outcome),
            "erp": str(report.erp.health),
        },
    )
    return report
