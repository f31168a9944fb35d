"""Copy what can still be read from a damaged history database into a new, empty one.

``HistoryStore`` calls ``salvage`` after it has moved a damaged file aside and created a fresh
database. Nothing here writes to the damaged copy: it is opened read-only and ``immutable``
(no locks, no journal or WAL recovery, so SQLite never tries to "fix" the evidence), which also
means frames still sitting in its ``-wal`` file are not read.

A damaged file fails page by page, not all at once: a query that walks into a bad page raises
``sqlite3.DatabaseError`` while the pages around it are fine. So records are read in id
ranges; a range that raises keeps the rows it yielded before the error, and the rest of it is
split in two and retried, down to short ranges read one id at a time; ids that still fail are
skipped. Tags, thumbnails and blobs are then read for the copied records only. A row that
parses but is visibly damaged (zero-filled text, broken JSON) is left out, and a blob must
match its content hash. Qt-free, like the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from studio.history.schema import fts_insert_rows

log = logging.getLogger(__name__)

TIME_BUDGET_S = 30.0  # a start-up is not held hostage by a huge, badly damaged file
_CHUNK = 500  # ids per IN (...) list
_POINT = 16  # a failing range this short is read one key at a time


@dataclass
class Salvaged:
    records: int = 0  # records copied into the new database
    total: int | None = None  # records the damaged file says it held, when it can still say
    complete: bool = True  # False when the time budget ran out before every range was tried


def _open_read_only(path: Path) -> sqlite3.Connection:
    # as_uri() percent-encodes spaces, '?', '#' and non-ASCII letters, so any path works.
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                         isolation_level=None, check_same_thread=False)
    # A truncated file is shorter than its header says; SQLite refuses such a file as
    # "malformed" unless writable_schema is on (it then reads the pages that are there). The
    # connection is read-only, so nothing can actually be written.
    db.execute("PRAGMA writable_schema = ON")
    return db


def _try(db: sqlite3.Connection, sql: str, args: tuple = ()) -> list[tuple]:
    """All rows of a query, or [] when it hits a damaged page."""
    try:
        return db.execute(sql, args).fetchall()
    except sqlite3.DatabaseError:
        return []


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in _try(db, f"PRAGMA table_info({table})")]


def _walk(db: sqlite3.Connection, select: str, key: str, lo: int, hi: int, deadline: float,
          result: Salvaged) -> Iterator[tuple]:
    """Every readable row of ``select`` (its first column the integer ``key``) with
    ``lo <= key <= hi``, streamed (a big history need not fit in memory twice). Stops at the
    deadline, noting it in ``result``."""
    in_range = f"{select} WHERE {key} BETWEEN ? AND ? ORDER BY {key}"
    at = f"{select} WHERE {key} = ?"
    ranges = [(lo, hi)]
    while ranges:
        if time.monotonic() > deadline:
            result.complete = False
            return
        a, b = ranges.pop()
        start = a
        try:
            for row in db.execute(in_range, (a, b)):
                if not isinstance(row[0], int) or not start <= row[0] <= b:
                    raise sqlite3.DatabaseError("keys out of order")  # a damaged page that still parses
                yield row
                start = row[0] + 1
            continue  # the whole range was readable
        except sqlite3.DatabaseError:
            pass  # the rows before the bad page are kept; the rest is retried
        if b - start < _POINT:
            # A range scan also reads the neighbours of its ends and fails with them; a lookup
            # of one key reads only the cell it wants, so a half-damaged page still gives some.
            for k in range(start, b + 1):
                yield from (r for r in _try(db, at, (k,)) if r[0] == k)
            continue
        mid = (start + b) // 2
        ranges += [(mid + 1, b), (start, mid)]  # both smaller than (a, b): the walk ends


def _by_ids(db: sqlite3.Connection, sql: str, ids: list[int]) -> Iterator[list[tuple]]:
    """Rows of ``sql`` (``... IN ({ids})``) for these ids, a chunk at a time; an id whose rows
    cannot be read is skipped."""
    for k in range(0, len(ids), _CHUNK):
        chunk = ids[k:k + _CHUNK]
        try:
            yield db.execute(sql.format(ids=",".join("?" * len(chunk))), chunk).fetchall()
        except sqlite3.DatabaseError:
            # One by one, so one bad page costs only its own rows.
            yield [r for i in chunk for r in _try(db, sql.format(ids="?"), (i,))]


def _id_bounds(src: sqlite3.Connection) -> tuple[int, int, int]:
    """(lowest, highest) record id to walk, and the never-reused ``last_id`` to keep, from
    whatever is still readable: the table's own ends, else its indexes (separate pages, often
    intact when the table's last pages are not) and the ``meta`` table."""
    def first(sql: str) -> int | None:
        rows = _try(src, sql)
        return rows[0][0] if rows and isinstance(rows[0][0], int) else None

    low = first("SELECT min(id) FROM records")
    high = first("SELECT max(id) FROM records")
    last = first("SELECT value FROM meta WHERE key = 'last_id'")
    if last is not None and not 0 <= last < 2 ** 53:
        last = None  # a damaged value: ids must still fit
    if high is None:
        # The last page of a truncated table is gone: use the highest id anything else knows.
        high = last or 0
        indexes = _try(src, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'")
        for (index,) in indexes:
            try:
                for (i,) in src.execute(f'SELECT id FROM records INDEXED BY "{index}"'):
                    if isinstance(i, int) and i > high:
                        high = i
            except sqlite3.DatabaseError:
                pass  # the ids read before the bad page still count
    return (1 if low is None else min(1, low)), high, max(high, last or 0)


def salvage(source: Path, dest: sqlite3.Connection, *, budget_s: float = TIME_BUDGET_S) -> Salvaged:
    """Copy every readable record of the damaged database ``source`` (with its tags,
    thumbnail and blobs) into ``dest``, a fresh database at the current schema.

    Runs in one transaction on ``dest``: on any exception nothing is copied and it propagates.
    Image files are not touched; the copied records point at them where they already are.
    """
    deadline = time.monotonic() + budget_s
    result = Salvaged()
    src = _open_read_only(Path(source))
    try:
        src_cols = set(_columns(src, "records"))
        if "id" not in src_cols:
            return result  # no readable schema, or no records table: nothing to copy
        cols = [c for c in _columns(dest, "records") if c in src_cols]  # "id" first, in both
        tables = {n for (n,) in _try(src, "SELECT name FROM sqlite_master WHERE type = 'table'")}
        total = _try(src, "SELECT count(*) FROM records")  # often answered by an intact index
        result.total = total[0][0] if total else None
        lo, hi, last_id = _id_bounds(src)
        dest.execute("BEGIN IMMEDIATE")
        try:
            rows = _walk(src, f"SELECT {', '.join(cols)} FROM records", "id", lo, hi, deadline, result)
            ids = _copy_records(dest, cols, rows)
            if ids:
                _copy_extras(src, dest, ids, tables, deadline, result)
            # Ids are never reused, even those of records that could not be read.
            dest.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('last_id', ?)",
                         (max([last_id, *ids]),))
            dest.execute("COMMIT")
        except BaseException:
            if dest.in_transaction:
                dest.execute("ROLLBACK")
            raise
        result.records = len(ids)
        if not result.complete:
            log.warning("history salvage stopped after %.0f s with %d records", budget_s, len(ids))
        return result
    finally:
        src.close()


def _copy_records(dest: sqlite3.Connection, cols: list[str], rows: Iterable[tuple]) -> list[int]:
    """Insert the rows (kept ids) and index them for search; returns the ids that went in."""
    sql = f"INSERT INTO records({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    at = {c: i for i, c in enumerate(cols)}
    ids: list[int] = []
    fts: list[tuple[int, str, str]] = []
    left_out = 0
    for row in rows:
        if not _sound(row, at):
            left_out += 1
            continue
        try:
            dest.execute(sql, row)
        except sqlite3.IntegrityError:
            left_out += 1  # a row the damage left without a required value
            continue
        ids.append(row[0])
        fts.append((row[0], _text(row, at.get("prompt")), _text(row, at.get("output"))))
        if len(fts) >= _CHUNK:
            _index(dest, fts)
    _index(dest, fts)
    if left_out:
        log.info("history salvage: %d damaged rows left out", left_out)
    return ids


def _index(dest: sqlite3.Connection, fts: list[tuple[int, str, str]]) -> None:
    """Add rows to the search index (the same normalisation ``HistoryStore.add`` uses)."""
    dest.executemany("INSERT INTO records_fts(rowid, prompt, body) VALUES (?, ?, ?)", fts_insert_rows(fts))
    fts.clear()


def _sound(row: tuple, at: dict[str, int]) -> bool:
    """False for a row that parsed but whose bytes were visibly destroyed. A cell cut off by
    truncation reads back with its tail zero-filled (NULs in its text, its JSON broken); such
    a row would show garbage and, worse, reproduce with default settings, so it is left out."""
    if row[at["kind"]] not in ("image", "text") or not isinstance(row[at["created"]], (int, float)):
        return False
    if any(isinstance(v, str) and "\0" in v for v in row):
        return False
    if "params" in at:
        try:
            return isinstance(json.loads(row[at["params"]]), dict)
        except (TypeError, ValueError):
            return False
    return True


def _text(row: tuple, i: int | None) -> str:
    return row[i] if i is not None and isinstance(row[i], str) else ""


def _copy_extras(src: sqlite3.Connection, dest: sqlite3.Connection, ids: list[int], tables: set[str],
                 deadline: float, result: Salvaged) -> None:
    """Tags, thumbnails and blobs of the copied records, each where readable. (A version 1
    file kept thumbnails inside its rows; those are not copied.)"""
    wanted = set(ids)
    for table, column, kind in (("tags", "tag", str), ("thumbnails", "data", bytes)):
        if table not in tables:
            continue
        select = f"SELECT record_id, {column} FROM {table} WHERE record_id IN ({{ids}})"
        for rows in _by_ids(src, select, ids):
            dest.executemany(f"INSERT OR IGNORE INTO {table}(record_id, {column}) VALUES (?, ?)",
                             [(r, v) for r, v in rows if r in wanted and isinstance(v, kind) and v])
            if time.monotonic() > deadline:
                result.complete = False
                break
    # Blobs are content-addressed, so each one can be checked against its key: a damaged page
    # that still parses must not become a context that fails to decompress in ``get``.
    for column, compressed in (("context_hash", True), ("init_hash", False), ("mask_hash", False)):
        keys = [k for (k,) in dest.execute(
            f"SELECT DISTINCT {column} FROM records WHERE {column} IS NOT NULL")]
        for key in keys:
            if "blobs" not in tables:
                break
            if time.monotonic() > deadline:
                result.complete = False
                break
            for (data,) in _try(src, "SELECT data FROM blobs WHERE hash = ?", (key,)):
                if isinstance(data, bytes) and _blob_ok(key, data, compressed):
                    dest.execute("INSERT OR IGNORE INTO blobs(hash, data) VALUES (?, ?)", (key, data))
        # A record whose blob was lost falls back to what the row itself holds (the prompt's
        # searchable tail, no img2img input) instead of pointing at nothing.
        dest.execute(f"UPDATE records SET {column} = NULL WHERE {column} IS NOT NULL "
                     f"AND {column} NOT IN (SELECT hash FROM blobs)")


def _blob_ok(key: str, data: bytes, compressed: bool) -> bool:
    try:
        raw = zlib.decompress(data) if compressed else data
    except zlib.error:
        return False
    return hashlib.sha256(raw).hexdigest() == key
