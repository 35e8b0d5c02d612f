"""Staging records: two identical syncs at once both succeed, as Procore upserts by origin_id."""

from __future__ import annotations

from procore_sandbox.models import StagedRecord


def test_a_record_staged_by_a_concurrent_call_is_updated_not_refused(company, monkeypatch):
    """Two identical syncs at once (a retried batch): the second finds no record when it looks,
    the first then commits it, and the second's insert collides. Procore upserts by origin_id,
    so the second call updates that record instead of refusing the item."""
    from procore_sandbox.services import staged_records as service

    service.staged_records_sync(
        company=company,
        updates=[{"item_type": "vendor", "origin_id": "V-7", "data": {"name": "Old name"}}],
    )
    real_find = service._Batch.find
    looked = []

    def find_before_the_other_commit(self, item_type, origin_id):
        if not looked:  # the first look-up happened before the other call committed
            looked.append(origin_id)
            self.records[(item_type, origin_id)] = None
        return real_find(self, item_type, origin_id)

    monkeypatch.setattr(service._Batch, "find", find_before_the_other_commit)
    result = service.staged_records_sync(
        company=company,
        updates=[{"item_type": "vendor", "origin_id": "V-7", "data": {"name": "New name"}}],
    )

    assert looked == ["V-7"]
    assert result["errors"] == []
    assert [e["origin_id"] for e in result["entities"]] == ["V-7"]
    assert StagedRecord.objects.get(origin_id="V-7").data["name"] == "New name"
