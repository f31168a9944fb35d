"""History store at scale: open, full-text search and page-scroll times with 100,000 records.

    python benchmarks/history.py [--records 100000] [--db PATH] [--no-ui]

Builds the records through the store's own insert path (batched executemany, tiny thumbnails),
then prints the median of several runs of each operation against the 100 ms goal. The
machine's load average is printed with the figures: on a shared box, compare within one run.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from studio.history import HistoryStore, NewRecord, Query  # noqa: E402

GOAL_MS = 100.0
WORDS = ("cat dog fox owl whale dragon castle forest river mountain city street portrait landscape "
         "watercolour oil sketch neon cyberpunk sunset dawn night snow rain fog golden blue red green "
         "tiny giant ancient futuristic cosy lonely happy sleepy hat scarf boat lantern garden tower "
         "cinematic detailed soft sharp pastel vivid moody bright dark emoji sticker icon flat").split()
CJK = ["猫", "狗", "山水画", "城市", "夜晚", "花园", "龙", "一只戴帽子的猫", "雪", "灯笼"]


def tiny_thumbs(n: int = 16) -> list[bytes]:
    out = []
    for i in range(n):
        buf = io.BytesIO()
        Image.new("RGB", (48, 48), (i * 15 % 256, i * 40 % 256, i * 70 % 256)).save(buf, "JPEG", quality=70)
        out.append(buf.getvalue())
    return out


def build(store: HistoryStore, count: int, seed: int = 0) -> float:
    rnd = random.Random(seed)
    thumbs = tiny_thumbs()
    start = time.perf_counter()
    t0 = time.time() - count * 60.0
    batch: list[NewRecord] = []
    for i in range(count):
        words = rnd.sample(WORDS, rnd.randint(6, 16))
        if rnd.random() < 0.15:
            words.insert(rnd.randrange(len(words)), rnd.choice(CJK))
        prompt = " ".join(words)
        model = f"model-{i % 5}"
        if i % 10 == 9:
            out = " ".join(rnd.choice(WORDS) for _ in range(40))
            rec = NewRecord(kind="text", created=t0 + i * 60, model_id=model, prompt=prompt,
                            params={"model_id": model, "sampler": {"seed": i}}, seed=i, output=out,
                            duration=1.0, device="CPU")
        else:
            params = {"prompt": prompt, "seed": i, "steps": 20, "guidance": 7.0, "scheduler": "euler_a",
                      "width": 512, "height": 512, "model_id": model}
            rec = NewRecord(kind="image", created=t0 + i * 60, model_id=model, prompt=prompt, params=params,
                            seed=i, width=512, height=512, duration=2.0, device="CPU",
                            thumb=thumbs[i % len(thumbs)])
        rec.favourite = i % 50 == 0  # type: ignore[attr-defined]
        batch.append(rec)
        if len(batch) == 5000:
            store.add(batch)
            batch = []
    if batch:
        store.add(batch)
    store.db.execute("UPDATE records SET favourite = 1 WHERE id % 50 = 0")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("ANALYZE")
    return time.perf_counter() - start


def median_ms(fn, runs: int = 7) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def report(name: str, med: float, worst: float, note: str = "") -> None:
    flag = "ok " if med < GOAL_MS else "SLOW"
    print(f"  {flag} {name:<44} median {med:7.2f} ms  worst {worst:7.2f} ms  "
          f"({med / GOAL_MS:5.2f}× goal){'  ' + note if note else ''}")


def measure(path: Path, records: int, ui: bool) -> dict[str, float]:
    """Median ms of each operation on the database at ``path``; prints a line per operation."""
    out: dict[str, float] = {}

    def run(name: str, fn, runs: int = 7, note: str = "") -> None:
        med, worst = median_ms(fn, runs)
        out[name] = med
        report(name, med, worst, note)

    def open_store():
        s = HistoryStore(path)
        rows = s.page(Query(kind="image"), limit=200)
        s.thumbnails([r.id for r in rows[:60]])
        s.models()
        s.all_tags()
        s.close()

    print(f"\n{records:,} records, goal {GOAL_MS:.0f} ms each:")
    run("open store + first page (200) + 60 thumbnails", open_store)
    store = HistoryStore(path)
    for label, q in [("search 'cat' (common word)", Query(text="cat")),
                     ("search 'cat snow' (two words)", Query(text="cat snow")),
                     ("search 'drag' (prefix)", Query(text="drag")),
                     ("search '猫' (CJK, rarer)", Query(text="猫")),
                     ("search 'lantern' images, model-3", Query(text="lantern", kind="image", model_id="model-3")),
                     ("search 'zebra' (no match)", Query(text="zebra")),
                     ("search 'cat' favourites only", Query(text="cat", favourite=True))]:
        run(label, lambda q=q: store.page(q, limit=200), note=f"{len(store.page(q, limit=200))} rows")
    run("search 'cat' + count (the pane does not count)",
        lambda: (store.page(Query(text="cat"), limit=200), store.count(Query(text="cat"))))

    # page-scroll: keyset pages from anywhere in the history, with their thumbnails
    rnd = random.Random(1)
    top = store.page(Query(kind="image"), limit=1)[0].id

    def scroll():
        before = rnd.randrange(min(1000, top // 2), top)
        rows = store.page(Query(kind="image"), before=before, limit=200)
        store.thumbnails([r.id for r in rows])

    run("scroll: next page of 200 + their thumbnails", scroll, runs=15)

    def scroll_search():
        rows = store.page(Query(text="cat", kind="image"), limit=200)
        more = store.page(Query(text="cat", kind="image"), before=rows[-1].id, limit=200)
        store.thumbnails([r.id for r in more])

    run("scroll in search 'cat': page 2 + thumbnails", scroll_search)
    store.close()
    if ui:
        out.update(ui_timings(path))
    return out


def record_cost(folder: Path) -> None:
    """What the worker thread pays per generated image: PNG + thumbnail + fsync + commit."""
    import numpy as np

    from studio.history.recorder import record_result
    from studio.jobs import ImageRequest, ImageResult, RunStats

    store = HistoryStore(folder / "record-cost.db")
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:512, 0:512]
    smooth = np.stack([x // 2, y // 2, (x + y) // 4], -1).astype(np.uint8)

    def one():
        img = np.clip(smooth.astype(np.int16) + rng.integers(-6, 6, smooth.shape), 0, 255).astype(np.uint8)
        req = ImageRequest("a cat in a hat", seed=1)
        record_result(store, ImageResult(req.job_id, req, (img,), (1,), RunStats(1.0, "CPU", "m")))

    med, worst = median_ms(one, 7)
    print(f"\nrecording one 512×512 image on the worker thread: median {med:.1f} ms, worst {worst:.1f} ms "
          f"(PNG {(folder / 'images').exists() and 'written'}; not on the UI thread)")
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--reference", type=int, default=1_000, help="size of the small reference history")
    ap.add_argument("--db", type=Path, default=None, help="reuse/keep this database")
    ap.add_argument("--no-ui", action="store_true", help="skip the Qt pane timings")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    folder = Path(tmp.name)
    path = args.db or folder / "history.db"
    os.environ.setdefault("STUDIO_HOME", tmp.name)
    print(f"load average at start: {os.getloadavg()[0]:.2f} (cpus {os.cpu_count()})")

    for db, count in ((folder / "reference" / "history.db", args.reference), (path, args.records)):
        db.parent.mkdir(parents=True, exist_ok=True)
        store = HistoryStore(db)
        have = store.count(Query()) + store.count(Query(trash=True))
        if have < count:
            secs = build(store, count - have)
            print(f"built {count - have:,} records in {secs:.1f} s ({(count - have) / secs:,.0f} records/s), "
                  f"db {db.stat().st_size / 1e6:.1f} MB")
        store.close()

    ref = measure(folder / "reference" / "history.db", args.reference, not args.no_ui)
    big = measure(path, args.records, not args.no_ui)
    print(f"\nscaling, {args.records:,} vs {args.reference:,} records (same run, same machine):")
    for name in big:
        print(f"  {name:<48} {big[name]:7.2f} ms vs {ref[name]:6.2f} ms  ({big[name] / max(ref[name], 1e-3):5.1f}×)")
    slow = [n for n, v in big.items() if v >= GOAL_MS and "count" not in n]
    print(f"\n{'every operation the pane uses is under' if not slow else 'OVER the'} {GOAL_MS:.0f} ms goal"
          + (f": {', '.join(slow)}" if slow else ""))
    record_cost(folder)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


def ui_timings(path: Path) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    from PySide6.QtWidgets import QApplication

    from studio.ui.history_pane import HistoryPane

    app = QApplication.instance() or QApplication([])
    store = HistoryStore(path)
    panes = []

    def open_pane():
        pane = HistoryPane(store)
        pane.resize(420, 800)
        pane.show()
        app.processEvents()
        pane.grid.viewport().repaint()  # paint the visible thumbnails (lazy decode)
        panes.append(pane)

    out: dict[str, float] = {}

    def run(name, fn, runs, note=""):
        med, worst = median_ms(fn, runs)
        out[name] = med
        report(name, med, worst, note)

    run("UI: open the history pane (shown + painted)", open_pane, 5)
    pane = panes[-1]
    model = pane.image_model

    def fetch():
        model.fetchMore(model.index(-1, -1))
        pane.grid.scrollToBottom()
        app.processEvents()
        pane.grid.viewport().repaint()

    run("UI: scroll to bottom (fetch + paint next page)", fetch, 10)

    def search():
        pane.search.setText("cat snow" if pane.search.text() != "cat snow" else "lantern")
        pane.apply_search()
        app.processEvents()
        pane.grid.viewport().repaint()

    run("UI: search (query + first page + paint)", search, 6)
    for p in panes:
        p.close()
        p.deleteLater()
    app.processEvents()
    store.close()
    return out


if __name__ == "__main__":
    main()
