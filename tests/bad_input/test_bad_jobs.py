"""Damaged model folders and hostile prompts run through the real worker thread: each failure is
one clear message (JobFailed), the worker goes on to run the next job, and what did run is in the
history exactly as typed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject

from studio import paths
from studio.engines.runtime import SessionFactory
from studio.jobs import ImageRequest, IterateRequest, SamplerParams, TextRequest
from studio.worker.thread import Worker
from tests.bad_input import models
from tests.bad_input.checks import assert_clear, assert_db_intact
from tests.foundation.graphs import matmul_tanh

WAIT = 30_000


@pytest.fixture
def worker(qtbot):
    w = Worker(SessionFactory(device="cpu", threads=1))
    w.start()
    yield w
    assert w.shutdown(5000)


def run_job(qtbot, worker, request):
    """('ok', result) or ('failed', JobFailed) from the real worker thread."""
    out = {}

    def ok(r):
        if r.job_id == request.job_id:
            out["ok"] = r

    def failed(f):
        if f.job_id == request.job_id:
            out["failed"] = f

    # Connection objects: SignalInstance.disconnect() leaks a reference to True in PySide6 6.12.
    conns = [worker.finished_job.connect(ok), worker.failed.connect(failed)]
    try:
        worker.submit(request)
        qtbot.waitUntil(lambda: bool(out), timeout=WAIT)
    finally:
        for c in conns:
            QObject.disconnect(c)
    (kind, value), = out.items()
    return kind, value


def expect_failure(qtbot, worker, request, *words, then=None):
    kind, ev = run_job(qtbot, worker, request)
    assert kind == "failed", f"the job should fail, got {ev}"
    assert_clear(ev.message)
    for w in words:
        assert w.lower() in ev.message.lower(), ev.message
    assert ev.details, "the technical details belong behind the Details… button"
    if then is not None:  # the worker is still alive and runs the next job
        kind, _ = run_job(qtbot, worker, then)
        assert kind == "ok"
    return ev.message


def _install_damaged(src: str, model_id: str, damage) -> str:
    mid = models.install(paths.models_dir() / src, model_id)
    damage(paths.models_dir() / mid)
    return mid


TEXT_DAMAGE = {
    "zero-byte decoder": (lambda d: (d / "decoder_fp32.onnx").write_bytes(b""), "cannot be loaded"),
    "random decoder": (lambda d: (d / "decoder_fp32.onnx").write_bytes(bytes(range(256)) * 16), "cannot be loaded"),
    "truncated decoder": (lambda d: (d / "decoder_fp32.onnx").write_bytes(
        (d / "decoder_fp32.onnx").read_bytes()[:5000]), "cannot be loaded"),
    "wrong input names": (lambda d: models.text_encoder_graph(d / "decoder_fp32.onnx", 300), "not a text decoder"),
    "corrupt tokenizer": (lambda d: (d / "tokenizer.json").write_text("{not json", encoding="utf-8"), "tokenizer"),
    "mismatched tokenizer": (lambda d: _shift_vocab(d / "tokenizer.json", 5000), "does not match"),
    "missing decoder and source": (lambda d: [(d / f).unlink() for f in ("decoder_fp32.onnx", "source.gguf")],
                                   "no"),
}


def _shift_vocab(path: Path, by: int) -> None:
    tj = json.loads(path.read_text(encoding="utf-8"))
    tj["model"]["vocab"] = {k: v + by for k, v in tj["model"]["vocab"].items()}
    path.write_text(json.dumps(tj), encoding="utf-8")


@pytest.mark.parametrize("case", TEXT_DAMAGE)
def test_damaged_text_model(qtbot, worker, text_model, case):
    damage, words = TEXT_DAMAGE[case]
    mid = _install_damaged(text_model, "damaged-text", damage)
    good = TextRequest("once upon", model_id=text_model, sampler=SamplerParams(max_new_tokens=3, seed=1))
    expect_failure(qtbot, worker, TextRequest("once upon", model_id=mid,
                                              sampler=SamplerParams(max_new_tokens=3)), words, then=good)


IMAGE_DAMAGE = {
    "zero-byte VAE": (lambda d: (d / "vae_decoder" / "model.onnx").write_bytes(b""), ""),
    "random text encoder": (lambda d: (d / "text_encoder" / "model.onnx").write_bytes(bytes(range(256)) * 8), ""),
    "NaN-free but 5-channel UNet": (lambda d: models.unet_graph(d / "unet" / "model.onnx", channels=5),
                                    "channels"),
    "corrupt scheduler config": (lambda d: (d / "scheduler" / "scheduler_config.json").write_text("{"),
                                 "scheduler"),
    "missing UNet": (lambda d: (d / "unet" / "model.onnx").unlink(), "UNet"),
}


@pytest.mark.parametrize("case", IMAGE_DAMAGE)
def test_damaged_image_model(qtbot, worker, image_model, case):
    damage, words = IMAGE_DAMAGE[case]
    mid = _install_damaged(image_model, "damaged-image", damage)
    good = ImageRequest("a cat", model_id=image_model, seed=1)
    expect_failure(qtbot, worker, ImageRequest("a cat", model_id=mid, seed=1), words, then=good)


def test_unet_with_wrong_input_names(qtbot, worker, image_model):
    mid = _install_damaged(image_model, "renamed-unet", lambda d: models.unet_graph(
        d / "unet" / "model.onnx", input_names=("x", "t", "context")))
    message = expect_failure(qtbot, worker, ImageRequest("a cat", model_id=mid, seed=1), "sample")
    assert "Something went wrong" not in message


def test_image_tokenizer_vocab_damaged(qtbot, worker, image_model):
    mid = _install_damaged(image_model, "bad-vocab", lambda d: (d / "tokenizer" / "vocab.json").write_text("[1, 2]"))
    message = expect_failure(qtbot, worker, ImageRequest("a cat", model_id=mid, seed=1), "tokenizer")
    assert "Something went wrong" not in message


def test_onnx_graph_fed_the_wrong_shape_and_type(qtbot, worker, tmp_path):
    path, _ = matmul_tanh(tmp_path / "m.onnx", n=8)
    expect_failure(qtbot, worker, IterateRequest(str(path), np.ones((1, 9), np.float32), 2), "dimensions")
    expect_failure(qtbot, worker, IterateRequest(str(path), np.ones((1, 8), np.int64), 2), "type",
                   then=IterateRequest(str(path), np.ones((1, 8), np.float32), 2))


def test_unknown_model_ids(qtbot, worker, text_model):
    expect_failure(qtbot, worker, TextRequest("x", model_id="no-such-model"), "unknown model")
    expect_failure(qtbot, worker, ImageRequest("x", model_id="no-such-model"), "unknown model")


# ── prompts ──

PROMPTS = {
    "empty": "",
    "100,000 characters": ("the quick brown fox " * 5000)[:100_000],
    "control characters": "a\x00b\x01\x07\x1b[31mc\x7f\x08\r\n\t\x0b\x0c\u0085\u2028end",
    "right-to-left": "مرحبا بالعالم \u202eevil\u202c שלום עולם",
    "Chinese": "从前有一座山，山里有一座庙，庙里有个老和尚。",
    "emoji": "🐱‍👤 👩🏽‍🚀 🇫🇷 ✨ family: 👨‍👩‍👧‍👦",
}


def _history_has(store, kind: str, prompt: str) -> bool:
    rows = store.db.execute("SELECT id FROM records WHERE kind = ?", (kind,)).fetchall()
    return any(store.get(r[0]).prompt == prompt for r in rows)


@pytest.fixture
def recording_worker(worker):
    from studio.history import HistoryStore
    from studio.history.recorder import record_result

    store = HistoryStore()
    worker.result_hook = lambda result: record_result(store, result)
    yield worker, store
    assert_db_intact(store.path)
    store.close()


@pytest.mark.parametrize("name", PROMPTS)
def test_text_prompt(qtbot, recording_worker, text_model, name):
    worker, store = recording_worker
    prompt = PROMPTS[name]
    req = TextRequest(prompt, model_id=text_model, sampler=SamplerParams(max_new_tokens=4, seed=3))
    if not prompt:
        expect_failure(qtbot, worker, req, "empty")
        return
    with qtbot.waitSignal(worker.recorded, timeout=WAIT):
        kind, result = run_job(qtbot, worker, req)
    assert kind == "ok" and result.finish_reason in ("length", "stop")
    assert _history_has(store, "text", prompt), "the prompt did not reach the history unchanged"


@pytest.mark.parametrize("name", PROMPTS)
def test_image_prompt(qtbot, recording_worker, image_model, name):
    worker, store = recording_worker
    prompt = PROMPTS[name]
    with qtbot.waitSignal(worker.recorded, timeout=WAIT):
        kind, result = run_job(qtbot, worker, ImageRequest(prompt, negative_prompt=prompt[::-1],
                                                           model_id=image_model, seed=9))
    assert kind == "ok" and result.images[0].shape == (64, 64, 3)
    if len(prompt) > 1000:
        assert any("longer" in n for n in result.notices), "a cut prompt must be announced"
    assert _history_has(store, "image", prompt)


@pytest.mark.parametrize("kind", ["text", "image"])
def test_prompt_with_undecodable_bytes(qtbot, worker, text_model, image_model, kind):
    prompt = b"caf\xe9 \xff".decode("utf-8", "surrogateescape")
    req = (TextRequest(prompt, model_id=text_model, sampler=SamplerParams(max_new_tokens=2)) if kind == "text"
           else ImageRequest(prompt, model_id=image_model))
    notices = []
    worker.notice.connect(lambda n: notices.append(n.message))
    kind_, result = run_job(qtbot, worker, req)
    assert kind_ == "ok", result
    assert result.request.prompt == "caf\ufffd \ufffd"
    assert notices and "replaced" in notices[0]
    assert_clear(notices[0])
