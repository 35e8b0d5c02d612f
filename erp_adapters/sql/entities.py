"""Every entity the sql adapter handles, one class each: the adapter builds its table from
this list (an entity missing from the settings' ``entities`` is left out there).

Jobs are ``JobsWithCostCodes``: a job export also opens the job's cost codes and cost types
when job costs' writes are mapped, and without them it writes the job alone.
"""

from __future__ import annotations

from erp_adapters.sql.budgets import Budgets
from erp_adapters.sql.job_costs import JobCosts
from erp_adapters.sql.job_structure import JobsWithCostCodes
from erp_adapters.sql.payapps_direct_costs import DirectCosts, PaymentApplications
from erp_adapters.sql.prime_contracts import PrimeContractChangeOrders, PrimeContracts
from erp_adapters.sql.requisitions import ContractPayments, Requisitions
from erp_adapters.sql.sub_jobs import SubJobs
from erp_adapters.sql.writing import (
    CommitmentChangeOrders,
    Commitments,
    CostTypes,
    StandardCostCodes,
    Vendors,
)

ENTITY_CLASSES: tuple[type, ...] = (
    Vendors,
    JobsWithCostCodes,
    StandardCostCodes,
    CostTypes,
    Commitments,
    CommitmentChangeOrders,
    Requisitions,
    ContractPayments,
    PrimeContracts,
    PrimeContractChangeOrders,
    PaymentApplications,
    DirectCosts,
    SubJobs,
    JobCosts,
    Budgets,
)
