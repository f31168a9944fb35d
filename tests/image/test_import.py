"""studio models import for image models: ONNX folders copied, diffusers folders exported in a child."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from studio.engines.image.job import run_image_job
from studio.engines.runtime import SessionFactory
from studio.jobs import CancelToken, ImageRequest, JobContext, UserError
from studio.models import registry
from studio.models.image_import import import_image_model


def ctx():
    return JobContext(1, CancelToken(), SessionFactory(device="cpu", threads=1))


def test_import_onnx_folder(tiny_sd, studio_home):
    stages = []
    dest = import_image_model(tiny_sd[1], lambda msg, done, total: stages.append(msg))
    assert dest.parent == studio_home / "models" and dest.name == "onnx"
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "image" and manifest["native_size"] == [64, 64]
    assert "unet/model.onnx" in manifest["sha256"] and len(manifest["sha256"]["unet/model.onnx"]) == 64
    assert registry.get("onnx").path == dest
    assert import_image_model(tiny_sd[1]).name == "onnx-2"  # never overwrites
    res = run_image_job(ImageRequest("cat", model_id="onnx", steps=2, seed=1), ctx())
    assert res.images[0].shape == (64, 64, 3)
    assert stages[-1] == "Imported"


def test_import_diffusers_folder_exports_in_a_child_process(tiny_sd, studio_home):
    stages = []
    before = set(sys.modules)
    # (optimize=False keeps this test quick; the fused graphs have their own parity test)
    dest = import_image_model(tiny_sd[0], lambda msg, done, total: stages.append((msg, done, total)),
                              optimize=False)
    assert "torch" not in set(sys.modules) - before  # the export ran in a child process
    assert (dest / "unet" / "model.onnx").is_file() and (dest / "manifest.json").is_file()
    assert any(msg.startswith("Converting: UNet") for msg, _, _ in stages)
    a = run_image_job(ImageRequest("cat", model_id=dest.name, steps=2, seed=5), ctx()).images[0]
    b = import_image_model(tiny_sd[1])  # the same weights, exported in-process by the fixture
    c = run_image_job(ImageRequest("cat", model_id=b.name, steps=2, seed=5), ctx()).images[0]
    np.testing.assert_array_equal(a, c)


def test_pickle_with_objects_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.ckpt"
    torch.save({"state_dict": {"w": torch.zeros(2)}, "callback": Exception("not a tensor")}, path)
    with pytest.raises(UserError, match="more than plain weights"):
        import_image_model(path)


def test_non_sd_safetensors_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    path = tmp_path / "lora.safetensors"
    save_file({"lora.down.weight": torch.zeros(2, 2)}, str(path))
    with pytest.raises(UserError, match="not a Stable Diffusion 1.x checkpoint"):
        import_image_model(path)


def test_unknown_things_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hi", encoding="utf-8")
    with pytest.raises(UserError, match="not an image model"):
        import_image_model(tmp_path / "notes.txt")
    with pytest.raises(UserError, match="does not exist"):
        import_image_model(tmp_path / "missing")
    assert not any(p.name.startswith(".importing") for p in (tmp_path.parent).iterdir())
