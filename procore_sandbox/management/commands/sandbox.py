"""``manage.py sandbox ACTION …``: press the sandbox's buttons from the command line.

Every action calls the same service as the page's button. ``--json`` prints one JSON object
(ids included) for scripts; without it the same keys are printed as ``key: value`` lines.

    sandbox company-create --name "Acme Builders" --json
    sandbox app-install --company 4300000001 --client-id demo --client-secret s3cret
    sandbox vendor-create --company 4300000001 --name "Ace Plumbing"
    sandbox send-to-erp --company 4300000001 --object 12
    sandbox export-accept --company 4300000001 --object 12
    sandbox press --company 4300000001 refresh-vendors
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
from procore_sandbox.services import selectors
from procore_sandbox.services.buttons import BUTTONS, button_press
from procore_sandbox.services.delivery import deliveries_pending_count, deliveries_run_due
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.exports import export_accept, export_reject, export_send
from procore_sandbox.services.knobs import knob_reset, knob_set
from procore_sandbox.services.objects import (
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
        export = export_send(obj=obj)
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
