"""The ERP metadata: the schema and the shipped default document (procore-erp-api.md §f), and
the versions a company keeps: immutable, numbered per company, validated, audited, pushed."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.exceptions import ValidationError

from erp_adapters.demo import limits
from integrations.models import AuditEntry, MetadataConfig
from integrations.selectors.metadata import metadata_config_live
from integrations.services.metadata import (
    DEFAULT_PATH,
    SCHEMA_PATH,
    MetadataInvalid,
    MetadataPushError,
    metadata_config_create,
    metadata_config_ensure,
    metadata_config_push,
    metadata_default_document,
    metadata_document_problems,
    metadata_document_validate,
)
from integrations.services.provisioning import connection_provision
from procore_sandbox.models import ErpConnection
from tests.factories import CompanyFactory, ConnectionFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.django_db


def _load(path: Path):
    # The standard library's strict parser: no trailing commas, no comments, no pseudo-keys.
    return json.loads(path.read_text(encoding="utf-8"))


def _problems(document) -> dict[str, str]:
    with pytest.raises(MetadataInvalid) as caught:
        metadata_document_validate(document)
    return {problem.path: problem.message for problem in caught.value.problems}


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(_load(SCHEMA_PATH))


def test_default_document_is_valid_json_and_passes_the_schema():
    document = _load(DEFAULT_PATH)
    jsonschema.validate(document, _load(SCHEMA_PATH), cls=jsonschema.Draft202012Validator)
    assert metadata_document_validate(document) == document


def test_default_document_enables_staged_vendors_and_the_direct_syncs():
    entities = _load(DEFAULT_PATH)["settings"]["entities"]
    vendors = entities["vendors"]
    assert vendors["enabled"] is True
    assert vendors["configs"]["staged_records"] == {"enabled": True}
    assert vendors["configs"]["export"]["enabled"] is True
    assert vendors["configs"]["export"]["create"] == {"enabled": True}
    assert vendors["configs"]["import"]["enabled"] is True
    assert entities["standard_cost_codes"]["enabled"] is True
    assert entities["standard_categories"]["enabled"] is True
    assert _load(DEFAULT_PATH)["settings"]["labels"]["name"] == "Demo ERP"


def test_default_vendor_rules_match_the_demo_erps_limits():
    """Procore checks these before export, so the approver never sends what the ERP refuses."""
    rules = _load(DEFAULT_PATH)["settings"]["entities"]["vendors"]["rules"]
    export, save = rules["export"]["fields"], rules["save"]["fields"]
    assert export["name"]["validation"]["max_length"]["length"] == limits.VENDOR_NAME
    assert export["code"]["validation"]["max_length"]["length"] == limits.VENDOR_CODE
    assert save["address"]["validation"]["max_length"]["length"] == limits.ADDRESS
    assert save["city"]["validation"]["max_length"]["length"] == limits.CITY
    assert save["zip"]["validation"]["max_length"]["length"] == limits.ZIP


def test_default_job_and_sub_job_code_rules_match_the_demo_erps_limits():
    entities = _load(DEFAULT_PATH)["settings"]["entities"]
    for entity, limit in (("jobs", limits.JOB_CODE), ("sub_jobs", limits.SUB_JOB_CODE)):
        code = entities[entity]["rules"]["export"]["fields"]["code"]["validation"]
        assert code["max_length"]["length"] == limit


def test_the_default_enables_every_export_the_portal_handles():
    """Jobs, sub jobs (with the deletes Procore asks the ERP about), budgets and vendor
    updates: a company on the default can run a job's set-up from Procore."""
    entities = metadata_default_document()["settings"]["entities"]
    for entity in ("jobs", "sub_jobs", "budgets", "standard_cost_codes"):
        assert entities[entity]["enabled"] and entities[entity]["configs"]["export"]["enabled"]
    for entity in ("jobs", "sub_jobs"):
        configs = entities[entity]["configs"]
        assert configs["cost_code_deletions"]["enabled"]
        assert configs["cost_type_assignment_deletions"]["enabled"]
    assert entities["vendors"]["configs"]["export"]["update"]["enabled"]
    document = metadata_default_document()
    assert metadata_document_validate(document) == document  # nothing it enables is unhandled


def test_procores_full_example_passes_once_its_syntax_errors_are_repaired():
    """The fixture is the doc's "Example - Full Metadata" with only its JSON syntax repaired
    (a trailing comma and a stray brace under jobs.configs.import, and line breaks inside two
    message strings); nothing in its content was changed."""
    document = _load(FIXTURES / "procore_full_example.json")
    assert metadata_document_problems(document) == []  # the schema takes it as it is


def test_a_document_enabling_what_the_portal_cannot_handle_is_refused_naming_it(monkeypatch):
    """Publishing it would make Procore send requests that could only fail, so it is refused,
    entity by entity and direction by direction."""
    monkeypatch.setattr(
        "integrations.handlers.registry.handled_request_names",
        lambda: frozenset({"sync_vendors", "create_vendor_in_procore", "create_vendor"}),
    )
    document = metadata_default_document()
    entities = document["settings"]["entities"]
    entities["vendors"]["configs"]["unlink"] = {"enabled": True}
    entities["jobs"] = {"enabled": True, "configs": {"export": {"enabled": True}}}
    assert _problems(document) == {
        "settings.entities.standard_cost_codes.enabled": (
            "this portal does not handle standard cost codes yet."
        ),
        "settings.entities.standard_categories.enabled": (
            "this portal does not handle standard categories yet."
        ),
        "settings.entities.vendors.configs.unlink.enabled": (
            "this portal cannot unlink vendors yet (no handler for unlink_vendor)."
        ),
        "settings.entities.jobs.enabled": "this portal does not handle jobs yet.",
        "settings.entities.sub_jobs.enabled": "this portal does not handle sub jobs yet.",
        "settings.entities.budgets.enabled": "this portal does not handle budgets yet.",
        "settings.entities.job_costs.enabled": "this portal does not handle job costs yet.",
        # -- Commitment change orders
        "settings.entities.commitment_change_orders.enabled": (
            "this portal does not handle commitment change orders yet."
        ),
        "settings.entities.commitment_change_order_items.enabled": (
            "this portal does not handle commitment change order items yet."
        ),
    }
    entities["jobs"]["enabled"] = False  # switched off, it may stay in the document
    del entities["vendors"]["configs"]["unlink"]
    del entities["standard_cost_codes"], entities["standard_categories"]
    del entities["sub_jobs"], entities["budgets"], entities["job_costs"]
    del entities["commitment_change_orders"], entities["commitment_change_order_items"]
    assert metadata_document_validate(document) == document


def test_procores_full_example_enables_more_than_the_portal_handles_today():
    problems = _problems(_load(FIXTURES / "procore_full_example.json"))
    assert problems["settings.entities.prime_contracts.enabled"] == (
        "this portal does not handle prime contracts yet."
    )


def test_each_call_gets_its_own_copy_of_the_default():
    first = metadata_default_document()
    first["settings"]["labels"]["name"] = "Changed"
    assert metadata_default_document()["settings"]["labels"]["name"] == "Demo ERP"


def test_problems_name_the_path_of_each_mistake():
    document = copy.deepcopy(_load(DEFAULT_PATH))
    settings = document["settings"]
    settings["labels"]["name"] = ""
    del settings["labels"]["short_name"]
    settings["entities"]["vendorz"] = {"enabled": True}
    vendors = settings["entities"]["vendors"]
    vendors["enabled"] = "yes"
    vendors["configs"]["export"]["custom_fields"] = [
        {"key": "posting_date", "label": "Posting date", "type": "number"}
    ]
    name_rules = vendors["rules"]["export"]["fields"]["name"]["validation"]
    name_rules["presnt"] = name_rules.pop("present")
    del name_rules["max_length"]["length"]

    problems = _problems(document)

    assert problems == {
        "settings.labels.name": "must not be empty",
        "settings.labels.short_name": "is required but missing",
        "settings.entities.vendorz": problems["settings.entities.vendorz"],
        "settings.entities.vendors.enabled": 'must be true or false, not the text "yes"',
        "settings.entities.vendors.configs.export.custom_fields[0].type": (
            'must be one of "date", "string", not the text "number"'
        ),
        "settings.entities.vendors.rules.export.fields.name.validation.presnt": problems[
            "settings.entities.vendors.rules.export.fields.name.validation.presnt"
        ],
        "settings.entities.vendors.rules.export.fields.name.validation.max_length.length": (
            "is required but missing"
        ),
    }
    assert "not a key Procore knows here" in problems["settings.entities.vendorz"]
    assert "vendors" in problems["settings.entities.vendorz"]
    assert (
        "present"
        in problems["settings.entities.vendors.rules.export.fields.name.validation.presnt"]
    )


def test_the_exception_message_lists_every_problem_with_its_path():
    with pytest.raises(MetadataInvalid) as caught:
        metadata_document_validate({"settings": {"labels": {}, "entities": {}}})
    text = str(caught.value)
    assert text.startswith("The metadata document is not valid (3 problems):")
    for key in ("name", "id_name", "short_name"):
        assert f"settings.labels.{key}: is required but missing" in text


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"settings": {"labels": {},}}', "line 1, column 28"),
        ('{\n  "settings": {\n    [export, save]: {}\n  }\n}', "line 3, column 5"),
    ],
)
def test_text_that_is_not_json_names_line_and_column(text, where):
    problems = _problems(text)
    assert list(problems) == [where]
    assert problems[where].startswith("not valid JSON")


def test_a_document_that_is_not_an_object_is_refused():
    assert _problems([]) == {"(the document itself)": "must be an object ({…}), not a list"}


# -- Versions: immutable, numbered per company, validated, audited, pushed ----------------------


def _renamed(name: str) -> dict:
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = name
    return document


def test_ensure_creates_version_one_from_the_default_document_once():
    company = CompanyFactory()
    assert metadata_config_live(company=company) is None  # a read never creates one
    assert not MetadataConfig.objects.filter(company=company).exists()
    first = metadata_config_ensure(company=company)
    again = metadata_config_ensure(company=company)
    assert (first.version, again.pk) == (1, first.pk)
    assert metadata_config_live(company=company).pk == first.pk
    assert first.document == metadata_default_document()
    assert MetadataConfig.objects.filter(company=company).count() == 1


def test_versions_number_on_per_company_and_live_is_the_newest():
    company, other = CompanyFactory(), CompanyFactory()
    metadata_config_ensure(company=company)
    v2 = metadata_config_create(company=company, document=_renamed("Sage 300"))
    v3 = metadata_config_create(company=company, document=_renamed("Sage 300 CRE"))
    elsewhere = metadata_config_create(company=other, document=_renamed("Vista"))
    assert (v2.version, v3.version, elsewhere.version) == (2, 3, 1)
    assert metadata_config_live(company=company).pk == v3.pk
    assert metadata_config_live(company=other).pk == elsewhere.pk


def test_a_saved_version_cannot_be_changed():
    config = metadata_config_create(company=CompanyFactory(), document=_renamed("Sage"))
    config.document = _renamed("Edited in place")
    with pytest.raises(ValidationError):
        config.save()
    config.refresh_from_db()
    assert config.document["settings"]["labels"]["name"] == "Sage"


def test_an_invalid_document_saves_nothing():
    company = CompanyFactory()
    broken = _renamed("Sage")
    broken["settings"]["entities"]["vendors"]["enabled"] = "yes"
    with pytest.raises(MetadataInvalid) as caught:
        metadata_config_create(company=company, document=broken)
    assert "settings.entities.vendors.enabled" in str(caught.value)
    assert not MetadataConfig.objects.filter(company=company).exists()
    assert not AuditEntry.objects.filter(company=company).exists()


def test_a_document_given_as_text_is_parsed_and_stored_as_json():
    company = CompanyFactory()
    text = '{"settings": {"labels": {"name": "A", "id_name": "A ID", "short_name": "A"},' + (
        ' "entities": {"vendors": {"enabled": true}}}}'
    )
    config = metadata_config_create(company=company, document=text)
    config.refresh_from_db()
    assert config.document["settings"]["entities"] == {"vendors": {"enabled": True}}


def test_each_version_is_audited_with_who_and_what_changed():
    company = CompanyFactory()
    user = UserFactory(username="accountant")
    metadata_config_ensure(company=company)
    config = metadata_config_create(
        company=company, document=_renamed("Sage 300"), actor=user, comment="Rename for Sage"
    )
    assert config.created_by == user
    entry = AuditEntry.objects.filter(object_id=str(config.pk), action="create").get()
    assert entry.actor == user
    assert entry.actor_label == "accountant"
    assert entry.changes["version"] == 2
    assert entry.changes["previous_version"] == 1
    assert entry.changes["comment"] == "Rename for Sage"
    assert entry.changes["changed_paths"] == ["settings.labels.name"]


def test_push_refuses_a_company_that_is_not_provisioned():
    connection = ConnectionFactory(erp_connection_id=None)
    with pytest.raises(MetadataPushError) as caught:
        metadata_config_push(company=connection.company)
    assert f"provision --company {connection.company.procore_company_id}" in str(caught.value)


def test_push_refuses_a_company_without_a_connection():
    with pytest.raises(MetadataPushError, match="no Procore connection"):
        metadata_config_push(company=CompanyFactory())


def test_push_sends_the_live_version_and_restores_an_old_one(sandbox_connection):
    company = sandbox_connection.company
    connection_provision(company=company)
    v1 = MetadataConfig.objects.get(company=company, version=1)
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Sage 300"
    metadata_config_create(company=company, document=document)

    pushed = metadata_config_push(company=company, config=v1, actor_label="test")

    assert pushed.version == 3
    assert pushed.document == v1.document
    assert pushed.comment == "Restored from version 1"
    erp = ErpConnection.objects.get(company_id=company.procore_company_id)
    assert erp.metadata["settings"]["labels"]["name"] == "Demo ERP"


def test_a_stored_version_enabling_what_the_portal_cannot_handle_is_not_pushed(monkeypatch):
    """A version saved before a handler was taken away (or written straight to the database)
    is refused at the door to Procore too."""
    from integrations.services.metadata import metadata_config_ensure

    connection = ConnectionFactory(erp_connection_id=77)
    live = metadata_config_ensure(company=connection.company)
    monkeypatch.setattr("integrations.handlers.registry.handled_request_names", frozenset)
    with pytest.raises(MetadataPushError, match=f"version {live.version} enables what"):
        metadata_config_push(company=connection.company)
    live.refresh_from_db()
    assert live.pushed_at is None
