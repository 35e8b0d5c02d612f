"""Injected faults: shares of 500s and 503s with Retry-After, and added latency."""

from __future__ import annotations

import time

VENDORS = "/rest/v1.0/vendors"


def test_fault_shares_answer_500_and_503_with_retry_after(procore, settings):
    params = {"company_id": procore.company_id}
    settings.PROCORE_SANDBOX = {"fault_500_share": 1.0}
    assert procore.get(VENDORS, params=params).status_code == 500
    settings.PROCORE_SANDBOX = {"fault_503_share": 1.0, "fault_503_retry_after": 7}
    unavailable = procore.get(VENDORS, params=params)
    assert unavailable.status_code == 503
    assert unavailable.headers["Retry-After"] == "7"
    settings.PROCORE_SANDBOX = {"fault_500_share": 0.5, "fault_503_share": 0.0}
    statuses = {procore.get(VENDORS, params=params).status_code for _ in range(40)}
    assert statuses == {200, 500}


def test_latency_is_added(procore, settings):
    settings.PROCORE_SANDBOX = {"latency_ms": 250}
    started = time.monotonic()
    procore.get(VENDORS, params={"company_id": procore.company_id})
    assert time.monotonic() - started >= 0.25
