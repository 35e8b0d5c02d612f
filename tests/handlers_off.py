"""The portal as it was before it handled an entity, for tests of the guard that refuses to
enable what the portal cannot handle: once every entity of the metadata has handlers, there is
no real example left, so a test takes one entity's handlers away (for that test only), and with
them that entity from the default metadata, as such a portal would ship it."""

from __future__ import annotations

import json

import pytest

from integrations.handlers import registry
from integrations.services import metadata


def handlers_off(monkeypatch: pytest.MonkeyPatch, entity: str) -> str:
    """Unregister every request name ``entity`` makes Procore send, and leave out of the default
    document every entity that then has no handler at all; returns ``entity``."""
    names = frozenset().union(*registry.METADATA_FLOWS[entity].values())
    kept = {name: handler for name, handler in registry._HANDLERS.items() if name not in names}
    monkeypatch.setattr(registry, "_HANDLERS", kept)
    document = json.loads(metadata._default_text())
    entities = document["settings"]["entities"]
    for other, flows in registry.METADATA_FLOWS.items():
        if other in entities and not frozenset().union(*flows.values()) & kept.keys():
            del entities[other]
    text = json.dumps(document)
    monkeypatch.setattr(metadata, "_default_text", lambda: text)
    return entity
