"""The published metadata schema: a stable URL, its own ``$id``, and it validates documents."""

import json

from jsonschema import Draft202012Validator

from integrations.services.metadata import metadata_default_document


def test_the_schema_is_served_at_its_stable_url_with_this_deployments_id(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    response = client.get("/schemas/erp-metadata/v1.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    assert schema["$id"] == "https://portal.example.com/schemas/erp-metadata/v1.json"
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert validator.is_valid(metadata_default_document())
    bad = metadata_default_document()
    bad["settings"]["entities"]["vendorz"] = {"enabled": True}
    assert not validator.is_valid(bad)


def test_every_field_of_the_schema_says_what_it_means(client):
    """Documented field by field: each named property carries a description (or refers to a
    definition that has one), so the form and integrators read Procore's meaning beside it."""
    schema = json.loads(client.get("/schemas/erp-metadata/v1.json").content)
    undocumented = []

    def walk(node, where):
        for name, sub in (node.get("properties") or {}).items():
            target = sub
            if "$ref" in sub and "description" not in sub:
                target = schema["$defs"][sub["$ref"].rsplit("/", 1)[1]]
            if "description" not in target:
                undocumented.append(f"{where}.{name}")
            walk(sub, f"{where}.{name}")

    walk(schema, "(root)")
    for name, definition in schema["$defs"].items():
        walk(definition, f"$defs.{name}")
    assert undocumented == []
