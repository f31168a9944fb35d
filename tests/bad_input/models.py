"""Tiny real models for the reliability suites, built without torch in well under a second.

* ``tiny_text_folder``: a random-weight llama GGUF (the text engine's own test writer) converted
  to an fp32 ONNX decoder by Studio's converter — every text path runs on real graphs.
* ``tiny_image_folder``: an Optimum-layout image model made of small hand-built ONNX graphs (an
  embedding-table text encoder, a scaling "UNet", a slice + nearest-upsample "VAE") and a real
  byte-level CLIP BPE tokenizer. It produces a deterministic image for every prompt and seed.

Both are installed into ``paths.models_dir()`` with ``install_*`` so requests name them by id.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TESTS = Path(__file__).resolve().parent.parent
TEXT_ID = "tiny-text"
IMAGE_ID = "tiny-image"

SCHEDULER = {"_class_name": "EulerDiscreteScheduler", "beta_start": 0.00085, "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "steps_offset": 1,
             "prediction_type": "epsilon", "timestep_spacing": "leading"}


def _load(name: str, path: Path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def text_helpers():
    """tests/text/conftest.py (write_tiny_gguf) loaded as a plain module."""
    return _load("_studio_text_test_helpers", TESTS / "text" / "conftest.py")


def clip_helpers():
    """tests/image/tiny_sd.py (write_clip_tokenizer; torch is only imported by its other functions)."""
    return _load("_studio_tiny_sd_helpers", TESTS / "image" / "tiny_sd.py")


# ── text ──

def tiny_gguf(path: Path, arch: str = "llama", seed: int = 5) -> Path:
    text_helpers().write_tiny_gguf(path, arch, seed=seed)
    return path


def tiny_text_folder(root: Path) -> Path:
    """A converted tiny llama (fp32 decoder) at root/tiny-text; built once per root."""
    folder = root / TEXT_ID
    root.mkdir(parents=True, exist_ok=True)
    if not (folder / "manifest.json").is_file():
        from studio.models.gguf_convert import convert_gguf

        gguf = tiny_gguf(root / "tiny-text.gguf")
        convert_gguf(gguf, folder, ("fp32",), model_id=TEXT_ID, name="Tiny text 小")
    return folder


# ── image ──

def _save(model_nodes, inputs, outputs, inits, path: Path) -> None:
    graph = helper.make_graph(model_nodes, path.parent.name, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def text_encoder_graph(path: Path, vocab: int, dim: int = 8, seed: int = 0) -> None:
    table = np.random.default_rng(seed).standard_normal((vocab, dim)).astype(np.float32)
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", 77])
    out = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["b", 77, dim])
    _save([helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])],
          [ids], [out], [numpy_helper.from_array(table, "table")], path)


def unet_graph(path: Path, dim: int = 8, input_names=("sample", "timestep", "encoder_hidden_states"),
               channels: int = 4) -> None:
    """eps = 0.5·sample + mean(text embedding): cheap, bounded, and the prompt changes the image."""
    s, t, e = input_names
    sample = helper.make_tensor_value_info(s, TensorProto.FLOAT, ["b", channels, "h", "w"])
    step = helper.make_tensor_value_info(t, TensorProto.FLOAT, ["b"])
    ehs = helper.make_tensor_value_info(e, TensorProto.FLOAT, ["b", 77, dim])
    out = helper.make_tensor_value_info("out_sample", TensorProto.FLOAT, ["b", 4, "h", "w"])
    nodes = [helper.make_node("ReduceMean", [e], ["m"], axes=[1, 2], keepdims=1),  # b×1×1
             helper.make_node("Unsqueeze", ["m", "ax"], ["m4"]),  # b×1×1×1
             helper.make_node("Slice", [s, "c0", "c4", "c1"], ["s4"]),
             helper.make_node("Mul", ["s4", "half"], ["hs"]),
             helper.make_node("Add", ["hs", "m4"], ["out_sample"])]
    inits = [numpy_helper.from_array(np.array([3], np.int64), "ax"),
             numpy_helper.from_array(np.array([0], np.int64), "c0"),
             numpy_helper.from_array(np.array([4], np.int64), "c4"),
             numpy_helper.from_array(np.array([1], np.int64), "c1"),
             numpy_helper.from_array(np.array(0.5, np.float32), "half")]
    _save(nodes, [sample, step, ehs], [out], inits, path)


def vae_decoder_graph(path: Path) -> None:
    z = helper.make_tensor_value_info("latent_sample", TensorProto.FLOAT, [1, 4, "h", "w"])
    out = helper.make_tensor_value_info("sample", TensorProto.FLOAT, [1, 3, "H", "W"])
    nodes = [helper.make_node("Slice", ["latent_sample", "c0", "c3", "c1"], ["rgb"]),
             helper.make_node("Resize", ["rgb", "", "scales"], ["up"], mode="nearest"),
             helper.make_node("Tanh", ["up"], ["sample"])]
    inits = [numpy_helper.from_array(np.array([0], np.int64), "c0"),
             numpy_helper.from_array(np.array([3], np.int64), "c3"),
             numpy_helper.from_array(np.array([1], np.int64), "c1"),
             numpy_helper.from_array(np.array([1, 1, 8, 8], np.float32), "scales")]
    _save(nodes, [z], [out], inits, path)


def tiny_image_folder(root: Path) -> Path:
    folder = root / IMAGE_ID
    if (folder / "manifest.json").is_file():
        return folder
    vocab = clip_helpers().write_clip_tokenizer(folder / "tokenizer")
    text_encoder_graph(folder / "text_encoder" / "model.onnx", vocab)
    unet_graph(folder / "unet" / "model.onnx")
    vae_decoder_graph(folder / "vae_decoder" / "model.onnx")
    (folder / "scheduler").mkdir(parents=True, exist_ok=True)
    (folder / "scheduler" / "scheduler_config.json").write_text(json.dumps(SCHEDULER), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({
        "id": IMAGE_ID, "kind": "image", "name": "Tiny image 猫", "family": "sd1", "license": "test",
        "source": "tests", "sha256": {}, "native_size": [64, 64], "default_steps": 2,
        "default_guidance": 2.0, "default_scheduler": "euler", "text_max_length": 77}), encoding="utf-8")
    return folder


# ── installing into the current STUDIO_HOME ──

def install(folder: Path, model_id: str | None = None) -> str:
    """Copy a model folder into paths.models_dir() (a copy, so a test may damage it)."""
    from studio import paths

    model_id = model_id or folder.name
    dest = paths.models_dir() / model_id
    shutil.copytree(folder, dest, symlinks=False)
    if model_id != folder.name:
        manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
        manifest["id"] = model_id
        (dest / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return model_id
