"""Paging: reading a page number from a request and counting pages, the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE = 10_000


def page_number(raw: str | None, *, last: int = MAX_PAGE) -> int:
    """A page number from a query string: 1 for anything that is not 1 to `last`."""
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        return 1
    number = int(text)
    return number if 1 <= number <= last else 1


def total_pages(total: int, per_page: int) -> int:
    """How many pages `total` items make (at least 1, so an empty list is "page 1 of 1")."""
    return max(1, -(-max(total, 0) // per_page))


def offset(page: int, per_page: int) -> int:
    """The number of items before `page`."""
    return (max(page, 1) - 1) * per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, the total, and where it sits."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return total_pages(self.total, self.per_page)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
