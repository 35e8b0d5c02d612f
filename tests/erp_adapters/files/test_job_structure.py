"""The files adapter's job cost structure: job_costs.csv read strictly and once per listing, a
bad row reported where a person finds it, deletes refused when the ERP shows costs, resets told
to the ERP by a notice file."""

from __future__ import annotations

import csv

import pytest

from erp_adapters.base import ConstraintViolation, ERPPending
from erp_adapters.files import job_costs as job_costs_module
from erp_adapters.files.reading import FileRefused
from tests.erp_adapters.files.conftest import write

BOOKS = {
    "jobs.csv": "erp_id,code,name\nJ1,J-1001,Riverside\nJ2,J-1002,Hillcrest\nJ3,J-1003,Lakeside\n",
    "sub_jobs.csv": "erp_id,code,name,job_erp_id\nS1,SJ-A,Building A,J1\n",
    "cost_codes.csv": "erp_id,code,name\nC1,01-100,Summary\nC2,03-300,Concrete\n",
    "cost_types.csv": "erp_id,code,name\nL,L,Labor\nS,S,Subcontract\n",
}
HEADER = "job_erp_id,sub_job_erp_id,cost_code_erp_id,cost_type_erp_id,original_estimate,estimate,job_to_date_cost\n"


@pytest.fixture
def books(folders):
    for name, text in BOOKS.items():
        write(folders["import"] / name, text)
    return folders


def job_costs(folders, rows: str) -> None:
    write(folders["import"] / "job_costs.csv", HEADER + rows)


def test_a_bad_row_is_reported_by_line_and_column_and_the_other_jobs_proceed(adapter, books):
    job_costs(
        books,
        "J1,,C1,L,100.00,110.00,5.00\n"
        'J2,,C1,L,"1,234.00",1234.00,0\n'
        "J2,,C2,S,20,20,\n"
        "J3,,C1,L,3,3,0\n",
    )
    source = adapter.job_costs
    listed = {obj.origin_id for obj in source.list()}
    assert listed == {"J1", "J3"}  # J2 waits: sent without the row, its costs would vanish
    (problem,) = source.listing_problems.samples
    assert problem.where == "job_costs.csv, line 3"
    assert problem.reason.startswith("column original_estimate: '1,234.00' is not a decimal")
    # Unquoted, the thousands separator splits the row: still J2's, still held back.
    job_costs(books, "J1,,C1,L,1,1,0\nJ2,,C1,L,1,234.00,2,0\nJ3,,C1,L,3,3,0\n")
    assert {obj.origin_id for obj in source.list()} == {"J1", "J3"}
    (problem,) = source.listing_problems.samples
    assert problem.where == "job_costs.csv, line 3"
    assert "8 fields where the header has 7" in problem.reason
    job_costs(books, "J1,,C1,L,100.00,110.00,5.00\nJ2,,C2,S,1.5,50,0\nJ3,,C9,L,,,\n")
    listed = {obj.origin_id for obj in source.list()}
    assert listed == {"J1", "J2"}
    (problem,) = source.listing_problems.samples
    assert (problem.where, problem.reason) == (
        "job_costs.csv, line 4",
        "column cost_code_erp_id: 'C9' is not a cost code of cost_codes.csv",
    )
    job_costs(books, "J1,,C1,L,12.5x,1,1\n")
    assert list(source.list()) == []
    (problem,) = source.listing_problems.samples
    assert problem.reason.startswith("column original_estimate: '12.5x' is not a decimal")


def test_the_rows_of_a_job_must_be_together(adapter, books):
    job_costs(books, "J1,,C1,L,,,\nJ2,,C1,L,,,\nJ1,S1,C2,S,,,\n")
    with pytest.raises(FileRefused, match=r"line 4: the rows of job J1 are not together"):
        list(adapter.job_costs.list())


def test_a_listing_reads_the_file_once_however_many_jobs_it_sends(adapter, books, monkeypatch):
    job_costs(books, "J1,,C1,L,1,1,0\nJ1,S1,C2,S,5,5,5\nJ2,,C1,L,2,2,0\nJ3,,C1,L,3,3,0\n")
    passes = []
    blocks = job_costs_module.JobCostReader.blocks

    def counted(self, *args):
        passes.append(1)
        yield from blocks(self, *args)

    monkeypatch.setattr(job_costs_module.JobCostReader, "blocks", counted)
    source = adapter.job_costs
    structures = {}
    for summary in source.list():  # as the engine does: each biller's rows after its summary
        structures[summary.origin_id] = source.structure(summary.origin_id)
    assert len(passes) == 1
    assert structures["S1"].rows[0].job_to_date_cost == "5.00"
    assert [row.estimate for row in structures["J3"].rows] == ["3.00"]
    # Asked on its own, a job's structure reads the file up to that job.
    assert source.structure("J2").rows[0].original_estimate == "2.00"
    assert len(passes) == 2


def _delete(adapter, code: str, *, cost_type: str | None = None):
    item = {
        "project": {"id": 1, "origin_id": "J1"},
        "sub_job": None,
        "id": 501,
        "origin_id": f"J1|{code}",
        "sortable_code": code,
        "request_detail_id": 1,
    }
    if cost_type is None:
        return adapter.jobs.delete_cost_code(item)
    return adapter.jobs.delete_cost_type_assignment(
        {**item, "cost_code_origin_id": f"J1|{code}", "line_item_type_origin_id": cost_type}
    )


def test_a_delete_is_refused_while_the_erp_shows_costs(adapter, books):
    job_costs(books, "J1,,C1,L,100,100,40.5\nJ1,,C2,S,,,\nJ1,,C2,L,,,\n")
    with pytest.raises(
        ConstraintViolation, match=r"Cost code 01-100 on the job has 40.50 of costs"
    ):
        _delete(adapter, "C1")
    assert not list(books["outbox"].iterdir())
    done = _delete(adapter, "C2", cost_type="L")
    assert done.deleted and done.label == "the cost type on cost code 03-300 of the job"
    (notice,) = books["outbox"].iterdir()
    assert notice.name.startswith("deletions-")
    with notice.open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["job_erp_id"], row["cost_code_erp_id"], row["cost_type_erp_id"]) == (
        "J1",
        "C2",
        "L",
    )
    assert _delete(adapter, "C9").deleted is False


def test_a_sub_job_reset_drops_its_ties_and_tells_the_erp(adapter, books):
    job_costs(books, "J1,,C1,L,,,\n")
    payload = {
        "sub_job": {
            "id": 4401,
            "code": "SJ-B",
            "name": "Gym",
            "project": {"id": 88, "name": "Riverside", "origin_id": "J1"},
        },
        "all_cost_codes": [
            {
                "id": 601,
                "full_code": "01-100",
                "name": "Summary",
                "standard_cost_code_origin_id": "C1",
                "line_item_types": [{"id": 70, "code": "L", "name": "Labor", "origin_id": "L"}],
            }
        ],
        "request_detail_id": 5,
    }
    with pytest.raises(ERPPending):
        adapter.sub_jobs.create(payload)
    (export,) = books["outbox"].iterdir()
    with export.open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["code"], row["job_erp_id"], row["cost_code_erp_id"], row["cost_type_erp_id"]) == (
        "SJ-B",
        "J1",
        "C1",
        "L",
    )
    write(
        books["inbox"] / "ack.csv",
        f"file,status,erp_id,erp_code,message\n{export.name},success,S2,SJ-B,\n",
    )
    assert adapter.answers_collect()
    result = adapter.sub_jobs.create(payload)
    assert [(a.cost_code_id, a.line_item_type_id) for a in result.assignments] == [(601, 70)]
    dropped = adapter.sub_jobs.release({"id": 4401, "origin_id": "S2"})
    assert [(d.item_type, d.item_id, d.origin_id) for d in dropped] == [
        ("sub_job", 4401, "S2"),
        ("cost_code", 601, "S2|C1"),
    ]
    notices = [p for p in books["outbox"].iterdir() if p.name.startswith("resets-")]
    assert len(notices) == 1
    # Forgotten: exporting the sub job again hands it over anew.
    with pytest.raises(ERPPending):
        adapter.sub_jobs.create(payload)
