"""A bad row in an ERP file names the record it belongs to whenever its id column still reads
(``UnreadableRecord.origin_id``), so the import never takes that record for one that left the
ERP; a row whose id cannot be read names none, and the import then archives nothing."""

from __future__ import annotations

import shutil

import pytest

from erp_adapters.base import Entity, ERPUnavailable
from erp_adapters.registry import get_adapter
from tests.erp_adapters.files.conftest import files_settings
from tests.erp_adapters.files.test_samples import SAMPLES

# Every entity whose import archives (or deletes) what left the ERP, and what the broken
# line holds: (the file's data line broken, the origin id of the record it belongs to).
IMPORTED = {
    Entity.VENDORS: (2, "VEND-1002"),
    Entity.JOBS: (2, "JOB-1002"),
    Entity.SUB_JOBS: (1, "SUB-1001-A"),
    Entity.STANDARD_COST_CODES: (2, "CC-01-100"),
    Entity.STANDARD_CATEGORIES: (2, "CT-M"),
    Entity.COMMITMENTS: (2, "SC-1001-01"),  # its second line: the whole document waits
    Entity.COMMITMENT_CHANGE_ORDERS: (1, "CO-1001-01-1"),
    Entity.PRIME_CONTRACTS: (2, "PC-1001"),
    Entity.JOB_COSTS: (2, "JOB-1001"),  # a job's bad row holds back its job
}
HELD_WITH = {Entity.JOB_COSTS: ("SUB-1001-A",)}


@pytest.fixture
def books(db, folders):
    for path in SAMPLES.iterdir():
        shutil.copy(path, folders["import"] / path.name)
    return get_adapter("files", files_settings(folders))


def _break(books, entity: Entity, number: int, how) -> str:
    """Rewrite data line ``number`` of the entity's file with ``how``; the record it named."""
    path = books.entity(entity).import_file()
    lines = path.read_text().splitlines()
    lines[number] = how(lines[number])
    path.write_text("\n".join(lines) + "\n")
    return path.name


def _listed(source) -> set[str]:
    return {obj.origin_id.split("|")[0] for obj in source.list()}


def _shifted(line: str) -> str:
    """A thousands separator in the last amount: one field too many."""
    return line + ",5"


@pytest.mark.parametrize("entity", IMPORTED, ids=str)
@pytest.mark.parametrize("how", [_shifted], ids=["one field too many"])
def test_a_bad_row_names_its_record_which_is_not_listed(books, entity, how):
    number, origin_id = IMPORTED[entity]
    source = books.entity(entity)
    before = _listed(source)
    assert origin_id in before
    name = _break(books, entity, number, how)

    listed = _listed(source)

    problems = source.listing_problems
    # the other records proceed (a job's sub jobs wait with their job's costs)
    assert listed == before - {origin_id, *HELD_WITH.get(entity, ())}
    assert (problems.count, problems.unidentified) == (1, 0)
    assert problems.held == {origin_id}
    (sample,) = problems.samples
    assert (sample.where, sample.origin_id) == (f"{name}, line {number + 1}", origin_id)
    assert problems.keeps(origin_id) and not any(problems.keeps(other) for other in listed)


def test_a_bad_cell_names_its_record(books):
    _break(books, Entity.VENDORS, 2, lambda line: line.replace(",true", ",maybe"))
    source = books.vendors
    assert "VEND-1002" not in _listed(source)
    (sample,) = source.listing_problems.samples
    assert sample.reason.startswith("column is_active: 'maybe' is not true or false")
    assert source.listing_problems.held == {"VEND-1002"}


@pytest.mark.parametrize("entity", IMPORTED, ids=str)
def test_a_row_whose_id_cannot_be_read_names_none_and_keeps_every_record(books, entity):
    number, _ = IMPORTED[entity]
    source = books.entity(entity)
    _break(books, entity, number, lambda line: "," + line.partition(",")[2])

    _listed(source)

    problems = source.listing_problems
    assert problems.unidentified == 1 and problems.count >= 1
    assert problems.keeps("ANY-RECORD-AT-ALL")


@pytest.mark.parametrize(
    "entity, erp_id",
    [(Entity.COMMITMENTS, "SC-1001-01"), (Entity.COMMITMENT_CHANGE_ORDERS, "CO-1001-01-1")],
    ids=str,
)
def test_a_document_whose_rows_are_all_unreadable_is_not_gone_from_the_erp(books, entity, erp_id):
    """Unlinking in Procore asks where the document stands in the ERP: a bad file must not
    answer "gone" (Procore would unlink it); the check waits for the corrected file."""
    source = books.entity(entity)
    path = source.import_file()
    lines = path.read_text().splitlines()
    path.write_text(
        "\n".join(line + ",5" if line.startswith(erp_id + ",") else line for line in lines) + "\n"
    )

    with pytest.raises(ERPUnavailable, match=f"{path.name}, line 2 cannot be read"):
        source.standing({"origin_id": erp_id, "procore_id": None})

    path.write_text("\n".join(line for line in lines if not line.startswith(erp_id + ",")))
    assert source.standing({"origin_id": erp_id, "procore_id": None}).state == "gone"


def test_one_jobs_costs_read_by_themselves_tell_of_a_row_that_names_no_job(books):
    """Importing or syncing one job reads its costs alone: a row without its job, anywhere in
    the file, might be this job's, so the caller must delete none of its job costs."""
    path = books.job_costs.import_file()
    path.write_text(path.read_text() + ",,CC-01-100,CT-L,1.00,1.00,1.00\n")
    source = get_adapter("files", books.settings).job_costs

    assert source.structure("JOB-1001") is not None
    assert source.listing_problems.unidentified == 1
