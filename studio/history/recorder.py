"""Turn a finished job's result into history records. Worker thread (or CLI) only.

The PNG encoding and the SQLite write happen here, off the UI thread. Each image is saved with
its recipe inside (``exporters.png``), so a file dragged out of the history keeps its settings.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time

import numpy as np

from exporters.png import encode_png
from studio.history.records import array_png, image_params, text_params
from studio.history.store import HistoryStore, NewRecord
from studio.history.thumbnails import make_thumbnail
from studio.jobs import ImageResult, TextResult

PROMPT_TAIL = 4000  # characters of a long text context kept searchable; the whole is a blob


@functools.lru_cache(maxsize=64)
def model_hash(model_id: str) -> str:
    """A short hash identifying the installed model's weights ("" when unknown)."""
    if not model_id:
        return ""
    try:
        from studio.models import registry

        manifest = registry.get(model_id).manifest
    except Exception:  # noqa: BLE001 - an unknown or broken model just has no hash
        return ""
    sha = manifest.get("sha256")
    if isinstance(sha, str):
        return sha[:12]
    if sha:
        return hashlib.sha256(json.dumps(sha, sort_keys=True).encode()).hexdigest()[:12]
    return ""


def record_result(store: HistoryStore, result: ImageResult | TextResult) -> tuple[int, ...]:
    """Write the result to the history; returns the new record ids (() for other results)."""
    if isinstance(result, ImageResult):
        return store.add(_image_records(result))
    if isinstance(result, TextResult):
        return store.add([_text_record(result)])
    return ()


def _image_records(result: ImageResult) -> list[NewRecord]:
    req, stats = result.request, result.stats
    model_id = req.model_id or stats.model_id
    mhash = model_hash(model_id)
    init_png = array_png(req.init_image) if req.init_image is not None else None
    mask_png = array_png(req.mask) if req.mask is not None else None
    now = time.time()
    per_image = stats.seconds / max(1, len(result.images))
    records = []
    for i, image in enumerate(result.images):
        seed = result.seeds[i] if i < len(result.seeds) else req.seed
        params = image_params(req, seed=seed, model_id=model_id)
        if mhash:
            params["model_hash"] = mhash
        if init_png is not None:
            params["init_image_sha"] = hashlib.sha256(init_png).hexdigest()
        if mask_png is not None:
            params["mask_sha"] = hashlib.sha256(mask_png).hexdigest()
        h, w = image.shape[:2]
        # The file states the real size; the record keeps the request's own (0 = native) values.
        png = encode_png(image, {**params, "width": w, "height": h})
        records.append(NewRecord(
            kind="image", created=now, model_id=model_id, model_hash=mhash, prompt=req.prompt,
            negative_prompt=req.negative_prompt, seed=seed, params=params, width=w, height=h,
            duration=per_image, device=stats.device, job_id=result.job_id, batch_index=i,
            png=png, thumb=make_thumbnail(np.asarray(image)), init_png=init_png, mask_png=mask_png))
    return records


def _text_record(result: TextResult) -> NewRecord:
    req, stats = result.request, result.stats
    model_id = req.model_id or stats.model_id
    params = text_params(req, seed=result.seed, model_id=model_id)
    prompt, context = req.prompt, None
    if len(prompt) > PROMPT_TAIL:
        prompt, context = prompt[-PROMPT_TAIL:], req.prompt.encode("utf-8")
    return NewRecord(
        kind="text", created=time.time(), model_id=model_id, model_hash=model_hash(model_id),
        prompt=prompt, seed=result.seed, params=params, output=result.text, duration=stats.seconds,
        device=stats.device, job_id=result.job_id, finish_reason=result.finish_reason, context=context)


def set_accepted(store: HistoryStore, record_id: int, accepted: bool | None) -> None:
    """The writing workspace reports whether the user kept a text generation."""
    store.set_accepted(record_id, accepted)
