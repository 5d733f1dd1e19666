"""The HTTP benchmark's data sets and request mix (see `bench.bench_http`)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
API_KINDS = ("api postcode", "api text")
PAGE_KINDS = ("/search page",)
MILES = (1, 2, 5, 10)
SECRET = "bench-only-secret-key-not-for-production-use-0123456789"


# --- data -----------------------------------------------------------------------------------


def project_env(db_url: str, index_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(
        DATABASE_URL=db_url,
        FLASK_SEARCH_INDEX_DIR=str(index_dir),
        FLASK_SECRET_KEY=SECRET,
        # 16 clients on one address would hit the per-address limits at once.
        FLASK_RATELIMIT_ENABLED="false",
        PYTHONPATH=str(ROOT),
    )
    return env


def _flask(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Run a flask command; (wall seconds, peak memory MB) of that process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{proc.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def _recreate_pg(name: str) -> str:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def _write_geography(env: dict[str, str]) -> None:
    from bench.corpus import write_geography
    from signpost import create_app
    from signpost.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": SECRET, "TESTING": False}
    )
    with app.app_context():
        write_geography()
        db.session.commit()
        db.engine.dispose()


def prepare(folder: Path, n: int, pg_prefix: str | None) -> dict[str, object]:
    """Generate, export and import N services (once per folder); what it measured."""
    marker = folder / "ready.json"
    if marker.exists():
        return json.loads(marker.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    from bench.corpus import write_corpus
    from directory.exporters import export_oruk_json
    from signpost import create_app
    from signpost.extensions import db

    source = folder / "services.json"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'corpus.db'}",
            "SEARCH_INDEX_DIR": str(folder / "corpus-index"),
            "SEARCH_APPLY_INLINE": False,
            "SECRET_KEY": SECRET,
        }
    )
    print(f"  generating and exporting {n:,} services ...", flush=True)
    with app.app_context():
        db.create_all()
        write_corpus(n)
        export_oruk_json(source)
        db.engine.dispose()
    facts: dict[str, object] = {"services": n}
    targets = {"sqlite": f"sqlite:///{folder / 'project.db'}"}
    if pg_prefix:
        targets["postgresql"] = _recreate_pg(f"{pg_prefix}{n}")
    for name, url in targets.items():
        env = project_env(url, folder / f"index-{name}")
        _flask(env, "db", "upgrade")
        _write_geography(env)
        print(f"  flask directory import into {name} ...", flush=True)
        wall, peak = _flask(env, "directory", "import", str(source), "--format", "oruk-json")
        facts[f"import {name}"] = f"{wall:.0f} s, peak {peak:.0f} MB"
        print(f"    {facts[f'import {name}']}", flush=True)
        facts[f"url {name}"] = url
    from bench.http_reference import build_reference

    facts["reference services"] = build_reference(
        str(folder / "ref.db"), str(folder / "project.db")
    )
    marker.write_text(json.dumps(facts, indent=1))
    return facts


def prepare_direct(folder: Path, n: int) -> dict[str, object]:
    """SQLite only, the corpus written straight into the database (no export and import, which
    take most of an hour at 200,000 on a busy 2-core machine); the index from
    ``flask search rebuild``. Reuses a complete corpus database left by an interrupted run."""
    marker = folder / "ready.json"
    if marker.exists():
        return json.loads(marker.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{folder / 'corpus.db'}"
    try:
        with create_engine(url).connect() as c:
            have = c.execute(text("SELECT count(*) FROM service")).scalar()
    except Exception:  # noqa: BLE001 - no usable corpus yet
        have = 0
    if have != n:
        from bench.corpus import write_corpus
        from signpost import create_app
        from signpost.extensions import db

        (folder / "corpus.db").unlink(missing_ok=True)
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_APPLY_INLINE": False, "SECRET_KEY": SECRET}
        )
        print(f"  generating {n:,} services ...", flush=True)
        with app.app_context():
            db.create_all()
            write_corpus(n)
            db.engine.dispose()
    env = project_env(url, folder / "index-sqlite")
    _flask(env, "db", "stamp", "head")
    wall, peak = _flask(env, "search", "rebuild")
    from bench.http_reference import build_reference

    facts: dict[str, object] = {
        "services": n,
        "loaded": "written directly by bench/corpus.py (not imported)",
        "flask search rebuild": f"{wall:.0f} s, peak {peak:.0f} MB",
        "url sqlite": url,
        "reference services": build_reference(str(folder / "ref.db"), str(folder / "corpus.db")),
    }
    marker.write_text(json.dumps(facts, indent=1))
    return facts


def url_mix(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` requests: API by text and postcode, API by text, results page; shuffled."""
    from bench.corpus import build_corpus
    from bench.queries import EVERYDAY, POSTCODE_SOURCE

    rng = random.Random(seed)
    outcodes = sorted({s.outcode for s in build_corpus(POSTCODE_SOURCE, 1)})
    mix: list[tuple[str, str]] = []
    for i in range(count):
        text, out = quote_plus(rng.choice(EVERYDAY)), rng.choice(outcodes)
        miles = rng.choice(MILES)
        kind = ("api postcode", "api text", "/search page")[i % 3]
        if kind == "api postcode":
            path = (
                f"/api/service_at_locations?search={text}&postcode={out}"
                f"&proximity={round(miles * 1609.344)}&per_page=20"
            )
        elif kind == "api text":
            path = f"/api/services?search={text}&per_page=20"
        else:
            path = f"/search?q={text}&where={out}&radius={miles}"
        mix.append((kind, path))
    rng.shuffle(mix)
    return mix
