"""Every example of Procore's metadata guide follows our published schema.

The examples are read from the guide itself (``erp_metadata_details.md``, every fenced block, in
order), so a guide that changes makes this test fail instead of leaving it checking a copy. Where
the guide's JSON is itself broken, the block is repaired before it is parsed; each repair is
named below with what it changes, and a repair that no longer finds its text fails the test.
Nothing else in the guide's content is changed. A block that is an excerpt (``"vendors": {…}``,
``"rules": {…}``) is validated against the part of the schema it is an excerpt of.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from integrations.services.metadata import metadata_schema

GUIDE = Path(__file__).resolve().parents[4] / (
    "shared/reference/procore-docs/erp_integration/erp_metadata_details.md"
)

# (name of the repair, text as the guide has it, text after the repair[, how many times the text
# is there; once unless said]). Pseudo-keys such as
# ``[export, save]`` are repaired generically (``_expand_pseudo_keys``), in every block.
COMMA_AFTER_ENABLED = (
    'missing comma between "enabled": true and [create, update]',
    '"enabled": true\n      [create',
    '"enabled": true,\n      [create',
)
REPAIRS: dict[int, list[tuple]] = {
    0: [
        ("each placeholder {...} read as an empty object", "{...}", "{}", 5),
        ('missing comma after "tab"', '"tab": {}\n', '"tab": {},\n'),
    ],
    1: [],
    2: [],
    3: [],
    4: [],
    5: [],
    6: [],
    7: [
        (
            "the seven validation types are listed one after another without commas",
            '}\n\n"',
            '},\n"',
            6,
        )
    ],
    8: [],
    9: [
        COMMA_AFTER_ENABLED,
        (
            "the vendors block lacks one closing brace at its end",
            '"length": 50\n          }\n        }\n      }\n    }\n  }\n}\n',
            '"length": 50\n          }\n        }\n      }\n    }\n  }\n}\n}\n',
        ),
    ],
    10: [COMMA_AFTER_ENABLED],
    11: [COMMA_AFTER_ENABLED],
    12: [
        (
            "trailing comma in export.create",
            '"enabled": true,\n      },',
            '"enabled": true\n      },',
        )
    ],
    13: [
        (
            'commitment_items: the first of two "length" keys is a typo for "message"',
            '"length": "validation_message",',
            '"message": "validation_message",',
        )
    ],
    14: [
        ("trailing comma in configs.export", '"enabled": true,\n    },', '"enabled": true\n    },'),
        (
            'commitment_change_order_items: the first of two "length" keys is a typo for "message"',
            '"length": "validation_message",',
            '"message": "validation_message",',
        ),
    ],
    15: [('Ruby hash rocket "enabled"=>true', '"enabled"=>true', '"enabled": true')],
    16: [],
    17: [],
    18: [],
    19: [
        (
            "jobs.configs.import: a trailing comma and a stray brace that closes configs early",
            '"enabled": true,\n            }\n          },\n          "update"',
            '"enabled": true\n          },\n          "update"',
        ),
        (
            "budgets.configs.export.create: trailing comma",
            '"enabled": true,\n            },',
            '"enabled": true\n            },',
        ),
        (
            "commitments.configs.import: trailing comma",
            '"enabled": false,\n          },',
            '"enabled": false\n          },',
        ),
        ("line breaks inside message strings", None, None),
    ],
}

# Which part of the schema an excerpt is an example of, by the excerpt's top-level key.
EXCERPT_OF = {
    "labels": "#/$defs/labels",
    "configurations": "#/$defs/configurations",
    "export": "#/$defs/exportConfig",
    "tab": "#/$defs/tab",
    "rules": "#/$defs/rules",
}
VALIDATION_TYPES = "#/$defs/validations"
ENTITIES = "#/$defs/entities"
# (An excerpt of "settings" is checked part by part: it shows only some of them.)
# The guide's opening outline ("Below is the general structure") has ``{...}`` for every value
# and ``entity_name`` for any entity: its key names are checked, not its (absent) values.
OUTLINE = 0
# Validation types whose example has no length: the pseudo-key template lists ``length`` for
# every type, the guide's own "Validation Type Examples" give it only to the max_length types.
LENGTH_TYPES = {"max_length", "max_length_decimal", "max_length_units", "max_line_length"}


def guide_blocks() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [m.group(1) for m in re.finditer(r"^```\n(.*?)^```", text, re.S | re.M)]


def _join_broken_strings(text: str) -> str:
    """A line break inside a JSON string (two messages of the full example) becomes a space."""
    out, in_string, escaped, i = [], False, False, 0
    while i < len(text):
        char = text[i]
        if in_string and char == "\n":
            out.append(" ")
            i += 1
            while i < len(text) and text[i] == " ":
                i += 1
            continue
        out.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            in_string = not in_string
        i += 1
    return "".join(out)


def _pseudo_keys_to_strings(text: str) -> str:
    """``[export, save]: {`` becomes ``"export|save": {`` (expanded after parsing)."""

    def quote(match: re.Match) -> str:
        names = [name.strip() for name in match.group(1).split(",")]
        return '"' + "|".join(names) + '":'

    return re.sub(r"\[([a-z_,\s]+)\]\s*:", quote, text)


def _expand_pseudo_keys(value: Any, parent: str = "") -> Any:
    """``"a|b": X`` means ``"a": X, "b": X``; under a validation type, ``length`` goes only to
    the types that take one."""
    if isinstance(value, list):
        return [_expand_pseudo_keys(item, parent) for item in value]
    if not isinstance(value, dict):
        return value
    expanded: dict[str, Any] = {}
    for key, item in value.items():
        for name in key.split("|"):
            copy_of = _expand_pseudo_keys(copy.deepcopy(item), name)
            if "|" in key and parent == "validation" and name not in LENGTH_TYPES:
                copy_of.pop("length", None)
            expanded[name] = copy_of
    return expanded


def repaired(index: int, block: str) -> Any:
    text = block
    for name, old, new, *times in REPAIRS[index]:
        if old is None:
            continue
        expected = times[0] if times else 1
        assert text.count(old) == expected, f"block {index}: {name!r} no longer finds its text"
        text = text.replace(old, new)
    if any(repair[1] is None for repair in REPAIRS[index]):
        text = _join_broken_strings(text)
    text = _pseudo_keys_to_strings(text)
    stripped = text.strip()
    if not stripped.startswith("{"):
        stripped = "{" + stripped + "}"
    return _expand_pseudo_keys(json.loads(stripped))


def validator_for(pointer: str) -> Draft202012Validator:
    schema = metadata_schema()
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft202012Validator({"$ref": schema["$id"] + pointer}, registry=registry)


def problems(index: int, document: dict) -> list[str]:
    if index == len(guide_blocks()) - 1:
        pointer, instance = "", document  # the full example: a whole document
    elif set(document) == {"settings"}:  # an excerpt of settings: the parts it shows
        return [
            problem
            for key, part in document["settings"].items()
            for problem in _problems_at(f"#/properties/settings/properties/{key}", part)
        ]
    elif len(document) == 1 and next(iter(document)) in EXCERPT_OF:
        key = next(iter(document))
        pointer, instance = EXCERPT_OF[key], document[key]
    elif set(document) <= LENGTH_TYPES | {"present", "numeric", "positive"}:
        pointer, instance = VALIDATION_TYPES, document
    else:
        pointer, instance = ENTITIES, document
    return _problems_at(pointer or "#", instance)


def _problems_at(pointer: str, instance: Any) -> list[str]:
    errors = validator_for(pointer).iter_errors(instance)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_every_block_of_the_guide_has_its_repairs_listed():
    """A block added to the guide must be looked at (and listed above) before it counts."""
    assert len(guide_blocks()) == len(REPAIRS) == 20


@pytest.mark.parametrize("index", [i for i in REPAIRS if i != OUTLINE])
def test_guide_example_follows_the_schema(index):
    document = repaired(index, guide_blocks()[index])
    assert problems(index, document) == []


def test_the_guides_outline_names_only_keys_the_schema_knows():
    outline = repaired(OUTLINE, guide_blocks()[OUTLINE])["settings"]
    defs = metadata_schema()["$defs"]
    settings = metadata_schema()["properties"]["settings"]["properties"]
    assert set(outline) <= set(settings)
    assert set(outline["configurations"]) <= set(defs["configurations"]["properties"])
    assert set(outline["entities"]["entity_name"]) <= set(defs["entity"]["properties"])


def test_pseudo_keys_expand_to_each_name_they_list():
    document = repaired(6, guide_blocks()[6])["rules"]
    assert set(document) == {"export", "save"}
    fields = document["save"]["fields"]
    assert "state_code" in fields and "fax_number" in fields
    validation = fields["zip"]["validation"]
    assert validation["max_length"]["length"] == 50
    assert "length" not in validation["present"]


def test_a_broken_example_is_caught_by_the_schema():
    """The check can fail: an example with a misspelt validation type is refused."""
    document = repaired(8, guide_blocks()[8])
    document["rules"]["export"]["fields"]["address"]["validation"]["max_lenght"] = {"enabled": True}
    assert problems(8, document) != []


def test_the_full_example_matches_the_repaired_fixture_of_the_service_tests():
    fixture = Path(__file__).resolve().parents[1] / "services/fixtures/procore_full_example.json"
    document = repaired(19, guide_blocks()[19])
    assert document == json.loads(fixture.read_text(encoding="utf-8"))
