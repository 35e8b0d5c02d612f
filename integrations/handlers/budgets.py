"""Budgets (the events dictionary's "Budgets" section): a budget exported from Procore
(``create_budget``) or exported again with its new transactions (``update_budget``) is posted to
the job's budget in the ERP; then Procore is told the budget's ERP id (External Data) and, after
it, marks the transactions synced (``erp_transactions/sync``). A budget imported into Procore
from the ERP (``create_budget_in_procore``) is remembered by its Procore id.
"""

from __future__ import annotations

from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.services.external_data import external_data_send

BUDGET = "budget"  # External Data item type (procore-erp-api.md §b.1)


@register("create_budget", "update_budget")
def export_budget(ctx: HandlerContext) -> Outcome:
    """Both names do the same: the ERP posts each transaction once (by Procore's id), so a
    re-export, which carries only the unsynced ones, adds exactly those."""
    payload = ctx.request_data
    budget = payload.get("budget") or {}
    if not budget.get("id"):
        return Outcome.failed("The export carries no budget, so nothing was changed in the ERP.")
    budgets = ctx.adapter.budgets
    problems = budgets.check_export(payload)
    if problems:
        return Outcome.failed(*problems)
    result = budgets.export(payload)
    sent = external_data_send(
        client=ctx.client,
        company_pk=ctx.connection.company_id,
        links=[link.as_update() for link in result.links],
    )
    if sent.errors:
        reasons = "; ".join(str(error) for error in sent.errors)
        return Outcome.failed(
            f"The budget is in the ERP, but Procore did not accept its ERP id: {reasons}"
        )
    if result.transactions:
        project_id = budget.get("project_id")
        if not str(project_id or "").isdigit():
            return Outcome.failed(
                "The budget is in the ERP, but the export names no project to mark its "
                "transactions synced in."
            )
        marked = ctx.client.sync_erp_transactions(
            project_id=int(project_id),
            updates=[transaction.as_update() for transaction in result.transactions],
        )
        if marked.errors:
            reasons = "; ".join(str(error) for error in marked.errors[:5])
            return Outcome.failed(
                f"The budget is in the ERP, but Procore did not mark its transactions synced: "
                f"{reasons}"
            )
    verb = "Created" if result.created else "Updated"
    posted = result.posted
    return Outcome.success(
        f"{verb} the budget of job {result.origin_code} in the ERP: {posted} new "
        f"transaction{'' if posted == 1 else 's'} posted."
    )


@register("create_budget_in_procore")
def create_budget_in_procore(ctx: HandlerContext) -> Outcome:
    data = ctx.request_data
    budget = data.get("budget") or {}
    # The dictionary's example says project_origin_id; some deliveries name it job_id, as
    # create_budget does.
    project_origin_id = data.get("project_origin_id") or data.get("job_id")
    if not (str(budget.get("id") or "").isdigit() and project_origin_id):
        return Outcome.failed("The import notice names no budget of a job from the ERP.")
    origin_id = ctx.adapter.budgets.note_imported(str(project_origin_id), int(budget["id"]))
    if origin_id is None:
        return Outcome.success("The ERP holds no budget for this job; nothing to remember.")
    return Outcome.success(
        object_links=(LinkChange.now_synced(BUDGET, origin_id, procore_id=int(budget["id"])),)
    )
