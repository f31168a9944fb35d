"""Reproduce end to end: run a real (tiny, random-weight) model, record the result, rebuild the
request from the history record, run it again on the same device: identical pixels / text.

The tiny models come from the image and text engine tests' own builders (loaded by path).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.engines.runtime import SessionFactory
from studio.history import HistoryStore, request_from_record
from studio.history.recorder import record_result
from studio.jobs import CancelToken, ImageRequest, JobContext, SamplerParams, TextRequest

TESTS = Path(__file__).resolve().parent.parent


def _load(path: Path, name: str):
    if not path.exists():
        pytest.skip(f"{path.name} (the engine tests' model builder) is not there")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def ctx() -> JobContext:
    return JobContext(1, CancelToken(), SessionFactory(device="cpu", threads=1))


@pytest.fixture(scope="module")
def tiny_image_model(shared_cache) -> Path:
    pytest.importorskip("diffusers")
    folder = shared_cache / "history-tiny-sd"
    if not (folder / "onnx").exists():
        sys.path.insert(0, str(TESTS / "image"))
        tiny_sd = _load(TESTS / "image" / "tiny_sd.py", "history_tiny_sd")
        from studio.models.diffusers_export import export_components, load_components

        diff = tiny_sd.build_tiny_diffusers(folder / "diffusers")
        export_components(load_components(diff), folder / "onnx")
    return folder / "onnx"


@pytest.fixture(scope="module")
def tiny_text_model(shared_cache) -> Path:
    folder = shared_cache / "history-tiny-llama"
    if not folder.exists():
        helpers = _load(TESTS / "text" / "conftest.py", "history_text_helpers")
        from studio.models.gguf_convert import convert_gguf

        tiny = helpers.write_tiny_gguf(shared_cache / "history-tiny-llama.gguf", "llama", seed=1)
        convert_gguf(tiny.gguf, folder, ("fp32",), model_id="tiny-llama")
    return folder


def test_reproduce_image_is_identical(tiny_image_model, studio_home):
    dest = studio_home / "models" / "tiny-sd"
    shutil.copytree(tiny_image_model, dest)
    (dest / "manifest.json").write_text(json.dumps({
        "id": "tiny-sd", "kind": "image", "name": "Tiny SD", "family": "sd1", "license": "test",
        "source": "tests", "sha256": {"unet/model.onnx": "0" * 64}, "native_size": [64, 64],
        "default_steps": 3, "default_guidance": 5.0, "default_scheduler": "euler"}), encoding="utf-8")
    from studio.engines.image.job import run_image_job

    store = HistoryStore()
    first = run_image_job(ImageRequest("a smiling cat 猫", model_id="tiny-sd", steps=3, scheduler="euler_a",
                                       batch=2), ctx())  # random seeds: the record must keep them
    ids = record_result(store, first)
    assert len(ids) == 2
    for i, rid in enumerate(ids):
        record = store.get(rid)
        assert record.model_hash  # from the manifest's sha256
        again = run_image_job(request_from_record(record), ctx())
        np.testing.assert_array_equal(again.images[0], first.images[i])
        stored = np.asarray(Image.open(record.image_path))
        np.testing.assert_array_equal(stored, first.images[i])
    store.close()


def test_reproduce_text_is_identical(tiny_text_model, studio_home):
    shutil.copytree(tiny_text_model, studio_home / "models" / "tiny-llama")
    from studio.engines.text.job import run_text_job

    store = HistoryStore()
    req = TextRequest("the cat sat on the", model_id="tiny-llama", precision="fp32",
                      sampler=SamplerParams(max_new_tokens=12, temperature=1.2, top_k=0, top_p=1.0, min_p=0.0))
    first = run_text_job(req, ctx())  # seed None: the used seed is recorded
    (rid,) = record_result(store, first)
    again = run_text_job(request_from_record(store.get(rid)), ctx())
    assert again.text == first.text and again.seed == first.seed
    assert [t.token_id for t in again.tokens] == [t.token_id for t in first.tokens]
    store.close()


def test_worker_records_and_pane_shows_it(qtbot, tiny_text_model, studio_home):
    """The app's wiring: the worker thread records the result, the pane lists it, recall works."""
    shutil.copytree(tiny_text_model, studio_home / "models" / "tiny-llama")
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow
    from studio.worker.thread import Worker

    store = HistoryStore()
    window = MainWindow(Settings(), worker=Worker(SessionFactory(device="cpu", threads=1)), history_store=store)
    qtbot.addWidget(window)
    window.show()
    pane = window.history
    pane.tabs.setCurrentIndex(1)
    req = TextRequest("once upon a time", model_id="tiny-llama", precision="fp32",
                      sampler=SamplerParams(max_new_tokens=6, greedy=True))
    with qtbot.waitSignal(window.worker.recorded, timeout=60000) as sig:
        window.worker.submit(req)
    (rid,) = sig.args[0].record_ids
    qtbot.waitUntil(lambda: [r.id for r in pane.text_model.rows] == [rid], timeout=2000)
    record = store.get(rid)
    assert record.kind == "text" and record.prompt == "once upon a time" and record.text
    assert record.device.startswith("CPU")
    pane.list.selectionModel().select(pane.list.model().index(0, 0),
                                      pane.list.selectionModel().SelectionFlag.ClearAndSelect)
    with qtbot.waitSignal(pane.recall_text, timeout=1000) as recalled:
        pane.recall()
    assert recalled.args[0].prompt == "once upon a time" and recalled.args[0].sampler.greedy
    window.close()
    store.close()
