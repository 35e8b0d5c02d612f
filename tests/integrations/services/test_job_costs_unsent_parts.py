"""A part of a job's cost structure that did not reach Procore (refused, or held back because
its cost types are not in Procore yet) is sent again by the next push, although the ERP did not
change it; the parts Procore took are not."""

from __future__ import annotations

from integrations.models import ObjectLink
from tests.integrations.services.test_job_costs import (  # noqa: F401 - the fixture
    RecordingProcore,
    push,
    setting,
)


def test_parts_held_back_for_their_cost_types_go_once_the_cost_types_are_in_procore(setting):  # noqa: F811 - the fixture imported above
    company, job, source = setting
    cost_types = list(ObjectLink.objects.filter(item_type="line_item_type"))
    ObjectLink.objects.filter(item_type="line_item_type").delete()
    first = push(company, job, source, RecordingProcore())
    assert not first.ok
    for link in cost_types:
        link.pk = None
        link.save()
    procore = RecordingProcore()

    outcome = push(company, job, source, procore, previous=first.content_hash)

    assert [name for name, _, _ in procore.calls] == ["assignments", "job_costs"]
    assert outcome.ok and outcome.sent == {"assignments": 8, "job_costs": 8}
    again = RecordingProcore()
    push(company, job, source, again, previous=outcome.content_hash)
    assert again.calls == []


def test_job_costs_procore_refused_are_sent_again_and_nothing_else(setting):  # noqa: F811 - the fixture imported above
    company, job, source = setting
    first = push(company, job, source, RecordingProcore(refuse_job_costs=True))
    assert not first.ok
    procore = RecordingProcore()

    outcome = push(company, job, source, procore, previous=first.content_hash)

    assert [name for name, _, _ in procore.calls] == ["job_costs"]
    assert outcome.ok
