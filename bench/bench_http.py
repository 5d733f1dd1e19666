"""Signpost over HTTP against a plain Flask + SQLite FTS5 server, side by side in one run.

    python -m bench.bench_http --sizes 50000,200000 --db-dir /tmp/signpost-http

For each size N it generates N services (`bench/corpus.py`), exports them as ORUK JSON and imports
them with ``flask directory import`` into a SQLite database and a PostgreSQL one; builds the FTS5
reference (`bench/http_reference.py`) from the imported SQLite database; serves all three with
gunicorn (same worker count); then drives them with the same mix of requests from 16 concurrent
clients (`bench/http_load.py`), servers taking turns run by run, and prints requests/s and
latency with the ratios the targets are set in. It also prints each worker's memory and how long
a freshly started worker takes to answer its first search. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.http_data import (
    API_KINDS,
    PAGE_KINDS,
    ROOT,
    VENV_BIN,
    prepare,
    prepare_direct,
    project_env,
    url_mix,
)
from bench.http_load import LoadResult, drive, percentile

# --- servers --------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    app: str
    env: dict[str, str]
    port: int
    workers: int
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self, log_dir: Path) -> Server:
        self.log = log_dir / f"{self.name.replace(' ', '-')}-{self.port}.log"
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "256",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                # The project's gunicorn.conf.py readies each worker before it takes requests;
                # the reference has nothing to ready.
                "--config",
                str(ROOT / ("gunicorn.conf.py" if self.app == "wsgi:app" else "bench/__init__.py")),
                self.app,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"{self.name} did not start: see {self.log}") from None
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within 120 s: see {self.log}")

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()]

    def cpu_seconds(self) -> float:
        """CPU time the workers have used (user + system)."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")

    def memory(self) -> list[dict[str, float]]:
        """Per worker: peak and current resident size, proportional share, private (MB)."""
        out = []
        for pid in self.worker_pids():
            status = _kv(Path(f"/proc/{pid}/status"))
            rollup = _kv(Path(f"/proc/{pid}/smaps_rollup"))
            out.append(
                {
                    "VmHWM": status.get("VmHWM", 0) / 1024,
                    "VmRSS": status.get("VmRSS", 0) / 1024,
                    "Pss": rollup.get("Pss", 0) / 1024,
                    "Private": (rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0))
                    / 1024,
                }
            )
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _kv(path: Path) -> dict[str, float]:
    """kB figures from a /proc status-style file."""
    found: dict[str, float] = {}
    try:
        for line in path.read_text().splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                found[key] = float(parts[0])
    except OSError:
        pass
    return found


def first_search(server: Server, log_dir: Path, urls: list[tuple[str, str]]) -> list[float]:
    """Start the server with one fresh worker, ask /healthz, then time its first searches (ms)."""
    timings = []
    server.start(log_dir)
    try:
        for _, path in urls:
            start = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=60) as r:
                r.read()
            timings.append((time.perf_counter() - start) * 1000)
    finally:
        server.stop()
    return timings


# --- runs -----------------------------------------------------------------------------------


@dataclass
class Tally:
    runs: list[LoadResult] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # server CPU per request, each run

    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)

    def rate(self) -> float:
        return statistics.median(r.per_second for r in self.runs)

    def span(self) -> str:
        rates = [r.per_second for r in self.runs]
        return f"{min(rates):.0f}-{max(rates):.0f}"

    def p(self, share: float) -> float:
        return statistics.median(r.p(share) for r in self.runs)

    def errors(self) -> int:
        return sum(sum(r.errors.values()) for r in self.runs)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def run_size(args: argparse.Namespace, n: int) -> None:
    folder = args.db_dir / f"n{n}"
    print(f"\n== {n:,} services ({folder})", flush=True)
    if args.direct:
        facts = prepare_direct(folder, n)
    else:
        facts = prepare(folder, n, None if args.no_postgres else args.pg_prefix)
    for key, value in facts.items():
        if not key.startswith("url"):
            print(f"  {key}: {value}")
    if args.prepare_only:
        return
    mix = url_mix(args.mix, args.seed)
    api = [u for u in mix if u[0] in API_KINDS]
    pages = [u for u in mix if u[0] in PAGE_KINDS]
    ref_env = {**os.environ, "REFERENCE_DB": str(folder / "ref.db"), "PYTHONPATH": str(ROOT)}

    def servers(port: int, workers: int) -> list[Server]:
        found = [
            Server(
                "signpost sqlite",
                "wsgi:app",
                project_env(str(facts["url sqlite"]), folder / "index-sqlite"),
                port,
                workers,
            )
        ]
        if "url postgresql" in facts and not args.no_postgres:
            found.append(
                Server(
                    "signpost postgresql",
                    "wsgi:app",
                    project_env(str(facts["url postgresql"]), folder / "index-postgresql"),
                    port + 1,
                    workers,
                )
            )
        found.append(
            Server("fts5 reference", "bench.http_reference:app", ref_env, port + 2, workers)
        )
        return found

    print("\n  first search of a new worker (ms; after /healthz; three fresh starts):")
    probe = [api[0], pages[0]]
    for server in servers(args.port + 10, 1):
        api_ms, page_ms = zip(*(first_search(server, folder, probe) for _ in range(3)), strict=True)
        print(
            f"    {server.name:<20} API {statistics.median(api_ms):7.0f}  "
            f"then /search page {statistics.median(page_ms):7.0f}"
        )
    running = [s.start(folder) for s in servers(args.port, args.workers)]
    try:
        for server in running:  # untimed warm-up on a different part of the mix
            drive(server.port, mix[len(mix) // 2 :], clients=args.clients, limit=args.warmup)
        tallies = {(s.name, phase): Tally() for s in running for phase in ("api", "page")}
        for run in range(args.runs):
            order = running[run % len(running) :] + running[: run % len(running)]
            for phase, urls in (("api", api), ("page", pages)):
                offset = (run * 997) % len(urls)
                for server in order:
                    cpu = server.cpu_seconds()
                    result = drive(
                        server.port,
                        urls[offset:] + urls[:offset],
                        clients=args.clients,
                        seconds=args.seconds,
                    )
                    tally = tallies[(server.name, phase)]
                    tally.runs.append(result)
                    tally.cpu_ms.append(
                        (server.cpu_seconds() - cpu)
                        * 1000
                        / max(1, result.done + sum(result.errors.values()))
                    )
            print(f"  run {run + 1}/{args.runs} done", flush=True)
        sequential = {
            s.name: drive(s.port, api[: args.sequential], clients=1, limit=args.sequential)
            for s in running
        }
        report(running, tallies, sequential, args)
    finally:
        for server in running:
            server.stop()


def report(
    running: list[Server],
    tallies: dict[tuple[str, str], Tally],
    sequential: dict[str, LoadResult],
    args: argparse.Namespace,
) -> None:
    print(
        f"\n  {args.clients} clients, {args.workers} gunicorn workers each, {args.runs} runs of "
        f"{args.seconds:.0f} s per server and phase (median of runs; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    print(
        f"  {'':<20} {'phase':<6} {'req/s':>7} {'(range)':>10} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'CPU ms/req':>10} err"
    )
    for server in running:
        for phase in ("api", "page"):
            t = tallies[(server.name, phase)]
            print(
                f"  {server.name:<20} {phase:<6} {t.rate():7.1f} {t.span():>10} "
                f"{t.p(0.5):8.1f} {t.p(0.95):8.1f} {t.cpu():10.1f} {t.errors()}"
            )
    sqlite, ref = running[0].name, running[-1].name
    mine = [s.name for s in running[:-1]]
    print(
        "\n  ratios (targets: req/s >= 1.20x the reference, p95 <= 0.80x; PostgreSQL >= 0.90x SQLite)"
    )
    for phase in ("api", "page"):
        for name in mine:
            a, b = tallies[(name, phase)], tallies[(ref, phase)]
            rate, p95 = a.rate() / b.rate(), a.p(0.95) / b.p(0.95)
            verdict = "met" if rate >= 1.2 and p95 <= 0.8 else "MISSED"
            print(f"    {phase:<5} {name:<20} req/s {rate:.2f}x  p95 {p95:.2f}x  ({verdict})")
        cpu = tallies[(sqlite, phase)].cpu() / tallies[(ref, phase)].cpu()
        print(f"    {phase:<5} server CPU per request, signpost sqlite / reference: {cpu:.2f}x")
        if len(mine) < 2:
            continue
        pg, lite = tallies[(mine[1], phase)], tallies[(sqlite, phase)]
        pg_rate = pg.rate() / lite.rate()
        print(
            f"    {phase:<5} postgresql / sqlite  req/s {pg_rate:.2f}x "
            f"({'met' if pg_rate >= 0.9 else 'MISSED'}); web worker CPU per request "
            f"{pg.cpu() / lite.cpu():.2f}x"
        )
    print(f"\n  sequential API ({args.sequential} requests, one client): p50 / p95 ms")
    for name, result in sequential.items():
        print(f"    {name:<20} {result.p(0.5):6.1f} / {percentile(result.all_ms(), 0.95):6.1f}")
    seq_ratio = sequential[sqlite].p(0.95) / sequential[ref].p(0.95)
    print(f"    signpost sqlite / reference p95: {seq_ratio:.2f}x")
    print("\n  worker memory after the runs, MB (VmHWM peak / VmRSS / Pss / private):")
    for server in running:
        for i, m in enumerate(server.memory()):
            print(
                f"    {server.name:<20} worker {i + 1}: {m['VmHWM']:6.1f} / {m['VmRSS']:6.1f} / "
                f"{m['Pss']:6.1f} / {m['Private']:6.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,200000")
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/signpost-http"))
    parser.add_argument("--pg-prefix", default="speed_http_", help="PostgreSQL database prefix")
    parser.add_argument("--mix", type=int, default=4000, help="requests in the query mix")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of one run")
    parser.add_argument("--warmup", type=int, default=300, help="untimed requests per server")
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-postgres", action="store_true", help="serve SQLite and the reference only"
    )
    parser.add_argument(
        "--direct",
        action="store_true",
        help="SQLite only, services written straight into the database instead of imported",
    )
    parser.add_argument("--port", type=int, default=8610)
    parser.add_argument(
        "--prepare-only", action="store_true", help="build the data sets, then stop"
    )
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        run_size(args, n)


if __name__ == "__main__":
    main()
