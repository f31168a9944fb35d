"""A damaged, locked, read-only or full data folder: the user is told, the app runs on, and
what was already saved stays intact."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from studio import paths
from studio.app import open_history
from studio.jobs import ImageRequest, ImageResult, RunStats, TextRequest, TextResult
from studio.settings import Settings
from tests.bad_input.checks import assert_clear, assert_db_intact


def _fill_history(n: int = 20):
    from studio.history import HistoryStore
    from studio.history.recorder import record_result

    store = HistoryStore()
    for i in range(n):
        t = TextRequest(f"context {i} 上下文 " * 30)
        record_result(store, TextResult(t.job_id, t, f"output {i} ✨", (), "stop", i, RunStats(0.1, "CPU", "t")))
    req = ImageRequest("a picture", seed=1)
    img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), np.uint8)
    record_result(store, ImageResult(req.job_id, req, (img,), (1,), RunStats(0.1, "CPU", "i")))
    return store


def test_history_with_a_garbage_header_is_moved_aside_and_the_user_told():
    store = _fill_history()
    path = store.path
    store.close()
    with open(path, "r+b") as f:
        f.write(os.urandom(100))
    new, message = open_history()
    try:
        assert new is not None
        assert_clear(message)
        assert "damaged" in message and "moved aside" in message
        aside = list(path.parent.glob("history.db.corrupt-*"))
        assert aside and aside[0].stat().st_size > 0, "the damaged file must be kept, not deleted"
        assert new.count() == 0
        _ = new.add  # the new history works
        assert new.integrity_ok()
    finally:
        new.close()


def test_truncated_history_keeps_its_readable_records():
    from studio.history import Query

    store = _fill_history(60)  # 60 text records (ids 1-60), then one image record (61)
    path = store.path
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    new, message = open_history()
    try:
        assert_clear(message)
        n = new.count()
        assert 0 < n < 61, "the readable records are salvaged, the cut-off ones cannot be"
        assert re.search(rf"moved aside to .*history\.db\.corrupt-\S+\. {n} of its (61 )?records were recovered\.$",
                         message)
        for row in new.page(limit=100):
            rec = new.get(row.id)
            if rec.kind == "text":
                assert (rec.prompt, rec.text) == (f"context {row.id - 1} 上下文 " * 30, f"output {row.id - 1} ✨")
        # found by search, Chinese included, and by their generated text
        text_ids = [r.id for r in new.page(Query(kind="text"), limit=100)]
        assert [r.id for r in new.page(Query(text="上下文"), limit=100)] == text_ids
        assert [r.id for r in new.page(Query(text=f"output {text_ids[-1] - 1}"))] == [text_ids[-1]]
        assert new.integrity_ok()
        (aside,) = [p for p in path.parent.glob("history.db.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
        assert aside.read_bytes() == data[: len(data) * 2 // 3], "the damaged file is kept as it was"
    finally:
        new.close()


WAL_WRITER = r"""
import sys, os
from studio.history import HistoryStore
from studio.history.recorder import record_result
from studio.jobs import TextRequest, TextResult, RunStats
store = HistoryStore()
store.db.execute("PRAGMA wal_autocheckpoint = 0")  # everything stays in the -wal file
for i in range(int(sys.argv[1])):
    t = TextRequest(f"wal record {i}")
    record_result(store, TextResult(t.job_id, t, "x", (), "stop", i, RunStats(0.1, "CPU", "t")))
print("done", flush=True)
os.kill(os.getpid(), 9)
"""


def test_records_only_in_the_wal_survive_a_kill():
    env = {**os.environ, "PYTHONPATH": str(paths.REPO_ROOT)}
    out = subprocess.run([sys.executable, "-c", WAL_WRITER, "25"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.stdout.strip() == "done" and out.returncode == -9
    db = paths.history_dir() / "history.db"
    assert Path(str(db) + "-wal").stat().st_size > 0, "the records should be in the WAL only"
    store, message = open_history()
    try:
        assert message == ""
        assert store.count() == 25
        assert store.integrity_ok()
    finally:
        store.close()


LOCKER = r"""
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode = EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)
"""


def test_history_locked_by_another_program(qtbot):
    store = _fill_history(3)
    path = store.path
    store.close()
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        new, message = open_history()
        assert new is None
        assert_clear(message)
        assert "history" in message.lower() and "locked" in message
        # The app still opens and runs without history.
        from studio.engines.runtime import SessionFactory
        from studio.ui.main_window import MainWindow
        from studio.worker.thread import Worker

        w = MainWindow(Settings(), worker=Worker(SessionFactory(device="cpu", threads=1)), history_store=None)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        assert w.close()
    finally:
        locker.kill()
        locker.wait()
        locker.stdout.close()
    assert_db_intact(path)
    reopened, message = open_history()
    assert reopened.count() == 4 and message == ""
    reopened.close()


def test_history_path_taken_by_a_folder():
    (paths.history_dir() / "history.db").mkdir()
    store, message = open_history()
    assert store is None
    assert_clear(message)
    assert "history" in message.lower()


@pytest.mark.parametrize("raw", ['{"version": "x"}', '{"threads": "many", "device": 5, "data_dir": 7}',
                                 "[1, 2]", "\ufeff{{{", ""])
def test_damaged_settings_file_gives_defaults(raw):
    Settings.path().write_text(raw, encoding="utf-8")
    s = Settings.load()
    assert s == Settings()


# ── read-only and full data folders (a real tmpfs; needs root to mount) ──

def _mount(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], check=True,
                       capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {exc}")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=20)


@pytest.fixture
def full_fs(tmp_path, monkeypatch):
    """STUDIO_DATA_DIR on a 4 MB tmpfs; yields (folder, fill) where fill() takes every free byte."""
    root = tmp_path / "fs"
    _mount(root, "size=4m")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(root))

    def fill() -> None:
        for n, block in enumerate((1 << 16, 512)):
            try:
                with open(root / f"filler{n}.bin", "wb", buffering=0) as f:
                    while True:
                        f.write(b"\0" * block)
            except OSError:
                pass

    yield root, fill
    _umount(root)


@pytest.fixture
def read_only_view(tmp_path):
    """A read-only bind mount of tmp_path/"data" at tmp_path/"ro"."""
    src, view = tmp_path / "data", tmp_path / "ro"
    src.mkdir()
    view.mkdir()
    try:
        subprocess.run(["mount", "--bind", str(src), str(view)], check=True, capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot bind-mount here (needs root): {exc}")
    yield src, view
    _umount(view)


def _window(qtbot, store, **settings):
    from studio.engines.runtime import SessionFactory
    from studio.ui.main_window import MainWindow
    from studio.worker.thread import Worker

    w = MainWindow(Settings(**settings), history_store=store,
                   worker=Worker(SessionFactory(device="cpu", threads=1)))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_full_data_folder(qtbot, full_fs, tiny_root, tmp_path):
    from tests.bad_input import models

    root, fill = full_fs
    models.install(tiny_root / models.IMAGE_ID)
    store, message = open_history()
    assert message == ""
    window = _window(qtbot, store, image_model=models.IMAGE_ID)
    ws = window.writing_ws
    draft = tmp_path / "draft.md"  # saved outside the data folder
    ws.current_tab().editor.insertPlainText("first version 第一版")
    ws.save_to(draft)
    with qtbot.waitSignal(window.worker.recorded, timeout=30_000):
        window.worker.submit(ImageRequest("before", model_id=models.IMAGE_ID, seed=1))
    before = store.count()

    fill()
    # 1. A generation still finishes and shows; the user is told it was not kept.
    notices = []
    window.worker.notice.connect(lambda n: notices.append(n.message))
    with qtbot.waitSignal(window.worker.finished_job, timeout=30_000) as done:
        window.worker.submit(ImageRequest("after", model_id=models.IMAGE_ID, seed=2))
    assert done.args[0].images[0].shape == (64, 64, 3)
    qtbot.waitUntil(lambda: bool(notices), timeout=10_000)
    assert "history" in notices[-1]
    assert_clear(notices[-1])
    # 2. Autosave fails with a message, never an exception.
    ws.current_tab().editor.insertPlainText(" more")
    window.image_ws.add_image_layer(np.zeros((8, 8, 3), np.uint8), "x")
    window.autosave()
    assert "disk is full" in ws.banner_text.text()
    assert_clear(ws.banner_text.text())
    # 3. Exporting into the full folder fails cleanly and leaves no temp file.
    from studio.worker.runner import describe_failure

    with pytest.raises(Exception) as info:
        window.image_ws.export_flattened(str(root / "export.png"))
    assert "full" in describe_failure(0, info.value).message
    assert not list(root.glob(".export.png.*")), "a temp file was left behind"
    # 4. Nothing already saved was lost.
    assert draft.read_text(encoding="utf-8") == "first version 第一版"
    assert store.count() == before
    assert_db_intact(store.path)
    assert window.close()
    store.close()


def test_read_only_data_folder(qtbot, read_only_view, tiny_root, monkeypatch):
    from tests.bad_input import models

    src, view = read_only_view
    monkeypatch.setenv("STUDIO_DATA_DIR", str(src))
    models.install(tiny_root / models.IMAGE_ID)
    (src / "history").mkdir()
    _fill_history(5).close()
    subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True, timeout=20)
    monkeypatch.setenv("STUDIO_DATA_DIR", str(view))

    store, message = open_history()
    if store is not None:  # opened read-only: the old records are there
        assert store.count() == 6
    else:
        assert_clear(message)
        assert "history" in message.lower()
    window = _window(qtbot, store, image_model=models.IMAGE_ID)
    with qtbot.waitSignal(window.worker.finished_job, timeout=30_000) as done:
        window.worker.submit(ImageRequest("on a read-only disk", model_id=models.IMAGE_ID, seed=2))
    assert done.args[0].images[0].shape == (64, 64, 3)
    window.writing_ws.current_tab().editor.insertPlainText("unsaved words")
    window.autosave()
    assert_clear(window.writing_ws.banner_text.text())
    assert window.writing_ws.banner_text.text(), "the failed autosave must be reported"
    assert window.close()
    if store is not None:
        store.close()
    assert_db_intact(src / "history" / "history.db")


def test_cli_says_when_it_recovered_a_damaged_history(image_model, tmp_path, capsys):
    """The headless CLI records into the same history: a damaged file is salvaged and it says so."""
    from studio import cli

    store = _fill_history(30)
    path = store.path
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    out = tmp_path / "猫.png"
    rc = cli.main(["image", "a cat", "--model", image_model, "--steps", "2", "--size", "64x64", "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 0 and out.is_file(), err
    note = [ln for ln in err.splitlines() if "moved aside" in ln]
    assert note and re.search(r"\d+ of its \d+ records were recovered", note[0]), err
    from studio.history import HistoryStore

    new = HistoryStore()
    try:
        assert new.count() >= 2  # salvaged records + this generation
        assert new.integrity_ok()
    finally:
        new.close()
