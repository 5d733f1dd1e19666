"""A small HTTP load generator for the benchmarks: N concurrent clients, one asyncio loop.

Why our own and not ``wrk``: the figures need latency *per kind of request* in one interleaved
mix (API by postcode, API by text, the results page), and every response checked for its
status. wrk reports one latency histogram for a run, and per-request bookkeeping in its Lua
hooks has no timings. One asyncio loop costs a few per cent of a core at the rates measured here
(a few hundred requests a second), the same for every server it drives.

Each client opens a connection per request (``Connection: close``: gunicorn's sync workers
close after every response anyway), so latency includes the wait in the server's queue, which
is what a person behind 15 others waits.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What one run measured."""

    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def done(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def all_ms(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]

    def p(self, share: float, kind: str | None = None) -> float:
        return percentile(self.latencies[kind] if kind else self.all_ms(), share)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


async def _get(host: str, port: int, path: str) -> tuple[int, int]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        body = await reader.read()
    finally:
        writer.close()
    status_line = body.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 else 0
    return status, len(body)


async def _run(
    host: str,
    port: int,
    urls: list[tuple[str, str]],
    clients: int,
    seconds: float | None,
    limit: int | None,
) -> LoadResult:
    result = LoadResult(0.0)
    position = 0
    deadline = None if seconds is None else time.perf_counter() + seconds
    started = time.perf_counter()

    async def client() -> None:
        nonlocal position
        while True:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            if limit is not None and position >= limit:
                return
            kind, path = urls[position % len(urls)]
            position += 1
            start = time.perf_counter()
            try:
                status, _ = await _get(host, port, path)
            except OSError:
                status = 0
            ms = (time.perf_counter() - start) * 1000
            if status == 200:
                result.latencies[kind].append(ms)
            else:
                result.errors[f"{kind} {status}"] += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds = time.perf_counter() - started
    return result


def drive(
    port: int,
    urls: list[tuple[str, str]],
    *,
    clients: int = 16,
    seconds: float | None = None,
    limit: int | None = None,
    host: str = "127.0.0.1",
) -> LoadResult:
    """Send `urls` ((kind, path) in order, wrapping round) from `clients` concurrent clients for
    `seconds`, or until `limit` requests have been sent."""
    return asyncio.run(_run(host, port, urls, clients, seconds, limit))
