"""``manage.py sandbox ACTION …``: press the sandbox's buttons from the command line.

Every action calls the same service as the page's button. ``--json`` prints one JSON object
(ids included) for scripts; without it the same keys are printed as ``key: value`` lines.

    sandbox company-create --name "Acme Builders" --json
    sandbox app-install --company 4300000001 --client-id demo --client-secret s3cret
    sandbox vendor-create --company 4300000001 --name "Ace Plumbing"
    sandbox send-to-erp --company 4300000001 --object 12
    sandbox export-accept --company 4300000001 --object 12
    sandbox press --company 4300000001 refresh-vendors
    sandbox sub-job-create --company 4300000001 --project 12 --name "Floor 5" --code 5
    sandbox unlink --company 4300000001 --object 7
    sandbox super-user --company 4300000001 reset-job --item 12
    sandbox deliver --wait 10
"""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from procore_sandbox import conf
from procore_sandbox.models import (
    Company,
    ErpRequest,
    ExportRequest,
    ProcoreObject,
    StagedRecord,
)
from procore_sandbox.services import (
    cost_structure,
    erp_actions,
    requisitions,
    selectors,
    super_user,
)
from procore_sandbox.services.buttons import BUTTONS, button_press
from procore_sandbox.services.delivery import deliveries_pending_count, deliveries_run_due
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.exports import export_accept, export_reject, export_send
from procore_sandbox.services.knobs import knob_reset, knob_set
from procore_sandbox.services.objects import (
    COMMITMENT_ITEM_TYPES,
    ChangeOrderLine,
    CommitmentLine,
    commitment_change_order_create,
    commitment_create,
    object_edit,
    project_create,
    vendor_create,
)
from procore_sandbox.services.ratelimit import rate_limits_reset
from procore_sandbox.services.representations import iso
from procore_sandbox.services.staged_records import staged_record_approve
from procore_sandbox.services.tenants import app_install, app_uninstall, company_create


class Command(BaseCommand):
    help = "Play Procore's users in the local sandbox (create objects, send, accept, import, …)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        common = ArgumentParser(add_help=False)
        common.add_argument("--json", action="store_true", help="Print one JSON object.")
        company = ArgumentParser(add_help=False, parents=[common])
        company.add_argument("--company", type=int, required=True, help="Company id.")
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        def action(name: str, help_text: str, *, scoped: bool = True) -> ArgumentParser:
            return actions.add_parser(name, help=help_text, parents=[company if scoped else common])

        p = action("company-create", "Create a company.", scoped=False)
        p.add_argument("--name", required=True)
        p.add_argument("--id", type=int, dest="company_id", help="Choose the company id.")
        p.add_argument(
            "--exist-ok",
            action="store_true",
            help="With --id: print the existing company instead of failing (idempotent set-up).",
        )
        p.add_argument("--client-id", help="Also install an app with this client id ...")
        p.add_argument("--client-secret", help="... and this client secret.")

        p = action("app-install", "Install an app (client id + secret) in a company.")
        p.add_argument("--client-id", required=True)
        p.add_argument("--client-secret", required=True)
        p.add_argument("--app-name", default="")

        p = action("app-uninstall", "Disconnect an app from a company (its calls get 403).")
        p.add_argument("--client-id", required=True)

        p = action("vendor-create", "Create a vendor (project user).")
        p.add_argument("--name", required=True)
        p.add_argument("--abbreviated-name", default="")
        p.add_argument("--email", default="")
        p.add_argument("--phone", default="")
        p.add_argument("--city", default="")

        p = action("project-create", "Create a project with its cost codes.")
        p.add_argument("--name", required=True)
        p.add_argument("--number", default="")
        p.add_argument("--city", default="")
        p.add_argument(
            "--cost-code",
            action="append",
            default=[],
            metavar='"CODE NAME"',
            help='Repeatable, e.g. --cost-code "01-100 General Conditions".',
        )

        p = action("commitment-create", "Create a subcontract or purchase order with lines.")
        p.add_argument("--project", type=int, required=True)
        p.add_argument("--vendor", type=int, required=True)
        p.add_argument(
            "--type", dest="kind", choices=["subcontract", "purchase_order"], required=True
        )
        p.add_argument("--title", required=True)
        p.add_argument("--number", default="")
        p.add_argument(
            "--line",
            action="append",
            required=True,
            metavar="COST_CODE:COST_TYPE:AMOUNT[:DESCRIPTION]",
            help="Cost code id or code, cost type id or code (e.g. L, M), amount.",
        )

        p = action("change-order-create", "Create a commitment change order.")
        p.add_argument("--commitment", type=int, required=True)
        p.add_argument("--title", required=True)
        p.add_argument("--number", default="")
        p.add_argument(
            "--line",
            action="append",
            required=True,
            metavar="COMMITMENT_LINE_ID:AMOUNT[:DESCRIPTION]",
        )

        p = action("object-edit", "Edit an object as a person would (refused when synced).")
        p.add_argument("--object", type=int, required=True)
        p.add_argument("--set", action="append", required=True, metavar="FIELD=VALUE")

        p = action("send-to-erp", 'Press "Send to ERP" on an object.')
        p.add_argument("--object", type=int, required=True)
        p.add_argument(
            "--origin-code",
            help="A job's or sub job's ERP code (first export, or after a failure about it).",
        )

        for name, verb in (("export-accept", "Accept"), ("export-reject", "Reject")):
            p = action(name, f"{verb} an export waiting on Ready to Export.")
            target = p.add_mutually_exclusive_group(required=True)
            target.add_argument("--export", type=int, help="The export's id.")
            target.add_argument("--object", type=int, help="The object waiting to export.")
            if name == "export-reject":
                p.add_argument("--reason", default="")

        p = action("staged-approve", "Import a staged record from Ready to Import.")
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--record", type=int, help="The staged record's id.")
        target.add_argument("--origin-id", help="With --item-type: find the record by origin.")
        p.add_argument("--item-type", default="vendor")

        p = action("press", "Press a Refresh / Sync button of the ERP tool.")
        p.add_argument("button", choices=[name.replace("_", "-") for name in BUTTONS])

        action("show", "Print the company's objects, exports, requests and staged records.")
        self._add_job_actions(action)
        self._add_requisition_actions(action)

        p = action("deliver", "Run due webhook deliveries now.", scoped=False)
        p.add_argument(
            "--wait",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="Keep delivering until nothing is pending or SECONDS have passed.",
        )

        p = action("configure", "Change the sandbox's knobs (see docs/sandbox.md).", scoped=False)
        p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
        p.add_argument("--reset", nargs="?", const="*", metavar="NAME", help="Back to defaults.")
        p.add_argument("--reset-rate-limits", action="store_true")

    def _add_job_actions(self, action: Any) -> None:
        """Jobs and their cost structure, and the ERP tool's buttons beyond export/import."""
        p = action("sub-job-create", "Create a sub job (with a copy of the project's codes).")
        p.add_argument("--project", type=int, required=True)
        p.add_argument("--name", required=True)
        p.add_argument("--code", required=True)
        p.add_argument("--cost-code", action="append", metavar='"CODE NAME"', default=None)

        p = action("cost-code-add", "Add a cost code to a project or sub job.")
        p.add_argument("--object", type=int, required=True, help="The project or sub job.")
        p.add_argument("--code", required=True)
        p.add_argument("--name", required=True)

        p = action("cost-type-assign", "Assign a cost type to a cost code.")
        p.add_argument("--cost-code", type=int, required=True)
        p.add_argument("--cost-type", required=True, help="Id or code (L, M, ...).")

        p = action("job-cost-set", "Create or change a job cost (the ERP's figures).")
        p.add_argument("--cost-code", type=int, required=True)
        p.add_argument("--cost-type", required=True, help="Id or code (L, M, ...).")
        p.add_argument("--original-estimate")
        p.add_argument("--estimate")
        p.add_argument("--job-to-date-cost")

        p = action("budget-create", "Create a project's budget.")
        p.add_argument("--project", type=int, required=True)
        for name, what in (
            ("budget-line-set", "Set a budget line's original amount (unexported budgets)."),
            ("budget-change", "Record a budget change (a delta) on a line."),
        ):
            p = action(name, what)
            p.add_argument("--budget", type=int, required=True)
            p.add_argument("--cost-code", type=int, required=True)
            p.add_argument("--cost-type", required=True, help="Id or code (L, M, ...).")
            p.add_argument("--amount", required=True)

        p = action(
            "unlink",
            "Unlink a synced vendor, job or commitment change order (unlink_vendor / unlink_job "
            "/ unlink_commitment_change_order).",
        )
        p.add_argument("--object", type=int, required=True)

        p = action("link-vendor", "Link a staged ERP vendor to a Procore vendor (link_vendor).")
        p.add_argument("--record", type=int, required=True, help="The staged vendor record.")
        p.add_argument("--vendor", type=int, required=True)

        action("link-all-vendors", "Link every staged vendor matching one by name.")

        p = action("merge-vendors", "Merge vendors into one (merge_vendors).")
        p.add_argument("--keep", type=int, required=True)
        p.add_argument("--merge", type=int, action="append", required=True)
        p.add_argument(
            "--origin-from", type=int, help="The synced merged vendor whose ERP id stays."
        )

        p = action("sync-job", "Send sync_single_job (job) or sync_sub_job (sub job).")
        p.add_argument("--object", type=int, required=True)

        p = action("budget-import", "Add a synced job's budget from its ERP job costs.")
        p.add_argument("--project", type=int, required=True)

        p = action("cost-codes-delete", "Delete cost codes (synced ones: delete_cost_codes).")
        p.add_argument("--cost-code", type=int, action="append", required=True)

        p = action(
            "cost-type-assignments-delete",
            "Delete cost type assignments (synced ones: delete_cost_type_assignments).",
        )
        p.add_argument("--assignment", type=int, action="append", required=True)

        p = action("std-cost-code-create", "Create a standard cost code (unsynced).")
        p.add_argument("--code", required=True)
        p.add_argument("--name", required=True)
        p.add_argument("--parent", type=int)

        p = action("std-cost-codes-export", "Export standard cost codes.")
        p.add_argument("--code", type=int, action="append", help="Default: every unsynced one.")

        p = action("super-user", "A Super User's reset, delete or unlink (no Request Detail).")
        p.add_argument("su_action", choices=sorted(SUPER_USER), metavar="|".join(SUPER_USER))
        p.add_argument("--item", type=int, action="append", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if not conf.enabled():
            raise CommandError("The sandbox is disabled (PROCORE_SANDBOX_ENABLED is off).")
        handler = getattr(self, "do_" + options["action"].replace("-", "_"))
        try:
            result = handler(options)
        except SandboxError as exc:
            raise CommandError(exc.message) from exc
        if options.get("json"):
            self.stdout.write(json.dumps(result, indent=None, default=str))
        else:
            for key, value in result.items():
                shown = json.dumps(value, default=str) if isinstance(value, list | dict) else value
                self.stdout.write(f"{key}: {shown}")

    # -- helpers ------------------------------------------------------------------------------
    def _company(self, options: dict) -> Company:
        company = Company.objects.filter(id=options["company"]).first()
        if company is None:
            raise CommandError(f"No company {options['company']}.")
        return company

    def _object(self, company: Company, object_id: int, *types: str) -> ProcoreObject:
        obj = ProcoreObject.objects.filter(company=company, id=object_id)
        if types:
            obj = obj.filter(item_type__in=types)
        found = obj.first()
        if found is None:
            kind = " or ".join(types) if types else "object"
            raise CommandError(f"No {kind} {object_id} in company {company.id}.")
        return found

    def _find(self, company: Company, item_type: str, token: str, **scope: Any) -> ProcoreObject:
        """An id, or a code (cost codes, cost types) within the scope."""
        rows = ProcoreObject.objects.filter(company=company, item_type=item_type, **scope)
        found = rows.filter(id=int(token)).first() if token.isdigit() else None
        found = found or rows.filter(data__code=token).first()
        if found is None:
            found = rows.filter(data__full_code=token).first()
        if found is None:
            raise CommandError(f"No {item_type.replace('_', ' ')} {token!r}.")
        return found

    def _ready_export(self, company: Company, options: dict) -> ExportRequest:
        exports = ExportRequest.objects.filter(company=company)
        if options.get("export"):
            export = exports.filter(id=options["export"]).first()
        else:
            export = exports.filter(
                item_id=options["object"], status=ExportRequest.Status.READY
            ).first()
        if export is None:
            raise CommandError("No such export waiting on Ready to Export.")
        return export

    # -- actions ------------------------------------------------------------------------------
    def do_company_create(self, options: dict) -> dict:
        if bool(options["client_id"]) != bool(options["client_secret"]):
            raise CommandError("--client-id and --client-secret go together.")
        company = Company.objects.filter(id=options["company_id"]).first()
        created = company is None or not options["exist_ok"]
        if created:
            company = company_create(name=options["name"], company_id=options["company_id"])
        result = {"company_id": company.id, "name": company.name, "created": created}
        if options["client_id"]:
            app_install(
                company=company,
                client_id=options["client_id"],
                client_secret=options["client_secret"],
            )
            result["client_id"] = options["client_id"]
        return result

    def do_app_install(self, options: dict) -> dict:
        company = self._company(options)
        app = app_install(
            company=company,
            client_id=options["client_id"],
            client_secret=options["client_secret"],
            name=options["app_name"],
        )
        return {"company_id": company.id, "client_id": app.client_id, "app_name": app.name}

    def do_app_uninstall(self, options: dict) -> dict:
        company = self._company(options)
        app_uninstall(company=company, client_id=options["client_id"])
        return {"company_id": company.id, "client_id": options["client_id"]}

    def do_vendor_create(self, options: dict) -> dict:
        vendor = vendor_create(
            company=self._company(options),
            name=options["name"],
            abbreviated_name=options["abbreviated_name"],
            email_address=options["email"],
            business_phone=options["phone"],
            city=options["city"],
        )
        return {"id": vendor.id, "item_type": "vendor", "name": vendor.label}

    def do_project_create(self, options: dict) -> dict:
        codes = []
        for raw in options["cost_code"]:
            code, _, name = raw.strip().partition(" ")
            if not name.strip():
                raise CommandError(f'--cost-code "{raw}" needs a code and a name.')
            codes.append((code, name.strip()))
        project = project_create(
            company=self._company(options),
            name=options["name"],
            project_number=options["number"],
            city=options["city"],
            cost_codes=codes,
        )
        cost_codes = ProcoreObject.objects.filter(project=project, item_type="cost_code")
        return {
            "id": project.id,
            "item_type": "project",
            "cost_codes": [{"id": c.id, "code": c.data.get("code")} for c in cost_codes],
        }

    def do_commitment_create(self, options: dict) -> dict:
        company = self._company(options)
        project = self._object(company, options["project"], "project")
        lines = []
        for raw in options["line"]:
            parts = raw.split(":", 3)
            if len(parts) < 3:
                raise CommandError(f'--line "{raw}" needs COST_CODE:COST_TYPE:AMOUNT.')
            code = self._find(company, "cost_code", parts[0], project=project)
            cost_type = self._find(company, "line_item_type", parts[1])
            description = parts[3] if len(parts) > 3 else ""
            lines.append(CommitmentLine(code.id, cost_type.id, parts[2], description))
        commitment = commitment_create(
            company=company,
            project=project,
            vendor=self._object(company, options["vendor"], "vendor"),
            kind=options["kind"],
            title=options["title"],
            number=options["number"],
            lines=lines,
        )
        items = ProcoreObject.objects.filter(parent=commitment, item_type="line_item")
        return {
            "id": commitment.id,
            "item_type": commitment.item_type,
            "number": commitment.data.get("number"),
            "line_items": [{"id": i.id, "amount": i.data.get("amount")} for i in items],
        }

    def do_change_order_create(self, options: dict) -> dict:
        company = self._company(options)
        commitment = self._object(
            company, options["commitment"], "work_order_contract", "purchase_order_contract"
        )
        lines = []
        for raw in options["line"]:
            parts = raw.split(":", 2)
            if len(parts) < 2 or not parts[0].isdigit():
                raise CommandError(f'--line "{raw}" needs COMMITMENT_LINE_ID:AMOUNT.')
            lines.append(
                ChangeOrderLine(int(parts[0]), parts[1], parts[2] if len(parts) > 2 else "")
            )
        change_order = commitment_change_order_create(
            company=company,
            commitment=commitment,
            title=options["title"],
            number=options["number"],
            lines=lines,
        )
        items = ProcoreObject.objects.filter(parent=change_order, item_type="line_item")
        return {
            "id": change_order.id,
            "item_type": "change_order",
            "line_items": [{"id": i.id, "amount": i.data.get("amount")} for i in items],
        }

    def do_object_edit(self, options: dict) -> dict:
        obj = self._object(self._company(options), options["object"])
        changes = {}
        for raw in options["set"]:
            name, sep, value = raw.partition("=")
            if not sep:
                raise CommandError(f'--set "{raw}" needs FIELD=VALUE.')
            changes[name.strip()] = value
        object_edit(obj=obj, changes=changes)
        return {"id": obj.id, "item_type": obj.item_type, **changes}

    def do_send_to_erp(self, options: dict) -> dict:
        obj = self._object(self._company(options), options["object"])
        export = export_send(obj=obj, origin_code=options.get("origin_code"))
        return {"export_id": export.id, "object_id": obj.id, "request_name": export.request_name}

    def do_export_accept(self, options: dict) -> dict:
        export = self._ready_export(self._company(options), options)
        request = export_accept(export=export)
        detail = request.details.first()
        return {
            "export_id": export.id,
            "object_id": export.item_id,
            "erp_request_id": request.id,
            "request_name": request.request_name,
            "request_detail_id": detail.id if detail else None,
        }

    def do_export_reject(self, options: dict) -> dict:
        export = self._ready_export(self._company(options), options)
        export_reject(export=export, reason=options["reason"])
        return {"export_id": export.id, "object_id": export.item_id, "status": "rejected"}

    def do_staged_approve(self, options: dict) -> dict:
        company = self._company(options)
        records = StagedRecord.objects.filter(company=company)
        if options.get("record"):
            record = records.filter(id=options["record"]).first()
        else:
            record = records.filter(
                item_type=options["item_type"], origin_id=options["origin_id"]
            ).first()
        if record is None:
            raise CommandError("No such staged record.")
        before = ErpRequest.objects.filter(company=company).order_by("-id").first()
        obj = staged_record_approve(record=record)
        event = ErpRequest.objects.filter(
            company=company, id__gt=before.id if before else 0
        ).first()
        return {
            "staged_record_id": record.id,
            "object_id": obj.id,
            "item_type": obj.item_type,
            "origin_id": obj.origin_id,
            "erp_request_id": event.id if event else None,
            "request_name": event.request_name if event else None,
        }

    def do_press(self, options: dict) -> dict:
        requests = button_press(
            company=self._company(options), button=options["button"].replace("-", "_")
        )
        return {
            "erp_requests": [
                {
                    "id": r.id,
                    "request_name": r.request_name,
                    "request_detail_id": r.request_data.get("request_detail_id"),
                }
                for r in requests
            ]
        }

    def do_show(self, options: dict) -> dict:
        company = self._company(options)
        objects = ProcoreObject.objects.filter(
            company=company, item_type__in=selectors.TOP_LEVEL_TYPES
        ).order_by("id")
        return {
            "company_id": company.id,
            "objects": [
                {
                    "id": obj.id,
                    "item_type": obj.item_type,
                    "label": obj.label,
                    "origin_id": obj.origin_id,
                    "erp_state": state.code,
                    "messages": state.messages,
                }
                for obj, state in selectors.with_states(list(objects))
            ],
            "exports": [
                {"id": e.id, "object_id": e.item_id, "status": e.status}
                for e in ExportRequest.objects.filter(company=company).order_by("id")
            ],
            "erp_requests": [
                {
                    "id": r.id,
                    "request_name": r.request_name,
                    "created_at": iso(r.created_at),
                    "details": [
                        {"id": d.id, "status": d.status, "messages": d.messages}
                        for d in r.details.all()
                    ],
                }
                for r in selectors.recent_requests(company, limit=200)
            ],
            "staged_records": [
                {
                    "id": s.id,
                    "item_type": s.item_type,
                    "origin_id": s.origin_id,
                    "status": s.status,
                    "import_error": s.import_error or None,
                }
                for s in StagedRecord.objects.filter(company=company).order_by("id")
            ],
        }

    def do_deliver(self, options: dict) -> dict:
        attempts = deliveries_run_due()
        deadline = time.monotonic() + options["wait"]
        while deliveries_pending_count() and time.monotonic() < deadline:
            time.sleep(0.2)
            attempts += deliveries_run_due()
        return {"attempts": attempts, "pending": deliveries_pending_count()}

    def do_configure(self, options: dict) -> dict:
        if options["reset"]:
            knob_reset(name=None if options["reset"] == "*" else options["reset"])
        for raw in options["set"]:
            name, sep, value = raw.partition("=")
            if not sep:
                raise CommandError(f'--set "{raw}" needs NAME=VALUE.')
            knob_set(name=name.strip(), value=value.strip())
        if options["reset_rate_limits"]:
            rate_limits_reset()
        return conf.snapshot()

    # -- jobs and their cost structure -------------------------------------------------------
    def _cost_type(self, company: Company, token: str) -> ProcoreObject:
        return self._find(company, "line_item_type", token)

    def do_sub_job_create(self, options: dict) -> dict:
        company = self._company(options)
        codes = None
        if options["cost_code"] is not None:
            codes = [self._code_pair(raw) for raw in options["cost_code"]]
        sub_job = cost_structure.sub_job_create(
            project=self._object(company, options["project"], "project"),
            name=options["name"],
            code=options["code"],
            cost_codes=codes,
        )
        rows = cost_structure.cost_codes_in(sub_job.project, sub_job)
        return {
            "id": sub_job.id,
            "item_type": "sub_job",
            "cost_codes": [{"id": c.id, "code": c.data.get("code")} for c in rows],
        }

    def _code_pair(self, raw: str) -> tuple[str, str]:
        code, _, name = raw.strip().partition(" ")
        if not name.strip():
            raise CommandError(f'--cost-code "{raw}" needs a code and a name.')
        return code, name.strip()

    def do_cost_code_add(self, options: dict) -> dict:
        company = self._company(options)
        target = self._object(company, options["object"], "project", "sub_job")
        project, sub_job = (
            (target.project, target) if target.item_type == "sub_job" else (target, None)
        )
        code = cost_structure.cost_code_add(
            project=project, sub_job=sub_job, code=options["code"], name=options["name"]
        )
        return {
            "id": code.id,
            "item_type": "cost_code",
            "sub_job_id": sub_job.id if sub_job else None,
        }

    def do_cost_type_assign(self, options: dict) -> dict:
        company = self._company(options)
        row = cost_structure.cost_type_assign(
            cost_code=self._object(company, options["cost_code"], "cost_code"),
            line_item_type=self._cost_type(company, options["cost_type"]),
        )
        return {"id": row.id, "item_type": row.item_type, **row.data}

    def do_job_cost_set(self, options: dict) -> dict:
        company = self._company(options)
        row = cost_structure.job_cost_set(
            cost_code=self._object(company, options["cost_code"], "cost_code"),
            line_item_type=self._cost_type(company, options["cost_type"]),
            original_estimate=options["original_estimate"],
            estimate=options["estimate"],
            job_to_date_cost=options["job_to_date_cost"],
        )
        return {"id": row.id, "item_type": row.item_type, **row.data}

    def do_budget_create(self, options: dict) -> dict:
        company = self._company(options)
        budget = cost_structure.budget_create(
            project=self._object(company, options["project"], "project")
        )
        return {"id": budget.id, "item_type": "budget"}

    def _budget_line(self, options: dict, service: Any) -> dict:
        company = self._company(options)
        line = service(
            budget=self._object(company, options["budget"], "budget"),
            cost_code=self._object(company, options["cost_code"], "cost_code"),
            line_item_type=self._cost_type(company, options["cost_type"]),
            amount=options["amount"],
        )
        return {"id": line.id, "item_type": line.item_type, **line.data}

    def do_budget_line_set(self, options: dict) -> dict:
        return self._budget_line(options, cost_structure.budget_line_set)

    def do_budget_change(self, options: dict) -> dict:
        return self._budget_line(options, cost_structure.budget_change)

    # -- the ERP tool's other buttons ---------------------------------------------------------
    @staticmethod
    def _request(request: ErpRequest | None, **extra: Any) -> dict:
        if request is None:
            return {"erp_request_id": None, "request_name": None, "request_detail_ids": [], **extra}
        return {
            "erp_request_id": request.id,
            "request_name": request.request_name,
            "request_detail_ids": sorted(request.details.values_list("id", flat=True)),
            **extra,
        }

    def do_unlink(self, options: dict) -> dict:
        company = self._company(options)
        obj = self._object(company, options["object"], "vendor", "project", "change_order")
        if obj.item_type == "change_order":  # Commitment change orders: the integrator decides
            from procore_sandbox.services.change_order_unlink import change_order_unlink

            return self._request(change_order_unlink(change_order=obj), object_id=obj.id)
        return self._request(erp_actions.unlink(obj=obj), object_id=obj.id)

    def do_link_vendor(self, options: dict) -> dict:
        company = self._company(options)
        record = StagedRecord.objects.filter(company=company, id=options["record"]).first()
        if record is None:
            raise CommandError(f"No staged record {options['record']}.")
        vendor = self._object(company, options["vendor"], "vendor")
        return self._request(erp_actions.vendor_link(record=record, vendor=vendor))

    def do_link_all_vendors(self, options: dict) -> dict:
        return self._request(erp_actions.vendors_link_all(company=self._company(options)))

    def do_merge_vendors(self, options: dict) -> dict:
        company = self._company(options)
        origin_from = options.get("origin_from")
        request = erp_actions.vendors_merge(
            master=self._object(company, options["keep"], "vendor"),
            sources=[self._object(company, i, "vendor") for i in options["merge"]],
            origin_from=self._object(company, origin_from, "vendor") if origin_from else None,
        )
        return self._request(request)

    def do_sync_job(self, options: dict) -> dict:
        company = self._company(options)
        obj = self._object(company, options["object"], "project", "sub_job")
        if obj.item_type == "project":
            return self._request(erp_actions.job_sync_single(project=obj))
        return self._request(erp_actions.sub_job_sync(sub_job=obj))

    def do_budget_import(self, options: dict) -> dict:
        company = self._company(options)
        project = self._object(company, options["project"], "project")
        request = erp_actions.budget_import(project=project)
        return self._request(request, budget_id=request.request_data["budget"]["id"])

    def do_cost_codes_delete(self, options: dict) -> dict:
        company = self._company(options)
        codes = [self._object(company, i, "cost_code") for i in options["cost_code"]]
        deleted, request = erp_actions.cost_codes_delete(codes=codes)
        return self._request(request, deleted=deleted)

    def do_cost_type_assignments_delete(self, options: dict) -> dict:
        company = self._company(options)
        rows = [self._object(company, i, "cost_code_line_item_type") for i in options["assignment"]]
        deleted, request = erp_actions.cost_type_assignments_delete(assignments=rows)
        return self._request(request, deleted=deleted)

    def do_std_cost_code_create(self, options: dict) -> dict:
        company = self._company(options)
        parent = options.get("parent")
        row = erp_actions.standard_cost_code_create(
            company=company,
            code=options["code"],
            name=options["name"],
            parent=self._object(company, parent, "standard_cost_code") if parent else None,
        )
        return {"id": row.id, "item_type": row.item_type, "full_code": row.data["full_code"]}

    def do_std_cost_codes_export(self, options: dict) -> dict:
        company = self._company(options)
        codes = None
        if options.get("code"):
            codes = [self._object(company, i, "standard_cost_code") for i in options["code"]]
        return self._request(erp_actions.standard_cost_codes_export(company=company, codes=codes))

    def do_super_user(self, options: dict) -> dict:
        company = self._company(options)
        types, run = SUPER_USER[options["su_action"]]
        rows = [self._object(company, i, *types) for i in options["item"]]
        return self._request(run(company, rows))

    # -- Subcontractor invoices (requisitions) and payments (issue 11) -------------------------
    def _add_requisition_actions(self, action: Any) -> None:
        p = action(
            "invoice-create", "Create a subcontractor invoice (requisition) on a commitment."
        )
        p.add_argument("--commitment", type=int, required=True)
        p.add_argument("--number", default="")
        p.add_argument(
            "--line",
            action="append",
            required=True,
            metavar="LINE_ITEM_ID:AMOUNT[:RETAINAGE]",
            help="A line item of the commitment or of one of its change orders.",
        )
        p = action("invoices-export", "Export invoices in one create_requisitions.")
        p.add_argument("--invoice", type=int, action="append", required=True)
        p = action("payment-create", "Record a payment against an invoice (made in Procore).")
        p.add_argument("--invoice", type=int, required=True)
        p.add_argument("--amount", required=True)
        p.add_argument("--check-number", default="")
        p.add_argument("--method", default="check")
        p = action("invoice-reset", "Super User: reset a synced invoice (reset_requisition).")
        p.add_argument("--invoice", type=int, required=True)
        p = action("payment-reset", "Super User: reset a linked payment (reset_payment).")
        p.add_argument("--payment", type=int, required=True)

    def do_invoice_create(self, options: dict) -> dict:
        company = self._company(options)
        commitment = self._object(company, options["commitment"], *COMMITMENT_ITEM_TYPES)
        lines = []
        for raw in options["line"]:
            parts = raw.split(":")
            if len(parts) not in (2, 3) or not parts[0].isdigit():
                raise CommandError(f"--line {raw!r}: LINE_ITEM_ID:AMOUNT[:RETAINAGE]")
            retainage = parts[2] if len(parts) == 3 else "0"
            lines.append(requisitions.RequisitionLine(int(parts[0]), parts[1], retainage))
        invoice = requisitions.requisition_create(
            company=company, commitment=commitment, invoice_number=options["number"], lines=lines
        )
        return {"id": invoice.id, "invoice_number": invoice.data["invoice_number"]}

    def do_invoices_export(self, options: dict) -> dict:
        company = self._company(options)
        rows = [self._object(company, i, requisitions.REQUISITION) for i in options["invoice"]]
        return self._request(
            requisitions.requisitions_export_batch(company=company, requisitions=rows)
        )

    def do_payment_create(self, options: dict) -> dict:
        company = self._company(options)
        invoice = self._object(company, options["invoice"], requisitions.REQUISITION)
        payment = requisitions.contract_payment_create(
            requisition=invoice,
            amount=options["amount"],
            check_number=options["check_number"],
            payment_method=options["method"],
        )
        return {"id": payment.id, "amount": payment.data["amount"]}

    def do_invoice_reset(self, options: dict) -> dict:
        company = self._company(options)
        invoice = self._object(company, options["invoice"], requisitions.REQUISITION)
        return self._request(requisitions.requisition_reset(requisition=invoice))

    def do_payment_reset(self, options: dict) -> dict:
        company = self._company(options)
        payment = self._object(company, options["payment"], "invoice_payment", "contract_payment")
        return self._request(requisitions.payment_reset(payment=payment))


def _one(rows: list[ProcoreObject]) -> ProcoreObject:
    if len(rows) != 1:
        raise CommandError("This Super User action takes one --item.")
    return rows[0]


# Super User actions: (item types, service).
SUPER_USER: dict[str, tuple[tuple[str, ...], Any]] = {
    "reset-job": (("project",), lambda c, rows: super_user.job_reset(project=_one(rows))),
    "reset-sub-job": (("sub_job",), lambda c, rows: super_user.sub_job_reset(sub_job=_one(rows))),
    "delete-standard-cost-codes": (
        ("standard_cost_code",),
        lambda c, rows: super_user.standard_cost_codes_delete(company=c, codes=rows),
    ),
    "unlink-standard-cost-codes": (
        ("standard_cost_code",),
        lambda c, rows: super_user.standard_cost_codes_unlink(company=c, codes=rows),
    ),
    "delete-standard-categories": (
        ("line_item_type",),
        lambda c, rows: super_user.standard_categories_delete(company=c, cost_types=rows),
    ),
    "delete-cost-codes": (("cost_code",), lambda c, rows: super_user.cost_codes_delete(codes=rows)),
}
