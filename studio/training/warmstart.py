"""Seed a training run from an exported model folder's ONNX UNet.

The shipped model is the only copy of a run's weights that survives a fresh machine (checkpoints
live in the run folder, not in git), so continuing a CPU run in a later session, or fine-tuning
the shipped model on a GPU, starts here instead of from step 0.

torch.onnx.export keeps parameters under their state_dict names (prefixed ``unet.`` by the
export wrapper), except GroupNorm's affine pair: it is decomposed into InstanceNormalization →
Mul → Add and the weight/bias become anonymous constants (``onnx::Mul_123``). Those are found
through the node names the exporter gives them (``/unet/net/down.0/n1/Mul``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from studio.training import nets

PREFIX = "unet."


def _norm_constants(graph) -> dict[str, str]:
    """state_dict key -> initializer name for GroupNorm weights/biases folded into Mul/Add."""
    inits = {i.name for i in graph.initializer}
    found = {}
    for node in graph.node:
        if node.op_type not in ("Mul", "Add") or not node.name.startswith("/unet/"):
            continue
        consts = [i for i in node.input if i in inits and not i.startswith(PREFIX)]
        if len(consts) != 1:
            continue
        module = node.name[len("/unet/"):].rsplit("/", 1)[0].replace("/", ".")
        found[f"{module}.{'weight' if node.op_type == 'Mul' else 'bias'}"] = consts[0]
    return found


def weights_from_onnx(path: Path, model: torch.nn.Module, prefix: str = PREFIX) -> dict[str, torch.Tensor]:
    """A full state_dict for ``model`` read from an exported UNet; raises if anything is missing."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    arrays = {i.name: i for i in graph.initializer}
    folded = _norm_constants(graph)
    state, missing = {}, []
    for key, ref in model.state_dict().items():
        name = prefix + key if prefix + key in arrays else folded.get(key)
        if name is None:
            missing.append(key)
            continue
        value = numpy_helper.to_array(arrays[name]).astype(np.float32)
        if value.size != ref.numel():
            raise ValueError(f"{key}: {value.shape} in the ONNX file, {tuple(ref.shape)} in the network")
        state[key] = torch.from_numpy(value.reshape(tuple(ref.shape)).copy())
    if missing:
        raise ValueError(f"{len(missing)} weights not found in {path.name}: {', '.join(missing[:5])}")
    return state


def seed_teacher(work: Path, model_dir: Path, lr: float, save) -> dict:
    """Write ``work/ckpt/teacher.pt`` from ``model_dir`` (its EMA weights become model and EMA).

    The optimizer starts fresh, so the checkpoint records ``warm_start`` = the seeded step and
    training re-runs its learning-rate warm-up from there (Adam's moments are gone)."""
    config = json.loads((model_dir / "unet" / "config.json").read_text(encoding="utf-8"))["studio"]
    cfg = nets.UNetConfig.from_dict(config)
    model = nets.Denoiser(nets.UNet(cfg))
    model.load_state_dict(weights_from_onnx(model_dir / "unet" / "model.onnx", model))
    training = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8")).get("training", {})
    step, seconds = int(training.get("teacher_steps", 0)), float(training.get("teacher_seconds", 0))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    state = {"model": model.state_dict(), "ema": model.state_dict(), "opt": opt.state_dict(),
             "step": step, "seconds": seconds, "losses": [], "unet": cfg.to_dict(),
             "batch": int(training.get("teacher_batch", 32)), "device": "cpu",
             "warm_start": step, "seeded_from": str(model_dir)}
    save(work / "ckpt" / "teacher.pt", state)
    if cfg.latent == "thumb":  # the stages before the teacher: its mean branch and the latent's decoder
        save(work / "ckpt" / "mean.pt", {"model": model.mean.state_dict(), "unet": cfg.to_dict(),
                                         "epochs": int(training.get("mean_epochs", 0)),
                                         "seconds": float(training.get("mean_seconds", 0)),
                                         "loss": float(training.get("mean_loss", float("nan")))})
        up = nets.Upsampler()
        up.load_state_dict(weights_from_onnx(model_dir / "vae_decoder" / "model.onnx", up, prefix="up."))
        save(work / "ckpt" / "decoder.pt", {"model": up.state_dict(), "opt": None,
                                            "step": int(training.get("decoder_steps", 0)),
                                            "seconds": float(training.get("decoder_seconds", 0)),
                                            "loss": training.get("decoder_l1")})
    return {"step": step, "seconds": seconds, "unet": cfg.to_dict()}
