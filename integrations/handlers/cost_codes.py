"""Project cost codes and their cost-type assignments (the events dictionary's "Cost Codes and
Line Item Type Assignments" section): a user in Procore asks to delete synced ones
(``delete_cost_codes``, ``delete_cost_type_assignments``, one Request Detail per item); the ERP
deletes what it allows, then the portal deletes Procore's copy, and each item closes with its
own answer. What carries posted costs or budget amounts is refused in the accountant's words. A
Super User's delete (``delete_cost_code``) has already happened in Procore: the ERP keeps its
cost codes, untied.
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import ConstraintViolation, Deletion
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType


def _detail_id(item: Any) -> int | None:
    value = item.get("request_detail_id") if isinstance(item, dict) else None
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


class ItemByItem:
    """Collects each item's answer for its own Request Detail."""

    def __init__(self) -> None:
        self.per_detail: dict[int, tuple[str, tuple[str, ...]]] = {}
        self.links: list[LinkChange] = []
        self.done = 0
        self.refused = 0

    def answer(self, item: dict[str, Any], status: str, *messages: str) -> None:
        detail = _detail_id(item)
        if detail is not None:
            self.per_detail[detail] = (status, messages)
        if status == "success":
            self.done += 1
        else:
            self.refused += 1

    def outcome(self, noun: str) -> Outcome:
        total = self.done + self.refused
        summary = f"{self.done} of {total} {noun} deleted."
        status = "success" if not self.refused else "failed"
        return Outcome(
            status, (summary,), per_detail=self.per_detail, object_links=tuple(self.links)
        )


def _deleted_message(deletion: Deletion) -> str:
    if deletion.deleted:
        return f"Deleted {deletion.label} in the ERP and in Procore."
    label = deletion.label[:1].upper() + deletion.label[1:]
    return f"{label} was no longer in the ERP; deleted in Procore."


@register("delete_cost_codes")
def delete_cost_codes(ctx: HandlerContext) -> Outcome:
    data = ctx.request_data
    project, sub_job = data.get("project") or {}, data.get("sub_job")
    items = [item for item in data.get("cost_codes") or [] if isinstance(item, dict)]
    project_id = _int(project.get("id"))
    if not items or project_id is None:
        return Outcome.failed("The request names no cost codes of a project to delete.")
    jobs = ctx.adapter.jobs
    answers = ItemByItem()
    for item in items:
        try:
            deletion = jobs.delete_cost_code({**item, "project": project, "sub_job": sub_job})
        except ConstraintViolation as refused:
            answers.answer(item, "failed", *refused.messages)
            continue
        if _int(item.get("id")) is not None:
            ctx.client.delete_cost_code(int(item["id"]), project_id=project_id)
        answers.answer(item, "success", _deleted_message(deletion))
        if item.get("origin_id"):
            answers.links.append(LinkChange.unlinked(ItemType.COST_CODE, str(item["origin_id"])))
    return answers.outcome("cost codes")


@register("delete_cost_type_assignments")
def delete_cost_type_assignments(ctx: HandlerContext) -> Outcome:
    """The assignment's job cost goes with it, in the ERP and in Procore."""
    data = ctx.request_data
    project, sub_job = data.get("project") or {}, data.get("sub_job")
    items = [item for item in data.get("cost_type_assignments") or [] if isinstance(item, dict)]
    project_id = _int(project.get("id"))
    if not items or project_id is None:
        return Outcome.failed("The request names no cost type assignments of a project.")
    jobs = ctx.adapter.jobs
    answers = ItemByItem()
    for item in items:
        try:
            deletion = jobs.delete_cost_type_assignment(
                {**item, "project": project, "sub_job": sub_job}
            )
        except ConstraintViolation as refused:
            answers.answer(item, "failed", *refused.messages)
            continue
        if _int(item.get("job_cost_id")) is not None:
            ctx.client.delete_erp_job_cost_if_present(int(item["job_cost_id"]))
        if _int(item.get("id")) is not None:
            ctx.client.delete_cost_code_line_item_type(int(item["id"]), project_id=project_id)
        answers.answer(item, "success", _deleted_message(deletion))
    return answers.outcome("cost type assignments")


@register("delete_cost_code")
def delete_cost_code(ctx: HandlerContext) -> Outcome:
    """A Super User deleted synced cost codes in Procore. The ERP keeps them (they may carry
    history) without their Procore ids; the portal's links forget them."""
    rows = [
        row
        for row in ctx.request_data.get("project_cost_code_data_array") or []
        if isinstance(row, dict) and row.get("origin_id")
    ]
    origin_ids = [str(row["origin_id"]) for row in rows]
    dropped = ctx.adapter.jobs.release_cost_codes(origin_ids)
    return Outcome.success(
        f"{len(dropped)} of {len(origin_ids)} cost codes untied from Procore in the ERP.",
        object_links=tuple(LinkChange.unlinked(ItemType.COST_CODE, o) for o in origin_ids),
    )
