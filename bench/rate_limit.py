#!/usr/bin/env python
"""How close the Procore client runs to a spike limit without tripping it.

Starts a loopback HTTP server that behaves like Procore's spike limit: a fixed budget of
requests per window (default 20 per 2 s, windows aligned to the clock so ``X-Rate-Limit-Reset``
is exact), ``X-Rate-Limit-Limit/Remaining/Reset`` on every answer and a 429 once the budget is
spent. It also answers ``/oauth/token``. Then the real client (token cache, pacing, retries,
one ApiAttempt row per attempt in a throw-away SQLite database) makes the calls.

    .venv/bin/python bench/rate_limit.py [--calls 400] [--limit 20] [--window 2] [--threads 1]
                                         [--processes 1] [--retry-after]

Prints the achieved rate as a share of the allowed rate and the number of 429s. Goal: at least
90 % of the allowed rate and no more than one 429 per window whose budget was used up.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class SpikeLimit:
    """Fixed windows of ``window`` seconds starting at multiples of ``window`` (Unix time)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.lock = threading.Lock()
        self.used: Counter[int] = Counter()
        self.rejected: Counter[int] = Counter()

    def take(self) -> tuple[bool, int, float]:
        now = time.time()
        index = int(now // self.window)
        reset = (index + 1) * self.window
        with self.lock:
            if self.used[index] < self.limit:
                self.used[index] += 1
                return True, self.limit - self.used[index], reset
            self.rejected[index] += 1
            return False, 0, reset


def make_handler(spike: SpikeLimit, send_retry_after: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: object, headers: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", f"bench-{time.monotonic_ns()}")
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/oauth/token":
                self._send(404, {"errors": "not found"}, {})
                return
            self._send(
                200,
                {
                    "access_token": "bench-token",
                    "token_type": "bearer",
                    "expires_in": 5400,
                    "created_at": int(time.time()),
                },
                {},
            )

        def do_GET(self) -> None:
            allowed, remaining, reset = spike.take()
            headers = {
                "X-Rate-Limit-Limit": str(spike.limit),
                "X-Rate-Limit-Remaining": str(remaining),
                "X-Rate-Limit-Reset": str(math.ceil(reset)),
            }
            if allowed:
                self._send(200, [], headers)
                return
            if send_retry_after:
                headers["Retry-After"] = str(max(1, math.ceil(reset - time.time())))
            self._send(
                429,
                {"errors": "You have surpassed the max number of requests. Please wait."},
                headers,
            )

    return Handler


def setup_django(tmp: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run(args: argparse.Namespace) -> int:
    spike = SpikeLimit(args.limit, args.window)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(spike, args.retry_after))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from integrations.models import ApiAttempt, Company, Connection, ProcoreEnvironment
        from integrations.procore import ProcoreClient
        from integrations.procore.ratelimit import RateLimitRegistry

        company = Company.objects.create(procore_company_id=4_271_122, name="Bench")
        connection = Connection.objects.create(
            company=company,
            environment=ProcoreEnvironment.CUSTOM,
            login_base_url=base,
            api_base_url=base,
            client_id="bench-client",
            client_secret="bench-secret",
        )
        # Warm the token and the first window's headers outside the timed part.
        ProcoreClient(connection).tokens.token()

        per_thread = [args.calls // args.threads] * args.threads
        per_thread[0] += args.calls - sum(per_thread)
        errors: list[BaseException] = []

        # Threads in one worker process share one budget; separate processes each keep their
        # own and learn about the others only from the headers (and the odd 429).
        registries = [RateLimitRegistry() for _ in range(args.processes)]

        def worker(index: int, count: int) -> None:
            from django.db import connections

            try:
                conn = Connection.objects.select_related("company").get(pk=connection.pk)
                registry = registries[index % args.processes]
                with ProcoreClient(conn, rate_limits=registry) as client:
                    for _ in range(count):
                        next(iter(client.list_companies()), None)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        started = time.time()
        threads = [threading.Thread(target=worker, args=(i, n)) for i, n in enumerate(per_thread)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - started
        server.shutdown()

        if errors:
            print(f"FAILED: {errors[0]!r}")
            return 1
        ok = sum(spike.used.values())
        rejected = sum(spike.rejected.values())
        exhausted = sum(1 for used in spike.used.values() if used >= spike.limit)
        worst = max(spike.rejected.values(), default=0)
        allowed_rate = args.limit / args.window
        achieved = (args.calls / elapsed) if elapsed else 0.0
        rate_share = achieved / allowed_rate
        # The first window may already be part gone when the run starts, which flatters the
        # plain rate; the budget share counts every window the run touched as fully allowed.
        touched = set(spike.used) | set(spike.rejected)
        spanned = (max(touched) - min(touched) + 1) if touched else 1
        budget_share = ok / (args.limit * spanned)
        share = min(rate_share, budget_share)
        attempts = ApiAttempt.objects.exclude(path="/oauth/token").count()

    print(
        f"spike limit {args.limit} per {args.window:g} s ({allowed_rate:.1f}/s), "
        f"{args.calls} calls, {args.threads} thread(s) in {args.processes} simulated "
        "process(es), "
        f"429 answers {'with' if args.retry_after else 'without'} Retry-After"
    )
    print(f"elapsed                 {elapsed:.2f} s")
    print(f"achieved rate           {achieved:.2f}/s = {rate_share:.1%} of the allowed rate")
    print(
        f"budget used             {ok} of {args.limit * spanned} allowed in the {spanned} "
        f"windows spanned = {budget_share:.1%}"
    )
    print(f"answers                 {ok} x 200, {rejected} x 429 ({attempts} attempts recorded)")
    print(f"windows used up         {exhausted}; most 429s in one window: {worst}")
    goal = share >= 0.90 and worst <= 1
    print(
        f"goal (>= 90 % of the allowed rate, <= 1 429 per window used up): "
        f"{'met' if goal else 'NOT met'} (share {share:.1%})"
    )
    return 0 if goal else 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="Spread the threads over this many independent rate-limit states, as separate "
        "worker processes would be.",
    )
    parser.add_argument(
        "--retry-after", action="store_true", help="429s carry Retry-After (default: only Reset)"
    )
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
