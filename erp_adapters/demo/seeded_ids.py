"""The demo books' deterministic ERP ids, shared by every seeding module.

Every id is a UUIDv5 of (tenant, entity, code), so the same seed gives the same books on any
machine; it lives apart from ``seeding`` so the section seeders can use it without importing
the module that calls them.
"""

from __future__ import annotations

import uuid

GUID_NAMESPACE = uuid.UUID("6f0b8f6e-3c1a-5b7e-9d42-1f2e3d4c5b6a")


def seeded_guid(tenant: str, entity: str, code: str) -> uuid.UUID:
    """The stable id of one seeded row, so re-runs and other machines agree on it."""
    return uuid.uuid5(GUID_NAMESPACE, f"{tenant}/{entity}/{code}")
