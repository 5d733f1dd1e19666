"""Browser tests: Debian's chromium driven by Playwright against a live server on 127.0.0.1.

Never downloads a browser: it uses /usr/bin/chromium (`apt-get install chromium`). The tests skip,
saying why, only when that binary is absent. axe-core comes from npm into build/npm (git-ignored);
it is installed here on first use if .ci/run has not done it already.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from search_index.store import close_cached_searchers
from tests.search_helpers import KINGS_LYNN, add_places

CHROMIUM = os.environ.get("SIGNPOST_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_PATH = Path(
    os.environ.get("AXE_CORE_PATH", ROOT / "build/npm/node_modules/axe-core/axe.min.js")
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"Chromium is not installed at {CHROMIUM} "
                        "(apt-get install chromium chromium-driver)"
                    )
                )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def port() -> int:
    return _free_port()


@pytest.fixture
def app_config(port: int) -> dict[str, Any]:
    return {
        "SERVER_NAME": f"127.0.0.1:{port}",
        "WTF_CSRF_ENABLED": True,
        "MAP_TILE_URL": f"http://127.0.0.1:{port}/no-tiles/{{z}}/{{x}}/{{y}}.png",
        "MAP_TILE_ATTRIBUTION": "No tiles in tests",
    }


@pytest.fixture
def demo(
    app: Any, make_service: Any, make_location: Any, make_taxonomy_term: Any
) -> dict[str, Any]:
    """A small believable area: lunch clubs near King's Lynn, and a phone befriending line."""
    add_places()
    food = make_taxonomy_term("Food and meals", slug="food")
    friends = make_taxonomy_term("Befriending", slug="befriending")
    hall = make_location(
        name="St Faith's Hall",
        latitude=KINGS_LYNN[0],
        longitude=KINGS_LYNN[1],
        accessibility=("wheelchair", "hearing_loop"),
    )
    club = make_service(
        name="Lynn Lunch Club",
        summary="A hot lunch and good company.",
        locations=[hall],
        terms=[food],
        phone="01632 960 010",
        email="lunch@example.org",
        schedules=[(d, "11:30", "14:00") for d in range(5)],
    )
    make_service(
        name="Gaywood Lunch Club",
        summary="Lunch on Wednesdays.",
        terms=[food],
        locations=[make_location(name="Gaywood Hall", latitude=52.76, longitude=0.42)],
    )
    make_service(
        name="Phone Friends",
        summary="A weekly friendly call.",
        terms=[friends],
        with_location=False,
        modes=["phone"],
        areas=["PE30"],
        phone="01632 960 020",
    )
    return {"club": club}


@pytest.fixture
def live_server(app: Any, demo: dict[str, Any], port: int) -> Iterator[str]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)
    server.server_close()
    close_cached_searchers()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install axe-core for the accessibility checks"
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(ROOT / "build/npm"),
                "axe-core@4",
            ],
            check=True,
            timeout=300,
        )
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
