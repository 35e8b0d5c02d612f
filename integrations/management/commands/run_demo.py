"""Run the demo's processes together (web server, django-q2 worker, local Procore sandbox).

Each child runs in its own process group, so Ctrl-C reaches this supervisor only, and each
child's leader gets exactly one SIGTERM (django-q2's cluster stops its own workers; signalling
them too interrupts that), then its whole group SIGKILL if it has not stopped within ten seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run web server, worker and (optionally) the local Procore sandbox until Ctrl-C."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--web", default="127.0.0.1:8000", help="host:port of the portal")
        parser.add_argument(
            "--sandbox-port", type=int, default=0, help="also run the local Procore sandbox"
        )
        parser.add_argument(
            "--provision-company",
            type=int,
            default=0,
            help="once the sandbox answers, provision this company (Procore company id) in it",
        )

    def handle(self, *args, web: str, sandbox_port: int, provision_company: int, **options) -> None:
        manage = [sys.executable, "manage.py"]
        commands = {
            "web": [*manage, "runserver", "--noreload", web],
            "worker": [*manage, "qcluster"],
        }
        if sandbox_port:
            commands["sandbox"] = [*manage, "procore_sandbox", "--port", str(sandbox_port)]
        children = {
            name: subprocess.Popen(command, start_new_session=True)  # noqa: S603 - fixed argv
            for name, command in commands.items()
        }
        stopping = False
        if sandbox_port and provision_company:
            self._provision_when_up(sandbox_port, provision_company)

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(
                            f"{name} exited with {child.returncode}; stopping the rest"
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            self._stop_all(children)

    def _provision_when_up(self, port: int, company_id: int) -> None:
        """Provisioning talks to the sandbox over HTTP, so it waits for the server to answer."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sandbox/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        try:
            call_command("provision", company=company_id, stdout=self.stdout)
        except (CommandError, SystemExit) as exc:
            self.stderr.write(f"Provisioning the demo company failed: {exc}")

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()  # the leader only: it stops its own workers in order
        deadline = time.monotonic() + 10
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it")
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.stdout.write("Demo stopped.")
