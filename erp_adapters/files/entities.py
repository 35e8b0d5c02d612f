"""Every entity the files adapter handles, one class each: the adapter builds its table from
this list.

Jobs are ``JobsWithCostCodes``: a job export also carries the job's cost codes and cost types,
and a job's reset and delete release its sub jobs' and cost codes' exports.
"""

from __future__ import annotations

from erp_adapters.files.budgets import Budgets
from erp_adapters.files.commitments import CommitmentChangeOrders, Commitments
from erp_adapters.files.entity import FileEntity
from erp_adapters.files.job_structure import JobCosts, JobsWithCostCodes, SubJobs
from erp_adapters.files.master_data import CostTypes, StandardCostCodes, Vendors
from erp_adapters.files.payapps_direct_costs import DirectCosts, PaymentApplications
from erp_adapters.files.prime_contracts import PrimeContractChangeOrders, PrimeContracts
from erp_adapters.files.requisitions import ContractPayments, Requisitions

ENTITY_CLASSES: tuple[type[FileEntity], ...] = (
    Vendors,
    JobsWithCostCodes,
    StandardCostCodes,
    CostTypes,
    Commitments,
    CommitmentChangeOrders,
    PrimeContracts,
    PrimeContractChangeOrders,
    Requisitions,
    ContractPayments,
    PaymentApplications,
    DirectCosts,
    SubJobs,
    JobCosts,
    Budgets,
)
