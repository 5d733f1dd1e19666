"""Keeping the index in step with the database: apply the outbox, rebuild, report status."""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from whoosh.index import FileIndex, LockError
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from directory.models import ModerationState, Service, ServiceStatus
from search_index.bulk_load import TermTree, load_documents
from search_index.models import IndexOutbox
from search_index.schema import (
    INDEX_FORMAT,
    META_ID,
    load_services,
    plain_word_counts,
    service_document,
)
from search_index.store import IndexStore, cached_searcher, index_format, last_seq
from search_index.table import search_table, write_table
from search_index.writing import segment_writer
from signpost.extensions import db
from signpost.types import utcnow

log = logging.getLogger(__name__)

BATCH = 1000
VOCAB_PREFIX = "__vocab__:"
_WORD = re.compile(r"\w+(?:\.?\w+)*")  # the spelling field's tokenizer (StandardAnalyzer)
# A gap in the sequence may be a transaction still in flight (its rows will appear) or one that
# rolled back (they never will). Rows after a gap are applied at once, but the recorded position
# only moves past the gap once the rows after it are this old.
GAP_GRACE = timedelta(seconds=60)
PUBLIC_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
PARALLEL_PROCESSES = 2
REBUILD_LIMIT_MB = 512
"""Postings each writing process sorts in memory before spilling sorted runs to disk (merging
runs back is slow): 512 MB holds about 50,000 services' postings per process."""
PARALLEL_MIN_SERVICES = 5000
"""Rebuilds of at least this many services write two segments in two processes."""
AUTO_REBUILD_MAX_DOCUMENTS = 2000
"""An index in an older format with at most this many documents is rebuilt on first use
(a few seconds); a bigger one is refused until `flask search rebuild` is run."""


class IndexNeedsRebuild(RuntimeError):
    """The live index was written in another format; searching it could give wrong results."""


def rebuild_message(found: int) -> str:
    return (
        f"The search index needs rebuilding: it was built in format {found} and this "
        f"version of Signpost reads format {INDEX_FORMAT}. Run `flask search rebuild`."
    )


def store_for(app: Flask) -> IndexStore:
    return IndexStore(app.config["SEARCH_INDEX_DIR"])


def _public_ids(session: Session, ids: Sequence[str]) -> set[str]:
    rows = session.scalars(
        select(Service.id).where(
            Service.id.in_(list(ids)),
            Service.status.in_(PUBLIC_STATUSES),
            Service.moderation_state == ModerationState.APPROVED,
        )
    )
    return set(rows)


def write_services(writer: SegmentWriter, session: Session, ids: Sequence[str]) -> int:
    """Upsert the public ones among `ids`, delete the rest. Returns documents written."""
    ids = list(dict.fromkeys(ids))
    public = _public_ids(session, ids)
    for sid in ids:
        if sid not in public:
            writer.delete_by_term("id", sid)
    written = 0
    for service in load_services(session, sorted(public)):
        writer.update_document(**service_document(service))
        written += 1
    return written


def _plan(rows: Sequence[IndexOutbox], start: int) -> int:
    """The new recorded position after applying `rows` (see GAP_GRACE)."""
    mark = start
    now = utcnow()
    for row in rows:
        if row.seq == mark + 1 or now - row.created_at > GAP_GRACE:
            mark = row.seq
        else:
            break
    return mark


def _apply_batches(ix: FileIndex, session: Session, writer: SegmentWriter) -> int:
    """Apply outbox rows with the write lock held; commits `writer`. Returns rows applied."""
    applied = 0
    while True:
        with ix.searcher() as searcher:
            start = last_seq(searcher)
            found = index_format(searcher)
        if found != INDEX_FORMAT:
            # Documents in this code's shape would be mixed with the old ones: leave the rows
            # for the rebuild (it starts from the newest row and catches up).
            log.warning(rebuild_message(found))
            writer.cancel()
            return applied
        rows = list(
            session.scalars(
                select(IndexOutbox)
                .where(IndexOutbox.seq > start)
                .order_by(IndexOutbox.seq)
                .limit(BATCH)
            )
        )
        if not rows:
            writer.cancel()
            return applied
        write_services(writer, session, [r.service_id for r in rows])
        mark = _plan(rows, start)
        writer.update_document(id=META_ID, seq=mark, format=INDEX_FORMAT)
        writer.commit()
        applied += len(rows)
        session.expire_all()
        if mark == start or len(rows) < BATCH:
            return applied
        try:
            writer = segment_writer(ix, timeout=0.0, compound=False)
        except LockError:
            return applied


def apply_pending(app: Flask, *, wait: bool = False) -> int:
    """Apply outbox rows not yet in the index. Never waits for the lock unless `wait`.

    If another process holds the index's write lock, it leaves the rows for that process (which
    checks again after releasing). Returns how many outbox rows were applied.
    """
    store = store_for(app)
    total = 0
    for _ in range(5):  # re-check after releasing: rows may have arrived while we held the lock
        ix = store.open()
        try:
            writer = segment_writer(ix, timeout=30.0 if wait else 0.0, compound=False)
        except LockError:
            return total
        with Session(bind=db.engine) as session:
            try:
                applied = _apply_batches(ix, session, writer)
            except BaseException:
                if not writer.is_closed:
                    writer.cancel()
                raise
        total += applied
        if not applied or not pending_count(app):
            return total
    return total


def pending_count(app: Flask) -> int:
    """Outbox rows after the index's recorded position."""
    with store_for(app).open().searcher() as searcher:
        seq = last_seq(searcher)
    with Session(bind=db.engine) as session:
        return (
            session.scalar(
                select(func.count()).select_from(IndexOutbox).where(IndexOutbox.seq > seq)
            )
            or 0
        )


def rebuild(app: Flask, *, batch: int = BATCH) -> int:
    """Build a fresh index beside the live one, swap it in atomically, then catch up.

    Searches keep using the old index until the swap. Returns the number of documents written.
    """
    store = store_for(app)
    with Session(bind=db.engine) as session:
        start = session.scalar(select(func.max(IndexOutbox.seq))) or 0
        ids = list(
            session.scalars(
                select(Service.id)
                .where(
                    Service.status.in_(PUBLIC_STATUSES),
                    Service.moderation_state == ModerationState.APPROVED,
                )
                .order_by(Service.id)
            )
        )
        procs = min(PARALLEL_PROCESSES, os.cpu_count() or 1)
        if len(ids) < PARALLEL_MIN_SERVICES:
            procs = 1
        name, written = _build(store, session, ids, start, batch, procs)
        if written is None:
            log.warning("The parallel index build lost documents; building again in one process.")
            shutil.rmtree(store.root / name, ignore_errors=True)
            name, written = _build(store, session, ids, start, batch, 1)
        if written is None:  # pragma: no cover - a single process writes every document
            raise RuntimeError("The search index build did not write every document.")
    store.publish(name)
    apply_pending(app, wait=True)
    return written


def _build(
    store: IndexStore, session: Session, ids: list[str], start: int, batch: int, procs: int
) -> tuple[str, int | None]:
    """Write a new generation; (its name, services written), or None written when the
    finished index does not hold every document added (then it must not be published)."""
    name, ix = store.new_generation()
    written = added = 0
    # Separate files, not one compound file: Whoosh copies a compound file's parts into
    # memory in every process that reads them. With procs > 1, each process writes its own
    # segment (no single-threaded merge at the end).
    options: dict[str, Any] = {"limitmb": REBUILD_LIMIT_MB, "compound": False}
    if procs > 1:
        options.update(procs=procs, multisegment=True)
    writer = segment_writer(ix, **options)
    try:
        tree = TermTree(session)
        for i in range(0, len(ids), batch):
            words: Counter[str] = Counter()
            for doc in load_documents(session, ids[i : i + batch], tree):
                words.update(_WORD.findall(doc.pop("spell").lower()))
                writer.add_document(**doc)
                written += 1
            # One "did you mean" vocabulary document per batch instead of a copy of every
            # service's words: the same word frequencies, a fraction of the postings.
            writer.add_document(id=f"{VOCAB_PREFIX}{i}", spell=plain_word_counts(words))
            added += 1
            session.expunge_all()
        writer.add_document(id=META_ID, seq=start, format=INDEX_FORMAT)
        writer.commit(optimize=procs == 1)
    except BaseException:
        writer.cancel()
        raise
    with ix.searcher() as searcher:
        complete = searcher.doc_count_all() == written + added + 1
        if complete:
            # Part of the generation, so it is published (and later removed) with it.
            write_table(searcher, store.root / name)
    return name, written if complete else None


def live_searcher(app: Flask) -> Searcher:
    """A cached searcher on the live index, after making sure it is in this code's format.

    An index in another format is rebuilt on the spot when small (at most
    AUTO_REBUILD_MAX_DOCUMENTS documents); otherwise this logs and raises IndexNeedsRebuild.
    """
    root = app.config["SEARCH_INDEX_DIR"]
    searcher = cached_searcher(root)
    if searcher.__dict__.get("_signpost_format_ok"):
        return searcher
    found = index_format(searcher)
    if found != INDEX_FORMAT:
        if searcher.doc_count() > AUTO_REBUILD_MAX_DOCUMENTS:
            log.error(rebuild_message(found))
            raise IndexNeedsRebuild(rebuild_message(found))
        log.warning(
            "Rebuilding the search index: it was built in format %s and this version "
            "reads format %s.",
            found,
            INDEX_FORMAT,
        )
        rebuild(app)
        searcher = cached_searcher(root)
        found = index_format(searcher)
        if found != INDEX_FORMAT:  # pragma: no cover - rebuild always writes the format
            raise IndexNeedsRebuild(rebuild_message(found))
    searcher.__dict__["_signpost_format_ok"] = True
    return searcher


@dataclass(frozen=True)
class IndexStatus:
    """What `flask search status` reports."""

    generation: str | None
    documents: int
    last_seq: int
    newest_seq: int
    lag: int
    format: int = INDEX_FORMAT
    """The format the live index was written in."""

    @property
    def needs_rebuild(self) -> bool:
        """True when the live index is in another format than this code reads."""
        return self.format != INDEX_FORMAT


def index_status(app: Flask) -> IndexStatus:
    """Documents in the live index, the last sequence applied, and rows still to apply."""
    store = store_for(app)
    ix = store.open()
    with ix.searcher() as searcher:
        seq = last_seq(searcher)
        found = index_format(searcher)
        docs = search_table(searcher).documents
    with Session(bind=db.engine) as session:
        newest = session.scalar(select(func.max(IndexOutbox.seq))) or 0
        lag = (
            session.scalar(
                select(func.count()).select_from(IndexOutbox).where(IndexOutbox.seq > seq)
            )
            or 0
        )
    return IndexStatus(store.current_name(), docs, seq, newest, lag, found)


def prune_outbox(app: Flask, *, keep_days: int) -> int:
    """Delete outbox rows the index has applied that are older than `keep_days` days.

    Rows after the index's recorded position are never deleted, whatever their age. Returns
    the number of rows deleted.
    """
    if keep_days < 0:
        raise ValueError("The number of days to keep must be zero or more.")
    with store_for(app).open().searcher() as searcher:
        applied = last_seq(searcher)
    cutoff = utcnow() - timedelta(days=keep_days)
    with Session(bind=db.engine) as session:
        result = session.execute(
            delete(IndexOutbox).where(IndexOutbox.seq <= applied, IndexOutbox.created_at < cutoff)
        )
        # Its own session for `flask search prune-outbox`: the command owns this transaction.
        session.commit()
        return int(getattr(result, "rowcount", 0) or 0)  # a DELETE's CursorResult
