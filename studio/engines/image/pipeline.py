"""Stable-Diffusion-compatible ONNX pipeline: txt2img, img2img, inpainting (9-channel or blending).

One commented sequence, like diffusers' ``pipeline_onnx_stable_diffusion.py``: check inputs →
encode prompt → prepare latents → timesteps → denoising loop → decode. Qt-free and torch-free;
sessions come from a ``create(path)`` callable (the worker's SessionFactory), input names and
dtypes are read from each session, never assumed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from studio.engines.image.folder import ImageModelFolder
from studio.engines.image.preview import latent_preview
from studio.engines.image.schedulers import LCM, Scheduler, make_scheduler
from studio.engines.image.tokenizer import PromptTokenizer
from studio.jobs import UserError

_DTYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
           "tensor(int64)": np.int64, "tensor(int32)": np.int32}


@dataclass
class GenerateParams:
    prompt: str
    negative_prompt: str = ""
    width: int = 512  # multiples of 8 (the job adjusts them)
    height: int = 512
    steps: int = 25
    guidance: float = 7.5
    scheduler: str = "euler"
    seeds: list[int] = field(default_factory=lambda: [0])  # one per image in the batch
    strength: float = 1.0  # img2img / inpaint: share of the schedule that is re-generated
    init_image: np.ndarray | None = None  # H×W×3 uint8 at width×height
    mask: np.ndarray | None = None  # H×W uint8 at width×height, ≥ 128 = regenerate
    fast: bool = False  # use the folder's distilled UNet
    preview_every: int = 1  # 0 = no previews
    noise: np.ndarray | None = None  # [B, C, h, w] initial noise instead of seeded noise (tests)


@dataclass
class Hooks:
    """How the pipeline talks to its job: cancel, progress, run options."""

    check_cancel: Callable[[], None] = lambda: None
    on_step: Callable[[int, int, float, np.ndarray | None], None] = lambda *a: None
    run_options: Any = None


class _Session:
    """An ONNX Runtime session plus the names/dtypes/shapes it declares."""

    def __init__(self, sess: Any) -> None:
        self.sess = sess
        self.inputs = {i.name: i for i in sess.get_inputs()}
        self.output_names = [o.name for o in sess.get_outputs()]

    def dtype(self, name: str) -> Any:
        return _DTYPES.get(self.inputs[name].type, np.float32)

    def shape(self, name: str) -> list:
        return list(self.inputs[name].shape or [])

    def run(self, feeds: dict[str, np.ndarray], hooks: Hooks, outputs: list[str] | None = None):
        cast = {k: np.asarray(v, dtype=self.dtype(k)) for k, v in feeds.items() if k in self.inputs}
        try:
            return self.sess.run(outputs, cast, hooks.run_options)
        except Exception as exc:
            hooks.check_cancel()  # a terminated run raises: report it as a cancel
            if any(k in str(exc) for k in ("Failed to allocate", "bad_alloc", "out of memory")):
                raise MemoryError(str(exc)[:300]) from exc
            raise


def _finite(a: np.ndarray, where: str) -> None:
    if not np.isfinite(a).all():
        raise UserError(f"The model produced invalid numbers (NaN/Inf) in the {where}. Try another "
                        "scheduler, fewer guidance or full (fp32) precision.")


def guidance_embedding(w: np.ndarray, dim: int) -> np.ndarray:
    """LCM's guidance-scale embedding (sinusoidal in w·1000), as diffusers computes it."""
    w = np.asarray(w, np.float32) * 1000.0
    half = dim // 2
    freq = np.exp(np.arange(half, dtype=np.float32) * -(math.log(10000.0) / (half - 1)))
    emb = w[:, None] * freq[None, :]
    emb = np.concatenate([np.sin(emb), np.cos(emb)], axis=1)
    if dim % 2:
        emb = np.pad(emb, ((0, 0), (0, 1)))
    return emb.astype(np.float32)


class ImagePipeline:
    """A loaded image model. Worker thread only."""

    def __init__(self, folder: ImageModelFolder, create: Callable[[Path], Any]) -> None:
        self.folder = folder
        self._create = create
        self.tokenizer = PromptTokenizer(folder.part("tokenizer"), folder.text_max_length)
        self.text_encoder = self._session("text_encoder/model.onnx")
        self.vae_decoder = self._session("vae_decoder/model.onnx")
        self.latent_channels = self._latent_channels()

    def _session(self, rel: str | Path) -> _Session:
        path = rel if isinstance(rel, Path) else self.folder.part(rel)
        return _Session(self._create(path))

    def _latent_channels(self) -> int:
        dim = self.vae_decoder.shape(next(iter(self.vae_decoder.inputs)))
        if len(dim) == 4 and isinstance(dim[1], int):
            return dim[1]
        return int(self.folder.unet_config.get("out_channels", 4))

    def unet(self, fast: bool) -> _Session:
        if fast:
            if self.folder.fast is None:
                raise UserError(f"{self.folder.name} has no fast mode.")
            return self._checked_unet(self._session(self.folder.fast.unet))
        return self._checked_unet(self._session("unet/model.onnx"))

    def _checked_unet(self, unet: _Session) -> _Session:
        missing = [n for n in ("sample", "timestep", "encoder_hidden_states") if n not in unet.inputs]
        if missing:
            raise UserError(f"The UNet of {self.folder.name} lacks the input(s) {', '.join(missing)} (it has "
                            f"{', '.join(unet.inputs) or 'none'}): it is not a Stable Diffusion UNet export.")
        return unet

    def unet_in_channels(self, unet: _Session) -> int:
        dim = unet.shape("sample")
        if len(dim) == 4 and isinstance(dim[1], int):
            return dim[1]
        return int(self.folder.unet_config.get("in_channels", self.latent_channels))

    # ── text ──
    def encode_prompts(self, prompts: list[str], hooks: Hooks) -> tuple[np.ndarray, tuple[bool, ...]]:
        tokens = self.tokenizer(prompts)
        te = self.text_encoder
        rows = []
        for i in range(len(prompts)):  # one at a time: exported encoders may have batch 1
            feeds = {"input_ids": tokens.ids[i:i + 1], "attention_mask": tokens.mask[i:i + 1],
                     "token_type_ids": np.zeros_like(tokens.ids[i:i + 1])}
            rows.append(te.run(feeds, hooks)[0].astype(np.float32))
        return np.concatenate(rows, axis=0), tokens.truncated

    # ── VAE ──
    def encode_image(self, image: np.ndarray, hooks: Hooks) -> np.ndarray:
        """H×W×3 uint8 → scaled latent [1, C, h, w] (the distribution's mean: deterministic)."""
        if not self.folder.has_encoder:
            raise UserError(f"{self.folder.name} has no VAE encoder, so it cannot start from an image.")
        enc = self._session("vae_encoder/model.onnx")
        x = (image.astype(np.float32) / 255.0 * 2.0 - 1.0).transpose(2, 0, 1)[None]
        name = next(iter(enc.inputs))
        out = enc.run({name: x}, hooks)[0].astype(np.float32)
        if out.shape[1] == 2 * self.latent_channels:  # latent_parameters: mean ‖ logvar
            out = out[:, : self.latent_channels]
        _finite(out, "image encoder")
        return (out - self.folder.shift_factor) * self.folder.scaling_factor

    def decode(self, latents: np.ndarray, hooks: Hooks) -> np.ndarray:
        """Scaled latent [1, C, h, w] → H×W×3 float in [0, 1]."""
        name = next(iter(self.vae_decoder.inputs))
        z = latents / self.folder.scaling_factor + self.folder.shift_factor
        img = self.vae_decoder.run({name: z}, hooks)[0].astype(np.float32)
        _finite(img, "decoded image")
        return np.clip(img[0] / 2 + 0.5, 0.0, 1.0).transpose(1, 2, 0)

    # ── the whole generation ──
    def generate(self, p: GenerateParams, hooks: Hooks) -> tuple[list[np.ndarray], tuple[bool, ...]]:
        """Images as H×W×3 float in [0, 1], and which prompts (negative, positive) were truncated."""
        # 1. Check inputs and the model's shape contract.
        unet = self.unet(p.fast)
        c = self.latent_channels
        unet_in = self.unet_in_channels(unet)
        inpaint_unet = unet_in == 2 * c + 1  # [latents, mask, masked-image latents]
        if unet_in != c and not inpaint_unet:
            raise UserError(f"The UNet expects {unet_in} input channels but the VAE makes {c}-channel "
                            "latents: the folder mixes parts of different models.")
        if p.width % 8 or p.height % 8:
            raise UserError("Width and height must be multiples of 8.")
        b, h, w = len(p.seeds), p.height // 8, p.width // 8
        has_cond = "timestep_cond" in unet.inputs  # LCM-distilled UNet: guidance is an input
        cfg = p.guidance > 1.0 and not has_cond

        # 2. Encode the prompt (and the negative prompt for classifier-free guidance).
        emb, truncated = self.encode_prompts([p.negative_prompt, p.prompt], hooks)
        neg, pos = emb[:1], emb[1:]
        text = np.concatenate([np.repeat(neg, b, 0), np.repeat(pos, b, 0)]) if cfg else np.repeat(pos, b, 0)

        # 3. Timesteps: img2img / inpaint with strength < 1 start part-way down the schedule.
        sched = make_scheduler(p.scheduler, self.folder.scheduler_config)
        sched.set_timesteps(p.steps)
        start = 0
        if p.init_image is not None and p.strength < 1.0:
            init_steps = min(int(p.steps * p.strength), p.steps)
            start = max(p.steps - init_steps, 0)
            if start >= len(sched.timesteps):
                raise UserError(f"A strength of {p.strength:g} leaves no steps to run out of {p.steps}; "
                                "raise the strength or the step count.")
            sched.set_begin_index(start)

        # 4. Latents: seeded noise per image (image i depends only on seeds[i]).
        rngs = [np.random.default_rng(s) for s in p.seeds]
        if p.noise is not None:
            noise = np.asarray(p.noise, np.float32).reshape(b, c, h, w)
        else:
            noise = np.stack([r.standard_normal((c, h, w), dtype=np.float32) for r in rngs])
        image_latents = mask_lat = masked_lat = None
        if p.init_image is not None:
            image_latents = np.repeat(self.encode_image(p.init_image, hooks), b, 0)
        if p.mask is not None:
            if p.init_image is None:
                raise UserError("Inpainting needs the image the mask belongs to.")
            m = (np.asarray(p.mask) >= 128).astype(np.float32)
            # Latent mask: a latent pixel is regenerated if any pixel of its 8×8 block is.
            mask_lat = m.reshape(h, 8, w, 8).max(axis=(1, 3))[None, None].repeat(b, 0)
            if inpaint_unet:
                # The area to repaint becomes 0 in [-1, 1] space (mid grey), as diffusers does it.
                masked = p.init_image.astype(np.float32) * (1.0 - m)[..., None] + 127.5 * m[..., None]
                masked_lat = np.repeat(self._encode_float(masked, hooks), b, 0)
        elif inpaint_unet:  # an inpainting UNet used for txt2img/img2img: regenerate everything
            mask_lat = np.ones((b, 1, h, w), np.float32)
            masked_lat = np.zeros((b, c, h, w), np.float32)
        if image_latents is not None and (p.mask is None or p.strength < 1.0):
            # img2img (any strength) and partial inpaint start from the noised image; full-strength
            # inpaint starts from pure noise, as diffusers does.
            latents = sched.add_noise(image_latents, noise, start)
        else:
            latents = noise * np.float32(sched.init_noise_sigma)
        blend = p.mask is not None and not inpaint_unet

        # 5. Denoising loop.
        t_dtype, t_shape = unet.dtype("timestep"), unet.shape("timestep")
        cond = None
        if has_cond:
            dim = unet.shape("timestep_cond")
            dim = dim[1] if len(dim) == 2 and isinstance(dim[1], int) else \
                int(self.folder.unet_config.get("time_cond_proj_dim", 256) or 256)
            cond = guidance_embedding(np.full(b, p.guidance - 1.0), dim)
        total = len(sched.timesteps) - start
        t0 = time.perf_counter()
        for k, i in enumerate(range(start, len(sched.timesteps)), start=1):
            hooks.check_cancel()
            x = sched.scale_model_input(latents, i)
            if cfg:
                x = np.concatenate([x, x])
            if inpaint_unet:
                extra = np.concatenate([mask_lat, masked_lat], axis=1)
                x = np.concatenate([x, np.concatenate([extra, extra]) if cfg else extra], axis=1)
            t = sched.timesteps[i]
            tt = np.array(t, dtype=t_dtype) if len(t_shape) == 0 else np.full(x.shape[0], t, dtype=t_dtype)
            feeds = {"sample": x, "timestep": tt, "encoder_hidden_states": text}
            if cond is not None:
                feeds["timestep_cond"] = cond
            try:
                out = unet.run(feeds, hooks)[0].astype(np.float32)
            except Exception as exc:
                if "dimension" in str(exc) and (p.width % 64 or p.height % 64):
                    raise UserError("This model only works at sizes that are multiples of 64 pixels "
                                    f"({p.width}×{p.height} is not).") from exc
                raise
            if cfg:
                uncond, cond_out = out[:b], out[b:]
                out = uncond + np.float32(p.guidance) * (cond_out - uncond)
            step_noise = self._step_noise(sched, i, rngs, latents.shape)
            latents = sched.step(out, i, latents, noise=step_noise)
            if blend:  # keep the unmasked area: the original, noised to the next step's level
                proper = image_latents
                if i + 1 < len(sched.timesteps):
                    proper = sched.add_noise(image_latents, noise, i + 1)
                latents = (1.0 - mask_lat) * proper + mask_lat * latents
            _finite(latents, "denoising step")
            elapsed = time.perf_counter() - t0
            preview = None
            if p.preview_every and (k % p.preview_every == 0) and k < total:
                x0 = sched.pred_x0 if sched.pred_x0 is not None else latents
                preview = latent_preview(x0[0], self.folder.latent_rgb_factors, self.folder.latent_rgb_bias)
            hooks.on_step(k, total, k / elapsed if elapsed > 0 else 0.0, preview)

        # 6. Decode, one image at a time (the VAE decoder is the memory peak).
        images = []
        for j in range(b):
            hooks.check_cancel()
            images.append(self.decode(latents[j:j + 1], hooks))
        return images, truncated

    def _encode_float(self, image: np.ndarray, hooks: Hooks) -> np.ndarray:
        return self.encode_image(image.astype(np.float32), hooks)

    @staticmethod
    def _step_noise(sched: Scheduler, i: int, rngs: list, shape) -> np.ndarray | None:
        if not sched.needs_noise or (isinstance(sched, LCM) and i == len(sched.timesteps) - 1):
            return None
        return np.stack([r.standard_normal(shape[1:], dtype=np.float32) for r in rngs])
