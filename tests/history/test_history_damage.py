"""Damage the header check misses: bad pages in the middle of the file (found by quick_check at
open, or by a query or write while the store is open) and an impossible schema version. Each is
handled like a damaged header: the file is moved aside, its readable records salvaged, the user
told; a generation being recorded when the damage shows is kept."""

from __future__ import annotations

import random
import re
import sqlite3
import threading
import time

import numpy as np
import pytest

import studio.history.store as store_module
from studio import paths
from studio.app import open_history
from studio.history import HistoryStore, Query
from studio.history.recorder import record_result
from studio.history.store import NewRecord
from studio.jobs import ImageRequest, ImageResult, RunStats
from tests.bad_input.checks import assert_clear

N = 120  # text records, ids 1..N; then one image record, id N + 1
RECOVERED = re.compile(r"damaged .*moved aside to .*history\.db\.corrupt-\S+\. (\d+) of its (\d+ )?records? "
                       r"(was|were) recovered\.$")


def _prompt(i: int) -> str:
    return f"record-{i:03d} 一只猫 " * 20


def _history() -> HistoryStore:
    store = HistoryStore()
    for k in range(0, N, 20):
        store.add([NewRecord("text", time.time(), "m", _prompt(i), {"seed": i}, seed=i, output=f"out {i} ✨")
                   for i in range(k, k + 20)])
    req = ImageRequest("a lighthouse 灯塔", seed=3)
    img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), np.uint8)
    record_result(store, ImageResult(req.job_id, req, (img,), (3,), RunStats(0.1, "CPU", "i")))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
    return store


def _wipe(path, records: tuple[int | str, ...]) -> None:
    """Random bytes, in place, over the pages that hold these records (an index into _prompt,
    or a prompt's text)."""
    data = path.read_bytes()
    size = int.from_bytes(data[16:18], "big")
    with open(path, "r+b") as f:
        for i in records:
            text = f"record-{i:03d}" if isinstance(i, int) else i
            f.seek(data.index(text.encode()) // size * size)
            f.write(random.Random(text).randbytes(size))


def _one_aside():
    (aside,) = [p for p in paths.history_dir().glob("history.db.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    return aside


def _check_recovered(store: HistoryStore, message: str, lost: set[int], added: int = 0) -> int:
    """The message is clear and counts what the store holds (less ``added`` records written
    after the recovery); what survived is intact."""
    assert_clear(message)
    m = RECOVERED.search(message)
    assert m, message
    n = store.count() - added
    assert int(m.group(1)) == n and 0 < n < N + 1
    ids = {r.id for r in store.page(limit=500)}
    assert not lost & ids
    for rid in sorted(ids)[:: 17]:
        if rid <= N:
            rec = store.get(rid)
            assert (rec.prompt, rec.text) == (_prompt(rid - 1), f"out {rid - 1} ✨")
    assert store.integrity_ok()
    return n


def test_random_bytes_mid_file_are_found_at_open():
    store = _history()
    path = store.path
    store.close()
    _wipe(path, (50, 70))  # pages in the middle; the header and the schema are fine
    damaged = path.read_bytes()

    new, message = open_history()
    try:
        assert new is not None
        n = _check_recovered(new, message, {51, 71})
        assert new.problem == message
        assert _one_aside().read_bytes() == damaged, "the damaged file is kept as it was"
        # search works, Chinese included, and ids are never reused
        assert new.count(Query(text="一只猫")) == n - 1  # all but the image record
        assert [r.id for r in new.page(Query(text="record-007"))] == [8]
        assert [r.id for r in new.page(Query(text="灯塔"))] == [N + 1]
        assert new.add([NewRecord("text", time.time(), "m", "after", {})]) == (N + 2,)
    finally:
        new.close()
    again, message = open_history()
    assert message == "" and again.count() == n + 1
    again.close()


def test_a_file_too_big_to_check_at_open_is_recovered_by_its_first_query(monkeypatch):
    monkeypatch.setattr(store_module, "QUICK_CHECK_MAX_BYTES", 0)  # as for a big history
    store = _history()
    path = store.path
    store.close()
    _wipe(path, (50, 70))
    new, message = open_history()
    try:
        assert message == "", "not checked at open"
        heard = []
        new.add_recovery_listener(heard.append)
        assert len(new.page(Query(text="一只猫"), limit=500)) == new.count() - 1
        assert heard == [new.problem]
        _check_recovered(new, new.problem, {51, 71})
    finally:
        new.close()


def _behind_its_back(store: HistoryStore, records: tuple[int | str, ...]) -> None:
    """Damage the open store's file and drop the pages this thread's connection has cached
    (as memory pressure or a long session would), so its next read goes to the disk."""
    _wipe(store.path, records)
    store.db.execute("PRAGMA shrink_memory")


@pytest.mark.parametrize("call", ["page", "count", "search", "add"])
def test_damage_while_open_is_recovered_on_the_fly(call):
    store = _history()
    heard = []
    store.add_recovery_listener(heard.append)
    try:
        assert store.problem == ""
        # The newest records: every call below reads them (an insert reads the highest id).
        _behind_its_back(store, ("a lighthouse",) if call == "add" else (N - 1,))
        new = NewRecord("image", time.time(), "m", "kept through the damage 保留", {"seed": 1}, seed=1,
                        png=b"the image file", thumb=b"thumbnail")
        if call == "page":
            rows = store.page(limit=500)
            assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True) and rows[0].id == N + 1
        elif call == "count":
            assert store.count() == len(store.page(limit=500))
        elif call == "search":
            assert len(store.page(Query(text="一只猫"), limit=500)) == store.count() - 1
        else:
            got = []
            worker = threading.Thread(target=lambda: got.append(store.add([new])))  # the worker's own connection
            worker.start()
            worker.join(60)
            assert got == [(N + 2,)], "the generation being recorded must be kept"
            rec = store.get(N + 2)
            assert rec.prompt == "kept through the damage 保留" and rec.image_path.read_bytes() == b"the image file"
            assert store.thumbnails([N + 2]) == {N + 2: b"thumbnail"}
            assert [r.id for r in store.page(Query(text="保留"))] == [N + 2]
            # the first try's file went with it: one file per image record ever added
            assert len(list((store.root / "images").rglob("*.png"))) == 2
        assert heard == [store.problem], "the listeners hear the sentence once"
        lost = {N + 1} if call == "add" else {N}  # the record whose page was wiped
        _check_recovered(store, store.problem, lost, added=int(call == "add"))
        _one_aside()
        # the store goes on working on the new file
        assert store.add([NewRecord("text", time.time(), "m", "later", {})])[0] > N + 1
    finally:
        store.close()


def test_both_threads_meet_the_damage_and_one_recovery_serves_them():
    store = _history()
    heard = []
    store.add_recovery_listener(heard.append)
    _behind_its_back(store, ("a lighthouse", N - 1, 60))  # the worker's insert meets it too
    errors, got = [], []
    both = threading.Barrier(2)

    def worker():
        try:
            both.wait()
            for i in range(5):
                got.extend(store.add([NewRecord("text", time.time(), "m", f"session {i}", {})]))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    try:
        both.wait()
        while t.is_alive():
            store.page(Query(text="一只猫"))
            store.thumbnails([N + 1])
        t.join()
        assert not errors
        assert len(heard) == 1 and len(got) == 5
        assert [r.id for r in store.page(Query(text="session"))] == sorted(got, reverse=True)
        _one_aside()
        assert store.integrity_ok()
    finally:
        store.close()


@pytest.mark.parametrize("version", [-5, 10 ** 6, 0, 1], ids=["negative", "absurd", "zeroed", "too-low"])
def test_impossible_schema_version_is_damage(version):
    store = _history()
    path = store.path
    store.close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {version}")
    db.close()

    new, message = open_history()
    try:
        assert new is not None
        assert_clear(message)
        assert f"schema version {version}" in message
        m = RECOVERED.search(message)
        assert m and int(m.group(1)) == N + 1 == new.count(), "only the header was damaged: nothing is lost"
        assert new.db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert [r.id for r in new.page(Query(text="record-042"))] == [43]
        assert new.add([NewRecord("text", time.time(), "m", "after", {})]) == (N + 2,)
        assert new.integrity_ok()
        _one_aside()
    finally:
        new.close()


def test_pane_shows_the_recovery_and_reloads(qtbot):
    from studio.ui.history_pane import HistoryPane

    store = _history()
    pane = HistoryPane(store)
    qtbot.addWidget(pane)
    pane.tabs.setCurrentIndex(1)  # the text list
    assert not pane.banner.isVisibleTo(pane) and len(pane.text_model.rows) == N
    _behind_its_back(store, (N - 1,))
    pane.refresh()
    qtbot.waitUntil(lambda: pane.banner.isVisibleTo(pane), timeout=5000)
    assert pane.banner.text() == store.problem and "damaged" in store.problem
    assert [r.id for r in pane.text_model.rows] == [r.id for r in store.page(Query(kind="text"), limit=500)]
    assert 0 < len(pane.text_model.rows) < N
    store.close()
