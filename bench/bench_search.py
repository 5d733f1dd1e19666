"""Search benchmark: build N services, index them, time the query mix against an FTS5 reference.

Run from the project root::

    python -m bench.bench_search --sizes 5000,20000,50000,100000 --queries 240 --db-dir /tmp/signpost-bench

For each N it prints: corpus build time, full index rebuild (services/second), the query mix through
``search_services`` and through the FTS5 reference (p50/p95/p99 and the ratio), the time until an
edit is visible to search, and the memory of a fresh process with the index open doing searches.
Targets (issue 3, N = 50,000): p95 <= 50 ms, rebuild >= 1,000/s, edit visible <= 1 s, RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from bench.fts5_reference import FTS5Reference, percentile
from bench.queries import KINDS, BenchQuery, build_queries

REPO_ROOT = Path(__file__).resolve().parent.parent
WARM_SEED_OFFSET = 1000  # the warm-up sample's seed: same kinds, different queries
TARGETS = {
    "p95_ms": 50.0,
    "rebuild_per_s": 1000.0,
    "edit_s": 1.0,
    "rss_mb": 300.0,
    "ratio": 3.0,
    "page_p95_ms": 100.0,
}


def make_app(db_path: Path, index_dir: Path) -> Flask:
    """An app on its own SQLite file and index folder (search changes applied inline)."""
    from signpost import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(index_dir),
            "SECRET_KEY": "benchmark-only-" + "x" * 32,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    import search_index.models  # noqa: F401  (the outbox table, in case the app has not)
    from search_index import events

    events.register()  # idempotent; the app normally does this itself
    return app


def to_request(q: BenchQuery) -> Any:
    """The engine's SearchRequest for a benchmark query."""
    from search_index import SearchRequest

    return SearchRequest(
        text=q.text,
        where=q.where,
        radius_miles=q.radius_miles,
        term_ids=q.term_slugs,
        free_only=q.free_only,
        day=q.day,
        at_time=q.at_time,
        modes=q.modes,
        age=q.age,
        accessibility=q.accessibility,
    )


@dataclass
class Failed:
    """A query that raised: counted and reported, so one bug does not stop the benchmark."""

    error: str
    hits: tuple[()] = ()
    total: int = 0


def guarded(fn: Callable[[BenchQuery], Any]) -> Callable[[BenchQuery], Any]:
    def call(q: BenchQuery) -> Any:
        try:
            return fn(q)
        except Exception as exc:  # noqa: BLE001 - reported in the summary
            return Failed(f"{type(exc).__name__}: {exc} [{q.describe()}]")

    return call


def time_calls(
    fn: Callable[[BenchQuery], Any],
    queries: Sequence[BenchQuery],
    warmup: int = 1,
    warm_queries: Sequence[BenchQuery] | None = None,
) -> tuple[list[float], list[Any]]:
    """Run `warm_queries` (a different sample of the same kinds, so the timed queries are
    not cached answers) `warmup` times untimed, then the mix once timed; (ms, results)."""
    fn = guarded(fn)
    for _ in range(warmup):
        for q in warm_queries if warm_queries is not None else queries:
            fn(q)
    times, results = [], []
    for q in queries:
        t0 = time.perf_counter()
        results.append(fn(q))
        times.append((time.perf_counter() - t0) * 1000)
    return times, results


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "mean": statistics.fmean(ms) if ms else float("nan"),
        "max": max(ms, default=0.0),
    }


@dataclass
class SizeReport:
    n: int
    corpus_s: float = 0.0
    rebuild_s: float = 0.0
    indexed: int = 0
    ref_build_s: float = 0.0
    engine: dict[str, float] = field(default_factory=dict)
    ref: dict[str, float] = field(default_factory=dict)
    engine_by_kind: dict[str, float] = field(default_factory=dict)
    ref_by_kind: dict[str, float] = field(default_factory=dict)
    engine_errors: list[str] = field(default_factory=list)
    engine_zero: int = 0
    ref_zero: int = 0
    overlap_top5: float = 0.0
    rebuild_cpu_s: float = 0.0
    edit_s: list[float] = field(default_factory=list)
    commit_s: list[float] = field(default_factory=list)
    memory: dict[str, float] = field(default_factory=dict)
    page: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.indexed / self.rebuild_s if self.rebuild_s else 0.0


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the machine may be shared)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_size(
    n: int,
    queries: list[BenchQuery],
    warm: list[BenchQuery],
    workdir: Path,
    seed: int,
    warmup: int,
    results_page: bool,
    reference: bool,
) -> SizeReport:
    from bench.corpus import write_corpus
    from search_index import search_services
    from search_index.sync import rebuild
    from signpost.extensions import db

    rep = SizeReport(n)
    db_path, index_dir, ref_path = (
        workdir / f"signpost-{n}.db",
        workdir / f"index-{n}",
        workdir / f"fts5-{n}.db",
    )
    for p in (db_path, ref_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    app = make_app(db_path, index_dir)
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        write_corpus(n, seed)
        rep.corpus_s = time.perf_counter() - t0
        _say(f"  corpus: {n:,} services written in {rep.corpus_s:.1f} s")

        t0, cpu0 = time.perf_counter(), _cpu_s()
        rep.indexed = rebuild(app)
        rep.rebuild_s = time.perf_counter() - t0
        rep.rebuild_cpu_s = _cpu_s() - cpu0
        _say(
            f"  rebuild: {rep.indexed:,} documents in {rep.rebuild_s:.1f} s = {rep.rate:,.0f}/s "
            f"({rep.rebuild_cpu_s:.1f} CPU s, load average {os.getloadavg()[0]:.1f})"
        )

        engine_ms, engine_res = time_calls(
            lambda q: search_services(to_request(q)), queries, warmup, warm
        )
        rep.engine = summary(engine_ms)
        rep.engine_by_kind = _p95_by_kind(queries, engine_ms)
        rep.engine_zero = sum(1 for r in engine_res if r.total == 0)
        rep.engine_errors = [r.error for r in engine_res if isinstance(r, Failed)]
        if rep.engine_errors:
            _say(f"  engine: {len(rep.engine_errors)} queries FAILED, e.g. {rep.engine_errors[0]}")
        _say(f"  engine: p50 {rep.engine['p50']:.1f} ms, p95 {rep.engine['p95']:.1f} ms")

        if reference:
            ref = FTS5Reference(str(ref_path))
            t0 = time.perf_counter()
            ref.build(str(db_path))
            rep.ref_build_s = time.perf_counter() - t0
            ref_ms, ref_res = time_calls(ref.search, queries, warmup, warm)
            rep.ref = summary(ref_ms)
            rep.ref_by_kind = _p95_by_kind(queries, ref_ms)
            rep.ref_zero = sum(1 for r in ref_res if r.total == 0)
            rep.overlap_top5 = _overlap(engine_res, ref_res)
            ref.close()
            _say(f"  fts5:   p50 {rep.ref['p50']:.1f} ms, p95 {rep.ref['p95']:.1f} ms")

        rep.edit_s, rep.commit_s = edit_visible(engine_res)
        if results_page:
            rep.page = time_results_page(app, queries, warmup, warm)
        db.session.remove()
        db.engine.dispose()
    from search_index.store import close_cached_searchers

    close_cached_searchers()
    rep.memory = memory_probe(db_path, index_dir, len(queries), seed)
    if rep.memory:
        _say(
            f"  fresh process: first search (opens the index) {rep.memory['open_ms']:.0f} ms, "
            f"then cold p50 {rep.memory['cold_p50']:.1f} ms, p95 {rep.memory['cold_p95']:.1f} ms;"
            f" RSS {rep.memory['rss_mb']:.0f} MB, peak {rep.memory['peak_mb']:.0f} MB"
        )
    return rep


def _p95_by_kind(queries: Sequence[BenchQuery], ms: Sequence[float]) -> dict[str, float]:
    return {
        kind: percentile([t for q, t in zip(queries, ms, strict=True) if q.kind == kind], 95)
        for kind in KINDS
    }


def _overlap(engine_res: Sequence[Any], ref_res: Sequence[Any]) -> float:
    """Mean share of the reference's top 5 that the engine also returns in its top 5."""
    shares = []
    for e, r in zip(engine_res, ref_res, strict=True):
        ref_ids = [h.service_id for h in r.hits[:5]]
        if ref_ids:
            eng_ids = {h.service_id for h in e.hits[:5]}
            shares.append(sum(1 for i in ref_ids if i in eng_ids) / len(ref_ids))
    return statistics.fmean(shares) if shares else 0.0


def edit_visible(
    results: Sequence[Any], tries: int = 5, timeout: float = 10.0
) -> tuple[list[float], list[float]]:
    """Rename services to include a new word; seconds from commit start until search finds it."""
    from directory.models import Service
    from search_index import SearchRequest, search_services
    from signpost.extensions import db

    ids = [h.service_id for r in results for h in r.hits][: tries * 7 : 7]
    visible, commits = [], []
    for i, sid in enumerate(ids):
        word = f"zyxquorbit{i}"
        service = db.session.get(Service, sid)
        service.name = f"{service.name} {word}"
        t0 = time.perf_counter()
        db.session.commit()
        commits.append(time.perf_counter() - t0)
        while True:
            found = search_services(SearchRequest(text=word))
            if any(h.service_id == sid for h in found.hits):
                visible.append(time.perf_counter() - t0)
                break
            if time.perf_counter() - t0 > timeout:
                visible.append(float("inf"))
                break
            time.sleep(0.005)
    return visible, commits


def time_results_page(
    app: Flask, queries: Sequence[BenchQuery], warmup: int, warm: Sequence[BenchQuery]
) -> dict[str, float]:
    """Server time of the public results page through the Flask test client, if it exists."""
    rules = {r.rule for r in app.url_map.iter_rules()}
    if "/search" not in rules:
        _say("  results page: no /search route yet; skipped")
        return {}
    client = app.test_client()

    def get(q: BenchQuery) -> int:
        params: dict[str, Any] = {"q": q.text}
        if q.where:
            params.update(where=q.where, radius=f"{q.radius_miles:g}")
        if q.term_slugs:
            params["category"] = q.term_slugs[0]
        if q.free_only:
            params["free"] = "y"
        if q.day is not None:
            params["day"] = str(q.day)
        if q.age is not None:
            params["age"] = str(q.age)
        response = client.get("/search", query_string=params)
        return response.status_code

    ms, codes = time_calls(get, queries, warmup, warm)
    bad = sum(1 for c in codes if c != 200)
    out = {**summary(ms), "non_200": float(bad)}
    _say(f"  results page: p50 {out['p50']:.1f} ms, p95 {out['p95']:.1f} ms ({bad} not 200)")
    return out


def memory_probe(db_path: Path, index_dir: Path, count: int, seed: int) -> dict[str, float]:
    """RSS of a fresh process that opens the app and index and runs the whole mix once."""
    cmd = [
        sys.executable,
        "-m",
        "bench.bench_search",
        "--memory-probe",
        str(db_path),
        str(index_dir),
        "--queries",
        str(count),
        "--seed",
        str(seed),
    ]
    out = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        _say("  memory probe failed:\n" + out.stderr[-2000:])
        return {}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _status_mb(field_name: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_memory_probe(db_path: str, index_dir: str, count: int, seed: int) -> None:
    queries = build_queries(count, seed)  # built before the app, like a module-level constant
    app = make_app(Path(db_path), Path(index_dir))
    from search_index import search_services

    search = guarded(lambda q: search_services(to_request(q)))
    with app.app_context():
        base = _status_mb("VmRSS")
        t0 = time.perf_counter()
        search(queries[0])  # opens the index and builds its in-memory table
        open_ms = (time.perf_counter() - t0) * 1000
        cold = []
        for q in queries[1:]:  # each query seen for the first time in this process
            t0 = time.perf_counter()
            search(q)
            cold.append((time.perf_counter() - t0) * 1000)
        rss = _status_mb("VmRSS")
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (here the
    # benchmark, corpus and all), so it overstated this process's peak.
    print(
        json.dumps(
            {
                "app_rss_mb": round(base, 1),
                "rss_mb": round(rss, 1),
                "peak_mb": round(_status_mb("VmHWM"), 1),
                "open_ms": round(open_ms, 1),
                "cold_p50": round(percentile(cold, 50), 2),
                "cold_p95": round(percentile(cold, 95), 2),
            }
        )
    )


def _say(text: str) -> None:
    print(text, flush=True)


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None or value != value else format(value, spec)


def print_report(reports: list[SizeReport], queries: list[BenchQuery]) -> None:
    kinds = {k: sum(1 for q in queries if q.kind == k) for k in KINDS}
    _say(f"\nQuery mix: {len(queries)} queries: " + ", ".join(f"{k} {c}" for k, c in kinds.items()))
    _say(
        "\nLatency of search_services vs SQLite FTS5 reference (ms; timed queries not seen "
        "before: warmed up on a different sample of the same kinds)"
    )
    head = (
        f"{'N':>8} | {'engine p50':>10} {'p95':>7} {'p99':>7} | {'fts5 p50':>8} {'p95':>7} "
        f"{'p99':>7} | {'p95 ratio':>9} | {'zero hits e/f':>13} | {'top5 overlap':>12}"
    )
    _say(head)
    _say("-" * len(head))
    for r in reports:
        ratio = r.engine["p95"] / r.ref["p95"] if r.ref else float("nan")
        _say(
            f"{r.n:>8,} | {_fmt(r.engine['p50']):>10} {_fmt(r.engine['p95']):>7} "
            f"{_fmt(r.engine['p99']):>7} | {_fmt(r.ref.get('p50')):>8} {_fmt(r.ref.get('p95')):>7} "
            f"{_fmt(r.ref.get('p99')):>7} | {_fmt(ratio, '.2f'):>8}x | "
            f"{f'{r.engine_zero}/{r.ref_zero}':>13} | {r.overlap_top5:>11.0%}"
        )
    for r in reports:
        if r.engine_errors:
            _say(
                f"N = {r.n:,}: {len(r.engine_errors)} engine queries raised (timed as failures); "
                f"first: {r.engine_errors[0]}"
            )
    _say("\nCold: a fresh process, each query seen for the first time (ms)")
    _say(f"{'N':>8} | {'first search (opens index)':>26} | {'cold p50':>8} | {'cold p95':>8}")
    for r in reports:
        if r.memory:
            _say(
                f"{r.n:>8,} | {r.memory.get('open_ms', 0):>26.0f} | "
                f"{r.memory.get('cold_p50', 0):>8.1f} | {r.memory.get('cold_p95', 0):>8.1f}"
            )
    _say("\np95 by query kind, engine / fts5 (ms)")
    _say(f"{'N':>8} | " + " | ".join(f"{k:>18}" for k in KINDS))
    for r in reports:
        _say(
            f"{r.n:>8,} | "
            + " | ".join(
                f"{_fmt(r.engine_by_kind.get(k)):>8} / {_fmt(r.ref_by_kind.get(k)):>7}"
                for k in KINDS
            )
        )
    _say("\nIndexing, freshness and memory")
    head = (
        f"{'N':>8} | {'corpus s':>8} | {'rebuild s':>9} | {'CPU s':>6} | {'svc/s':>7} | "
        f"{'fts5 build s':>12} | "
        f"{'edit visible s (median/max)':>27} | {'RSS MB (app/after/peak)':>23} | {'page p95 ms':>11}"
    )
    _say(head)
    _say("-" * len(head))
    for r in reports:
        edit = f"{statistics.median(r.edit_s):.3f} / {max(r.edit_s):.3f}" if r.edit_s else "-"
        mem = (
            f"{r.memory.get('app_rss_mb', 0):.0f} / {r.memory.get('rss_mb', 0):.0f} / "
            f"{r.memory.get('peak_mb', 0):.0f}"
            if r.memory
            else "-"
        )
        _say(
            f"{r.n:>8,} | {r.corpus_s:>8.1f} | {r.rebuild_s:>9.1f} | {r.rebuild_cpu_s:>6.1f} | "
            f"{r.rate:>7,.0f} | "
            f"{r.ref_build_s:>12.1f} | {edit:>27} | {mem:>23} | {_fmt(r.page.get('p95')):>11}"
        )
    _say(
        "\nTargets at N = 50,000: p95 <= 50 ms, within 3x of FTS5 at p95, rebuild >= 1,000/s, "
        "edit visible <= 1 s, RSS <= 300 MB, results page p95 <= 100 ms."
    )
    for r in reports:
        if r.n == 50_000:
            checks = {
                "p95 <= 50 ms": r.engine["p95"] <= TARGETS["p95_ms"],
                "ratio <= 3x": bool(r.ref) and r.engine["p95"] <= TARGETS["ratio"] * r.ref["p95"],
                "rebuild >= 1,000/s": r.rate >= TARGETS["rebuild_per_s"],
                "edit <= 1 s": bool(r.edit_s) and max(r.edit_s) <= TARGETS["edit_s"],
                "RSS <= 300 MB": bool(r.memory) and r.memory["peak_mb"] <= TARGETS["rss_mb"],
            }
            if r.page:
                checks["page p95 <= 100 ms"] = r.page["p95"] <= TARGETS["page_p95_ms"]
            _say(
                "At 50,000: "
                + ", ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in checks.items())
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="5000,20000,50000",
        help="comma-separated corpus sizes (default 5000,20000,50000)",
    )
    parser.add_argument("--queries", type=int, default=240, help="queries in the mix (>= 200)")
    parser.add_argument(
        "--db-dir",
        default=None,
        help="folder for databases and indexes (default: a temporary folder, removed afterwards)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed passes of a different sample of the mix first",
    )
    parser.add_argument(
        "--results-page",
        action="store_true",
        help="also time the public /search page through the Flask test client",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the FTS5 reference")
    parser.add_argument("--memory-probe", nargs=2, metavar=("DB", "INDEX"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        run_memory_probe(*args.memory_probe, args.queries, args.seed)
        return 0
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes must be whole numbers separated by commas, e.g. 5000,20000")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one size above zero")
    workdir = Path(args.db_dir) if args.db_dir else Path(tempfile.mkdtemp(prefix="signpost-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    queries = build_queries(args.queries, args.seed)
    warm = build_queries(args.queries, args.seed + WARM_SEED_OFFSET)
    _say(
        f"Search benchmark: sizes {sizes}, {len(queries)} queries, seed {args.seed}, "
        f"files in {workdir}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    reports = []
    try:
        for n in sizes:
            _say(f"\nN = {n:,}")
            reports.append(
                run_size(
                    n,
                    queries,
                    warm,
                    workdir,
                    args.seed,
                    args.warmup,
                    args.results_page,
                    not args.no_reference,
                )
            )
    finally:
        if not args.db_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    print_report(reports, queries)
    _say(f"Load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
