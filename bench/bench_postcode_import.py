"""Benchmark: import every GB postcode (Code-Point Open 2014, 1.68 million rows) into a fresh DB.

    python bench/bench_postcode_import.py [--postgres postgresql+psycopg://...] [--file PATH]

Target: under 60 s and under 500 MB peak memory. Each measurement runs in its own process so its
peak RSS (``resource.getrusage``) is its own. For comparison, the same run times a naive
reference: row-by-row ORM objects (``session.add`` per row, flushed every 1,000) for the first
50,000 rows, extrapolated to the whole file. This is not a test; nothing here is asserted.
WARNING: ``--postgres`` drops and recreates every table in the database it is given.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "geo" / "codepoint-2014" / "gb_latlon.csv.gz"
REFERENCE_ROWS = 50_000


def _app(url: str):  # noqa: ANN202
    sys.path.insert(0, str(ROOT))
    from signpost import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "SEARCH_INDEX_DIR": tempfile.mkdtemp(prefix="bench-index-"),
        }
    )


def _fresh_schema() -> None:
    from signpost.extensions import db

    db.drop_all()
    db.create_all()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    """This process's CPU time: steadier than wall time when the machine is busy."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_import(url: str, path: str) -> dict:
    """Child process: the real importer, as `flask import-postcodes` runs it."""
    app = _app(url)
    with app.app_context():
        _fresh_schema()
        from search_index.geo_import import import_postcodes

        seen = [0]
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        report = import_postcodes([path], progress=lambda n: seen.__setitem__(0, seen[0] + n))
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
        from sqlalchemy import func, select

        from search_index.geo_models import Outcode, Postcode
        from signpost.extensions import db

        rows = db.session.scalar(select(func.count()).select_from(Postcode))
        outcodes = db.session.scalar(select(func.count()).select_from(Outcode))
    return {
        "rows": rows,
        "outcodes": outcodes,
        "seconds": seconds,
        "skipped": sum(report.skipped.values()),
        "cpu": cpu,
        "peak_rss_mb": _peak_rss_mb(),
    }


def run_reference(url: str, path: str) -> dict:
    """Child process: naive ORM inserts of the first REFERENCE_ROWS rows."""
    app = _app(url)
    with app.app_context():
        _fresh_schema()
        from search_index.geo import normalise_postcode
        from search_index.geo_models import Postcode
        from signpost.extensions import db

        started, cpu_started = time.perf_counter(), _cpu_seconds()
        done = 0
        with (
            gzip.open(path, "rt", newline="")
            if path.endswith(".gz")
            else open(path, newline="") as f
        ):
            for row in csv.DictReader(f):
                postcode = normalise_postcode(row["postcode"])
                if not postcode or not row["latitude"]:
                    continue
                db.session.add(
                    Postcode(
                        postcode=postcode,
                        outcode=postcode.split()[0],
                        latitude=float(row["latitude"]),
                        longitude=float(row["longitude"]),
                        district_code=row["Admin_district_code"] or None,
                    )
                )
                done += 1
                if done % 1000 == 0:
                    db.session.flush()
                if done >= REFERENCE_ROWS:
                    break
        db.session.commit()
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    return {"rows": done, "seconds": seconds, "cpu": cpu, "peak_rss_mb": _peak_rss_mb()}


def _child(kind: str, url: str, path: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--url", url, "--file", path],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print(label: str, result: dict) -> None:
    rate = result["rows"] / result["seconds"]
    print(
        f"{label:<40} {result['rows']:>10,} rows {result['seconds']:>6.1f} s {rate:>9,.0f} rows/s "
        f"(client CPU {result['cpu']:.1f} s) peak RSS {result['peak_rss_mb']:>4.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", default=str(DEFAULT_FILE))
    parser.add_argument("--postgres", help="also run against this (scratch) PostgreSQL URL")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--child", choices=["import", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        runner = run_import if args.child == "import" else run_reference
        print(json.dumps(runner(args.url, args.file)))
        return

    print(
        f"File: {args.file} ({os.path.getsize(args.file) / 1e6:.0f} MB); {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    backends = []
    with tempfile.TemporaryDirectory(prefix="bench-geo-") as tmp:
        backends.append(("SQLite", "sqlite:///" + os.path.join(tmp, "bench.db")))
        if args.postgres:
            backends.append(("PostgreSQL", args.postgres))
        for name, url in backends:
            result = _child("import", url, args.file)
            _print(f"{name}: import-postcodes (all)", result)
            print(
                f"{'':<40} {result['outcodes']:,} outcodes derived; {result['skipped']:,} rows skipped"
            )
            verdict = (
                "meets" if result["seconds"] < 60 and result["peak_rss_mb"] < 500 else "MISSES"
            )
            print(f"{'':<40} {verdict} the target (< 60 s, < 500 MB)")
            if args.skip_reference:
                continue
            ref = _child("reference", url, args.file)
            _print(f"{name}: naive ORM, first {REFERENCE_ROWS:,}", ref)
            estimate = result["rows"] / (ref["rows"] / ref["seconds"])
            print(
                f"{'':<40} extrapolated to all rows: {estimate:,.0f} s "
                f"({estimate / result['seconds']:.1f}x slower than the importer)"
            )


if __name__ == "__main__":
    main()
