"""The history database schema, its migrations, and the full-text search normalisation.

``PRAGMA user_version`` holds the schema version. A new database runs every migration in
order, so the upgrade path from each old version is exercised on every fresh install.

Full-text search uses FTS5 with the ``unicode61`` tokenizer, which keeps a run of Chinese or
Japanese characters as one token. We index (and query) text with a space around every CJK
character and every emoji written as a ``u1f431``-style word, so "猫" finds "一只猫在睡觉" and
"🐱" finds prompts with a cat emoji. The FTS table is contentless: the text lives only in
``records``; removing a row from the index replays its original values (``fts_delete``).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Callable

SCHEMA_VERSION = 2

_CJK = re.compile("([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
                  "\U00020000-\U0002fa1f])")
_SYMBOL = re.compile("[\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")
_WORD = re.compile(r"\w")


def fts_text(text: str) -> str:
    """The form of ``text`` that goes into (and is matched against) the FTS index.

    Removing a row from the contentless index replays this function on the stored text, so
    changing it needs a migration that rebuilds the index ('delete-all', then insert again).
    """
    text = _CJK.sub(r" \1 ", text)
    return _SYMBOL.sub(lambda m: f" u{ord(m.group()):x} ", text)


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression: every whitespace-separated term must occur (as a word prefix,
    or as a character sequence for CJK). None when nothing searchable is left."""
    terms = []
    for raw in text.split():
        phrase = " ".join(fts_text(raw).split())
        if not _WORD.search(phrase):
            continue
        terms.append('"' + phrase.replace('"', '""') + '"*')
    return " AND ".join(terms) or None


# ── migrations: each takes a connection inside an open transaction ──


def _script(db: sqlite3.Connection, sql: str) -> None:
    # Not executescript(): it commits the open transaction first. (No ';' in these comments.)
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    """The first schema: one table, thumbnails inline, no search index."""
    _script(db, """
        CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,               -- image | text
            created REAL NOT NULL,            -- unix time
            model_id TEXT NOT NULL DEFAULT '',
            prompt TEXT NOT NULL DEFAULT '',
            params TEXT NOT NULL DEFAULT '{}',
            image_path TEXT,                  -- relative to the database folder
            thumb BLOB,
            output TEXT,
            duration REAL NOT NULL DEFAULT 0,
            device TEXT NOT NULL DEFAULT '',
            favourite INTEGER NOT NULL DEFAULT 0,
            deleted REAL                      -- time it went to the trash, NULL = live
        );
        CREATE INDEX records_created ON records(created);
    """)


def _v2(db: sqlite3.Connection) -> None:
    """Search, tags, queryable columns, thumbnails in their own table, crash-safe file writes."""
    for column in ("model_hash TEXT NOT NULL DEFAULT ''", "negative_prompt TEXT NOT NULL DEFAULT ''",
                   "seed INTEGER", "width INTEGER", "height INTEGER", "accepted INTEGER",
                   "context_hash TEXT", "init_hash TEXT", "mask_hash TEXT", "job_id INTEGER",
                   "batch_index INTEGER NOT NULL DEFAULT 0", "finish_reason TEXT"):
        db.execute(f"ALTER TABLE records ADD COLUMN {column}")
    # v1 kept these only inside params.
    db.execute("""UPDATE records SET
        negative_prompt = coalesce(json_extract(params, '$.negative_prompt'), ''),
        seed = json_extract(params, '$.seed'),
        width = json_extract(params, '$.width'),
        height = json_extract(params, '$.height')
        WHERE json_valid(params)""")
    _script(db, """
        CREATE TABLE thumbnails (record_id INTEGER PRIMARY KEY, data BLOB NOT NULL);
        INSERT INTO thumbnails SELECT id, thumb FROM records WHERE thumb IS NOT NULL;
        ALTER TABLE records DROP COLUMN thumb;
        CREATE TABLE tags (record_id INTEGER NOT NULL, tag TEXT NOT NULL,
                           PRIMARY KEY (record_id, tag)) WITHOUT ROWID;
        CREATE INDEX tags_by_tag ON tags(tag, record_id);
        -- content-addressed, deduplicated payloads: long text contexts, img2img inputs
        CREATE TABLE blobs (hash TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
        -- the highest record id ever given out: ids are never reused after the trash is emptied
        CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        INSERT INTO meta(key, value) SELECT 'last_id', coalesce(max(id), 0) FROM records;
        -- files being written or deleted (a crash leaves them here for the next open to settle)
        CREATE TABLE pending (path TEXT PRIMARY KEY, pid INTEGER NOT NULL, since REAL NOT NULL);
        CREATE INDEX records_kind ON records(kind, id);
        CREATE INDEX records_model ON records(model_id, id);
        CREATE INDEX records_favourite ON records(id) WHERE favourite = 1;
        CREATE INDEX records_deleted ON records(deleted) WHERE deleted IS NOT NULL;
        CREATE INDEX records_image ON records(image_path) WHERE image_path IS NOT NULL;
        CREATE VIRTUAL TABLE records_fts USING fts5(prompt, body, content='',
                                                    tokenize='unicode61 remove_diacritics 2');
    """)
    rows = db.execute("SELECT id, prompt, coalesce(output, '') FROM records").fetchall()
    db.executemany("INSERT INTO records_fts(rowid, prompt, body) VALUES (?, ?, ?)",
                   [(i, fts_text(p), fts_text(o)) for i, p, o in rows])


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1, 2: _v2}


def migrate(db: sqlite3.Connection) -> int:
    """Bring the database up to SCHEMA_VERSION; returns the version it had before.

    Each step runs in its own transaction together with its ``user_version`` bump, so a crash
    mid-migration leaves the previous version intact.
    """
    before = db.execute("PRAGMA user_version").fetchone()[0]
    for version in range(before + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return before


def tables_at(version: int) -> set[str]:
    """The tables a database at schema ``version`` holds (FTS shadow tables included): the
    migrations up to it, run on an empty in-memory database."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for v in range(1, version + 1):
            MIGRATIONS[v](db)
        return {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not n.startswith("sqlite_")}
    finally:
        db.close()


def fts_insert_rows(rows: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    return [(i, fts_text(p or ""), fts_text(o or "")) for i, p, o in rows]
