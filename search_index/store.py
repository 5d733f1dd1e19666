"""Where the Whoosh index lives on disk, which generation is live, and cached searchers.

Layout of ``SEARCH_INDEX_DIR``::

    CURRENT        the name of the live generation (replaced atomically with os.replace)
    gen-000001/    a Whoosh index
    gen-000002/    the next one, built by ``flask search rebuild`` beside the live one

The last outbox sequence applied is stored as a document inside the index (id ``__meta__``), so
it is committed atomically with the documents it describes.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import weakref
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from search_index.schema import INDEX_FORMAT, META_ID, build_schema

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
GEN_PREFIX = "gen-"


class IndexStore:
    """The index folder: open the live generation, create and publish new ones."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def current_name(self) -> str | None:
        """The live generation's folder name, or None before the first index exists."""
        try:
            name = (self.root / CURRENT_FILE).read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def open(self) -> FileIndex:
        """Open the live index, creating an empty one the first time."""
        name = self.current_name()
        if name is not None and whoosh_index.exists_in(str(self.root / name)):
            return whoosh_index.open_dir(str(self.root / name))
        name, ix = self.new_generation()
        self.publish(name)
        return ix

    def new_generation(self) -> tuple[str, FileIndex]:
        """Create an empty index in a new folder beside the live one (not yet live)."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [
            int(p.name[len(GEN_PREFIX) :])
            for p in self.root.glob(GEN_PREFIX + "*")
            if p.name[len(GEN_PREFIX) :].isdigit()
        ]
        name = f"{GEN_PREFIX}{max(numbers, default=0) + 1:06d}"
        path = self.root / name
        path.mkdir()
        return name, whoosh_index.create_in(str(path), build_schema())

    def publish(self, name: str) -> None:
        """Make `name` the live generation in one atomic rename, then tidy old ones."""
        tmp = self.root / (CURRENT_FILE + ".tmp")
        with open(tmp, "w") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / CURRENT_FILE)
        self._remove_old(keep={name})

    def _remove_old(self, keep: set[str]) -> None:
        # Keep the live generation and the one before it (open searchers may still read it).
        gens = sorted(p for p in self.root.glob(GEN_PREFIX + "*") if p.is_dir())
        live = [p for p in gens if p.name in keep]
        older = [p for p in gens if p.name not in keep and (not live or p.name < live[0].name)]
        for path in older[:-1]:
            shutil.rmtree(path, ignore_errors=True)


def last_seq(searcher: Searcher) -> int:
    """The last outbox sequence this index has applied (0 for a new index)."""
    fields = searcher.document(id=META_ID)
    return int(fields["seq"]) if fields and fields.get("seq") is not None else 0


def index_format(searcher: Searcher) -> int:
    """The format the index was written in (see `search_index.schema.INDEX_FORMAT`)."""
    if "format" not in searcher.schema:
        return 1  # written before the format was recorded
    fields = searcher.document(id=META_ID)
    if fields is None:
        return INDEX_FORMAT if searcher.doc_count_all() == 0 else 1
    return int(fields.get("format") or 1)


class _SearcherCache(threading.local):
    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, FileIndex, Searcher]] = {}


_cache = _SearcherCache()


def _close_quietly(searcher: Searcher) -> None:
    try:
        searcher.close()
    except Exception:  # noqa: BLE001 - already closed; nothing else to release
        log.debug("Search index searcher was already closed", exc_info=True)


def _new_searcher(ix: FileIndex) -> Searcher:
    """A searcher for this thread, closed when the thread ends if nobody closed it before.

    Segment files are plain open files: a thread-per-request server would otherwise leave
    them for the garbage collector (and warn) after each request thread.
    """
    searcher = ix.searcher()
    searcher.__dict__["_signpost_finalizer"] = weakref.finalize(
        threading.current_thread(), _close_quietly, searcher
    )
    return searcher


def _close(searcher: Searcher) -> None:
    finalizer = searcher.__dict__.pop("_signpost_finalizer", None)
    if finalizer is not None:
        finalizer.detach()
    _close_quietly(searcher)


def cached_searcher(root: str) -> Searcher:
    """A searcher on the live generation, reused until the index changes (per thread)."""
    store = IndexStore(root)
    name = store.current_name()
    entry = _cache.entries.get(root)
    if entry is not None and name is not None and entry[0] == name:
        _, ix, searcher = entry
        if searcher.up_to_date():
            return searcher
        # A fresh reader, not Searcher.refresh(): refresh re-uses segment readers and can
        # miss deletions made in a segment it re-uses.
        fresh = _new_searcher(ix)
        _close(searcher)
        _cache.entries[root] = (name, ix, fresh)
        return fresh
    ix = store.open()
    name = store.current_name() or ""
    searcher = _new_searcher(ix)
    if entry is not None:
        _close(entry[2])
    _cache.entries[root] = (name, ix, searcher)
    return searcher


def close_cached_searchers() -> None:
    """Close this thread's cached searchers (tests, shutdown)."""
    for _, _, searcher in _cache.entries.values():
        _close(searcher)
    _cache.entries.clear()
