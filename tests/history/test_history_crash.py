"""Kill a process with SIGKILL while it writes history records and PNGs; nothing may be lost
half-way: every record has its PNG, no PNG lacks a record, no temp file is left behind."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from PIL import Image

from studio import paths
from studio.history import HistoryStore

WRITER = r"""
import sys
import numpy as np
from studio.history import HistoryStore
from studio.history.recorder import record_result
from studio.jobs import ImageRequest, ImageResult, RunStats, TextRequest, TextResult

store = HistoryStore(sys.argv[1])
rng = np.random.default_rng(int(sys.argv[2]))
print("ready", flush=True)
i = 0
while True:
    imgs = tuple(rng.integers(0, 256, (160, 160, 3), dtype=np.uint8) for _ in range(2))
    req = ImageRequest(f"crash test {i}", seed=i, batch=2)
    record_result(store, ImageResult(req.job_id, req, imgs, (i, i + 1), RunStats(0.1, "CPU", "m")))
    if i % 3 == 0:
        t = TextRequest(f"context {i}")
        record_result(store, TextResult(t.job_id, t, "out", (), "stop", i, RunStats(0.1, "CPU", "t")))
    i += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_write_leaves_no_half_records(tmp_path):
    db_path = paths.history_dir() / "history.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    rnd = random.Random(1234)
    found_pending = 0
    for round_ in range(6):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(round_)],
                                 stdout=subprocess.PIPE, env=env)
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rnd.uniform(0.15, 0.7))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        # What the kill left behind, before any recovery ran (read-only look).
        raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        found_pending += raw.execute("SELECT count(*) FROM pending").fetchone()[0]
        raw.close()

    store = HistoryStore(db_path)
    try:
        assert store.integrity_ok()
        rows = store.db.execute("SELECT id, image_path FROM records WHERE kind = 'image'").fetchall()
        assert len(rows) >= 2, "the writers should have committed some records"
        in_db = set()
        for rid, rel in rows:
            path = store.root / rel
            assert path.exists(), f"record {rid} lost its PNG"
            with Image.open(path) as im:
                im.load()  # a complete, decodable file
                assert im.text["parameters"].startswith("crash test")
            in_db.add(path)
        on_disk = set((store.root / "images").rglob("*.png"))
        assert on_disk == in_db, "a PNG without a record was left behind"
        leftovers = [p for p in (store.root / "images").rglob("*") if p.is_file() and p.suffix != ".png"]
        assert leftovers == []
        assert store.db.execute("SELECT count(*) FROM pending").fetchone()[0] == 0
        assert set(store.thumbnails([r[0] for r in rows])) == {r[0] for r in rows}
    finally:
        store.close()
    print(f"records: {len(rows)} images; pending writes interrupted by kills: {found_pending}")
