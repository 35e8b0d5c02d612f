"""The demo loop's prime contract step, end to end: a seeded job imported from the ERP (its cost
codes pushed to Procore), then its seeded owner contract staged with its lines and imported onto
those cost codes, as the README's step 8 shows."""

from __future__ import annotations

from erp_adapters.demo.models import DemoJob
from erp_adapters.demo.prime_contract_seeding import seed_prime_contracts
from erp_adapters.demo.seeding import DEFAULT_SEED
from tests.flows import test_job_import
from tests.flows.test_job_import import approve, press

books = test_job_import.books  # the job import's books (a pytest fixture)


def test_a_seeded_owner_contract_imports_onto_its_imported_jobs_cost_codes(
    client,
    books,
    sandbox_company,
    sandbox_connection,
):
    from procore_sandbox.models import ProcoreObject, StagedRecord
    from procore_sandbox.services.staged_records import staged_record_approve

    job = DemoJob.objects.get(tenant=books)
    seed_prime_contracts(books, [job], DEFAULT_SEED)
    contract = job.prime_contracts.get()

    # Before its job is in Procore, the contract waits, and the detail says why.
    (refresh,) = press(client, sandbox_company, "refresh_prime_contracts")
    detail = refresh.details.get()
    assert detail.status == "success" and "waits for what it belongs to" in detail.messages[0]

    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, str(job.guid), "create_job_in_procore")
    (refresh,) = press(client, sandbox_company, "refresh_prime_contracts")
    detail = refresh.details.get()
    assert detail.messages == ["Staged 1 new prime contract; 0 unchanged."]

    record = StagedRecord.objects.get(company=sandbox_company, origin_id=str(contract.guid))
    imported = staged_record_approve(record=record)
    lines = ProcoreObject.objects.filter(parent=imported, item_type="line_item")
    assert lines.count() == contract.lines.count() > 0
    project_codes = set(
        ProcoreObject.objects.filter(project=imported.project, item_type="cost_code").values_list(
            "id", flat=True
        )
    )
    assert {line.data["cost_code_id"] for line in lines} <= project_codes
