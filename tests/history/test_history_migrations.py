"""Upgrading a history written by an older Studio (schema v1, created here by hand)."""

from __future__ import annotations

import io
import json
import sqlite3

import numpy as np
import pytest
from PIL import Image

from studio.history import HistoryStore, NewRecord, Query, request_from_record
from studio.history.schema import SCHEMA_VERSION

V1 = """
CREATE TABLE records (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, created REAL NOT NULL,
    model_id TEXT NOT NULL DEFAULT '', prompt TEXT NOT NULL DEFAULT '',
    params TEXT NOT NULL DEFAULT '{}', image_path TEXT, thumb BLOB, output TEXT,
    duration REAL NOT NULL DEFAULT 0, device TEXT NOT NULL DEFAULT '',
    favourite INTEGER NOT NULL DEFAULT 0, deleted REAL);
CREATE INDEX records_created ON records(created);
PRAGMA user_version = 1;
"""


def _jpeg(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "JPEG")
    return buf.getvalue()


def make_v1(path):
    db = sqlite3.connect(path)
    db.executescript(V1)
    rows = [
        (1, "image", 1_600_000_000.0, "old-model", "a lighthouse at dusk",
         json.dumps({"prompt": "a lighthouse at dusk", "negative_prompt": "fog", "seed": 42, "steps": 20,
                     "guidance": 7.0, "scheduler": "ddim", "width": 64, "height": 64, "model_id": "old-model"}),
         "images/old/1.png", _jpeg("red"), None, 3.0, "CPU", 1, None),
        (2, "text", 1_600_000_100.0, "old-text", "从前有一座山",
         json.dumps({"model_id": "old-text", "precision": "", "memory": "", "chat": False,
                     "sampler": {"temperature": 0.7, "seed": 9, "stop": ["\n"]}}),
         None, None, "山里有一座庙", 1.0, "CPU", 0, None),
        (3, "image", 1_600_000_200.0, "old-model", "deleted cat", "not json", "images/old/3.png",
         _jpeg("blue"), None, 1.0, "CPU", 0, 1_600_000_300.0),
    ]
    db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()


def test_v1_database_is_upgraded(tmp_path):
    path = tmp_path / "history.db"
    make_v1(path)
    (tmp_path / "images" / "old").mkdir(parents=True)
    Image.new("RGB", (64, 64), "red").save(tmp_path / "images" / "old" / "1.png")
    store = HistoryStore(path)
    assert store.problem == ""
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.integrity_ok()
    # rows kept, new columns filled from the old params JSON
    rec = store.get(1)
    assert (rec.prompt, rec.negative_prompt, rec.seed, rec.width, rec.favourite) == (
        "a lighthouse at dusk", "fog", 42, 64, True)
    assert rec.image_path == tmp_path / "images" / "old" / "1.png" and rec.image_path.exists()
    req = request_from_record(rec)
    assert (req.prompt, req.negative_prompt, req.seed, req.steps, req.scheduler, req.model_id) == (
        "a lighthouse at dusk", "fog", 42, 20, "ddim", "old-model")
    text = store.get(2)
    assert text.text == "山里有一座庙" and request_from_record(text).sampler.stop == ("\n",)
    assert store.get(3).seed is None  # a broken params column does not stop the upgrade
    # thumbnails moved to their own table, the old column is gone
    thumbs = store.thumbnails([1, 2, 3])
    assert set(thumbs) == {1, 3}
    assert np.asarray(Image.open(io.BytesIO(thumbs[1])))[4, 4, 0] > 200
    cols = [r[1] for r in store.db.execute("PRAGMA table_info(records)")]
    assert "thumb" not in cols and "accepted" in cols
    # old rows are searchable; the trash stays the trash
    assert [r.id for r in store.page(Query(text="lighthouse"))] == [1]
    assert [r.id for r in store.page(Query(text="庙"))] == [2]
    assert [r.id for r in store.page(Query(text="cat"))] == []
    assert [r.id for r in store.page(Query(text="cat", trash=True))] == [3]
    assert store.empty_trash() == 1
    # the id counter starts after the old rows, including the one just deleted
    assert store.add([NewRecord(kind="text", created=1.0, model_id="m", prompt="new", params={})]) == (4,)
    store.close()
    # reopening does not migrate again
    again = HistoryStore(path)
    assert again.count() == 3 and again.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    again.close()


def test_failed_migration_leaves_old_version(tmp_path, monkeypatch):
    from studio.history import schema

    path = tmp_path / "history.db"
    make_v1(path)

    def broken(db):
        db.execute("ALTER TABLE records ADD COLUMN half_done INTEGER")
        raise RuntimeError("power cut")

    monkeypatch.setitem(schema.MIGRATIONS, 2, broken)
    with pytest.raises(RuntimeError, match="power cut"):
        HistoryStore(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "half_done" not in [r[1] for r in db.execute("PRAGMA table_info(records)")]
    db.close()
