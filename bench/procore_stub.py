#!/usr/bin/env python
"""A stand-in for Procore that answers instantly, for benchmarks that measure the portal's side
of very large pushes (``bench/import_run.py --entity job_costs``: 3,000 sync calls of up to
1,000 items each), where the local sandbox's own per-item bookkeeping would be what is timed.

    python bench/procore_stub.py --port 8123

It answers ``POST /oauth/token`` with a token, every ``PATCH …/sync`` with
``{"entities": [...], "errors": []}`` (each item echoed with a new ``id``, as Procore's sync
actions answer), and every other call with ``[]``. It checks nothing and keeps nothing; the
portal counts its own calls (``ApiAttempt`` rows).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_ids = itertools.count(1_000_000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        return

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def _answer(self, data, status: int = 200) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Request-Id", f"stub-{next(_ids)}")
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        self._body()
        if self.path.startswith("/oauth/token"):
            self._answer(
                {
                    "access_token": "stub-token",
                    "token_type": "Bearer",
                    "expires_in": 5400,
                    "created_at": int(time.time()),
                }
            )
        else:
            self._answer({"id": next(_ids)})

    def do_PATCH(self) -> None:
        body = self._body()
        updates = body.get("updates") if isinstance(body, dict) else body
        entities = [
            {**{k: v for k, v in item.items() if k != "updates"}, "id": next(_ids)}
            for item in (updates or [])
            if isinstance(item, dict)
        ]
        self._answer({"entities": entities, "errors": []})

    def do_GET(self) -> None:
        self._answer([])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
