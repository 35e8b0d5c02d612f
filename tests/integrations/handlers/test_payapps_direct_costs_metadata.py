"""A newly provisioned company can export and unlink payment applications and company-level
direct costs: the default metadata enables both, and the portal handles every request name
those directions make Procore send."""

from __future__ import annotations

from integrations.handlers.registry import METADATA_FLOWS, handled_request_names
from integrations.services.metadata import metadata_default_document


def test_the_default_enables_export_and_unlink_of_pay_applications_and_direct_costs():
    entities = metadata_default_document()["settings"]["entities"]
    for entity in ("payment_applications", "company_level_direct_costs"):
        configs = entities[entity]["configs"]
        assert entities[entity]["enabled"]
        assert configs["export"]["enabled"] and configs["unlink"]["enabled"]
        assert "import" not in configs  # exported from Procore only
        for direction in ("export", "unlink"):
            assert METADATA_FLOWS[entity][direction] <= handled_request_names()
    assert "reset_company_level_direct_cost" in handled_request_names()
