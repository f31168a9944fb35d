"""run_text_job through the real runner: install lookup, streaming events, stats, cancel, errors."""

from __future__ import annotations

import shutil

import pytest

from studio import paths
from studio.engines.runtime import SessionFactory
from studio.jobs import CancelToken, JobContext, SamplerParams, TextRequest
from studio.worker.runner import describe_failure, run_request


@pytest.fixture
def installed(tiny_llama):
    """The tiny llama model installed under STUDIO_HOME/models as 'tiny-llama'."""
    dest = paths.models_dir() / "tiny-llama"
    shutil.copytree(tiny_llama[1], dest)
    return dest


def _ctx(cancel: CancelToken | None = None, sessions=None):
    events = {"progress": [], "token": [], "notice": []}
    ctx = JobContext(1, cancel or CancelToken(), sessions or SessionFactory(device="cpu", threads=2),
                     on_progress=events["progress"].append, on_token=events["token"].append,
                     on_notice=events["notice"].append)
    return ctx, events


def test_text_job_streams_tokens_and_fills_stats(installed):
    ctx, ev = _ctx()
    req = TextRequest("Once upon a time", model_id="tiny-llama", precision="int4",
                      sampler=SamplerParams(max_new_tokens=12, seed=3, banned_tokens=(0, 1, 2)))
    res = run_request(req, ctx)
    assert res.finish_reason == "length" and len(res.tokens) == 12 and res.seed == 3
    assert [e.index for e in ev["token"]] == list(range(12))
    assert "".join(e.token.text for e in ev["token"]) == res.text
    assert ev["progress"][-1].step == 12 and ev["progress"][-1].unit == "tokens"
    s = res.stats
    assert s.device == "CPU, 2 threads" and s.model_id == "tiny-llama" and s.new_tokens == 12
    assert s.prompt_tokens > 0 and s.decode_tps > 0 and s.ttft > 0


def test_retry_reuses_the_cached_model_and_prompt(installed):
    sessions = SessionFactory(device="cpu", threads=2)
    req = TextRequest("Retry me", model_id="tiny-llama", precision="fp32",
                      sampler=SamplerParams(max_new_tokens=6, seed=9))
    a = run_request(req, _ctx(sessions=sessions)[0])
    b = run_request(req, _ctx(sessions=sessions)[0])
    assert a.text == b.text
    model = sessions.cached(("text", str(installed), "fp32", sessions.report().provider), lambda: None)
    assert model is not None and model._cache is not None  # the same object served both jobs


def test_missing_precision_is_built_from_the_kept_gguf(installed):
    (installed / "decoder_int8.onnx").unlink()
    ctx, ev = _ctx()
    res = run_request(TextRequest("Hi", model_id="tiny-llama", precision="int8",
                                  sampler=SamplerParams(max_new_tokens=3, greedy=True)), ctx)
    assert len(res.tokens) <= 3 and (installed / "decoder_int8.onnx").is_file()
    assert any("Converting" in p.message for p in ev["progress"])


def test_cancelled_job_returns_partial_text(installed):
    cancel = CancelToken()
    ctx, ev = _ctx(cancel)
    ctx.on_token = lambda d: (ev["token"].append(d), d.index == 2 and cancel.cancel())
    res = run_request(TextRequest("Go on", model_id="tiny-llama", precision="fp32",
                                  sampler=SamplerParams(max_new_tokens=50, banned_tokens=(0, 1, 2))), ctx)
    assert res.finish_reason == "cancelled" and len(res.tokens) == 3


def test_trim_notice_reaches_the_context(installed):
    ctx, ev = _ctx()
    res = run_request(TextRequest("many words " * 300, model_id="tiny-llama", precision="fp32",
                                  memory="Keep me.", sampler=SamplerParams(max_new_tokens=4)), ctx)
    assert ev["notice"] and res.notices and "left out" in res.notices[0]


def test_user_errors_become_one_clear_sentence(installed):
    for req, words in [
        (TextRequest("", model_id="tiny-llama"), "empty"),
        (TextRequest("x", model_id="no-such-model"), "Unknown model"),
        (TextRequest("x", model_id="tiny-llama", precision="int3"), "precision"),
    ]:
        with pytest.raises(Exception) as info:
            run_request(req, _ctx()[0])
        failure = describe_failure(1, info.value)
        assert words in failure.message and "Traceback" not in failure.message


def test_default_precision_per_device(installed, tmp_path):
    from studio.engines.text.model import _best_precision
    from studio.models.registry import read_manifest

    manifest = read_manifest(installed)
    assert _best_precision(manifest, installed, on_gpu=False) == "int4"
    assert _best_precision(manifest, installed, on_gpu=True) == "fp16"  # built from source.gguf
    imported = {"formats": {"fp32": "model.onnx"}}
    assert _best_precision(imported, tmp_path, on_gpu=True) == "fp32"
    assert _best_precision(imported, tmp_path, on_gpu=False) == "fp32"
