"""A small onnxruntime sampler for an image model folder (no torch): validates exports and feeds
the quality benchmark. It reads the folder through the shared contract (manifest, tokenizer.json,
session input names/dtypes, scheduler config), so it also runs other models in the same layout
as long as they use eps-prediction and DDIM/LCM-style stepping.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def _abar(cfg: dict) -> np.ndarray:
    n = cfg["num_train_timesteps"]
    if cfg["beta_schedule"] == "scaled_linear":
        betas = np.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, n) ** 2
    else:
        betas = np.linspace(cfg["beta_start"], cfg["beta_end"], n)
    return np.cumprod(1.0 - betas)


def trailing_timesteps(steps: int, n: int = 1000) -> np.ndarray:
    return np.round(np.arange(n, 0, -n / steps)).astype(np.int64) - 1


class OnnxSampler:
    def __init__(self, folder: Path, threads: int = 1, fast: bool = False):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.manifest = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")

        def sess(rel: str) -> "ort.InferenceSession":
            return ort.InferenceSession(str(self.folder / rel), so, providers=["CPUExecutionProvider"])

        self.max_len = int(self.manifest.get("text_max_length", 77))
        self.tok = Tokenizer.from_file(str(self.folder / "tokenizer" / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.no_truncation()
        self.text = sess("text_encoder/model.onnx")
        self.fast = fast and "fast" in self.manifest
        self.unet = sess(self.manifest["fast"]["unet"] if self.fast else "unet/model.onnx")
        self.vae = sess("vae_decoder/model.onnx")
        self.sched = json.loads((self.folder / "scheduler" / "scheduler_config.json").read_text())
        self.abar = _abar(self.sched)
        vcfg = json.loads((self.folder / "vae_decoder" / "config.json").read_text())
        self.scale = float(vcfg.get("scaling_factor", 0.18215))
        shape = self.unet.get_inputs()[0].shape
        self.channels = int(shape[1])
        self.vae_factor = int(self.manifest.get("vae_scale_factor", 8))
        t_in = [i for i in self.unet.get_inputs() if i.name == "timestep"][0]
        self.t_dtype = np.int64 if "int" in t_in.type else np.float32

    def encode(self, prompts: list[str]) -> np.ndarray:
        ids = np.zeros((len(prompts), self.max_len), np.int64)
        mask = np.zeros_like(ids)
        for i, p in enumerate(prompts):
            e = self.tok.encode(p).ids[: self.max_len]  # truncation keeps [CLS] but may drop [SEP]
            ids[i, : len(e)] = e
            mask[i, : len(e)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        names = {i.name for i in self.text.get_inputs()}
        return self.text.run(None, {k: v for k, v in feed.items() if k in names})[0]

    def _eps(self, x: np.ndarray, t: int, ctx: np.ndarray, unc: np.ndarray | None, g: float) -> np.ndarray:
        if unc is None or g == 1.0:
            return self.unet.run(None, {"sample": x, "timestep": np.array([t], self.t_dtype),
                                        "encoder_hidden_states": ctx})[0]
        e = self.unet.run(None, {"sample": np.concatenate([x, x]), "timestep": np.array([t], self.t_dtype),
                                 "encoder_hidden_states": np.concatenate([unc, ctx])})[0]
        eu, ec = np.split(e, 2)
        return eu + g * (ec - eu)

    def __call__(self, prompts: list[str], seed: int = 0, steps: int | None = None,
                 guidance: float | None = None, size: int | None = None) -> np.ndarray:
        """uint8 images [B,H,W,3]."""
        m = self.manifest
        if self.fast:
            steps = steps or int(m["fast"]["steps"])
            guidance = float(m["fast"].get("guidance", 1.0)) if guidance is None else guidance
        else:
            steps = steps or int(m.get("default_steps", 20))
            guidance = float(m.get("default_guidance", 3.0)) if guidance is None else guidance
        size = size or int(m.get("native_size", [512, 512])[0])
        b = len(prompts)
        ctx = self.encode(prompts)
        unc = self.encode([""] * b) if guidance != 1.0 else None
        rng = np.random.default_rng(seed)
        h = size // self.vae_factor
        x = rng.standard_normal((b, self.channels, h, h)).astype(np.float32)
        ts = trailing_timesteps(steps, len(self.abar))
        for i, t in enumerate(ts):
            eps = self._eps(x, int(t), ctx, unc, guidance)
            a = self.abar[t]
            x0 = (x - np.sqrt(1 - a) * eps) / np.sqrt(a)
            if self.sched.get("clip_sample"):
                r = float(self.sched.get("clip_sample_range", 1.0))
                x0 = np.clip(x0, -r, r)
            if i + 1 == len(ts):
                x = x0
                break
            a_prev = self.abar[ts[i + 1]]
            if self.fast:  # LCM-style: re-noise the prediction with fresh noise
                x = np.sqrt(a_prev) * x0 + np.sqrt(1 - a_prev) * rng.standard_normal(x.shape)
            else:  # DDIM, eta = 0
                eps = (x - np.sqrt(a) * x0) / np.sqrt(1 - a)
                x = np.sqrt(a_prev) * x0 + np.sqrt(1 - a_prev) * eps
            x = x.astype(np.float32)
        img = self.vae.run(None, {"latent_sample": (x / self.scale).astype(np.float32)})[0]
        return (np.clip((img + 1) * 127.5, 0, 255) + 0.5).astype(np.uint8).transpose(0, 2, 3, 1)
