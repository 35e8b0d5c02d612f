"""The metadata schema and the shipped default document (procore-erp-api.md §f)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from erp_adapters.demo import limits
from integrations.services.metadata import (
    DEFAULT_PATH,
    SCHEMA_PATH,
    MetadataInvalid,
    metadata_default_document,
    metadata_document_validate,
)

FIXTURES = Path(__file__).parent / "fixtures"


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


def test_procores_full_example_passes_once_its_syntax_errors_are_repaired():
    """The fixture is the doc's "Example - Full Metadata" with only its JSON syntax repaired
    (a trailing comma and a stray brace under jobs.configs.import, and line breaks inside two
    message strings); nothing in its content was changed."""
    document = _load(FIXTURES / "procore_full_example.json")
    assert metadata_document_validate(document) == document


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
