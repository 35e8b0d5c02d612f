#!/usr/bin/env python
"""Soak: the whole portal under mixed traffic, Procore faults and killed workers, then checks.

    .venv/bin/python bench/soak.py --minutes 30 --companies 20
    .venv/bin/python bench/soak.py --minutes 2 --companies 4      # a short try

Everything runs on loopback, on its own PostgreSQL database (SOAK_DATABASE_URL, default
``erp_portal_soak``, dropped and created again) and its own Redis db (SOAK_REDIS_URL, default
db 4, emptied); both names must contain "soak", so a developer's database is never touched.

It starts, each in its own process group: the local Procore sandbox (``manage.py
procore_sandbox``, which delivers the webhooks), the portal under gunicorn with production
settings (plain HTTP on loopback) and two django-q2 clusters (``manage.py qcluster``). It
connects N companies to the sandbox, provisions them (hook, trigger, ERP connection) and runs
their first imports (accepting the link review of the sandbox's own cost types). Then, for the
duration:

- valid traffic, as Procore's users make it (a few events per company per minute): vendor
  exports (``create_vendor``), standard cost code exports (``create_standard_cost_codes``),
  Refresh Vendors (``sync_vendors``), Sync Std. Cost Codes & Cost Types
  (``sync_standard_cost_codes`` + ``sync_standard_categories``), imports of staged vendors
  (``create_vendor_in_procore``), ``link_vendor``, ``unlink_vendor`` and ``merge_vendors``;
  the sandbox delivers each event, a share of them twice;
- re-deliveries of events already delivered, and bad bodies (malformed JSON, wrong secret,
  unknown company, lone surrogate, 1e400, deep nesting, over 64 KiB, loose ids, a missing
  field), sent straight to the endpoint;
- Procore faults, phase after phase, through the sandbox's knobs: 500s, 503s with
  Retry-After, 429s (a tiny spike budget), slow answers, answers slower than the client's read
  timeout, and a full outage;
- every few minutes one of the two worker clusters is killed (SIGKILL on its process group)
  and started again.

Then faults stop, and it waits (bounded) until nothing is pending anywhere, and checks: no event
lost and each stored once, each ERP request processed to success, no duplicate object in the
ERP or in Procore, every Request Detail closed, no dead letter left, every bad body refused
with a 4xx and none stored, every re-delivery answered ``duplicate``, and no 5xx at all. It
prints those with the figures (webhook latency, kills, faults, memory) and exits 1 if a check
failed. Whatever happens, everything it started is stopped (SIGTERM, then SIGKILL).

Retries are shortened (WORK_MAX_ATTEMPTS=3 unless ``--max-attempts`` says otherwise,
WORK_BACKOFF_BASE_SECONDS=5) so that the fault phases really make dead letters within the run,
which must then heal by themselves (the healing runs every 5 minutes, hence the long drain
bound).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import logging
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import free_port, recreate_postgres  # noqa: E402

DB_URL = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/erp_portal_soak")
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/4")
FIRST_COMPANY_ID = 4_300_500_001
CLIENT_ID, CLIENT_SECRET = "soak-portal-app", "soak-portal-secret-0123456789"
BAD_RESOURCE_ID = 9_100_000_000_000  # bad bodies name ERP requests from here up: none may exist
BAD_ULID_PREFIX = "01SOAKBAD"
VENDORS_PER_COMPANY = 40

# Knobs of the sandbox that hold for the whole run: no rate limit but in the 429 phase, a share
# of events delivered twice, and a hook that failed retried within 30 s (Procore waits up to an
# hour; a bounded run cannot).
BASE_KNOBS = {
    "rate_limit_spike": 1_000_000,
    "rate_limit_spike_window": 10,
    "rate_limit_hourly": 100_000_000,
    "webhook_duplicate_share": 0.03,
    "webhook_backoff_cap": 30,
    "webhook_poll_interval": 0.2,
}
NO_FAULT = {"fault_500_share": 0.0, "fault_503_share": 0.0, "latency_ms": 0}
# (name, knobs, seconds) of one cycle of 14 minutes; a shorter run scales it down.
FAULT_PHASES: tuple[tuple[str, dict, float], ...] = (
    ("none", {}, 60),
    ("500s", {"fault_500_share": 0.25}, 90),
    ("none", {}, 45),
    ("outage", {"fault_500_share": 1.0}, 90),
    ("none", {}, 45),
    ("503s", {"fault_503_share": 0.25, "fault_503_retry_after": 3}, 90),
    ("none", {}, 45),
    ("429s", {"rate_limit_spike": 4}, 90),
    ("none", {}, 45),
    ("slow", {"latency_ms": 1500}, 90),
    ("none", {}, 45),
    ("timeouts", {"latency_ms": 21_000}, 45),  # the client's read timeout is 20 s
    ("none", {}, 45),
)


@dataclass
class Options:
    minutes: float
    companies: int
    events_per_minute: float
    kill_every: float
    drain_timeout: float
    web_workers: int
    max_attempts: int
    seed: int

    @property
    def seconds(self) -> float:
        return self.minutes * 60


# -- processes ---------------------------------------------------------------------------------


class Processes:
    """The processes the soak starts, each in its own process group, logging to the run dir."""

    def __init__(self, run_dir: Path, env: dict[str, str]) -> None:
        self.run_dir = run_dir
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], *, extra_env: dict | None = None) -> None:
        log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.running[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches its children
        )
        log.close()

    def pid(self, name: str) -> int:
        return self.running[name].pid

    def kill(self, name: str) -> None:
        """SIGKILL the whole group: the cluster's workers die mid-task, as in a lost machine."""
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.running.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # stragglers, and any orphaned children
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                print(f"warning: process {process.pid} did not end", file=sys.stderr)
        self.running.clear()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def wait_http(url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds:.0f} s") from None
            time.sleep(0.3)


# -- set-up ------------------------------------------------------------------------------------


def environment(web_port: int, max_attempts: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
        PROCORE_ALLOW_LOOPBACK="true",  # the sandbox's base URLs are loopback
        PORTAL_BASE_URL=f"http://127.0.0.1:{web_port}",
        LOG_LEVEL="WARNING",
        Q_WORKERS="2",
        WORK_MAX_ATTEMPTS=str(max_attempts),
        WORK_BACKOFF_BASE_SECONDS="5",
    )
    return env


def guard_names() -> None:
    """Refuse any database or Redis db that is not the soak's own."""
    if "soak" not in DB_URL.rsplit("/", 1)[-1]:
        raise SystemExit(f"SOAK_DATABASE_URL must name a database with 'soak' in it: {DB_URL}")
    if REDIS_URL.rstrip("/").rsplit("/", 1)[-1] in ("", "0"):
        raise SystemExit(f"SOAK_REDIS_URL must name a Redis db other than 0: {REDIS_URL}")


def prepare_servers(env: dict[str, str]) -> None:
    import redis

    recreate_postgres(DB_URL)
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=600
    )


def companies_connect(count: int, sandbox_url: str) -> list[int]:
    """N Procore companies in the sandbox with the app installed, each connected to the portal
    and to its own demo ERP books, provisioned, and with its first imports done."""
    from django.core.management import call_command

    from integrations.models import Company
    from integrations.services.connections import connection_upsert
    from integrations.services.provisioning import connection_provision
    from procore_sandbox.services.tenants import app_install, company_create

    ids = []
    for number in range(count):
        company_id = FIRST_COMPANY_ID + number
        name = f"Soak Builders {number:02d}"
        sandbox_company = company_create(name=name, company_id=company_id)
        app_install(company=sandbox_company, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        connection_upsert(
            procore_company_id=company_id,
            name=name,
            environment="custom",
            login_url=sandbox_url,
            api_url=sandbox_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            adapter_key="demo",
            adapter_settings={"tenant": f"soak-{company_id}"},
            actor_label="soak",
        )
        call_command(
            "seed_demo_erp",
            tenant=f"soak-{company_id}",
            vendors=VENDORS_PER_COMPANY,
            jobs=0,
            stdout=io.StringIO(),
        )
        company = Company.objects.get(procore_company_id=company_id)
        connection_provision(company=company, actor_label="soak")
        first_imports(company)
        ids.append(company_id)
    return ids


def first_imports(company) -> None:
    """Vendors, cost types and standard cost codes, as support does when a company starts: the
    sandbox's own cost types (L, M, E, S, O) wait for the link review (the run that finds them
    logs a warning and fails), which is accepted; the import then goes ahead."""
    from integrations.models import LinkReview, SyncRun
    from integrations.services.link_review import link_review_accept_matches, link_review_apply
    from integrations.services.sync_runs import sync_run_start

    for entity in ("vendors", "standard_categories", "standard_cost_codes"):
        run = sync_run_start(company=company, entity=entity, trigger=SyncRun.Trigger.COMMAND)
        review = LinkReview.objects.filter(company=company, entity=entity).first()
        if review is not None and review.state == LinkReview.State.PENDING:
            link_review_accept_matches(review=review)
            link_review_apply(review=review)
            run = sync_run_start(company=company, entity=entity, trigger=SyncRun.Trigger.COMMAND)
        if run.state != SyncRun.State.SUCCEEDED:
            raise RuntimeError(f"first {entity} import of {company}: {run.state} {run.error}")


def knobs_set(values: dict) -> None:
    from procore_sandbox.services.knobs import knob_set

    for name, value in values.items():
        knob_set(name=name, value=value)


# -- valid traffic -----------------------------------------------------------------------------


class Traffic:
    """Procore's users, pressing the sandbox's buttons: each action makes one or two ERP
    requests whose webhooks the sandbox delivers to the portal."""

    WEIGHTS = {
        "export_vendor": 35,
        "export_std_cost_code": 15,
        "approve_staged_vendor": 15,
        "link_vendor": 8,
        "unlink_vendor": 7,
        "merge_vendors": 5,
        "refresh_vendors": 5,
        "sync_cost_codes": 5,
    }

    def __init__(self, company_ids: list[int], rng: random.Random) -> None:
        self.company_ids = company_ids
        self.rng = rng
        self.serial = 0
        self.done: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()

    def act(self) -> None:
        from procore_sandbox.models import Company
        from procore_sandbox.services.errors import SandboxError

        company = Company.objects.get(id=self.rng.choice(self.company_ids))
        names = list(self.WEIGHTS)
        name = self.rng.choices(names, weights=[self.WEIGHTS[n] for n in names])[0]
        self.serial += 1
        try:
            made = getattr(self, name)(company)
        except SandboxError as exc:  # e.g. nothing staged to import: an ordinary export instead
            self.skipped[f"{name}: {str(exc)[:60]}"] += 1
            made = self.export_vendor(company)
            name = "export_vendor"
        if made:
            self.done[name] += 1

    def _vendor(self, company):
        from procore_sandbox.services.objects import vendor_create

        return vendor_create(company=company, name=f"Soak Vendor {self.serial:06d}")

    def export_vendor(self, company) -> bool:
        from procore_sandbox.services.exports import export_accept, export_send

        export_accept(export=export_send(obj=self._vendor(company)))
        return True

    def export_std_cost_code(self, company) -> bool:
        from procore_sandbox.services.erp_actions import (
            standard_cost_code_create,
            standard_cost_codes_export,
        )

        code = standard_cost_code_create(
            company=company, code=f"9{self.serial:06d}", name=f"Soak code {self.serial}"
        )
        standard_cost_codes_export(company=company, codes=[code])
        return True

    def _staged_vendor(self, company):
        from procore_sandbox.models import StagedRecord
        from procore_sandbox.services.errors import SandboxError
        from procore_sandbox.services.staged_records import import_blocker

        staged = StagedRecord.objects.filter(
            company=company, item_type="vendor", status=StagedRecord.Status.STAGED
        ).order_by("?")[:10]
        for record in staged:
            if import_blocker(record) is None:
                return record
        raise SandboxError("no staged vendor to import")

    def approve_staged_vendor(self, company) -> bool:
        from procore_sandbox.services.staged_records import staged_record_approve

        staged_record_approve(record=self._staged_vendor(company))
        return True

    def link_vendor(self, company) -> bool:
        from procore_sandbox.services.erp_actions import vendor_link

        vendor_link(record=self._staged_vendor(company), vendor=self._vendor(company))
        return True

    def _synced_vendor(self, company):
        from procore_sandbox.models import ProcoreObject
        from procore_sandbox.services.errors import SandboxError

        vendor = (
            ProcoreObject.objects.filter(
                company=company, item_type="vendor", origin_id__isnull=False
            )
            .order_by("?")
            .first()
        )
        if vendor is None:
            raise SandboxError("no synced vendor")
        return vendor

    def unlink_vendor(self, company) -> bool:
        from procore_sandbox.services.erp_actions import unlink

        unlink(obj=self._synced_vendor(company))
        return True

    def merge_vendors(self, company) -> bool:
        from procore_sandbox.services.erp_actions import vendors_merge

        vendors_merge(master=self._synced_vendor(company), sources=[self._vendor(company)])
        return True

    def refresh_vendors(self, company) -> bool:
        from procore_sandbox.services.buttons import button_press

        button_press(company=company, button="refresh_vendors")
        return True

    def sync_cost_codes(self, company) -> bool:
        from procore_sandbox.services.buttons import button_press

        button_press(company=company, button="sync_cost_codes")
        return True


# -- hostile traffic ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    ms: float


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> Answer:
    """One POST on a fresh connection; a server that closes early (413) still gives a status."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        data = response.read()
        return Answer(response.status, data, (time.perf_counter() - started) * 1000)
    except (ConnectionError, http.client.HTTPException, TimeoutError) as exc:
        return Answer(0, repr(exc).encode(), (time.perf_counter() - started) * 1000)
    finally:
        connection.close()


def event_body(company_id: int, serial: int, **overrides) -> dict:
    body = {
        "id": BAD_RESOURCE_ID + serial,
        "ulid": f"{BAD_ULID_PREFIX}{serial:017d}",
        "timestamp": "2026-11-29T12:00:00.000000Z",
        "company_id": company_id,
        "api_version": "v2.0",
        "event_type": "create",
        "resource_name": "ERP Requests",
        "resource_id": BAD_RESOURCE_ID + serial,
    }
    body.update(overrides)
    return body


def bad_body(kind: str, company_id: int, serial: int, secret: str) -> tuple[bytes, dict]:
    """A body the endpoint must refuse with a 4xx, and the headers to send it with."""
    auth = {"Authorization": f"Bearer {secret}"}
    good = event_body(company_id, serial)
    if kind == "malformed_json":
        return json.dumps(good).encode()[:-7], auth
    if kind == "wrong_secret":
        return json.dumps(good).encode(), {"Authorization": "Bearer " + "x" * 43}
    if kind == "no_secret":
        return json.dumps(good).encode(), {}
    if kind == "lone_surrogate":
        text = json.dumps(good).replace(f'"{good["ulid"]}"', '"\\ud800SOAK"')
        return text.encode(), auth
    if kind == "huge_number":
        text = json.dumps(good).replace(
            f'"resource_id": {good["resource_id"]}', '"resource_id": 1e400'
        )
        return text.encode(), auth
    if kind == "deep_nesting":
        return b'{"ulid": "' + good[
            "ulid"
        ].encode() + b'", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", auth
    if kind == "oversized":
        return json.dumps(event_body(company_id, serial, padding="x" * 70_000)).encode(), auth
    if kind == "loose_id_true":
        return json.dumps(event_body(company_id, serial, resource_id=True)).encode(), auth
    if kind == "loose_id_fraction":
        return json.dumps(event_body(company_id, serial, resource_id=1.7)).encode(), auth
    if kind == "loose_id_negative":
        return json.dumps(event_body(company_id, serial, resource_id=-5)).encode(), auth
    if kind == "missing_field":
        del good["resource_name"]
        return json.dumps(good).encode(), auth
    raise ValueError(kind)


BAD_KINDS = (
    "malformed_json",
    "wrong_secret",
    "no_secret",
    "lone_surrogate",
    "huge_number",
    "deep_nesting",
    "oversized",
    "loose_id_true",
    "loose_id_fraction",
    "loose_id_negative",
    "missing_field",
    "unknown_company",
)


@dataclass
class Hostile:
    """Bad bodies and re-deliveries, straight to the endpoint; what each got back."""

    port: int
    company_ids: list[int]
    rng: random.Random
    secrets_by_company: dict[int, str] = field(default_factory=dict)
    bad: Counter[tuple[str, int]] = field(default_factory=Counter)
    redelivered: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    serial: int = 0

    def load_secrets(self) -> None:
        from integrations.models import Connection

        for connection in Connection.objects.select_related("company"):
            self.secrets_by_company[connection.company.procore_company_id] = (
                connection.webhook_secret
            )

    def send_bad(self) -> None:
        self.serial += 1
        kind = BAD_KINDS[self.serial % len(BAD_KINDS)]
        company_id = self.rng.choice(self.company_ids)
        secret = self.secrets_by_company[company_id]
        if kind == "unknown_company":
            body, headers = bad_body("wrong_secret", 999_999_999, self.serial, secret)
            path = "/webhooks/procore/999999999/"
        else:
            body, headers = bad_body(kind, company_id, self.serial, secret)
            path = f"/webhooks/procore/{company_id}/"
        answer = post(self.port, path, body, headers)
        self.bad[(kind, answer.status)] += 1
        self.latencies_ms.append(answer.ms)

    def redeliver(self) -> None:
        """Send again, as Procore might, an event the sandbox delivered already."""
        from procore_sandbox.models import Delivery
        from procore_sandbox.services.representations import event_payload

        delivery = (
            Delivery.objects.filter(status=Delivery.Status.OK)
            .select_related("event", "hook")
            .order_by("-id")[:200]
        )
        chosen = self.rng.choice(list(delivery)) if delivery else None
        if chosen is None:
            return
        payload = event_payload(chosen.event, api_version=chosen.hook.api_version)
        company_id = chosen.event.company_id
        answer = post(
            self.port,
            f"/webhooks/procore/{company_id}/",
            json.dumps(payload).encode(),
            {"Authorization": f"Bearer {self.secrets_by_company[company_id]}"},
        )
        try:
            status = json.loads(answer.body).get("status")
        except ValueError:
            status = None
        self.redelivered[f"{answer.status} {status}"] += 1
        self.latencies_ms.append(answer.ms)


# -- the run -----------------------------------------------------------------------------------


def fault_schedule(seconds: float) -> list[tuple[float, str, dict]]:
    """(start offset, name, knobs) for the whole run: the cycle, scaled down for a short run."""
    cycle = sum(s for _, _, s in FAULT_PHASES)
    scale = min(1.0, seconds / cycle)
    out, at = [], 0.0
    while at < seconds:
        for name, knobs, length in FAULT_PHASES:
            if at >= seconds:
                break
            out.append((at, name, knobs))
            at += length * scale
    return out


@dataclass
class Figures:
    kills: list[str] = field(default_factory=list)
    phases: Counter[str] = field(default_factory=Counter)
    memory_start: dict[str, float] = field(default_factory=dict)
    memory_end: dict[str, float] = field(default_factory=dict)
    drained_in: float | None = None
    load_start: str = ""
    load_end: str = ""
    load_max: float = 0.0


def memory(processes: Processes) -> dict[str, float]:
    return {name: tree_rss_mb(processes.pid(name)) for name in sorted(processes.running)}


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def start_cluster(processes: Processes, name: str) -> None:
    processes.start(name, [sys.executable, "manage.py", "qcluster"])


def run_traffic(
    options: Options,
    processes: Processes,
    traffic: Traffic,
    hostile: Hostile,
    figures: Figures,
) -> None:
    """The timed part: one loop, each kind of action on its own clock."""
    from django.db import close_old_connections

    started = time.monotonic()
    end = started + options.seconds
    action_every = 60 / (options.events_per_minute * options.companies)
    schedule = fault_schedule(options.seconds)
    next_action = next_bad = next_redeliver = started
    next_kill = started + options.kill_every
    next_report = started + 60
    warm = started + min(60.0, options.kill_every / 2)  # every process warm, none killed yet
    cluster_to_kill = "worker-a"
    while (now := time.monotonic()) < end:
        while schedule and started + schedule[0][0] <= now:
            _, name, knobs = schedule.pop(0)
            knobs_set({**NO_FAULT, "rate_limit_spike": BASE_KNOBS["rate_limit_spike"], **knobs})
            figures.phases[name] += 1
            print(f"[{now - started:6.0f} s] faults: {name}", flush=True)
        if now >= next_kill:
            processes.kill(cluster_to_kill)
            figures.kills.append(f"{now - started:.0f}s {cluster_to_kill}")
            print(f"[{now - started:6.0f} s] SIGKILL {cluster_to_kill}", flush=True)
            time.sleep(3)
            start_cluster(processes, cluster_to_kill)
            cluster_to_kill = "worker-b" if cluster_to_kill == "worker-a" else "worker-a"
            next_kill += options.kill_every
        if not figures.memory_start and now >= warm:
            figures.memory_start = memory(processes)
        if now >= next_action:
            traffic.act()
            next_action += action_every
        if now >= next_bad:
            hostile.send_bad()
            next_bad += 2.0
        if now >= next_redeliver:
            hostile.redeliver()
            next_redeliver += 3.0
        if now >= next_report:
            figures.load_max = max(figures.load_max, float(load_average().split()[0]))
            print(
                f"[{now - started:6.0f} s] actions {sum(traffic.done.values())}, "
                f"bad bodies {sum(hostile.bad.values())}, load {load_average()}",
                flush=True,
            )
            close_old_connections()
            next_report += 60
        time.sleep(max(0.0, min(next_action, next_bad, next_redeliver) - time.monotonic()))


def pending_counts() -> dict[str, int]:
    """What is still to do anywhere; all zero means drained."""
    from integrations.models import ERPRequest, ERPRequestDetail, SyncRun
    from integrations.models.erp_requests import OPEN_STATES, GaveUpBecause, WorkState
    from procore_sandbox.models import Delivery, ErpRequestDetail

    unfinished = (*OPEN_STATES, WorkState.PROCESSING)
    return {
        "sandbox deliveries pending": Delivery.objects.filter(
            status=Delivery.Status.PENDING
        ).count(),
        "ERP requests open": ERPRequest.objects.filter(state__in=unfinished).count(),
        "close-outs open": ERPRequestDetail.objects.filter(state__in=unfinished).count(),
        "dead letters waiting to heal": ERPRequest.objects.filter(
            state=WorkState.DEAD,
            gave_up_because__in=(GaveUpBecause.PROCORE, GaveUpBecause.ERP),
        ).count()
        + ERPRequestDetail.objects.filter(
            state=WorkState.DEAD, gave_up_because=GaveUpBecause.PROCORE
        ).count(),
        "Request Details in progress": ErpRequestDetail.objects.filter(
            status=ErpRequestDetail.Status.IN_PROGRESS
        ).count(),
        "import runs unfinished": SyncRun.objects.exclude(state__in=SyncRun.FINISHED).count(),
    }


def drain(options: Options, figures: Figures) -> bool:
    """Wait until nothing is pending (bounded); True if it drained."""
    from django.db import close_old_connections

    started = time.monotonic()
    last_print = 0.0
    while True:
        close_old_connections()
        counts = pending_counts()
        waited = time.monotonic() - started
        if not any(counts.values()):
            figures.drained_in = waited
            print(f"drained in {waited:.0f} s", flush=True)
            return True
        if waited > options.drain_timeout:
            print(f"NOT drained after {waited:.0f} s: {counts}", flush=True)
            return False
        if waited - last_print >= 30:
            print(f"[drain {waited:4.0f} s] {counts}", flush=True)
            last_print = waited
        time.sleep(5)


# -- checks ------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def check_no_event_lost() -> Check:
    """Every ERP request the sandbox made has its row in the portal, and every event the
    sandbox emitted is in the portal's ledger."""
    from integrations.models import ERPRequest, NotificationEvent
    from procore_sandbox.models import ErpRequest, WebhookEvent

    made = set(ErpRequest.objects.values_list("company_id", "id"))
    known = set(ERPRequest.objects.values_list("company__procore_company_id", "procore_request_id"))
    emitted = set(WebhookEvent.objects.values_list("company_id", "ulid"))
    stored = set(NotificationEvent.objects.values_list("company__procore_company_id", "ulid"))
    lost_requests, lost_events = made - known, emitted - stored
    return Check(
        "no event lost",
        not lost_requests and not lost_events,
        f"{len(made)} ERP requests made in Procore, {len(lost_requests)} missing in the portal; "
        f"{len(emitted)} events emitted, {len(lost_events)} missing from the ledger"
        + (f" e.g. {sorted(lost_requests)[:5]}" if lost_requests else ""),
    )


def check_processed_once() -> Check:
    """One row per ERP request and per event (whatever the re-deliveries), and each request
    processed to success."""
    from django.db.models import Count

    from integrations.models import ERPRequest, NotificationEvent
    from integrations.models.erp_requests import WorkState

    twice = (
        ERPRequest.objects.values("company", "procore_request_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    events_twice = (
        NotificationEvent.objects.values("company", "dedupe_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    states = Counter(ERPRequest.objects.values_list("state", flat=True))
    not_ok = list(
        ERPRequest.objects.exclude(state=WorkState.SUCCEEDED).values_list(
            "procore_request_id", "request_name", "state", "last_error"
        )[:5]
    )
    return Check(
        "each ERP request processed once, to success",
        twice == 0 and events_twice == 0 and set(states) <= {WorkState.SUCCEEDED},
        f"states {dict(states)}; requests stored twice {twice}, events stored twice "
        f"{events_twice}" + (f"; not succeeded e.g. {not_ok}" if not_ok else ""),
    )


def check_no_duplicate_objects() -> Check:
    """Each exported vendor and standard cost code is in the ERP once; Procore holds no two
    objects or staged records with the same ERP id, no two standard cost codes with the same
    code, and offers no vendor it holds again on Ready to Import."""
    from django.db.models import Count
    from django.db.models.fields.json import KT

    from erp_adapters.demo.models import DemoCostCode, DemoVendor
    from procore_sandbox.models import ErpRequest, ProcoreObject, StagedRecord

    problems = []
    for model in (DemoVendor, DemoCostCode):
        dup = (
            model.objects.exclude(procore_id=None)
            .values("tenant", "procore_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        if dup:
            problems.append(f"{dup} {model.__name__} procore ids twice")
    exported = 0
    for request in ErpRequest.objects.filter(
        request_name__in=("create_vendor", "create_standard_cost_codes")
    ):
        if request.request_name == "create_vendor":
            ids, model = [request.request_data["vendor"]["id"]], DemoVendor
        else:
            ids, model = [item["id"] for item in request.request_data], DemoCostCode
        for procore_id in ids:
            exported += 1
            found = model.objects.filter(
                tenant=f"soak-{request.company_id}", procore_id=procore_id
            ).count()
            if found != 1:
                problems.append(f"{model.__name__} for Procore id {procore_id}: {found}")
    for label, rows in (
        (
            "Procore objects with the same origin_id",
            ProcoreObject.objects.exclude(origin_id=None).values(
                "company", "item_type", "origin_id"
            ),
        ),
        (
            "staged records with the same origin_id",
            StagedRecord.objects.exclude(status=StagedRecord.Status.ARCHIVED).values(
                "company", "item_type", "origin_id"
            ),
        ),
    ):
        dup = rows.annotate(n=Count("id")).filter(n__gt=1).count()
        if dup:
            problems.append(f"{dup} {label}")
    same_code = (
        ProcoreObject.objects.filter(item_type="standard_cost_code")
        .annotate(full_code=KT("data__full_code"))
        .values("company", "full_code")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if same_code:
        problems.append(f"{same_code} standard cost codes twice in Procore (same full code)")
    # A staged vendor whose ERP id a Procore vendor holds is a second copy on Ready to Import.
    # (After an unlink Procore clears the vendor's ERP id, and offering it again is right.)
    held = set(
        ProcoreObject.objects.filter(item_type="vendor")
        .exclude(origin_id=None)
        .values_list("company_id", "origin_id")
    )
    staged = StagedRecord.objects.filter(item_type="vendor", status=StagedRecord.Status.STAGED)
    offered_again = sum(pair in held for pair in staged.values_list("company_id", "origin_id"))
    if offered_again:
        problems.append(f"{offered_again} vendors Procore holds staged again on Ready to Import")
    return Check(
        "no duplicate objects in the ERP or in Procore",
        not problems,
        f"{exported} exported objects each in the ERP once"
        if not problems
        else "; ".join(problems[:8]),
    )


def check_details_closed() -> Check:
    """Every Request Detail in Procore is closed, and closed success."""
    from procore_sandbox.models import ErpRequestDetail

    statuses = Counter(ErpRequestDetail.objects.values_list("status", flat=True))
    failed = list(
        ErpRequestDetail.objects.exclude(status="success").values_list(
            "id", "erp_request__request_name", "status", "messages"
        )[:3]
    )
    return Check(
        "every Request Detail closed success",
        set(statuses) <= {"success"},
        f"{dict(statuses)}" + (f"; e.g. {failed}" if failed else ""),
    )


def check_no_dead_letters() -> Check:
    """Procore answered again after every fault, so nothing may stay dead: neither requests
    nor close-outs."""
    from integrations.models import ERPRequest, ERPRequestDetail
    from integrations.models.erp_requests import WorkState

    dead = ERPRequest.objects.filter(state=WorkState.DEAD).count()
    dead_closeouts = ERPRequestDetail.objects.filter(state=WorkState.DEAD).count()
    healed = ERPRequest.objects.exclude(redriven_at=None).count()
    return Check(
        "nothing dead that Procore later answered for",
        dead == 0 and dead_closeouts == 0,
        f"dead ERP requests {dead}, dead close-outs {dead_closeouts}; "
        f"requests re-driven after dying {healed}",
    )


def check_bad_bodies(hostile: Hostile) -> Check:
    """Every bad body refused with a 4xx, and none of them stored."""
    from integrations.models import ERPRequest, NotificationEvent

    not_4xx = {k: n for k, n in hostile.bad.items() if not 400 <= k[1] < 500}
    stored = NotificationEvent.objects.filter(ulid__startswith=BAD_ULID_PREFIX).count()
    stored += ERPRequest.objects.filter(procore_request_id__gte=BAD_RESOURCE_ID).count()
    by_kind = Counter()
    for (kind, status), n in hostile.bad.items():
        by_kind[f"{kind} {status}"] += n
    return Check(
        "bad bodies refused with 4xx, none stored",
        not not_4xx and stored == 0 and bool(hostile.bad),
        f"{sum(hostile.bad.values())} sent: {dict(sorted(by_kind.items()))}; stored {stored}",
    )


def check_redeliveries(hostile: Hostile) -> Check:
    total = sum(hostile.redelivered.values())
    return Check(
        "re-deliveries answered 200 duplicate",
        set(hostile.redelivered) <= {"200 duplicate"} and total > 0,
        f"{total} sent: {dict(hostile.redelivered)}",
    )


def access_log(run_dir: Path) -> list[tuple[str, str, int, float]]:
    """(method, path, status, ms) of every request gunicorn answered."""
    rows = []
    for line in (run_dir / "access.log").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2].isdigit():
            rows.append((parts[0], parts[1], int(parts[2]), int(parts[3]) / 1000))
    return rows


def check_no_5xx(rows: list[tuple[str, str, int, float]]) -> Check:
    """No answer of the portal was a 5xx, and the sandbox never had to retry a delivery."""
    from procore_sandbox.models import DeliveryAttempt

    server_errors = Counter(status for _, _, status, _ in rows if status >= 500)
    retried = DeliveryAttempt.objects.exclude(outcome=DeliveryAttempt.Outcome.OK).count()
    return Check(
        "no 5xx, no delivery retried by Procore",
        not server_errors and retried == 0,
        f"{len(rows)} answers, 5xx {dict(server_errors) or 0}; sandbox deliveries not ok {retried}",
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def faults_seen() -> dict[str, int]:
    """What the portal's Procore client met, from its ApiAttempt rows."""
    from integrations.models import ApiAttempt

    statuses = Counter(
        ApiAttempt.objects.filter(status_code__in=(429, 500, 503)).values_list(
            "status_code", flat=True
        )
    )
    seen = {str(code): n for code, n in sorted(statuses.items())}
    seen["timeouts/no answer"] = ApiAttempt.objects.exclude(error="").count()
    seen["answers over 1 s"] = ApiAttempt.objects.filter(duration_ms__gt=1000).count()
    seen["all calls"] = ApiAttempt.objects.count()
    return seen


def report(
    options: Options,
    run_dir: Path,
    traffic: Traffic,
    hostile: Hostile,
    figures: Figures,
    checks: list[Check],
) -> None:
    from procore_sandbox.models import DeliveryAttempt

    rows = access_log(run_dir)
    webhook_ms = [ms for method, path, _, ms in rows if path.startswith("/webhooks/")]
    ok_ms = [ms for method, path, s, ms in rows if path.startswith("/webhooks/") and s == 200]
    delivery_ms = [
        (a.completed_at - a.started_at).total_seconds() * 1000
        for a in DeliveryAttempt.objects.only("started_at", "completed_at")
    ]
    print("\n=== soak figures ===")
    print(
        f"{options.minutes:g} min, {options.companies} companies, "
        f"{options.events_per_minute:g} actions/company/min, gunicorn sync {options.web_workers}, "
        f"2 qclusters × 2 workers, PostgreSQL + Redis; run dir {run_dir}"
    )
    print(
        f"load average: start {figures.load_start}, end {figures.load_end}, max 1-min seen {figures.load_max:.2f}"
    )
    print(f"valid actions: {sum(traffic.done.values())} {dict(traffic.done)}")
    if traffic.skipped:
        print(f"  turned into vendor exports: {dict(traffic.skipped)}")
    print(
        f"sandbox deliveries: {len(delivery_ms)} attempts, p50 {percentile(delivery_ms, 50):.0f} ms, p99 {percentile(delivery_ms, 99):.0f} ms (as Procore saw them)"
    )
    print(
        f"webhook answers (gunicorn): {len(webhook_ms)}, p50 {percentile(webhook_ms, 50):.1f} ms, "
        f"p99 {percentile(webhook_ms, 99):.1f} ms; 200s only: p50 {percentile(ok_ms, 50):.1f} ms, "
        f"p99 {percentile(ok_ms, 99):.1f} ms"
    )
    if hostile.latencies_ms:
        print(
            f"direct sends (client side): {len(hostile.latencies_ms)}, "
            f"p50 {statistics.median(hostile.latencies_ms):.1f} ms, "
            f"p99 {percentile(hostile.latencies_ms, 99):.1f} ms"
        )
    print(f"fault phases: {dict(figures.phases)}; what the client met: {faults_seen()}")
    print(f"worker kills (SIGKILL): {len(figures.kills)} {figures.kills}")
    print(
        f"drained in: {figures.drained_in if figures.drained_in is None else round(figures.drained_in)} s"
    )
    print("memory RSS MB (process trees; killed clusters restarted):")
    for name in sorted(figures.memory_start):
        start, end = figures.memory_start[name], figures.memory_end.get(name, 0.0)
        print(f"  {name:9} start {start:7.1f}  end {end:7.1f}")
    print("\n=== checks ===")
    for check in checks:
        print(f"{'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")


def _give_up(signum: int, frame: object) -> None:
    """The time budget is spent (SIGALRM) or we are told to stop (SIGTERM): unwind, so that the
    ``finally`` stops every process the soak started."""
    raise TimeoutError(f"soak stopped by signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--companies", type=int, default=20)
    parser.add_argument("--events-per-minute", type=float, default=3, help="per company")
    parser.add_argument(
        "--kill-every", type=float, help="seconds (default: 3 min, or a third of a short run)"
    )
    parser.add_argument("--drain-timeout", type=float, default=900, help="seconds")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument(
        "--max-attempts",
        type=int,
        default=3,
        help="WORK_MAX_ATTEMPTS (production: 8); few, so that faults make dead letters",
    )
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    options = Options(
        minutes=args.minutes,
        companies=args.companies,
        events_per_minute=args.events_per_minute,
        kill_every=args.kill_every or min(180.0, args.minutes * 60 / 3),
        drain_timeout=args.drain_timeout,
        web_workers=args.web_workers,
        max_attempts=args.max_attempts,
        seed=args.seed,
    )
    guard_names()
    # However it goes, the run ends: set-up, the timed part, the drain and some slack.
    budget = int(900 + options.seconds + options.drain_timeout + 300)
    signal.signal(signal.SIGALRM, _give_up)
    signal.signal(signal.SIGTERM, _give_up)
    signal.alarm(budget)

    run_dir = Path(tempfile.mkdtemp(prefix=f"soak-{time.strftime('%Y%m%d-%H%M%S')}-"))
    web_port, sandbox_port = free_port(), free_port()
    env = environment(web_port, options.max_attempts)
    processes = Processes(run_dir, env)
    figures = Figures(load_start=load_average())
    rng = random.Random(options.seed)
    try:
        print(f"run dir {run_dir}; preparing {DB_URL} and {REDIS_URL}", flush=True)
        prepare_servers(env)
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        processes.start(
            "sandbox",
            [
                sys.executable,
                "manage.py",
                "procore_sandbox",
                "--port",
                str(sandbox_port),
                "--no-migrate",
            ],
            extra_env={"PROCORE_SANDBOX_ENABLED": "true"},
        )
        os.environ.update(env)
        import django

        django.setup()
        logging.getLogger("integrations.services.sync_run_execution").setLevel(logging.ERROR)
        wait_http(f"{sandbox_url}/sandbox/")
        knobs_set({**BASE_KNOBS, **NO_FAULT})
        processes.start(
            "web",
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                str(options.web_workers),
                "--access-logfile",
                str(run_dir / "access.log"),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
            ],
        )
        wait_http(f"http://127.0.0.1:{web_port}/healthz")
        began = time.monotonic()
        company_ids = companies_connect(options.companies, sandbox_url)
        print(
            f"{len(company_ids)} companies connected and imported in {time.monotonic() - began:.0f} s",
            flush=True,
        )
        start_cluster(processes, "worker-a")
        start_cluster(processes, "worker-b")
        traffic = Traffic(company_ids, rng)
        hostile = Hostile(port=web_port, company_ids=company_ids, rng=rng)
        hostile.load_secrets()
        time.sleep(5)
        run_traffic(options, processes, traffic, hostile, figures)
        knobs_set({**BASE_KNOBS, **NO_FAULT})
        for name in ("worker-a", "worker-b"):
            if name not in processes.running:
                start_cluster(processes, name)
        print("traffic over; faults off; draining", flush=True)
        drained = drain(options, figures)
        figures.memory_end = memory(processes)
        figures.load_end = load_average()
        checks = [
            Check("drained in time", drained, f"bound {options.drain_timeout:.0f} s"),
            check_no_event_lost(),
            check_processed_once(),
            check_no_duplicate_objects(),
            check_details_closed(),
            check_no_dead_letters(),
            check_bad_bodies(hostile),
            check_redeliveries(hostile),
            check_no_5xx(access_log(run_dir)),
        ]
        report(options, run_dir, traffic, hostile, figures, checks)
        return 0 if all(check.ok for check in checks) else 1
    finally:
        signal.alarm(0)
        processes.stop_all()


if __name__ == "__main__":
    sys.exit(main())
