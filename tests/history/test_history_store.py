"""History store: records, reproduction, search, filters, paging, trash, repair."""

from __future__ import annotations

import io
import sqlite3
import threading
from dataclasses import fields

import numpy as np
import pytest
from PIL import Image

from exporters.read import read_parameters
from studio import paths
from studio.history import HistoryStore, Query, request_from_record
from studio.history.recorder import record_result
from studio.jobs import (ImageRequest, ImageResult, RunStats, SamplerParams, TextRequest, TextResult)

rng = np.random.default_rng(11)


def image_result(prompt="a cat in a hat", seeds=(5,), model="studio-emoji", **kw):
    imgs = tuple(rng.integers(0, 256, (32, 48, 3), dtype=np.uint8) for _ in seeds)
    req = ImageRequest(prompt, batch=len(seeds), model_id=kw.pop("request_model", ""), **kw)
    return ImageResult(req.job_id, req, imgs, tuple(seeds), RunStats(2.0, "CPU, 2 threads", model))


def text_result(prompt="Once upon a time", out=" there was a fox.", seed=77, **kw):
    req = TextRequest(prompt, sampler=SamplerParams(**kw))
    return TextResult(req.job_id, req, out, (), "stop", seed, RunStats(0.5, "CPU", "smollm2-135m-instruct"))


@pytest.fixture
def store():
    s = HistoryStore()
    yield s
    s.close()


def test_default_location_and_wal(store):
    assert store.path == paths.history_dir() / "history.db"
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_image_record_reproduces_request(store):
    init = rng.integers(0, 256, (32, 48, 3), dtype=np.uint8)
    mask = (rng.random((32, 48)) > 0.5).astype(np.uint8) * 255
    res = image_result("一只猫 🐱", seeds=(101, 102), negative_prompt="blurry", steps=9, guidance=4.5,
                       scheduler="euler_a", width=48, height=32, strength=0.4, init_image=init, mask=mask,
                       fast=True, preview_every=2, precision="fp32", seed=None)
    ids = record_result(store, res)
    assert len(ids) == 2
    for i, rid in enumerate(ids):
        rec = store.get(rid)
        assert (rec.kind, rec.seed, rec.batch_index, rec.model_id, rec.device) == (
            "image", 101 + i, i, "studio-emoji", "CPU, 2 threads")
        assert rec.duration == pytest.approx(1.0)
        # the PNG exists, holds the pixels and carries the recipe
        assert np.array_equal(np.asarray(Image.open(rec.image_path)), res.images[i])
        meta = read_parameters(rec.image_path)
        assert (meta["prompt"], meta["seed"], meta["width"], meta["height"]) == ("一只猫 🐱", 101 + i, 48, 32)
        req = request_from_record(rec)
        for f in fields(ImageRequest):
            if f.name in ("job_id", "init_image", "mask"):
                continue
            want = {"seed": 101 + i, "batch": 1, "model_id": "studio-emoji"}.get(f.name, getattr(res.request, f.name))
            assert getattr(req, f.name) == want, f.name
        assert np.array_equal(req.init_image, init) and np.array_equal(req.mask, mask)
        assert req.job_id != res.request.job_id
    thumbs = store.thumbnails(ids)
    assert set(thumbs) == set(ids)
    assert Image.open(io.BytesIO(thumbs[ids[0]])).format == "JPEG"
    # the batch shared one init image: stored once
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 2


def test_text_record_reproduces_request(store):
    long_context = "第一章。" + "The night was long. " * 600
    req = TextRequest(long_context, model_id="", precision="int4", memory="Pinned notes ✍️", chat=True,
                      sampler=SamplerParams(temperature=0.3, top_k=5, stop=("\n\n", "END"), banned_tokens=(1, 2),
                                            logit_bias=((7, -2.5),)))
    res = TextResult(req.job_id, req, "雨停了。", (), "length", 31337, RunStats(0.8, "CPU", "smollm2-135m-instruct"))
    (rid,) = record_result(store, res)
    rec = store.get(rid)
    assert (rec.kind, rec.text, rec.seed, rec.finish_reason, rec.accepted) == ("text", "雨停了。", 31337, "length", None)
    assert rec.prompt == long_context
    # only the tail is kept in the searchable column
    assert len(store.page(Query(kind="text"))[0].prompt) == 500
    again = request_from_record(rec)
    assert again.prompt == long_context and again.memory == "Pinned notes ✍️" and again.chat
    assert again.precision == "int4" and again.model_id == "smollm2-135m-instruct"
    assert again.sampler == SamplerParams(temperature=0.3, top_k=5, stop=("\n\n", "END"), banned_tokens=(1, 2),
                                          logit_bias=((7, -2.5),), seed=31337)
    store.set_accepted(rid, True)
    assert store.get(rid).accepted is True
    store.set_accepted(rid, None)
    assert store.get(rid).accepted is None


def test_search(store):
    a = record_result(store, image_result("A watercolour fox in the snow"))[0]
    b = record_result(store, image_result("一只戴帽子的猫，在窗边睡觉 🐱"))[0]
    c = record_result(store, text_result("Write about foxes", " The foxes ran café-ward."))[0]
    d = record_result(store, image_result("Café at night, naïve style"))[0]
    ids = lambda text, **kw: [r.id for r in store.page(Query(text=text, **kw))]  # noqa: E731
    assert ids("fox") == [c, a]  # word prefix, prompts and generated text, newest first
    assert ids("fox snow") == [a]  # every term must match
    assert ids("FOX", kind="image") == [a]
    assert ids("猫") == [b]  # a single CJK character inside a run
    assert ids("窗边") == [b] and ids("边窗") == []
    assert ids("🐱") == [b]
    assert ids("cafe") == [d, c] and ids("naive") == [d]  # accents folded
    assert ids("ward") == [c]
    assert ids("zebra") == [] and ids('"') == [] and ids("  ") == [d, c, b, a]
    store.trash([a])
    assert ids("fox") == [c]
    store.empty_trash()
    assert ids("fox") == [c] and ids("snow") == []


def test_filters_and_paging(store, monkeypatch):
    import time as _time

    clock = [1_700_000_000.0]
    monkeypatch.setattr(_time, "time", lambda: clock[0])
    made = []
    for i in range(25):
        clock[0] += 3600
        model = "model-a" if i % 2 else "model-b"
        if i % 5 == 4:
            made.append(record_result(store, text_result(f"text {i}"))[0])
        else:
            made.append(record_result(store, image_result(f"picture {i}", seeds=(i,), model=model))[0])
    # keyset paging walks every record once, newest first
    seen, before = [], None
    while True:
        page = store.page(Query(), before=before, limit=7)
        if not page:
            break
        seen += [r.id for r in page]
        before = page[-1].id
    assert seen == made[::-1]
    assert store.count(Query(kind="text")) == 5 and store.count(Query(kind="image")) == 20
    assert {r.model_id for r in store.page(Query(model_id="model-a"))} == {"model-a"}
    assert store.models() == ["model-a", "model-b", "smollm2-135m-instruct"]
    since, until = 1_700_000_000.0 + 3600 * 3, 1_700_000_000.0 + 3600 * 6
    assert [r.id for r in store.page(Query(since=since, until=until))] == made[4:1:-1]
    store.set_favourite(made[:3])
    store.set_favourite(made[1:2], False)
    assert [r.id for r in store.page(Query(favourite=True))] == [made[2], made[0]]
    store.add_tag(made[5:8], "portfolio ✨")
    store.add_tag(made[6:7], "draft")
    store.remove_tag(made[7:8], "portfolio ✨")
    assert [r.id for r in store.page(Query(tag="portfolio ✨"))] == [made[6], made[5]]
    assert store.all_tags() == ["draft", "portfolio ✨"]
    assert store.get(made[6]).tags == ("draft", "portfolio ✨")
    assert [r.id for r in store.page(Query(ids=(made[3], made[9], 99999)))] == [made[9], made[3]]


def test_trash_restore_empty(store):
    ids = record_result(store, image_result("keep me", seeds=(1, 2, 3)))
    files = [store.get(i).image_path for i in ids]
    store.trash(ids[:2])
    assert [r.id for r in store.page()] == [ids[2]]
    assert [r.id for r in store.page(Query(trash=True))] == [ids[1], ids[0]]
    store.restore(ids[:1])
    assert store.empty_trash() == 1
    assert store.get(ids[1]) is None and not files[1].exists()
    assert files[0].exists() and files[2].exists()
    assert set(store.thumbnails(ids)) == {ids[0], ids[2]}
    assert store.db.execute("SELECT count(*) FROM pending").fetchone()[0] == 0
    assert store.integrity_ok()
    # the contentless FTS index lost exactly the deleted row's words, nothing else
    store.db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, records_fts, instance)")
    docs = {d for (d,) in store.db.execute("SELECT DISTINCT doc FROM temp.vocab")}
    assert docs == {ids[0], ids[2]}
    terms = [t for (t,) in store.db.execute("SELECT term FROM temp.vocab WHERE doc = ? ORDER BY offset", (ids[0],))]
    assert terms == ["keep", "me"]


def test_ids_are_never_reused(store):
    ids = record_result(store, image_result("first", seeds=(1, 2)))
    store.trash(ids[1:])
    store.empty_trash()
    (new,) = record_result(store, image_result("second"))
    assert new == ids[1] + 1
    assert store.get(ids[1]) is None
    store.set_accepted(ids[1], True)  # a stale id touches nothing
    assert store.get(new).accepted is None


def test_corrupt_database_is_moved_aside(tmp_path):
    path = tmp_path / "h" / "history.db"
    path.parent.mkdir()
    path.write_bytes(b"this is not sqlite" * 100)
    store = HistoryStore(path)
    assert "damaged" in store.problem and store.recovery_message == store.problem
    aside = list(path.parent.glob("history.db.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not sqlite")
    assert record_result(store, image_result("fresh start")) == (1,)
    store.close()
    again = HistoryStore(path)
    assert again.problem == "" and again.count() == 1
    again.close()


def test_worker_thread_writes_while_ui_reads(store):
    errors = []

    def worker():
        try:
            for i in range(10):
                record_result(store, image_result(f"threaded {i}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    while t.is_alive():
        store.page(Query(text="threaded"))
    t.join()
    assert not errors
    assert store.count(Query(text="threaded")) == 10
    # the worker thread had its own connection
    assert len(store._all) == 2


def test_newer_schema_is_reported_not_destroyed(tmp_path):
    path = tmp_path / "history.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    store = HistoryStore(path)
    assert "newer version" in store.problem
    assert store.db.execute("SELECT count(*) FROM future").fetchone()[0] == 0
    store.close()
