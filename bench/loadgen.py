"""A small HTTP/1.1 keep-alive load generator on asyncio streams (no dependencies).

Sends a fixed list of POST bodies over ``concurrency`` connections and records each request's
latency and status. Used by the webhook benchmark, so both the portal's endpoint and the bare
view are driven by the same client in the same run.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> str:
        return (
            f"{self.count} requests in {self.seconds:.2f} s: {self.throughput:.0f} req/s, "
            f"p50 {statistics.median(self.latencies_ms):.1f} ms, p99 {self.percentile(99):.1f} ms, "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


async def _worker(host: str, port: int, path: str, headers: dict[str, str], queue, result) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    try:
        while True:
            try:
                body = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            request = (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            status = int(status_line.split()[1])
            length = 0
            close = False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
                if name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            if length:
                await reader.readexactly(length)
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _run(host, port, path, headers, bodies, concurrency) -> LoadResult:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    result = LoadResult(seconds=0.0)
    started = time.perf_counter()
    await asyncio.gather(
        *(_worker(host, port, path, headers, queue, result) for _ in range(concurrency))
    )
    result.seconds = time.perf_counter() - started
    return result


def run_load(
    *,
    host: str,
    port: int,
    path: str,
    bodies: list[bytes],
    concurrency: int,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    return asyncio.run(_run(host, port, path, headers or {}, bodies, concurrency))
