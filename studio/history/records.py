"""What the history holds, and how a record turns back into the exact request that made it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from studio.jobs import ImageRequest, SamplerParams, TextRequest

# Request fields that are not parameters (arrays go to blobs; job ids are per run).
_IMAGE_SKIP = {"init_image", "mask", "job_id"}


@dataclass(frozen=True)
class Query:
    """Filters for listing the history; every field narrows the result."""

    text: str = ""  # full-text search over prompts and generated text
    kind: str | None = None  # "image" | "text"
    model_id: str | None = None
    since: float | None = None  # unix time, inclusive
    until: float | None = None  # unix time, exclusive
    favourite: bool = False
    tag: str | None = None
    trash: bool = False  # list the trash instead of the live history
    ids: tuple[int, ...] | None = None  # only these records (e.g. the ones just added)


@dataclass(frozen=True)
class HistoryRow:
    """A light row for lists and grids (previews cut short, no parameters)."""

    id: int
    kind: str
    created: float
    model_id: str
    prompt: str  # first 500 characters
    seed: int | None
    width: int | None
    height: int | None
    favourite: bool
    image_path: Path | None
    text: str  # first 500 characters of a text generation
    accepted: bool | None
    deleted: float | None
    duration: float
    device: str


@dataclass(frozen=True, eq=False)
class HistoryRecord:
    """One generation, complete: enough to show it, export it and reproduce it exactly."""

    id: int
    kind: str  # "image" | "text"
    created: float
    model_id: str
    model_hash: str
    prompt: str  # the full prompt (or text context)
    negative_prompt: str
    seed: int | None
    params: dict[str, Any]  # every request parameter, JSON-safe
    image_path: Path | None
    width: int | None
    height: int | None
    text: str | None  # the generated text
    duration: float
    device: str
    favourite: bool
    accepted: bool | None
    deleted: float | None
    tags: tuple[str, ...] = ()
    job_id: int | None = None
    batch_index: int = 0
    finish_reason: str | None = None
    init_image: np.ndarray | None = field(default=None, repr=False)
    mask: np.ndarray | None = field(default=None, repr=False)


# ── request → parameters ──


def image_params(request: ImageRequest, *, seed: int | None, model_id: str) -> dict[str, Any]:
    """The JSON-safe parameters of one image of a request (its own seed, batch of one)."""
    params = {f.name: getattr(request, f.name) for f in fields(ImageRequest) if f.name not in _IMAGE_SKIP}
    params["seed"] = seed
    params["batch"] = 1
    params["model_id"] = request.model_id or model_id
    return params


def text_params(request: TextRequest, *, seed: int, model_id: str) -> dict[str, Any]:
    """The JSON-safe parameters of a text request, minus the prompt (stored on its own)."""
    sampler = {f.name: getattr(request.sampler, f.name) for f in fields(SamplerParams)}
    sampler["seed"] = seed
    sampler["stop"] = list(sampler["stop"])
    sampler["banned_tokens"] = list(sampler["banned_tokens"])
    sampler["logit_bias"] = [list(p) for p in sampler["logit_bias"]]
    return {"model_id": request.model_id or model_id, "precision": request.precision,
            "memory": request.memory, "chat": request.chat, "sampler": sampler}


# ── record → request ──


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def request_from_record(record: HistoryRecord) -> ImageRequest | TextRequest:
    """The request that reproduces this record exactly (a fresh job id)."""
    p = record.params
    if record.kind == "image":
        kw = _known(ImageRequest, p)
        for name in _IMAGE_SKIP:
            kw.pop(name, None)
        kw.update(prompt=record.prompt, negative_prompt=record.negative_prompt, seed=record.seed,
                  batch=1, init_image=record.init_image, mask=record.mask)
        kw.setdefault("model_id", record.model_id)
        return ImageRequest(**kw)
    s = dict(p.get("sampler", {}))
    s["stop"] = tuple(s.get("stop", ()))
    s["banned_tokens"] = tuple(s.get("banned_tokens", ()))
    s["logit_bias"] = tuple((int(t), float(b)) for t, b in s.get("logit_bias", ()))
    return TextRequest(prompt=record.prompt, model_id=p.get("model_id", record.model_id),
                       precision=p.get("precision", ""), sampler=SamplerParams(**_known(SamplerParams, s)),
                       memory=p.get("memory", ""), chat=bool(p.get("chat", False)))


def image_request_from_parameters(params: dict[str, Any]) -> ImageRequest:
    """An ImageRequest from ``exporters.read.read_parameters`` output (PNG Info → prompt panel).

    Studio files give back their exact parameters; others map what Studio understands, and the
    rest stays at the model's defaults.
    """
    studio = params.get("studio")
    if isinstance(studio, dict):
        kw = _known(ImageRequest, studio)
        for name in _IMAGE_SKIP:
            kw.pop(name, None)
        return ImageRequest(**kw)
    kw: dict[str, Any] = {"prompt": params.get("prompt", ""),
                          "negative_prompt": params.get("negative_prompt", "")}
    for key in ("steps", "seed", "width", "height"):
        if params.get(key) is not None:
            kw[key] = int(params[key])
    if params.get("guidance") is not None:
        kw["guidance"] = float(params["guidance"])
    if params.get("strength") is not None:
        kw["strength"] = float(params["strength"])
    kw["scheduler"] = params.get("scheduler", "") or ""
    return ImageRequest(**kw)


# ── array ↔ PNG for the blobs table ──


def array_png(arr: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(buf, "PNG", compress_level=3)
    return buf.getvalue()


def png_array(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data))).copy()
