"""The history store: every generation in one SQLite database (WAL) next to its PNG files.

Thread rules: one connection per thread (``threading.local``). The worker thread writes
(``add``), the UI thread reads and edits flags (favourite, tags, trash); WAL lets reads run while
a write is in progress. Nothing here imports Qt.

Crash safety of image files: ``add`` first commits the new PNG paths to ``pending``, then
writes each PNG atomically (temp file + fsync + rename), then commits the records and clears
``pending`` in one transaction. Emptying the trash does the reverse. Opening the store settles
what a killed process left in ``pending`` (deletes files whose record never committed, and
their temp files), so after any crash each record has its PNG and no PNG lacks a record.

A database SQLite reports as damaged is moved aside (kept for the user) and a new one started;
the records still readable in the damaged copy are copied into it (``studio.history.salvage``).
Damage is noticed at three points: opening (a damaged header, or a schema version that cannot
be right); ``PRAGMA quick_check`` at open, only where the file is small enough for it to be cheap
(``QUICK_CHECK_MAX_BYTES``); and any later query or write that SQLite answers with "malformed".
The last one is recovered on the fly: the store moves the file aside and salvages it as at
open, then runs the failed call again on the new database (a generation being recorded is kept),
and tells its recovery listeners (the history pane shows the sentence and reloads).

While one thread recovers, the store's other calls wait: each public call counts itself in
flight, and a recovery starts only when none is (or after ``DRAIN_TIMEOUT_S``; a call still on
the old connection then fails once and is run again).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from studio import paths
from studio.fileio import atomic_write_bytes, pid_alive
from studio.history.records import HistoryRecord, HistoryRow, Query, png_array
from studio.history.schema import SCHEMA_VERSION, fts_insert_rows, fts_query, migrate, tables_at

log = logging.getLogger(__name__)

_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_ROW_COLUMNS = ("r.id, r.kind, r.created, r.model_id, substr(r.prompt, 1, 500), r.seed, r.width, r.height, "
                "r.favourite, r.image_path, substr(coalesce(r.output, ''), 1, 500), r.accepted, r.deleted, "
                "r.duration, r.device")
_CHUNK = 500  # ids per IN (...) list
# PRAGMA quick_check reads every page. Measured on a loaded 2-core box (warm cache / cold):
# 10,000 records with 12 KB thumbnails (104 MB) 65 ms / 1.2 s; 3,000 of them (31 MB) 28 ms /
# 0.35 s; 100,000 records with tiny thumbnails (111 MB) 141 ms / 1.3 s; open + first page alone
# takes 2-3 ms. SQLite runs the check as one step (a progress handler or interrupt() does not
# stop it), so it cannot be given a time budget: it runs at open only up to this size, and
# damage in a bigger file is found by the first query that reads it.
QUICK_CHECK_MAX_BYTES = 32 * 2 ** 20
_MAX_VERSION = 1000  # a larger (or negative) user_version is damage, not a newer Studio
DRAIN_TIMEOUT_S = 15.0  # how long a recovery waits for the other threads' calls in flight


@dataclass
class NewRecord:
    """A record about to be added (built by ``studio.history.recorder``)."""

    kind: str
    created: float
    model_id: str
    prompt: str  # shown and searched; a long text context keeps only its tail here
    params: dict[str, Any]
    model_hash: str = ""
    negative_prompt: str = ""
    seed: int | None = None
    width: int | None = None
    height: int | None = None
    output: str | None = None
    duration: float = 0.0
    device: str = ""
    job_id: int | None = None
    batch_index: int = 0
    finish_reason: str | None = None
    png: bytes | None = None  # the image file, written before the record commits
    thumb: bytes | None = None
    context: bytes | None = None  # the full prompt (UTF-8) when ``prompt`` is only its tail
    init_png: bytes | None = None
    mask_png: bytes | None = None


def _blob_key(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


class HistoryDamaged(sqlite3.DatabaseError):
    """Damage the store found itself (failed quick_check, impossible schema version)."""


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    if isinstance(exc, HistoryDamaged):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back after a failure without hiding it (a damaged or closed database may refuse)."""
    try:
        if db.in_transaction:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _recovering(method):
    """A public store call that survives damage found while it runs: the database is moved
    aside and salvaged (``HistoryStore._recover``) and the call runs once more on the new one.
    Calls made from inside another store call leave this to the outer one."""
    @functools.wraps(method)
    def call(self: "HistoryStore", *args, **kwargs):
        if getattr(self._nesting, "depth", 0):
            return method(self, *args, **kwargs)
        for attempt in (1, 2):
            gen = self._enter()
            try:
                return method(self, *args, **kwargs)
            except sqlite3.DatabaseError as exc:  # ProgrammingError (a closed connection) included
                damaged = _is_corrupt(exc)
                if attempt == 2 or not (damaged or self._gen != gen):
                    raise
                if damaged:
                    failure = exc
            finally:
                self._leave()
            if damaged:
                self._recover(failure, gen)
            # else another thread recovered while this call was on the old connection: run again
        raise AssertionError("unreachable")
    return call


class HistoryStore:
    """SQLite-backed history. Safe to share between the UI thread and the worker thread."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else paths.history_dir() / "history.db"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.root = self.path.parent  # image paths in the database are relative to this
        self.problem = ""  # a sentence for the UI when something had to be repaired
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Recovery while open: calls in flight, the database's generation (+1 per recovery).
        self._gate = threading.Condition()
        self._busy = 0
        self._gen = 0
        self._recovery_running = False
        self._nesting = threading.local()
        self._listeners: list[Callable[[str], None]] = []
        self._open()

    @property
    def recovery_message(self) -> str:
        """The same sentence as ``problem`` (the name ``studio.app`` asks for)."""
        return self.problem

    def add_recovery_listener(self, callback: Callable[[str], None]) -> None:
        """``callback(sentence)`` after damage found while open was recovered. It runs on the
        thread that met the damage (the worker's, often): a UI must hand it to its own thread."""
        self._listeners.append(callback)

    def remove_recovery_listener(self, callback: Callable[[str], None]) -> None:
        try:
            self._listeners.remove(callback)
        except ValueError:
            pass

    # ── connections ──

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA synchronous = FULL")  # a committed generation survives a power cut
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute("PRAGMA cache_size = -16000")
        with self._lock:
            self._all.append(db)
        return db

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; write methods open their own transactions)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _open(self) -> None:
        try:
            self._prepare(self.db)
            self._quick_check(self.db)
            self._recover_pending()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
            aside = self._move_aside()
            self._prepare(self.db)
            self.problem = self._salvage(aside, exc)

    def _prepare(self, db: sqlite3.Connection) -> None:
        if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            self.problem = "The history database could not switch to WAL mode; it may be slower."
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not n.startswith("sqlite_")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if not 0 <= version <= _MAX_VERSION:
            raise HistoryDamaged(f"its schema version {version} is not valid")
        if version > SCHEMA_VERSION:
            self.problem = ("The history was written by a newer version of Studio; some entries "
                            "may not show correctly.")
            return
        if version < SCHEMA_VERSION:
            # A version too low for the tables there (a zeroed header says 0) would make the
            # migrations fail at every start; so would one whose own tables are missing.
            have = tables_at(version)
            later = tables - have
            if have - tables or (later and later & tables_at(SCHEMA_VERSION)):
                raise HistoryDamaged(f"its schema version {version} does not match its tables")
        migrate(db)

    def _quick_check(self, db: sqlite3.Connection) -> None:
        """Damage anywhere in a small file, found before the history shows (see
        ``QUICK_CHECK_MAX_BYTES``); raises HistoryDamaged."""
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        if pages * db.execute("PRAGMA page_size").fetchone()[0] > QUICK_CHECK_MAX_BYTES:
            return
        found = [r[0] for r in db.execute("PRAGMA quick_check(3)")]
        if found != ["ok"]:
            log.warning("history quick_check: %s", "; ".join(map(str, found)))
            raise HistoryDamaged("database disk image is malformed")

    # ── damage found while open ──

    def _enter(self) -> int:
        """Count a call in flight (waiting out a recovery); returns the database generation."""
        with self._gate:
            while self._recovery_running:
                self._gate.wait()
            self._busy += 1
            gen = self._gen
        self._nesting.depth = 1
        return gen

    def _leave(self) -> None:
        self._nesting.depth = 0
        with self._gate:
            self._busy -= 1
            self._gate.notify_all()

    def _recover(self, exc: sqlite3.DatabaseError, gen: int) -> None:
        """Move the damaged database aside, salvage it into a new one and tell the listeners;
        a no-op when another thread already recovered generation ``gen``."""
        with self._gate:
            while self._recovery_running:
                self._gate.wait()
            if self._gen != gen:
                return
            self._recovery_running = True
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while self._busy and (left := deadline - time.monotonic()) > 0:
                self._gate.wait(left)
        try:
            log.warning("history database damaged while open (%s); recovering", exc)
            aside = self._move_aside()
            self._prepare(self.db)
            self.problem = self._salvage(aside, exc)
        finally:
            with self._gate:
                self._gen += 1
                self._recovery_running = False
                self._gate.notify_all()
        for callback in list(self._listeners):
            try:
                callback(self.problem)
            except Exception:  # noqa: BLE001 - e.g. a closed window's signal; the store goes on
                log.warning("history recovery listener failed", exc_info=True)

    def _move_aside(self) -> Path:
        """Move the damaged file (and its -wal, -shm) aside, kept for the user; returns its new path."""
        self.close()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():  # damaged twice within a second: keep both copies
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                os.replace(src, Path(str(aside) + suffix))
        return aside

    def _salvage(self, aside: Path, exc: Exception) -> str:
        """Copy the readable records of the file moved aside into the new database; returns the
        sentence for the user. Never raises: a failed salvage leaves the new history empty."""
        from studio.history.salvage import salvage

        damaged = f"The history database was damaged ({exc}); it was moved aside to {aside}"
        try:
            got = salvage(aside, self.db)
        except Exception as err:  # noqa: BLE001 - salvage is a bonus; the app must still start
            log.warning("history salvage from %s failed", aside, exc_info=True)
            reason = str(err).splitlines()[0][:200] if str(err).strip() else type(err).__name__
            return (f"{damaged} and a new, empty history was started; its records could not be "
                    f"recovered ({reason}).")
        if not got.records:
            return f"{damaged} and a new, empty history was started; none of its records could be read."
        n = got.records
        of = f"{n} of its {got.total}" if got.total and got.total >= n else f"{n} of its"
        late = "" if got.complete else " before recovery ran out of time"
        return f"{damaged}. {of} records {'was' if n == 1 else 'were'} recovered{late}."

    def close(self) -> None:
        """Close every thread's connection (call when no thread uses the store any more)."""
        with self._lock:
            conns, self._all = self._all, []
        for db in conns:
            try:
                db.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()

    # ── crash recovery ──

    def _recover_pending(self) -> None:
        db = self.db
        try:
            rows = db.execute("SELECT path, pid FROM pending").fetchall()
        except sqlite3.OperationalError:
            return  # a newer schema without this table
        for rel, pid in rows:
            if pid_alive(pid):
                continue  # another live process (the CLI) is mid-write
            keep = db.execute("SELECT 1 FROM records WHERE image_path = ?", (rel,)).fetchone()
            target = self.root / rel
            if not keep:
                target.unlink(missing_ok=True)
            for tmp in target.parent.glob(f".{target.name}.*.tmp"):
                tmp.unlink(missing_ok=True)
            db.execute("DELETE FROM pending WHERE path = ?", (rel,))

    # ── writing (worker thread) ──

    def _new_image_path(self, created: float) -> str:
        month = time.strftime("%Y-%m", time.localtime(created))
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(created))
        return f"images/{month}/{stamp}-{uuid.uuid4().hex[:10]}.png"

    @_recovering
    def add(self, records: Sequence[NewRecord]) -> tuple[int, ...]:
        """Add records (one generation); their PNGs are on disk before the rows commit.

        Worker thread (or CLI). Returns the new record ids in order.
        """
        if not records:
            return ()
        db = self.db
        files = [(self._new_image_path(r.created) if r.png is not None else None) for r in records]
        written = [f for f in files if f]
        if written:
            now, pid = time.time(), os.getpid()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT INTO pending(path, pid, since) VALUES (?, ?, ?)",
                               [(f, pid, now) for f in written])
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                raise
        try:
            for rec, rel in zip(records, files):
                if rel:
                    atomic_write_bytes(self.root / rel, rec.png)  # type: ignore[arg-type]
            return self._insert(records, files)
        except BaseException:
            for rel in written:
                (self.root / rel).unlink(missing_ok=True)
            try:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                db.executemany("DELETE FROM pending WHERE path = ?", [(f,) for f in written])
            except sqlite3.Error:
                pass  # the next open settles it
            raise

    def _insert(self, records: Sequence[NewRecord], files: Sequence[str | None]) -> tuple[int, ...]:
        db = self.db
        blobs: dict[str, bytes] = {}

        def keep(data: bytes | None, compress: bool = False) -> str | None:
            if data is None:
                return None
            key = _blob_key(data)
            blobs[key] = zlib.compress(data, 6) if compress else data
            return key

        db.execute("BEGIN IMMEDIATE")
        try:
            # Never reuse an id: a deleted record's id may still be held (e.g. to mark a text kept).
            first = db.execute("SELECT max(coalesce((SELECT value FROM meta WHERE key = 'last_id'), 0), "
                               "coalesce((SELECT max(id) FROM records), 0))").fetchone()[0] + 1
            ids = tuple(range(first, first + len(records)))
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('last_id', ?)", (ids[-1],))
            rows = []
            for i, r, rel in zip(ids, records, files):
                rows.append((i, r.kind, r.created, r.model_id, r.model_hash, r.prompt, r.negative_prompt,
                             r.seed, json.dumps(r.params, ensure_ascii=False), rel, r.width, r.height,
                             r.output, r.duration, r.device, keep(r.context, True), keep(r.init_png),
                             keep(r.mask_png), r.job_id, r.batch_index, r.finish_reason))
            db.executemany(
                "INSERT INTO records(id, kind, created, model_id, model_hash, prompt, negative_prompt, "
                "seed, params, image_path, width, height, output, duration, device, context_hash, "
                "init_hash, mask_hash, job_id, batch_index, finish_reason) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT INTO thumbnails(record_id, data) VALUES (?, ?)",
                           [(i, r.thumb) for i, r in zip(ids, records) if r.thumb is not None])
            db.executemany("INSERT OR IGNORE INTO blobs(hash, data) VALUES (?, ?)", list(blobs.items()))
            db.executemany("INSERT INTO records_fts(rowid, prompt, body) VALUES (?, ?, ?)",
                           fts_insert_rows([(i, r.prompt, r.output or "") for i, r in zip(ids, records)]))
            db.executemany("DELETE FROM pending WHERE path = ?", [(f,) for f in files if f])
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        return ids

    # ── reading (any thread) ──

    def _select(self, q: Query, before: int | None, what: str) -> tuple[str, list[Any]]:
        """SQL and arguments listing the records that match ``q``, newest first.

        With search text the FTS table drives the query (FTS5 walks its matches in descending
        rowid order and stops at the LIMIT); otherwise the records table does.
        """
        conds = ["r.deleted IS NOT NULL" if q.trash else "r.deleted IS NULL"]
        args: list[Any] = []
        if q.kind:
            conds.append("r.kind = ?")
            args.append(q.kind)
        if q.model_id:
            conds.append("r.model_id = ?")
            args.append(q.model_id)
        if q.since is not None:
            conds.append("r.created >= ?")
            args.append(q.since)
        if q.until is not None:
            conds.append("r.created < ?")
            args.append(q.until)
        if q.favourite:
            conds.append("r.favourite = 1")
        if q.tag:
            conds.append("r.id IN (SELECT record_id FROM tags WHERE tag = ?)")
            args.append(q.tag)
        if q.ids is not None:
            conds.append(f"r.id IN ({','.join('?' * len(q.ids))})" if q.ids else "0")
            args.extend(q.ids)
        match = fts_query(q.text) if q.text.strip() else None
        if q.text.strip() and match is None:
            conds.append("0")  # only punctuation typed: nothing can match
        if match is None:
            if before is not None:
                conds.append("r.id < ?")
                args.append(before)
            return f"SELECT {what} FROM records r WHERE {' AND '.join(conds)} ORDER BY r.id DESC", args
        if before is not None:
            conds.append("records_fts.rowid < ?")
            args.append(before)
        sql = (f"SELECT {what} FROM records_fts JOIN records r ON r.id = records_fts.rowid "
               f"WHERE records_fts MATCH ? AND {' AND '.join(conds)} ORDER BY records_fts.rowid DESC")
        return sql, [match, *args]

    @_recovering
    def page(self, query: Query = Query(), *, before: int | None = None, limit: int = 200) -> list[HistoryRow]:
        """Newest first; pass the last row's id as ``before`` for the next page (keyset paging)."""
        sql, args = self._select(query, before, _ROW_COLUMNS)
        return [self._row(r) for r in self.db.execute(sql + " LIMIT ?", (*args, limit))]

    @_recovering
    def count(self, query: Query = Query()) -> int:
        """How many records match (walks every match: slower than a page on big searches)."""
        sql, args = self._select(query, None, "r.id")
        return self.db.execute(f"SELECT count(*) FROM ({sql})", args).fetchone()[0]

    def _row(self, r: tuple) -> HistoryRow:
        return HistoryRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]),
                          self.root / r[9] if r[9] else None, r[10],
                          None if r[11] is None else bool(r[11]), r[12], r[13] or 0.0, r[14] or "")

    @_recovering
    def get(self, record_id: int) -> HistoryRecord | None:
        """The complete record (full prompt, parameters, tags, img2img inputs), or None."""
        db = self.db
        r = db.execute(
            "SELECT id, kind, created, model_id, model_hash, prompt, negative_prompt, seed, params, "
            "image_path, width, height, output, duration, device, favourite, accepted, deleted, "
            "job_id, batch_index, finish_reason, context_hash, init_hash, mask_hash "
            "FROM records WHERE id = ?", (record_id,)).fetchone()
        if r is None:
            return None
        try:
            params = json.loads(r[8]) if r[8] else {}
        except ValueError:
            params = {}
        prompt = r[5]
        context = self.blob(r[21]) if r[21] else None
        if context is not None:
            prompt = zlib.decompress(context).decode("utf-8")
        init = self.blob(r[22]) if r[22] else None
        mask = self.blob(r[23]) if r[23] else None
        return HistoryRecord(
            id=r[0], kind=r[1], created=r[2], model_id=r[3], model_hash=r[4] or "", prompt=prompt,
            negative_prompt=r[6] or "", seed=r[7], params=params,
            image_path=self.root / r[9] if r[9] else None, width=r[10], height=r[11], text=r[12],
            duration=r[13] or 0.0, device=r[14] or "", favourite=bool(r[15]),
            accepted=None if r[16] is None else bool(r[16]), deleted=r[17], tags=self.tags(r[0]),
            job_id=r[18], batch_index=r[19] or 0, finish_reason=r[20],
            init_image=png_array(init) if init else None, mask=png_array(mask) if mask else None)

    @_recovering
    def blob(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT data FROM blobs WHERE hash = ?", (key,)).fetchone()
        return row[0] if row else None

    @_recovering
    def thumbnails(self, ids: Iterable[int]) -> dict[int, bytes]:
        """Encoded thumbnails (JPEG) of the given records that have one."""
        out: dict[int, bytes] = {}
        ids = list(ids)
        for k in range(0, len(ids), _CHUNK):
            chunk = ids[k:k + _CHUNK]
            out.update(self.db.execute(
                f"SELECT record_id, data FROM thumbnails WHERE record_id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall())
        return out

    @_recovering
    def models(self) -> list[str]:
        """Model ids that appear in the history (trash included), sorted."""
        # A skip-scan over the model index: one seek per distinct model, not one step per row.
        return [r[0] for r in self.db.execute(
            "WITH RECURSIVE m(id) AS (SELECT min(model_id) FROM records WHERE model_id > '' "
            "UNION ALL SELECT (SELECT min(model_id) FROM records WHERE model_id > m.id) FROM m "
            "WHERE m.id IS NOT NULL) SELECT id FROM m WHERE id IS NOT NULL")]

    @_recovering
    def tags(self, record_id: int) -> tuple[str, ...]:
        return tuple(r[0] for r in self.db.execute(
            "SELECT tag FROM tags WHERE record_id = ? ORDER BY tag", (record_id,)))

    @_recovering
    def all_tags(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT tag FROM tags ORDER BY tag")]

    # ── editing (UI thread) ──

    @_recovering
    def _update(self, sql: str, ids: Sequence[int], *args: Any) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for k in range(0, len(ids), _CHUNK):
                chunk = list(ids[k:k + _CHUNK])
                db.execute(sql.format(ids=",".join("?" * len(chunk))), (*args, *chunk))
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise

    def set_favourite(self, ids: Sequence[int], favourite: bool = True) -> None:
        self._update("UPDATE records SET favourite = ? WHERE id IN ({ids})", ids, int(favourite))

    def set_accepted(self, record_id: int, accepted: bool | None) -> None:
        """Whether the writer kept a text generation (None = not decided)."""
        value = None if accepted is None else int(bool(accepted))
        self._update("UPDATE records SET accepted = ? WHERE id IN ({ids})", [record_id], value)

    def add_tag(self, ids: Sequence[int], tag: str) -> None:
        tag = tag.strip()
        if tag:
            self._update("INSERT OR IGNORE INTO tags(record_id, tag) SELECT id, ? FROM records "
                         "WHERE id IN ({ids})", ids, tag)

    def remove_tag(self, ids: Sequence[int], tag: str) -> None:
        self._update("DELETE FROM tags WHERE tag = ? AND record_id IN ({ids})", ids, tag)

    def trash(self, ids: Sequence[int]) -> None:
        self._update("UPDATE records SET deleted = ? WHERE deleted IS NULL AND id IN ({ids})",
                     ids, time.time())

    def restore(self, ids: Sequence[int]) -> None:
        self._update("UPDATE records SET deleted = NULL WHERE id IN ({ids})", ids)

    @_recovering
    def empty_trash(self) -> int:
        """Delete the trashed records and their files for good; returns how many went."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = db.execute("SELECT id, image_path, prompt, coalesce(output, '') FROM records "
                              "WHERE deleted IS NOT NULL").fetchall()
            ids = [r[0] for r in rows]
            files = [r[1] for r in rows if r[1]]
            pid, now = os.getpid(), time.time()
            db.executemany("INSERT OR REPLACE INTO pending(path, pid, since) VALUES (?, ?, ?)",
                           [(f, pid, now) for f in files])
            db.executemany("INSERT INTO records_fts(records_fts, rowid, prompt, body) "
                           "VALUES ('delete', ?, ?, ?)", fts_insert_rows([(r[0], r[2], r[3]) for r in rows]))
            for k in range(0, len(ids), _CHUNK):
                chunk = ids[k:k + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for table, col in (("thumbnails", "record_id"), ("tags", "record_id"), ("records", "id")):
                    db.execute(f"DELETE FROM {table} WHERE {col} IN ({marks})", chunk)
            db.execute("DELETE FROM blobs WHERE hash NOT IN (SELECT context_hash FROM records WHERE "
                       "context_hash IS NOT NULL UNION SELECT init_hash FROM records WHERE init_hash "
                       "IS NOT NULL UNION SELECT mask_hash FROM records WHERE mask_hash IS NOT NULL)")
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        for rel in files:
            (self.root / rel).unlink(missing_ok=True)
        db.executemany("DELETE FROM pending WHERE path = ?", [(f,) for f in files])
        return len(ids)

    def integrity_ok(self) -> bool:
        """Full check (slow on big histories: for tests and a "check" menu item, not start-up)."""
        if self.db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            return False
        try:
            self.db.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError:
            return False
        return True
