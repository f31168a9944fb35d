"""Broken folders and failing models give one clear sentence, and the next job still runs."""

from __future__ import annotations

import shutil

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from studio.engines.image.folder import load_folder
from studio.engines.image.job import run_image_job
from studio.engines.runtime import SessionFactory
from studio.jobs import CancelToken, ImageRequest, JobContext, UserError
from studio.models.image_import import import_image_model
from studio.worker.runner import describe_failure, run_with_fallback


def ctx_for(sessions=None):
    return JobContext(1, CancelToken(), sessions or SessionFactory(device="cpu", threads=1))


def fake_unet(path, channels=4, body="identity"):
    """A real ONNX graph with the UNet's interface and a chosen (mis)behaviour."""
    sample = helper.make_tensor_value_info("sample", TensorProto.FLOAT, ["b", channels, "h", "w"])
    t = helper.make_tensor_value_info("timestep", TensorProto.FLOAT, ["b"])
    ehs = helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT, ["b", "s", "d"])
    out = helper.make_tensor_value_info("out_sample", TensorProto.FLOAT, ["b", 4, "h", "w"])
    inits, nodes = [], []
    if body == "nan":
        inits.append(helper.make_tensor("nan", TensorProto.FLOAT, [], [float("nan")]))
        nodes.append(helper.make_node("Mul", ["sample", "nan"], ["out_sample"]))
    elif body == "huge":  # asks for ~2 TB at run time
        inits.append(helper.make_tensor("big", TensorProto.INT64, [1], [1 << 38]))
        nodes += [helper.make_node("Shape", ["sample"], ["shp"], start=0, end=1),
                  helper.make_node("Mul", ["shp", "big"], ["n"]),
                  helper.make_node("ConstantOfShape", ["n"], ["z"]),
                  helper.make_node("ReduceSum", ["z"], ["s"], keepdims=0),
                  helper.make_node("Add", ["sample", "s"], ["out_sample"])]
    else:
        nodes.append(helper.make_node("Identity", ["sample"], ["out_sample"]))
    g = helper.make_graph(nodes, "fake_unet", [sample, t, ehs], [out], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    for old in path.parent.glob("model.onnx*"):
        old.unlink()
    onnx.save(m, str(path))


@pytest.fixture
def broken(tiny_sd, studio_home):
    """A copy of the tiny ONNX model installed as 'broken' (tests then damage it)."""
    dest = studio_home / "models" / "broken"
    shutil.copytree(tiny_sd[1], dest)
    (dest / "manifest.json").write_text('{"id": "broken", "kind": "image", "native_size": [64, 64],'
                                        ' "default_steps": 2}', encoding="utf-8")
    return dest


def test_missing_part_is_named(broken, tmp_path):
    (broken / "vae_decoder" / "model.onnx").unlink()
    with pytest.raises(UserError, match=r"lacks the VAE decoder \(vae_decoder/model.onnx\)"):
        run_image_job(ImageRequest("cat", model_id="broken"), ctx_for())
    shutil.rmtree(broken / "tokenizer")
    with pytest.raises(UserError, match="tokenizer"):
        load_folder(broken)
    with pytest.raises(UserError, match="VAE decoder"):
        import_image_model(broken)


def test_unet_channels_must_match_the_vae(broken):
    fake_unet(broken / "unet" / "model.onnx", channels=5)
    with pytest.raises(UserError, match="expects 5 input channels but the VAE makes 4"):
        run_image_job(ImageRequest("cat", model_id="broken"), ctx_for())
    with pytest.raises(UserError, match="different models"):
        import_image_model(broken)


def test_nan_output_is_detected(broken):
    fake_unet(broken / "unet" / "model.onnx", body="nan")
    with pytest.raises(UserError, match="NaN/Inf"):
        run_image_job(ImageRequest("cat", model_id="broken", seed=1), ctx_for())


def test_memory_failure_is_reported_and_the_next_job_runs(broken, installed_tiny):
    fake_unet(broken / "unet" / "model.onnx", body="huge")
    sessions = SessionFactory(device="cpu", threads=1)
    with pytest.raises(Exception) as info:
        run_with_fallback(ImageRequest("cat", model_id="broken", seed=1), ctx_for(sessions))
    failure = describe_failure(1, info.value)
    assert "memory" in failure.message.lower() and "\n" not in failure.message
    res = run_with_fallback(ImageRequest("cat", model_id=installed_tiny, seed=1, steps=1), ctx_for(sessions))
    assert res.images[0].shape == (64, 64, 3)


def test_bad_requests(installed_tiny):
    ctx = ctx_for()
    with pytest.raises(UserError, match="too large"):
        run_image_job(ImageRequest("cat", model_id=installed_tiny, width=8192), ctx)
    with pytest.raises(UserError, match="batch"):
        run_image_job(ImageRequest("cat", model_id=installed_tiny, batch=0), ctx)
    with pytest.raises(UserError, match="Unknown scheduler"):
        run_image_job(ImageRequest("cat", model_id=installed_tiny, scheduler="plms"), ctx)
    with pytest.raises(UserError, match="RGB"):
        run_image_job(ImageRequest("cat", model_id=installed_tiny,
                                   init_image=np.zeros((64, 64), np.float32)), ctx)
