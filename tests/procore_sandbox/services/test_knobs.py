"""Knobs changed at run time apply to the next request."""

from __future__ import annotations

VENDORS = "/rest/v1.0/vendors"


def test_knobs_set_at_run_time_apply_to_the_next_request(procore):
    from procore_sandbox.services.knobs import knob_reset, knob_set

    knob_set(name="fault_503_share", value="1")
    assert procore.get(VENDORS, params={"company_id": procore.company_id}).status_code == 503
    knob_reset(name="fault_503_share")
    assert procore.get(VENDORS, params={"company_id": procore.company_id}).status_code == 200
