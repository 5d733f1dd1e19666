"""What every importer shares: the summary, the rejection report and the batch runner.

Every format is turned into ORUK full-service records (the /services/{id} shape) and handed to
`ImportRun.run`, which saves them in batches. A record that cannot be used is rejected with a
reason and the rest carry on; a batch that fails in the database is retried one record at a time
so one bad record never takes others down with it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signpost.extensions import db
from signpost.unit_of_work import savepoint

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
BATCH_SIZE = 2000


class RecordRejected(ValueError):
    """This record cannot be imported; ``str()`` says why in plain English."""


@dataclass(frozen=True)
class Rejection:
    reference: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A source row deliberately left out (e.g. a library that has closed)."""

    reference: str
    reason: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def reject(self, reference: str, reason: str) -> None:
        self.rejections.append(Rejection(reference, reason))

    def __str__(self) -> str:
        head = "Dry run, nothing saved: would have " if self.dry_run else ""
        text = (
            f"{head}created {self.created}, updated {self.updated}, unchanged "
            f"{self.unchanged}, rejected {self.rejected}"
        )
        return text + (f", skipped {self.skipped}" if self.skipped else "") + "."

    def write_report(self, path: Path) -> None:
        """A CSV of rejected records with the reason for each."""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["record", "reason"])
            for rejection in self.rejections:
                writer.writerow([rejection.reference, rejection.reason])


@dataclass(frozen=True)
class SourceRecord:
    """One record to import: the ORUK-shaped dict, its id at the source, and how to name it."""

    record: dict[str, Any]
    source_id: str
    reference: str


class ImportRun:
    """Saves records through `save` (record -> outcome) in batches, counting outcomes.

    With `save_batch` (records -> outcomes, "rejected:<reason>" for a refused one) a whole batch
    is handed over at once; `save` is still used to find the bad record if the batch fails in
    the database. `save` may raise RecordRejected (nothing of that record is kept). `reset` is called after a
    batch is rolled back, so the saver can forget objects it cached from that batch.
    """

    def __init__(
        self,
        save: Callable[[SourceRecord], str],
        *,
        dry_run: bool = False,
        reset: Callable[[], None] = lambda: None,
        after_flush: Callable[[], None] = lambda: None,
        prepare: Callable[[list[str]], None] = lambda ids: None,
        save_batch: Callable[[list[SourceRecord]], list[tuple[SourceRecord, str]]] | None = None,
        progress: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.save = save
        self.save_batch = save_batch
        self.reset = reset
        self.after_flush = after_flush
        self.prepare = prepare
        self.progress = progress
        self.summary = ImportSummary(dry_run=dry_run)

    def run(self, records: Iterable[SourceRecord | Rejection | Skipped]) -> ImportSummary:
        batch: list[SourceRecord] = []
        for item in records:
            if isinstance(item, Skipped):
                self.summary.skipped += 1
                self.progress(1)
                continue
            if isinstance(item, Rejection):
                self.summary.rejections.append(item)
                self.progress(1)
                continue
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                self._save_batch(batch)
                batch = []
        if batch:
            self._save_batch(batch)
        if self.summary.dry_run:
            db.session.rollback()  # a dry run keeps nothing (the import command owns the session)
        return self.summary

    def _save_batch(self, batch: list[SourceRecord]) -> None:
        outcomes: list[tuple[SourceRecord, str]] = []
        try:
            self.prepare([item.source_id for item in batch])
            with db.session.no_autoflush:
                if self.save_batch is not None:
                    outcomes = self.save_batch(batch)
                for item in batch if self.save_batch is None else []:
                    # `save` checks everything before it touches the session, so a rejected
                    # record leaves nothing behind and no savepoint (and flush) is needed here.
                    try:
                        outcomes.append((item, self.save(item)))
                    except RecordRejected as error:
                        outcomes.append((item, "rejected:" + str(error)))
            db.session.flush()
            self.after_flush()
        except Exception:  # noqa: BLE001 - a database error: retry one at a time to find it
            db.session.rollback()  # only this batch: earlier batches are already committed
            self.reset()
            self._save_one_by_one(batch)
            return
        self._finish(outcomes)

    def _save_one_by_one(self, batch: list[SourceRecord]) -> None:
        outcomes: list[tuple[SourceRecord, str]] = []
        for item in batch:
            try:
                with savepoint():  # on SQLite too, RELEASE must not commit (dry runs)
                    outcome = self.save(item)
                    db.session.flush()
                    self.after_flush()
                outcomes.append((item, outcome))
            except RecordRejected as error:
                outcomes.append((item, "rejected:" + str(error)))
            except Exception as error:  # noqa: BLE001 - report it, keep going
                self.reset()
                outcomes.append(
                    (
                        item,
                        "rejected:The database refused this record: "
                        + str(error).splitlines()[0][:200],
                    )
                )
        self._finish(outcomes)

    def _finish(self, outcomes: list[tuple[SourceRecord, str]]) -> None:
        if not self.summary.dry_run:
            # A batch job run by `flask directory import` owns its transactions: each batch is
            # committed on its own, so a large import holds no lock for long and a failure
            # loses only the batch it happened in.
            db.session.commit()
        for item, outcome in outcomes:
            if outcome.startswith("rejected:"):
                self.summary.reject(item.reference, outcome.removeprefix("rejected:"))
            else:
                self.summary.count(outcome)
        self.progress(len(outcomes))
