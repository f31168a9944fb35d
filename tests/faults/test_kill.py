"""SIGKILL the real app (a child process) mid-generation, mid-export and mid-history-write; on
restart the history database is intact, autosaved work is offered back and no half-written file
is left anywhere."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from studio import paths
from studio.app import open_history
from tests.bad_input import models
from tests.bad_input.checks import assert_db_intact
from tests.faults.child_app import DRAFT

CHILD = Path(__file__).with_name("child_app.py")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


@pytest.fixture(scope="session")
def tiny_image(shared_cache):
    return models.tiny_image_folder(shared_cache / "faults-models")


def run_and_kill(mode: str, out: Path, delay: float = 0.0, when: str = "") -> None:
    """Start the child, wait for "ready", then kill it after `delay` s or as soon as a file
    matching the glob `when` appears in `out` (the middle of a write)."""
    env = {**os.environ, "PYTHONPATH": str(paths.REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, str(CHILD), mode, str(out)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline().strip()
        assert line == "ready", f"the child did not start: {line!r} {child.stderr.read()[-2000:]}"
        time.sleep(delay)
        deadline = time.monotonic() + 30
        while when and not list(out.glob(when)):
            assert time.monotonic() < deadline, f"no {when} appeared"
            time.sleep(0.0005)
        assert child.poll() is None, "the child ended before the kill"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()


def half_written(root: Path) -> list[Path]:
    """Temp files of atomic writes (".NAME.XXXX.tmp") and SQLite journals other than WAL."""
    return [p for p in root.rglob("*") if p.is_file() and (p.name.endswith(".tmp") or p.name.endswith("-journal"))]


def check_history() -> int:
    store, message = open_history()
    assert store is not None and message == "", message
    try:
        assert store.integrity_ok()
        assert store.db.execute("SELECT count(*) FROM pending").fetchone()[0] == 0
        rows = store.db.execute("SELECT image_path FROM records WHERE image_path IS NOT NULL").fetchall()
        on_disk = set((store.root / "images").rglob("*.png")) if (store.root / "images").exists() else set()
        assert on_disk == {store.root / r[0] for r in rows}, "an image without its record, or the reverse"
        for path in on_disk:
            with Image.open(path) as im:
                im.load()
        return len(rows)
    finally:
        store.close()
    assert_db_intact(paths.history_dir() / "history.db")


def test_kill_during_a_generation_offers_the_autosave_back(qtbot, tiny_image, tmp_path, studio_home):
    models.install(tiny_image)
    run_and_kill("generate", tmp_path, delay=random.Random(1).uniform(0.2, 1.0))
    check_history()
    assert half_written(studio_home) == []

    from studio.engines.runtime import SessionFactory
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow
    from studio.worker.thread import Worker

    window = MainWindow(Settings(image_model=models.IMAGE_ID),
                        worker=Worker(SessionFactory(device="cpu", threads=1)))
    qtbot.addWidget(window)
    window.show()
    window.offer_restore()
    texts = [window.writing_ws.tabs.widget(i).editor.toPlainText() for i in range(window.writing_ws.tabs.count())]
    assert DRAFT in texts, f"the draft was not offered back: {texts}"
    names = [layer.name for layer in window.image_ws.model.doc.layers]
    assert "crash layer" in names, f"the canvas was not offered back: {names}"
    window.close()


def test_kill_during_an_export_leaves_no_half_file(tiny_image, tmp_path, studio_home):
    """The export file is always the old complete one; the killed writer's temp file is removed by
    the next write of that file (an export folder is the user's: nothing else sweeps it)."""
    for round_ in range(2):
        run_and_kill("export", tmp_path, when=".export.png.*.tmp")  # killed while writing
        target = tmp_path / "export.png"
        if target.exists():  # the previous complete export, never a torn one
            with Image.open(target) as im:
                im.load()
                assert im.size == (1024, 1024)
        left = half_written(tmp_path)
        assert len(left) == 1, left  # the one the kill interrupted, and no older one
    from studio.fileio import atomic_write_bytes

    atomic_write_bytes(tmp_path / "export.png", b"next export")
    assert half_written(tmp_path) == []


def test_kill_during_history_writes(tiny_image, tmp_path, studio_home):
    models.install(tiny_image)
    rnd = random.Random(3)
    for _ in range(3):
        run_and_kill("history", tmp_path, delay=rnd.uniform(0.05, 0.5))
        check_history()
    assert check_history() >= 3
    assert half_written(studio_home) == []
