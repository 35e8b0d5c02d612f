"""The client's "Not wired to any flow yet" list matches the code, both ways.

A method is wired when code outside the tests and outside the client reads it as an attribute
(``client.sync_vendors(...)``). Pure: reads source files, imports nothing of the project.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CLIENT = REPO / "integrations" / "procore" / "client.py"
CALLER_ROOMS = ("integrations", "portal", "erp_adapters")


def _public_methods(tree: ast.Module) -> set[str]:
    cls = next(
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "ProcoreClient"
    )
    return {
        node.name
        for node in cls.body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and not any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)
    }


def _listed_as_not_wired(tree: ast.Module) -> set[str]:
    doc = ast.get_docstring(tree) or ""
    section = doc.partition("Not wired to any flow yet")[2]
    assert section, "client.py's docstring lost its 'Not wired to any flow yet' section"
    return set(re.findall(r"``([a-z_]+)``", section.partition("\n- ")[2]))


def _attributes_read_outside_the_client(names: set[str]) -> set[str]:
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\b")
    read: set[str] = set()
    for room in CALLER_ROOMS:
        for path in (REPO / room).rglob("*.py"):
            parts = path.relative_to(REPO).parts
            if path == CLIENT or "tests" in parts or "migrations" in parts:
                continue
            text = path.read_text(encoding="utf-8")
            if not pattern.search(text):
                continue
            read |= {
                node.attr
                for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.Attribute) and node.attr in names
            }
    return read


def test_the_not_wired_list_matches_the_callers():
    tree = ast.parse(CLIENT.read_text(encoding="utf-8"))
    methods = _public_methods(tree)
    listed = _listed_as_not_wired(tree)
    assert listed <= methods, f"listed but not methods of ProcoreClient: {listed - methods}"
    wired = _attributes_read_outside_the_client(methods)
    assert not listed & wired, (
        f"now called by a flow, take them off client.py's list: {sorted(listed & wired)}"
    )
    assert methods - wired <= listed, (
        f"called by no flow, add them to client.py's list: {sorted(methods - wired - listed)}"
    )
