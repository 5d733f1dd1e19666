"""Checks every page fetched through the `page` fixture must pass (as GOV.UK Notify's tests do).

- the HTML parses without a single error (html5lib in strict mode, the way browsers parse);
- the page has a title of its own, beginning "Error: " when it shows an error summary;
- no two elements share an id (labels, error links and ARIA references would point wrongly);
- with CSRF protection on, every form that posts carries a CSRF token.
"""

from __future__ import annotations

from collections import Counter

import html5lib
from bs4 import BeautifulSoup
from html5lib.html5parser import ParseError

SITE_SUFFIX = " – "


class PageProblem(AssertionError):
    """A page failed one of the checks; the message says which and where."""


def check_page(html: str, *, site_name: str, csrf: bool, url: str = "") -> BeautifulSoup:
    """Parse `html`, run every check, and return the parsed page."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(html)
    except ParseError as exc:
        line, column = parser.errors[-1][0] if parser.errors else ("?", "?")
        raise PageProblem(
            f"{url}: HTML does not parse at line {line}, column {column}: {exc}"
        ) from None
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    own = title.removesuffix(f"{SITE_SUFFIX}{site_name}").strip()
    if not own or own == title and title == site_name:
        raise PageProblem(f"{url}: the page has no title of its own ({title!r})")
    if soup.select_one(".error-summary") and not title.startswith("Error: "):
        raise PageProblem(f"{url}: a page showing errors must have a title starting 'Error: '")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    repeated = sorted(name for name, count in ids.items() if count > 1)
    if repeated:
        raise PageProblem(f"{url}: ids used more than once: {', '.join(repeated)}")
    if csrf:
        for form in soup.find_all("form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            if not form.find(
                "input", attrs={"name": lambda n: bool(n) and n.endswith("csrf_token")}
            ):
                action = form.get("action") or "(this page)"
                raise PageProblem(f"{url}: the form posting to {action} has no CSRF token")
    return soup
