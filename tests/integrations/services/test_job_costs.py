"""Pushing one job's cost structure: only the parts that changed, one call per part and per
1,000 items, Procore's cost code ids remembered, and refusals in words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_adapters.base import standard_part_of_cost_code_origin_id
from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoCostType, DemoJobCost, DemoJobCostType
from erp_adapters.registry import get_adapter
from integrations.models import ObjectLink, SentJobCosts
from integrations.procore import SyncItemError, SyncResult
from integrations.services.job_costs import (
    _pair_key,
    job_cost_scope,
    job_costs_hash,
    job_costs_push,
    job_costs_refresh,
)
from tests.factories import CompanyFactory

TENANT = "pushbooks"


class RecordingProcore:
    """Procore's three sync endpoints, answering like Procore (an id per item), recording calls."""

    def __init__(self, refuse_job_costs: bool = False) -> None:
        self.calls: list[tuple[str, dict, list]] = []
        self.next_id = 5000
        self.refuse_job_costs = refuse_job_costs

    def _answer(self, updates: list) -> SyncResult:
        entities = []
        for item in updates:
            self.next_id += 1
            entities.append({**item, "id": self.next_id})
        return SyncResult(entities=entities, calls=1, items_sent=len(updates))

    def sync_cost_codes(self, *, project_id, updates, sub_job_id=None):
        self.calls.append(
            ("cost_codes", {"project_id": project_id, "sub_job_id": sub_job_id}, updates)
        )
        return self._answer(updates)

    def sync_cost_code_line_item_types(self, *, project_id, updates, sub_job_id=None):
        self.calls.append(
            ("assignments", {"project_id": project_id, "sub_job_id": sub_job_id}, updates)
        )
        return self._answer(updates)

    def delete_erp_job_cost_if_present(self, job_cost_id):
        self.calls.append(("delete_job_cost", {"id": job_cost_id}, []))
        return True

    def sync_erp_job_costs(self, *, job_origin_id, updates):
        self.calls.append(("job_costs", {"job_origin_id": job_origin_id}, updates))
        result = self._answer(updates)
        if self.refuse_job_costs:
            result.errors.append(
                SyncItemError(index=0, item=updates[0], reasons={"estimate": ["is not a number"]})
            )
        return result


@pytest.fixture
def setting(db):
    seeding.seed_cost_codes(TENANT)
    seeding.seed_cost_types(TENANT)
    (job,) = seeding.seed_jobs(TENANT, 1, seeding.DEFAULT_SEED)
    seeding.seed_cost_structure(
        TENANT,
        [job],
        seeding.DEFAULT_SEED,
        cost_codes_per_job=4,
        sub_jobs_per_job=0,
        cost_types_per_code=2,
    )
    company = CompanyFactory()
    ObjectLink.objects.create(
        company=company,
        item_type="project",
        origin_id=str(job.guid),
        procore_id=77,
        state="synced",
    )
    for n, cost_type in enumerate(DemoCostType.objects.filter(tenant=TENANT)):
        ObjectLink.objects.create(
            company=company,
            item_type="line_item_type",
            origin_id=str(cost_type.guid),
            procore_id=900 + n,
            state="synced",
        )
    source = get_adapter("demo", {"tenant": TENANT}).job_costs
    return company, job, source


def push(company, job, source, procore, previous=""):
    summary = source.summary(str(job.guid))
    return job_costs_push(
        company=company,
        client=procore,
        source=source,
        summary=summary,
        previous_hash=previous,
        scope=job_cost_scope(company),
    )


def test_a_first_push_sends_cost_codes_assignments_and_job_costs_once_each(setting):
    company, job, source = setting
    procore = RecordingProcore()

    outcome = push(company, job, source, procore)

    assert [name for name, _, _ in procore.calls] == ["cost_codes", "assignments", "job_costs"]
    (_, where, codes), (_, _, assignments), (_, body, costs) = procore.calls
    assert where == {"project_id": 77, "sub_job_id": None}
    assert len(codes) == 4 and {"origin_id", "code", "name"} == set(codes[0])
    code_ids = dict(
        ObjectLink.objects.filter(company=company, item_type="cost_code").values_list(
            "origin_id", "procore_id"
        )
    )
    assert set(code_ids) == {c["origin_id"] for c in codes}
    assert len(assignments) == 8 and all(a["synced"] is True for a in assignments)
    assert {a["cost_code_id"] for a in assignments} == set(code_ids.values())
    assert body == {"job_origin_id": str(job.guid)}
    total = sum(Decimal(c["job_to_date_cost"]) for c in costs)
    posted = DemoJobCost.objects.filter(assignment__job_cost_code__job=job)
    assert total == sum(p.job_to_date_cost for p in posted)
    assert outcome.ok and outcome.procore_id == 77
    assert outcome.sent == {"cost_codes": 4, "assignments": 8, "job_costs": 8}


def test_nothing_changed_means_no_call(setting):
    company, job, source = setting
    first = push(company, job, source, RecordingProcore())
    procore = RecordingProcore()
    again = push(company, job, source, procore, previous=first.content_hash)
    assert procore.calls == [] and again.ok


def test_a_changed_cost_sends_the_job_costs_only_naming_known_cost_codes(setting):
    company, job, source = setting
    first = push(company, job, source, RecordingProcore())
    cost = DemoJobCost.objects.filter(assignment__job_cost_code__job=job).first()
    DemoJobCost.objects.filter(pk=cost.pk).update(job_to_date_cost=Decimal("4242.00"))
    procore = RecordingProcore()

    outcome = push(company, job, source, procore, previous=first.content_hash)

    assert [name for name, _, _ in procore.calls] == ["job_costs"]
    assert "4242.00" in {c["job_to_date_cost"] for c in procore.calls[0][2]}
    known = set(
        ObjectLink.objects.filter(item_type="cost_code").values_list("procore_id", flat=True)
    )
    assert {c["cost_code_id"] for c in procore.calls[0][2]} <= known
    assert outcome.content_hash == job_costs_hash(source.summary(str(job.guid)))


def test_a_cost_type_procore_lacks_is_left_out_and_said(setting):
    company, job, source = setting
    ObjectLink.objects.filter(item_type="line_item_type").delete()
    procore = RecordingProcore()

    outcome = push(company, job, source, procore)

    assert [name for name, _, _ in procore.calls] == ["cost_codes"]
    assert not outcome.ok
    assert (
        "not in Procore yet; sync the standard cost codes and cost types first" in outcome.error()
    )


def test_procore_refusals_are_reported_per_item(setting):
    company, job, source = setting
    outcome = push(company, job, source, RecordingProcore(refuse_job_costs=True))
    assert outcome.error() == "Procore refused job cost: estimate: is not a number"


def test_a_job_not_in_procore_is_out_of_scope(setting):
    company, job, source = setting
    ObjectLink.objects.filter(item_type="project").delete()
    assert not job_cost_scope(company)(source.summary(str(job.guid)))


def test_a_pair_that_leaves_the_erp_has_its_job_cost_deleted_in_procore(setting):
    company, job, source = setting
    first = push(company, job, source, RecordingProcore())
    sent = SentJobCosts.objects.get(company=company, origin_id=str(job.guid))
    assert len(sent.procore_ids) == 8
    assignment = DemoJobCostType.objects.filter(job_cost_code__job=job).first()
    key = _pair_key(first_code_origin(assignment), str(assignment.cost_type.guid))
    gone_id = sent.procore_ids[key]
    DemoJobCost.objects.filter(assignment=assignment).delete()
    assignment.delete()
    procore = RecordingProcore()

    outcome = push(company, job, source, procore, previous=first.content_hash)

    assert [name for name, _, _ in procore.calls] == ["assignments", "job_costs", "delete_job_cost"]
    assert procore.calls[2][1] == {"id": gone_id}
    assert len(procore.calls[1][2]) == 7
    assert outcome.ok and outcome.calls == 3 and outcome.sent["job_costs_deleted"] == 1
    sent.refresh_from_db()
    assert len(sent.procore_ids) == 7 and key not in sent.procore_ids


def first_code_origin(assignment) -> str:
    from erp_adapters.base import job_cost_code_origin_id

    return job_cost_code_origin_id(
        str(assignment.job_cost_code.job.guid), str(assignment.job_cost_code.cost_code.guid)
    )


def test_project_cost_codes_name_their_standard_cost_code_when_procore_has_it(setting):
    company, job, source = setting
    structure = source.structure(str(job.guid))
    linked, unlinked = structure.cost_codes[0], structure.cost_codes[1]
    ObjectLink.objects.create(
        company=company,
        item_type="standard_cost_code",
        origin_id=standard_part_of_cost_code_origin_id(linked.origin_id),
        procore_id=4321,
        state="synced",
    )
    procore = RecordingProcore()

    push(company, job, source, procore)

    codes = {item["origin_id"]: item for item in procore.calls[0][2]}
    assert codes[linked.origin_id]["standard_cost_code_id"] == 4321
    assert "standard_cost_code_id" not in codes[unlinked.origin_id]


def test_a_job_now_in_another_procore_project_gets_everything_sent_again(setting):
    """Reset in Procore, then imported again as a new project: the hash remembered for the
    old project says nothing about the new one, and the old project's job cost ids are
    forgotten rather than deleted."""
    company, job, source = setting
    first = RecordingProcore()
    job_costs_refresh(company=company, client=first, source=source, origin_id=str(job.guid))
    assert SentJobCosts.objects.filter(origin_id=str(job.guid)).exists()
    same = RecordingProcore()
    job_costs_refresh(company=company, client=same, source=source, origin_id=str(job.guid))
    assert same.calls == []

    moved = RecordingProcore()
    outcome = job_costs_refresh(
        company=company, client=moved, source=source, origin_id=str(job.guid), project_id=78
    )

    assert [name for name, _, _ in moved.calls] == ["cost_codes", "assignments", "job_costs"]
    assert moved.calls[0][1] == {"project_id": 78, "sub_job_id": None}
    assert outcome.procore_id == 78 and outcome.ok
    assert len(SentJobCosts.objects.get(origin_id=str(job.guid)).procore_ids) == 8
