"""Salvage: the readable records of a damaged history database survive the move aside."""

from __future__ import annotations

import random
import re
import time

import numpy as np
import pytest

from studio import paths
import studio.history.salvage as salvage_module
from studio.history import HistoryStore, Query
from studio.history.recorder import record_result
from studio.history.salvage import salvage
from studio.history.store import NewRecord
from studio.jobs import ImageRequest, ImageResult, RunStats, TextRequest, TextResult
from tests.bad_input.checks import assert_clear


def _prompt(i: int) -> str:
    return f"record-{i:03d} 一只猫 " * 20


def _text_history(n: int) -> HistoryStore:
    """n text records (ids 1..n); record i has the prompt ``_prompt(i - 1)`` and seed i - 1."""
    store = HistoryStore()
    store.add([NewRecord("text", time.time(), "m", _prompt(i), {"seed": i}, seed=i, output=f"out {i} ✨")
               for i in range(n)])
    return store


def _closed(store: HistoryStore):
    """Checkpoint (everything into the main file, none in the -wal) and close; returns the path."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return store.path


def test_random_bytes_over_record_pages_lose_only_those_records(tmp_path):
    path = _closed(_text_history(120))
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    hit = set()
    for i in (40, 80):  # wipe the pages holding these two records with random bytes
        at = data.index(f"record-{i:03d}".encode()) // page * page
        data[at:at + page] = random.Random(i).randbytes(page)
        hit.add(i + 1)
    path = tmp_path / "损坏的 历史 #1 %20" / "history.db"  # read through a URI: it must be quoted
    path.parent.mkdir()
    path.write_bytes(bytes(data))

    new = HistoryStore(tmp_path / "new" / "history.db")
    try:
        got = salvage(path, new.db)
        assert path.read_bytes() == bytes(data), "the damaged copy must not be written to"
        ids = [r.id for r in new.page(limit=500)]
        assert not hit & set(ids)
        # Only the records that shared a page with the two wiped ones are lost.
        assert 90 <= got.records == len(ids) < 120 and got.total in (None, 120)
        for rid in ids:
            rec = new.get(rid)
            assert (rec.prompt, rec.seed, rec.params, rec.text) == (_prompt(rid - 1), rid - 1, {"seed": rid - 1},
                                                                    f"out {rid - 1} ✨")
        # searchable, through the same index as new records
        assert new.count(Query(text="一只猫")) == len(ids)
        assert [r.id for r in new.page(Query(text="record-007"))] == [8]
        assert [r.id for r in new.page(Query(text="out 100"))] == ([101] if 101 in ids else [])
        assert new.integrity_ok()
        # ids are never reused: the next record comes after the highest the damaged file gave out
        assert new.add([NewRecord("text", time.time(), "m", "after", {})]) == (121,)
    finally:
        new.close()


def test_tags_thumbnails_blobs_and_image_files_survive(tmp_path):
    store = HistoryStore()
    init = np.random.default_rng(1).integers(0, 256, (32, 48, 3), np.uint8)
    mask = np.full((32, 48), 255, np.uint8)
    req = ImageRequest("一只猫 on a roof", seed=7, width=48, height=32, init_image=init, mask=mask, strength=0.5)
    img = np.random.default_rng(2).integers(0, 256, (32, 48, 3), np.uint8)
    (image_id,) = record_result(store, ImageResult(req.job_id, req, (img,), (7,), RunStats(1.0, "CPU", "m")))
    long_context = "第一章。" + "The night was long. " * 400  # beyond the searchable tail: kept as a blob
    t = TextRequest(long_context)
    (text_id,) = record_result(store, TextResult(t.job_id, t, "雨停了。", (), "stop", 3, RunStats(0.1, "CPU", "t")))
    store.add_tag([image_id, text_id], "keep ✨")
    store.set_favourite([image_id])
    thumb = store.thumbnails([image_id])[image_id]
    image_file = store.get(image_id).image_path
    store.add([NewRecord("text", time.time(), "m", f"filler {i} " * 40, {}) for i in range(300)])
    path = _closed(store)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])  # the later records' pages are cut off

    new = HistoryStore()
    try:
        assert "damaged" in new.problem and "records were recovered" in new.problem
        assert_clear(new.problem)
        rec = new.get(image_id)
        assert rec.prompt == "一只猫 on a roof" and rec.favourite and rec.tags == ("keep ✨",)
        assert np.array_equal(rec.init_image, init) and np.array_equal(rec.mask, mask)
        assert new.thumbnails([image_id]) == {image_id: thumb}
        assert rec.image_path == image_file and image_file.is_file(), "image files stay where they are"
        text = new.get(text_id)
        assert text.prompt == long_context and text.text == "雨停了。" and text.tags == ("keep ✨",)
        assert [r.id for r in new.page(Query(text="猫 roof"))] == [image_id]
        assert new.all_tags() == ["keep ✨"]
        assert new.integrity_ok()
    finally:
        new.close()


@pytest.mark.parametrize("content", [b"this is not sqlite" * 100, "header", b""], ids=["not-sqlite", "header-only",
                                                                                      "zero-bytes"])
def test_nothing_readable_gives_an_empty_history_and_says_so(content):
    path = paths.history_dir() / "history.db"
    if content == "header":  # a real history cut inside its first page
        content = _closed(_text_history(5)).read_bytes()[:100]
    path.write_bytes(content)
    new = HistoryStore()
    try:
        assert new.count() == 0
        aside = list(path.parent.glob("history.db.corrupt-*"))
        if not content:
            # An empty file is what SQLite itself leaves before its first write: not damage,
            # nothing was lost, so there is nothing to say.
            assert new.problem == "" and not aside
        else:
            assert_clear(new.problem)
            assert "damaged" in new.problem and "none of its records could be read" in new.problem
            (moved,) = [p for p in aside if not p.name.endswith(("-wal", "-shm"))]
            assert str(moved) in new.problem
            assert moved.read_bytes() == content, "the damaged file is kept as it was"
        assert new.add([NewRecord("text", time.time(), "m", "fresh", {})]) == (1,)
    finally:
        new.close()
    # salvage itself, on a file with no database in it, copies nothing and does not raise
    empty = paths.history_dir() / "empty.db"
    empty.write_bytes(b"")
    other = HistoryStore(paths.history_dir() / "other" / "history.db")
    assert salvage(empty, other.db).records == 0 and other.count() == 0
    other.close()


def test_a_failing_salvage_keeps_the_empty_history_and_says_so(monkeypatch):
    path = _closed(_text_history(120))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])

    def boom(*_args):
        raise RuntimeError("disk went away")

    # Fails after the records went in: the whole copy is rolled back, not left half done.
    monkeypatch.setattr(salvage_module, "_copy_extras", boom)
    new = HistoryStore()
    try:
        assert new.count() == 0 and new.db.execute("SELECT count(*) FROM records_fts").fetchone()[0] == 0
        assert_clear(new.problem)
        assert re.search(r"moved aside to .*history\.db\.corrupt-.*could not be recovered \(disk went away\)",
                         new.problem)
        assert new.add([NewRecord("text", time.time(), "m", "fresh", {})])
        assert new.integrity_ok()
    finally:
        new.close()
