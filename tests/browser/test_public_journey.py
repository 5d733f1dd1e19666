"""Search → results → service page → shortlist → print view: with a mouse, with JavaScript
off, and with only a keyboard; axe-core finds no violations; screenshots at two widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def _context(browser: Any, *, javascript: bool = True, viewport: dict[str, int] = DESKTOP) -> Any:
    # bypass_csp lets the test inject axe-core; the pages themselves never need inline script.
    return browser.new_context(java_script_enabled=javascript, viewport=viewport, bypass_csp=True)


def _watch_hosts(page: Any, hosts: set[str]) -> None:
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))


def _axe_violations(page: Any, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
        return r.violations.map(v => v.id + ': ' + v.help + ' @ ' +
            v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | '));
    }""")
    return list(result)


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_journey_with_a_mouse_passes_axe_on_every_page(browser, live_server, axe_source, artifacts):
    context = _context(browser)
    page = context.new_page()
    hosts: set[str] = set()
    _watch_hosts(page, hosts)
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        problems[name] = _axe_violations(page, axe_source)
        _shot(page, artifacts, f"{name}-desktop")

    page.goto(live_server + "/")
    check("home")
    page.fill("#q", "lunch club")
    page.fill("#where", "PE30 1EX")
    page.click("button:has-text('Search')")
    page.wait_for_selector(".results-summary")
    assert "services for ‘lunch club’ within 5 miles of PE30 1EX" in page.inner_text(
        ".results-summary"
    )
    check("results")
    page.click("text=Show these results on a map")
    page.wait_for_selector(".leaflet-marker-icon")
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() >= 2
    assert markers.first.get_attribute("tabindex") == "0"  # keyboard reachable
    check("map")
    page.go_back()
    page.click("h3 >> text=Lynn Lunch Club")
    page.wait_for_selector("h1:has-text('Lynn Lunch Club')")
    check("service")
    page.click("button:has-text('Add to shortlist')")
    page.wait_for_selector("text=Lynn Lunch Club is on your shortlist.")
    page.click("nav >> text=Your shortlist")
    page.wait_for_selector("h1:has-text('Your shortlist')")
    check("shortlist")
    page.click("text=Print your shortlist")
    page.wait_for_selector(".print-item")
    check("print")
    page.emulate_media(media="print")
    assert not page.is_visible(".site-header") and not page.is_visible("footer")
    assert page.is_visible("text=01632 960 010") and page.is_visible("text=lunch@example.org")
    page.emulate_media(media="screen")
    page.goto(live_server + "/suggest")
    check("suggest")
    page.click("button:has-text('Send suggestion')")  # empty: the error summary
    page.wait_for_selector(".error-summary")
    check("suggest-errors")
    page.click(".error-summary a >> nth=0")
    assert page.evaluate("document.activeElement.id") == "name"
    page.goto(live_server + "/search?q=zzqqxx")
    check("no-results")
    context.close()
    assert {h for h in hosts if h} == {urlsplit(live_server).netloc}, hosts
    assert not {name: v for name, v in problems.items() if v}, problems


def test_journey_without_javascript(browser, live_server, artifacts):
    context = _context(browser, javascript=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/")
    _shot(page, artifacts, "home-phone")
    page.fill("#q", "lunch")
    page.fill("#where", "PE30")
    page.click("button:has-text('Search')")
    page.wait_for_selector(".result")
    _shot(page, artifacts, "results-phone")
    page.click("summary:has-text('Filter results')")
    page.check("#free")
    page.click("button:has-text('Apply filters')")
    assert "free=y" in page.url
    page.click("h3 >> text=Lynn Lunch Club")
    _shot(page, artifacts, "service-phone")
    page.click("button:has-text('Add to shortlist')")
    page.goto(live_server + "/shortlist/print")
    assert page.is_visible("text=Lynn Lunch Club")
    _shot(page, artifacts, "print-phone")
    page.goto(live_server + "/search/map?q=lunch&where=PE30")
    assert page.locator(".map-points li").count() >= 2  # the list is the map's fallback
    context.close()


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus (fails if never reached)."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def test_journey_with_only_a_keyboard(browser, live_server):
    context = _context(browser)
    page = context.new_page()
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    _tab_to(page, "#q")
    page.keyboard.type("lunch club")
    page.keyboard.press("Tab")
    page.keyboard.type("PE30 1EX")
    page.keyboard.press("Enter")
    page.wait_for_selector(".results-summary")
    _tab_to(page, "h3 a:has-text('Lynn Lunch Club')")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Lynn Lunch Club')")
    _tab_to(page, "button:has-text('Add to shortlist')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=is on your shortlist")
    _tab_to(page, "nav a:has-text('Your shortlist')")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Your shortlist')")
    _tab_to(page, "a:has-text('Print your shortlist')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".print-item")
    assert "Lynn Lunch Club" in page.inner_text("main")
    context.close()
