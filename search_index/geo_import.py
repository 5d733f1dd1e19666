"""Load postcode centroids (ONSPD or Code-Point Open) and derive outcode centres.

Every import runs in one database transaction: a file with the wrong columns, an unreadable file
or any failure part-way leaves the tables exactly as they were. Rows that cannot be used are
skipped and counted by reason, with the first few line numbers. Place gazetteers live in
``geo_places_import``; the file reading and reporting they share lives here.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from search_index.geo import _POSTCODE_RE
from signpost.extensions import db

BATCH_SIZE = 20_000
EXAMPLES_PER_REASON = 5
# A generous box around the UK, Channel Islands and Isle of Man; anything outside is a bad row.
UK_LATITUDE = (49.0, 61.5)
UK_LONGITUDE = (-9.0, 2.5)
ONSPD_NO_COORDINATES = 99.999999  # ONSPD writes lat 99.999999 when a postcode has no grid reference

Progress = Callable[[int], None]

# Why a row was skipped, as people read it. "Expected" reasons are normal in the national files.
REASONS = {
    "blank": "blank",
    "short": "with too few columns",
    "postcode": "with something that is not a postcode",
    "number": "with a latitude or longitude that is not a number",
    "outside": "with a latitude or longitude outside the UK",
    "name": "with no place name",
    "terminated": "for terminated postcodes (expected)",
    "no_coordinates": "for postcodes with no coordinates (expected)",
    "district_row": "for postcode districts, not places (expected)",
}
EXPECTED_REASONS = frozenset({"terminated", "no_coordinates", "district_row"})


class GeoImportError(Exception):
    """The import cannot go ahead; nothing was changed. ``str()`` is a message for people."""


@dataclass
class ImportReport:
    """What an import did: rows imported, and rows skipped by reason with example line numbers."""

    what: str
    imported: int = 0
    removed: int = 0
    outcodes: int = 0
    seconds: float = 0.0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, where: str) -> None:
        """Count a skipped row; ``where`` is "file:line" (the first few are kept as examples)."""
        self.skipped[reason] += 1
        found = self.examples.setdefault(reason, [])
        if len(found) < EXAMPLES_PER_REASON:
            found.append(where)

    def _where(self, reason: str) -> str:
        by_file: dict[str, list[str]] = {}
        for where in self.examples.get(reason, []):
            source, _, line = where.rpartition(":")
            by_file.setdefault(source, []).append(line)
        more = ", ..." if self.skipped[reason] > len(self.examples.get(reason, [])) else ""
        parts = [
            f"{'line' if len(lines) == 1 and not more else 'lines'} {', '.join(lines)} of {source}"
            for source, lines in by_file.items()
        ]
        return "; ".join(parts) + more

    @property
    def problems(self) -> int:
        """Rows skipped because something was wrong with them (not the expected kinds)."""
        return sum(n for reason, n in self.skipped.items() if reason not in EXPECTED_REASONS)

    def lines(self) -> list[str]:
        """The report as sentences, one per line."""
        rate = f" ({self.imported / self.seconds:,.0f} rows a second)" if self.seconds > 0 else ""
        out = [f"Imported {self.imported:,} {self.what} in {self.seconds:.1f} s{rate}."]
        if self.removed:
            out.append(f"Removed {self.removed:,} terminated or unlocated postcodes.")
        if self.outcodes:
            out.append(f"Updated {self.outcodes:,} outcodes.")
        if self.skipped:
            out.append(f"Skipped {sum(self.skipped.values()):,} rows:")
            for reason, count in self.skipped.most_common():
                out.append(f"  {count:,} {REASONS.get(reason, reason)} ({self._where(reason)})")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


@contextmanager
def open_table(path: str) -> Iterator[tuple[io.TextIOWrapper, Any]]:
    """Open a plain or gzipped text file; yields (text stream, raw byte stream for progress)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise GeoImportError(f"Could not open {path}: {exc.strerror or exc}.") from exc
    try:
        stream: Any = gzip.GzipFile(fileobj=raw) if raw.read(2) == b"\x1f\x8b" else raw
        raw.seek(0)
        yield io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=""), raw
    except (OSError, EOFError, csv.Error) as exc:
        raise GeoImportError(f"Could not read {path}: {exc}. Nothing was changed.") from exc
    finally:
        raw.close()


def total_bytes(paths: Sequence[str]) -> int:
    """Sum of the files' sizes on disk (the progress bar's length)."""
    return sum(os.path.getsize(p) for p in paths if os.path.exists(p))


def first_row(path: str, delimiter: str = ",") -> list[str]:
    with open_table(path) as (stream, _raw):
        for row in csv.reader(stream, delimiter=delimiter):
            return row
    return []


def column_index(header: Sequence[str]) -> dict[str, int]:
    """Header names folded to lower case, mapped to their position (first wins)."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name.strip().lower(), i)
    return index


def parse_point(lat_text: str, lon_text: str) -> tuple[float, float] | str:
    """(lat, lon), or the reason the pair cannot be used."""
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if not lat_text or not lon_text:
        return "no_coordinates"
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return "number"
    if lat != lat or lon != lon:  # NaN
        return "number"
    if abs(lat - ONSPD_NO_COORDINATES) < 1e-5:
        return "no_coordinates"
    if not (UK_LATITUDE[0] <= lat <= UK_LATITUDE[1] and UK_LONGITUDE[0] <= lon <= UK_LONGITUDE[1]):
        return "outside"
    return lat, lon


# --- Postcodes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostcodeLayout:
    name: str
    postcode: int
    latitude: int
    longitude: int
    terminated: int | None
    district: int | None
    width: int


ONSPD_HINT = "the ONS Postcode Directory's pcds (or pcd), doterm, lat and long"
CODEPOINT_HINT = "Code-Point Open's postcode, latitude and longitude"


def postcode_layout(path: str, header: Sequence[str]) -> PostcodeLayout:
    """Recognise ONSPD or Code-Point Open from the header row, or explain what was expected."""
    cols = column_index(header)
    pc = next((cols[c] for c in ("pcds", "pcd2", "pcd") if c in cols), None)
    if pc is not None and "lat" in cols and "long" in cols:
        district = cols.get(
            "oslaua",
            next((i for c, i in cols.items() if c.startswith("lad") and c.endswith("cd")), None),
        )
        used = [pc, cols["lat"], cols["long"], cols.get("doterm", 0), district or 0]
        return PostcodeLayout(
            "ONS Postcode Directory",
            pc,
            cols["lat"],
            cols["long"],
            cols.get("doterm"),
            district,
            max(used) + 1,
        )
    if {"postcode", "latitude", "longitude"} <= cols.keys():
        district = cols.get("admin_district_code")
        used = [cols["postcode"], cols["latitude"], cols["longitude"], district or 0]
        return PostcodeLayout(
            "Code-Point Open",
            cols["postcode"],
            cols["latitude"],
            cols["longitude"],
            None,
            district,
            max(used) + 1,
        )
    shown = ", ".join(h.strip() for h in header[:8]) or "nothing"
    raise GeoImportError(
        f"{os.path.basename(path)} does not look like a postcode file, so nothing was changed. "
        f"Its first line should name the columns: either {ONSPD_HINT}, or {CODEPOINT_HINT}. "
        f"It starts with: {shown}."
    )


def read_postcodes(
    path: str,
    layout: PostcodeLayout,
    report: ImportReport,
    progress: Progress | None = None,
) -> Iterator[list[tuple[str, str, float | None, float | None, str | None]]]:
    """Yield batches of (postcode, outcode, lat, lon, district); lat None means "remove it"."""
    name = os.path.basename(path)
    match = _POSTCODE_RE.match
    pc_i, lat_i, lon_i = layout.postcode, layout.latitude, layout.longitude
    term_i, dist_i, width = layout.terminated, layout.district, layout.width
    skip = report.skip
    (lat_min, lat_max), (lon_min, lon_max) = UK_LATITUDE, UK_LONGITUDE
    with open_table(path) as (stream, raw):
        reader = csv.reader(stream)
        next(reader, None)
        batch: list[tuple[str, str, float | None, float | None, str | None]] = []
        last_pos = 0
        for row in reader:
            if len(row) < width:
                skip("blank" if not "".join(row).strip() else "short", f"{name}:{reader.line_num}")
                continue
            m = match(row[pc_i].replace(" ", "").upper())
            if m is None:
                skip(
                    "blank" if not "".join(row).strip() else "postcode", f"{name}:{reader.line_num}"
                )
                continue
            outcode = m.group(1)
            postcode = f"{outcode} {m.group(2)}"
            if term_i is not None and row[term_i].strip():
                skip("terminated", f"{name}:{reader.line_num}")
                batch.append((postcode, outcode, None, None, None))
                continue
            try:  # the fast path; parse_point says why a pair cannot be used
                lat, lon = float(row[lat_i]), float(row[lon_i])
                usable = lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
            except ValueError:
                usable = False
            if not usable:
                reason = parse_point(row[lat_i], row[lon_i])
                reason = reason if isinstance(reason, str) else "outside"
                skip(reason, f"{name}:{reader.line_num}")
                if reason == "no_coordinates":
                    batch.append((postcode, outcode, None, None, None))
                continue
            district = (row[dist_i].strip() or None) if dist_i is not None else None
            batch.append((postcode, outcode, lat, lon, district))
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
                if progress is not None:
                    pos = raw.tell()
                    progress(pos - last_pos)
                    last_pos = pos
        if batch:
            yield batch
        if progress is not None:
            progress(raw.tell() - last_pos)


def import_postcodes(
    paths: Sequence[str],
    *,
    replace: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Load postcode files (ONSPD or Code-Point Open, plain or gzipped) and re-derive outcodes.

    ``replace`` empties the postcode table first (a full national refresh); otherwise postcodes in
    the files are added or updated and terminated ones removed. ``strict`` refuses the whole
    import if any row has a problem. All in one transaction.

    Raises:
        GeoImportError: wrong columns, unreadable file, nothing usable, or (strict) bad rows.
    """
    if not paths:
        raise GeoImportError("Give at least one postcode file to import.")
    layouts = [postcode_layout(p, first_row(p)) for p in paths]
    report = ImportReport("postcodes")
    started = time.perf_counter()
    with db.engine.begin() as conn:
        writer = (
            _PostgresPostcodeWriter(conn)
            if conn.dialect.name == "postgresql"
            else _SqlitePostcodeWriter(conn)
        )
        if replace:
            writer.empty()
        for path, layout in zip(paths, layouts, strict=True):
            for batch in read_postcodes(path, layout, report, progress):
                writer.write(batch)
        report.imported, report.removed = writer.finish()
        if report.imported == 0 and report.removed == 0:
            raise GeoImportError(_nothing_usable(report, "postcodes"))
        if strict and report.problems:
            raise GeoImportError(
                f"{report.problems:,} rows have problems, so nothing was changed "
                "(run without --strict to skip them).\n" + str(report)
            )
        report.outcodes = derive_outcodes(conn)
    report.seconds = time.perf_counter() - started
    return report


def _nothing_usable(report: ImportReport, what: str) -> str:
    return f"No usable {what} were found, so nothing was changed.\n" + "\n".join(report.lines()[1:])


class _SqlitePostcodeWriter:
    """executemany in big batches inside the caller's transaction, with a bigger page cache."""

    UPSERT = (
        "INSERT INTO postcode (postcode, outcode, latitude, longitude, district_code) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (postcode) DO UPDATE SET "
        "outcode = excluded.outcode, latitude = excluded.latitude, "
        "longitude = excluded.longitude, district_code = excluded.district_code"
    )

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.imported = 0
        self.removed = 0
        self.old_cache = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or -2000)
        conn.exec_driver_sql("PRAGMA cache_size = -131072")  # 128 MB while importing

    def empty(self) -> None:
        self.conn.exec_driver_sql("DELETE FROM postcode")

    def write(self, batch: list[tuple[str, str, float | None, float | None, str | None]]) -> None:
        rows = [r for r in batch if r[2] is not None]
        gone = [(r[0],) for r in batch if r[2] is None]
        if rows:
            self.conn.exec_driver_sql(self.UPSERT, rows)
            self.imported += len(rows)
        if gone:
            result = self.conn.exec_driver_sql("DELETE FROM postcode WHERE postcode = ?", gone)
            self.removed += max(result.rowcount, 0)

    def finish(self) -> tuple[int, int]:
        self.conn.exec_driver_sql(f"PRAGMA cache_size = {int(self.old_cache)}")
        return self.imported, self.removed


class _PostgresPostcodeWriter:
    """COPY into a temporary staging table, then one upsert and one delete from it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        driver = conn.connection.driver_connection
        assert driver is not None  # a live connection from the pool
        self.cursor = driver.cursor()
        self.cursor.execute(
            "CREATE TEMP TABLE postcode_staging (seq bigint, postcode varchar(8), "
            "outcode varchar(4), latitude float8, longitude float8, district_code varchar(9)) "
            "ON COMMIT DROP"
        )
        self.seq = 0
        self.removals = False

    def empty(self) -> None:
        # DELETE, not TRUNCATE: readers keep seeing the old rows until the import commits.
        self.cursor.execute("DELETE FROM postcode")

    def write(self, batch: list[tuple[str, str, float | None, float | None, str | None]]) -> None:
        with self.cursor.copy(
            "COPY postcode_staging (seq, postcode, outcode, latitude, longitude, "
            "district_code) FROM STDIN"
        ) as copy:
            seq = self.seq
            for seq, row in enumerate(batch, start=self.seq + 1):  # noqa: B007
                copy.write_row((seq, *row))
                if row[2] is None:
                    self.removals = True
            self.seq = seq

    def finish(self) -> tuple[int, int]:
        cur = self.cursor
        cur.execute("SET LOCAL work_mem = '256MB'")  # sort the staging rows in memory
        # The last row for a postcode wins, as it does on SQLite.
        latest = (
            "(SELECT DISTINCT ON (postcode) * FROM postcode_staging "
            "ORDER BY postcode, seq DESC) AS s"
        )
        removed = 0
        if self.removals:
            cur.execute(
                f"DELETE FROM postcode p USING {latest} "
                "WHERE p.postcode = s.postcode AND s.latitude IS NULL"
            )
            removed = cur.rowcount
        cur.execute(
            "INSERT INTO postcode (postcode, outcode, latitude, longitude, district_code) "
            f"SELECT postcode, outcode, latitude, longitude, district_code FROM {latest} "
            "WHERE latitude IS NOT NULL ON CONFLICT (postcode) DO UPDATE SET "
            "outcode = excluded.outcode, latitude = excluded.latitude, "
            "longitude = excluded.longitude, district_code = excluded.district_code"
        )
        imported = cur.rowcount
        cur.execute("DROP TABLE postcode_staging")
        return imported, removed


def derive_outcodes(conn: Connection) -> int:
    """Set each outcode's centre to the mean of its live postcodes; returns how many changed."""
    conn.execute(
        text(
            "UPDATE outcode SET postcode_count = 0 WHERE postcode_count > 0 "
            "AND outcode NOT IN (SELECT DISTINCT outcode FROM postcode)"
        )
    )
    result = conn.execute(
        text(
            "INSERT INTO outcode (outcode, latitude, longitude, postcode_count) "
            "SELECT outcode, AVG(latitude), AVG(longitude), COUNT(*) FROM postcode WHERE true "
            "GROUP BY outcode ON CONFLICT (outcode) DO UPDATE SET latitude = excluded.latitude, "
            "longitude = excluded.longitude, postcode_count = excluded.postcode_count"
        )
    )
    return max(result.rowcount, 0)
