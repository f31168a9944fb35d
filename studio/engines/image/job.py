"""ImageRequest → ImageResult: resolve the model and defaults, run the pipeline, report progress.

Worker thread (or the headless CLI) only.
"""

from __future__ import annotations

import dataclasses

import secrets
import time
from pathlib import Path

import numpy as np

from studio.engines.image.folder import ImageModelFolder, load_folder
from studio.engines.image.pipeline import GenerateParams, Hooks, ImagePipeline
from studio.engines.image.preview import to_uint8
from studio.engines.image.schedulers import SCHEDULERS
from studio.jobs import ImageRequest, ImageResult, JobContext, RunStats, UserError

MAX_SIDE = 4096  # beyond this a single image would not fit any consumer machine's memory
MAX_BATCH = 16


def resolve_model_path(model_id: str) -> tuple[str, Path]:
    from studio.models import registry
    from studio.settings import Settings

    model_id = model_id or Settings.load().image_model or registry.DEFAULT_IMAGE_MODEL
    info = registry.get(model_id)
    if info.kind != "image":
        raise UserError(f"'{model_id}' is a {info.kind} model, not an image model.")
    if info.path is None:
        raise UserError(f"The image model '{model_id}' is not installed.")
    return model_id, info.path


def _adjust(value: int, notices: list[str], what: str) -> int:
    fixed = max(8, value // 8 * 8)
    if fixed != value:
        notices.append(f"The {what} was adjusted from {value} to {fixed} pixels (a multiple of 8).")
    return fixed


def _resize(img: np.ndarray, w: int, h: int, mask: bool = False) -> np.ndarray:
    if img.shape[1] == w and img.shape[0] == h:
        return img
    from PIL import Image

    resample = Image.NEAREST if mask else Image.LANCZOS
    return np.asarray(Image.fromarray(img).resize((w, h), resample))


def build_params(req: ImageRequest, folder: ImageModelFolder) -> tuple[GenerateParams, list[str]]:
    """Fill the request's "model default" values from the folder and validate the rest."""
    notices: list[str] = []
    init = req.init_image
    if init is not None:
        init = np.asarray(init)
        if init.ndim != 3 or init.shape[2] not in (3, 4) or init.dtype != np.uint8:
            raise UserError("The starting image must be an RGB picture (H×W×3, 8-bit).")
        init = np.ascontiguousarray(init[..., :3])
    mask = req.mask
    if mask is not None:
        mask = np.asarray(mask)
        if mask.ndim == 3:
            mask = mask[..., 0]
        if init is None:
            raise UserError("Inpainting needs the image the mask belongs to.")
        if mask.shape != init.shape[:2]:
            raise UserError("The mask must be the same size as the image.")
        if not (mask >= 128).any():
            raise UserError("The mask is empty: paint the area to regenerate first.")
    # Size: the request's, else the starting image's, else the model's native size.
    w = req.width or (init.shape[1] if init is not None else folder.native_size[0])
    h = req.height or (init.shape[0] if init is not None else folder.native_size[1])
    if w > MAX_SIDE or h > MAX_SIDE:
        raise UserError(f"{w}×{h} is too large; the largest side Studio generates is {MAX_SIDE} pixels.")
    if w < 8 or h < 8:
        raise UserError("The image must be at least 8×8 pixels.")
    w, h = _adjust(w, notices, "width"), _adjust(h, notices, "height")
    if init is not None:
        init = _resize(init, w, h)
    if mask is not None:
        mask = _resize(mask.astype(np.uint8), w, h, mask=True)
    if not 1 <= req.batch <= MAX_BATCH:
        raise UserError(f"The batch size must be between 1 and {MAX_BATCH}.")
    if init is not None and not 0.0 < req.strength <= 1.0:
        raise UserError("The strength must be between 0 and 1.")

    if req.fast:
        if folder.fast is None:
            raise UserError(f"{folder.name} has no fast mode; turn fast mode off for this model.")
        # The distilled UNet's own settings, unless the request names its own.
        steps = req.steps or folder.fast.steps
        scheduler = req.scheduler or folder.fast.scheduler
        guidance = req.guidance if req.guidance >= 0 else folder.fast.guidance
    else:
        steps = req.steps or folder.default_steps
        scheduler = req.scheduler or folder.default_scheduler
        guidance = req.guidance if req.guidance >= 0 else folder.default_guidance
    if scheduler not in SCHEDULERS:
        raise UserError(f"Unknown scheduler '{scheduler}'. Choose one of: {', '.join(SCHEDULERS)}.")
    if not 1 <= steps <= 500:
        raise UserError("The number of steps must be between 1 and 500.")
    seed = req.seed if req.seed is not None else secrets.randbelow(2 ** 32)
    seeds = [(seed + i) % 2 ** 64 for i in range(req.batch)]
    params = GenerateParams(prompt=req.prompt, negative_prompt=req.negative_prompt, width=w, height=h,
                            steps=steps, guidance=guidance, scheduler=scheduler, seeds=seeds,
                            strength=req.strength if init is not None else 1.0, init_image=init,
                            mask=mask, fast=req.fast, preview_every=max(0, req.preview_every))
    return params, notices


def load_pipeline(ctx: JobContext, path: Path) -> ImagePipeline:
    folder = load_folder(path)  # cheap; validates the parts every time (files may have changed)
    key = ("image", str(path.resolve()), ctx.sessions.report().provider)
    return ctx.sessions.cached(key, lambda: ImagePipeline(folder, ctx.sessions.create))


def run_image_job(req: ImageRequest, ctx: JobContext) -> ImageResult:
    t0 = time.perf_counter()
    model_id, path = resolve_model_path(req.model_id)
    pipe = load_pipeline(ctx, path)
    params, notices = build_params(req, pipe.folder)
    for msg in notices:
        ctx.notice(msg)

    done = [0]

    def on_step(step: int, total: int, rate: float, preview: np.ndarray | None) -> None:
        done[0] = step
        ctx.cancel.check()
        ctx.progress(step, total, rate=rate, preview=preview)

    hooks = Hooks(check_cancel=ctx.cancel.check, on_step=on_step, run_options=ctx.cancel.run_options())
    try:
        images, truncated = pipe.generate(params, hooks)
    except MemoryError:
        raise UserError(f"Not enough memory for {params.width}×{params.height} × {len(params.seeds)}; "
                        "try a smaller size or fewer images.") from None
    for which, cut in zip(("negative prompt", "prompt"), truncated):
        if cut:
            msg = (f"The {which} was longer than the model reads ({pipe.folder.text_max_length} "
                   "tokens); the end was ignored.")
            ctx.notice(msg)
            notices.append(msg)
    secs = time.perf_counter() - t0
    steps_run = done[0]
    # The result carries the values really used, not "model default": the history, the PNG's
    # parameters and Reproduce then stay exact even if the model's defaults change later.
    used = dataclasses.replace(req, width=params.width, height=params.height, steps=params.steps,
                               guidance=params.guidance, scheduler=params.scheduler,
                               seed=params.seeds[0], job_id=req.job_id)
    return ImageResult(
        job_id=req.job_id, request=used, images=tuple(to_uint8(im) for im in images),
        seeds=tuple(params.seeds),
        stats=RunStats(seconds=secs, device=ctx.sessions.report().label, model_id=model_id,
                       steps_per_s=steps_run / secs if secs > 0 else 0.0),
        notices=tuple(notices))
