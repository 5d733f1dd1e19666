"""Benchmarks for issue 7: libraries import, a large ORUK JSON import, and ORUK API latency.

    /work/venv/bin/python -m bench.bench_api_import [--services 50000] [--requests 300]

Prints: the UK libraries import (geocoding and search indexing included), the import of N services
from ORUK JSON (generated with bench/corpus.py, then exported by our exporter; indexing included),
and p50/p95 of GET /api/services and GET /api/services/{id} at N services. Targets: libraries
<= 15 s, 50,000 services <= 90 s, /api/services p95 <= 50 ms, /api/services/{id} p95 <= 20 ms.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask

from signpost import create_app
from signpost.extensions import db

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
LIBRARIES = SHARED / "directory" / "uk_public_libraries.csv"
CODEPOINT = SHARED / "geo" / "codepoint-2014" / "gb_latlon.csv.gz"


def make_app(folder: Path, name: str) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / name}.db",
            "SEARCH_INDEX_DIR": str(folder / f"{name}-index"),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )


def load_library_postcodes() -> int:
    """Postcode rows for the libraries' postcodes only (the full file is not needed here)."""
    from search_index.geo import normalise_postcode
    from search_index.geo_models import Postcode

    with LIBRARIES.open(newline="", encoding="utf-8-sig") as handle:
        wanted = {normalise_postcode(r["Postcode"]) for r in csv.DictReader(handle)}
    rows = []
    with gzip.open(CODEPOINT, "rt", newline="", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            code = normalise_postcode(r["postcode"])
            if code in wanted:
                rows.append(
                    {
                        "postcode": code,
                        "outcode": code.split()[0],
                        "latitude": float(r["latitude"]),
                        "longitude": float(r["longitude"]),
                    }
                )
    db.session.execute(Postcode.__table__.insert(), rows)
    db.session.commit()
    return len(rows)


def bench_libraries(folder: Path) -> None:
    from bench.corpus import write_geography
    from directory.import_cli import run_import

    app = make_app(folder, "libraries")
    with app.app_context():
        db.create_all()
        write_geography()
        found = load_library_postcodes()
        start, cpu = time.perf_counter(), time.process_time()
        summary = run_import(LIBRARIES, "uk-libraries")
        took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        again = run_import(LIBRARIES, "uk-libraries")
        again_wall, again_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"libraries: {summary} ({found} postcodes known) in {took:.1f} s, CPU {took_cpu:.1f} s "
        f"(target <= 15 s); re-import: {again} in {again_wall:.1f} s, CPU {again_cpu:.1f} s"
    )


def make_json(folder: Path, n: int) -> Path:
    from bench.corpus import write_corpus
    from directory.exporters import export_oruk_json

    app = make_app(folder, "corpus")
    app.config["SEARCH_APPLY_INLINE"] = False
    with app.app_context():
        db.create_all()
        write_corpus(n)
        path = folder / "services.json"
        export_oruk_json(path)
    return path


def timed_requests(app: Flask, urls: list[tuple[str, str]]) -> dict[str, list[float]]:
    """Time each (kind, url) once after an untimed pass over the first 20; ms by kind."""
    client = app.test_client()
    for _, url in urls[:20]:
        client.get(url)
    by_kind: dict[str, list[float]] = {}
    for kind, url in urls:
        start = time.perf_counter()
        response = client.get(url)
        by_kind.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return by_kind


def percentile(ms: list[float], share: float) -> float:
    ordered = sorted(ms)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def report(label: str, by_kind: dict[str, list[float]], target: float) -> None:
    every = [m for ms in by_kind.values() for m in ms]
    p95 = percentile(every, 0.95)
    print(
        f"{label}: {len(every)} requests, p50 {statistics.median(every):.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(every):.1f} ms (target p95 <= {target:.0f} ms: "
        f"{'met' if p95 <= target else 'MISSED'})"
    )
    if len(by_kind) > 1:
        for kind, ms in sorted(by_kind.items()):
            print(
                f"    {kind:<22} n={len(ms):<4} p50 {statistics.median(ms):6.1f} ms  "
                f"p95 {percentile(ms, 0.95):6.1f} ms"
            )


# The /api/services mix: (kind, share). Listing pages first, middle and last, a few filters and
# text search, as a consumer walking or querying the directory would ask.
LIST_MIX = (
    ("page first", 0.15),
    ("page middle", 0.2),
    ("page last", 0.15),
    ("page middle x100", 0.05),
    ("taxonomy_term_id", 0.1),
    ("age", 0.1),
    ("day", 0.05),
    ("day+start_time", 0.05),
    ("search", 0.15),
)
SEARCH_WORDS = (
    "lunch club",
    "befriending",
    "food bank",
    "dementia",
    "advice",
    "walking",
    "carers",
    "debt",
    "youth",
    "yoga",
    "library",
    "mental health",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def list_urls(app: Flask, requests: int, rng: random.Random) -> list[tuple[str, str]]:
    """The /api/services mix; a filtered query asks for its first, a middle or its last page."""
    from directory.models import TaxonomyTerm

    terms = list(db.session.scalars(db.select(TaxonomyTerm.id).order_by(TaxonomyTerm.id)))
    client = app.test_client()
    pages_of: dict[str, int] = {}

    def pages(query: str) -> int:  # untimed: how many pages the query has
        if query not in pages_of:
            pages_of[query] = client.get(f"/api/services?{query}").get_json()["total_pages"]
        return pages_of[query]

    def any_page(query: str) -> str:
        last = pages(query)
        page = rng.choice((1, rng.randint(1, last), last))
        return f"/api/services?{query}&page={page}"

    kinds, weights = zip(*LIST_MIX, strict=True)
    urls = []
    for kind in rng.choices(kinds, weights, k=requests):
        if kind.startswith("page"):
            per_page = 100 if kind.endswith("x100") else 20
            query = f"per_page={per_page}"
            last = pages(query)
            page = {"page first": 1, "page last": last}.get(kind) or rng.randint(
                2, max(2, last - 1)
            )
            url = f"/api/services?{query}&page={page}"
        elif kind == "taxonomy_term_id":
            url = any_page(f"taxonomy_term_id={rng.choice(terms)}")
        elif kind == "age":
            low = rng.choice((0, 5, 11, 16, 18, 25, 50, 65, 80))
            url = any_page(f"minimum_age={low}&maximum_age={low + rng.choice((0, 5, 20))}")
        elif kind == "day":
            url = any_page(f"day={rng.choice(DAYS)}")
        elif kind == "day+start_time":
            url = any_page(
                f"day={rng.choice(DAYS)}&start_time={rng.choice(('09:30', '14:00', '19:00'))}"
            )
        else:
            url = any_page(f"search={rng.choice(SEARCH_WORDS).replace(' ', '+')}")
        urls.append((kind, url))
    return urls


def bench_api(app: Flask, requests: int) -> None:
    """p50/p95 of the /api/services mix and of /api/services/{id} for random public services."""
    from directory.models import Service
    from directory.operations import public_services_filter

    with app.app_context():
        rng = random.Random(7)
        ids = list(
            db.session.scalars(
                db.select(Service.id).where(public_services_filter()).order_by(Service.id)
            )
        )
        lists = list_urls(app, requests, rng)
        ones = [("one service", f"/api/services/{rng.choice(ids)}") for _ in range(requests)]
        print(
            f"API at {len(ids)} public services (load average now "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}):"
        )
        report("GET /api/services (mix)", timed_requests(app, lists), 50)
        report("GET /api/services/{id}", timed_requests(app, ones), 20)


def bench_services(folder: Path, n: int, requests: int) -> None:
    from bench.corpus import write_geography
    from directory.import_cli import run_import

    path = make_json(folder, n)
    app = make_app(folder, "imported")
    with app.app_context():
        db.create_all()
        write_geography()
        start, cpu = time.perf_counter(), time.process_time()
        summary = run_import(path, "oruk-json")
        took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"oruk-json import of {n} services: {summary} in {took:.1f} s, CPU {took_cpu:.1f} s "
            f"(target <= 90 s at 50,000; wall time is skewed by other load on a shared "
            f"machine, CPU time is this process alone)"
        )
    bench_api(app, requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--skip-libraries", action="store_true")
    parser.add_argument(
        "--db-dir", type=Path, help="work here and keep the databases (default: a temporary folder)"
    )
    parser.add_argument(
        "--api-only",
        action="store_true",
        help="only time the API, on the imported database an earlier run left in --db-dir",
    )
    args = parser.parse_args()
    if args.api_only:
        if args.db_dir is None:
            parser.error("--api-only needs --db-dir")
        bench_api(make_app(args.db_dir, "imported"), args.requests)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.db_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.skip_libraries:
            bench_libraries(folder)
        bench_services(folder, args.services, args.requests)


if __name__ == "__main__":
    main()
