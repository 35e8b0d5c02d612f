"""``manage.py procore_sandbox --port 8001``: the local Procore on its own port.

It serves Procore's API at the root (``/oauth/token``, ``/rest/v1.0/…``), the pages under
``/sandbox/``, and delivers webhooks from a background thread.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from django.urls import clear_url_caches, set_urlconf

from procore_sandbox import conf
from procore_sandbox.server import make_server
from procore_sandbox.services.delivery import runner_start, runner_stop

STANDALONE_URLCONF = "procore_sandbox.standalone_urls"


class Command(BaseCommand):
    help = "Run the local Procore sandbox: API at /, ERP Integrations Tool pages at /sandbox/."
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8001, help="Port to listen on.")
        parser.add_argument(
            "--no-deliveries",
            action="store_true",
            help="Do not run the webhook delivery thread (use `manage.py sandbox deliver`).",
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply pending migrations first."
        )

    def handle(self, *args, **options) -> None:
        if not conf.enabled():
            raise CommandError(
                "The sandbox is disabled: set PROCORE_SANDBOX_ENABLED=1 (it is on by default in "
                "the dev and test settings, off in production)."
            )
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        settings.ROOT_URLCONF = STANDALONE_URLCONF
        clear_url_caches()
        set_urlconf(None)
        host, port = options["host"], options["port"]
        base = f"http://{host}:{port}"
        try:
            server = make_server(host, port, get_wsgi_application())
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"Procore sandbox on {base}\n"
            f"  OAuth:  {base}/oauth/token\n"
            f"  API:    {base}/rest/v1.0/...\n"
            f"  Pages:  {base}/sandbox/\n"
            f"  Webhook deliveries: {'off' if options['no_deliveries'] else 'on'}\n"
            "Quit with CONTROL-C."
        )
        self.stdout.flush()
        if not options["no_deliveries"]:
            runner_start()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            runner_stop()
