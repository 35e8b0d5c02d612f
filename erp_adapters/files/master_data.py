"""The ERP's lists that other records point at: vendors, jobs, cost codes and cost types,
each one row per record in its import file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from erp_adapters.base import (
    Entity,
    ERPObject,
)
from erp_adapters.files import layouts
from erp_adapters.files.entity import FileEntity, _as_int, _required
from erp_adapters.payload import as_dict


class Vendors(FileEntity):
    entity = Entity.VENDORS
    item_type = "vendor"
    what = "vendor"
    payload_key = "vendor"
    export_rows = staticmethod(layouts.vendor_export_rows)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        vendor = self.header(payload)
        if str(vendor.get("name") or vendor.get("company") or "").strip():
            return []
        return ["Vendor name is required."]

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        return layouts.vendor_object(values)


class Jobs(FileEntity):
    """``create_or_update_job``: the ERP creates the job from the file; once it has answered,
    a later export of the same project is answered with the same job (the file exchange
    carries no updates)."""

    entity = Entity.JOBS
    item_type = "project"
    what = "project"
    payload_key = "job"
    export_rows = staticmethod(layouts.job_export_rows)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        job = self.header(payload)
        problems = _required(job, "name", "Job name")
        if not str(job.get("origin_code") or "").strip():
            problems.append(
                "Job code is required: enter the ERP's job code when exporting the project."
            )
        return problems

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        """The job, and each of its cost codes whose standard cost code came from the ERP."""
        links = [[self.item_type, procore_id, ""]]
        for ref in map(as_dict, payload.get("all_cost_codes") or []):
            standard = layouts.cost_code_erp_id(ref)
            if standard and _as_int(ref.get("id")) is not None:
                links.append(["cost_code", _as_int(ref.get("id")), f"job:{standard}"])
        return links

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        return layouts.job_object(values)


class StandardCostCodes(FileEntity):
    """Cost codes are listed parents first, in code order, whatever order the file has: the
    file is read whole for that (a company's cost code list is hundreds to a few thousand
    codes), and a code whose parent is not in the file is reported, not sent."""

    entity = Entity.STANDARD_COST_CODES
    item_type = "standard_cost_code"
    what = "cost code"
    export_rows = staticmethod(layouts.cost_code_export_rows)

    def rules(self, item: dict[str, Any]) -> list[str]:
        code = str(item.get("full_code") or item.get("code") or "").strip()
        problems = [] if code else ["Cost code is required."]
        problems += _required(item, "name", "Cost code name")
        parent = str(item.get("parent_origin_id") or "").strip()
        parent_procore_id = _as_int(item.get("parent_id"))
        if parent_procore_id is not None and self._handed_over(parent_procore_id):
            return problems  # the parent went in an earlier file: the ERP imports them in order
        if parent and not self.adapter.holds(Entity.STANDARD_COST_CODES, parent):
            problems.append(
                f"Cost code {code}: its parent is not in the ERP's cost code list; export the "
                "parent first."
            )
        return problems

    def list(self) -> Iterator[ERPObject]:
        name = self.import_file().name
        rows = [row for row in self.rows() if row.values["is_active"]]
        codes = {row.values["erp_id"]: row.values["code"] for row in rows}
        rows.sort(key=lambda row: row.values["code"])
        for row in rows:
            parent = row.values["parent_erp_id"]
            if parent is not None and parent not in codes:
                self.reject(
                    name,
                    row,
                    "parent_erp_id",
                    f"the parent {parent!r} is not an active cost code of the file",
                )
                continue
            yield layouts.cost_code_object(row.values, codes.get(parent) if parent else None)


class CostTypes(FileEntity):
    entity = Entity.STANDARD_CATEGORIES
    item_type = "line_item_type"
    what = "cost type"
    export_rows = staticmethod(layouts.cost_type_export_rows)

    def rules(self, item: dict[str, Any]) -> list[str]:
        return _required(item, "code", "Cost type code") + _required(item, "name", "Cost type name")

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        return layouts.cost_type_object(values)
