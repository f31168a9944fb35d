"""PNG Info: read the generation parameters back out of an image file.

Understands files written by Studio (``studio`` JSON chunk / EXIF MakerNote), AUTOMATIC1111
(``parameters`` chunk / EXIF UserComment), ComfyUI (``prompt`` API graph, else ``workflow``)
and InvokeAI (``invokeai_metadata``, older ``sd-metadata``). Every source is normalised to one
dict: prompt, negative_prompt, steps, scheduler (a Studio id, "" if unknown), guidance, seed,
width, height, model, and ``source`` ("studio" | "a1111" | "comfyui" | "invokeai"); Studio
files also carry ``studio`` (the exact JSON parameters).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from exporters.a1111 import COMFY_SAMPLERS, INVOKE_SCHEDULERS, parse_parameters
from exporters.jpeg import EXIF_IFD, MAKER_NOTE, STUDIO_PREFIX, USER_COMMENT, decode_user_comment
from studio.jobs import UserError

KEYS = ("prompt", "negative_prompt", "steps", "scheduler", "guidance", "seed", "width", "height", "model")


def read_parameters(source: bytes | str | Path) -> dict[str, Any]:
    """The normalised parameters of a PNG/JPEG/WebP (bytes or path); {} when it carries none.

    Raises UserError when the file cannot be read as an image.
    """
    name = Path(source).name if not isinstance(source, (bytes, bytearray)) else "This file"
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source) as im:
            chunks = _text_chunks(im)  # PNG text after the pixels is read on demand
            size = im.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        raise UserError(f"{name} cannot be read as an image ({exc}).") from None
    out = _from_chunks(chunks)
    if out:
        out.setdefault("width", size[0])
        out.setdefault("height", size[1])
    return out


def studio_from_chunks(chunks: dict[str, str]) -> dict[str, Any] | None:
    raw = chunks.get("studio")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _text_chunks(im: Image.Image) -> dict[str, str]:
    chunks: dict[str, str] = {}
    for key, value in (getattr(im, "text", None) or {}).items():
        chunks[key] = str(value)
    if im.format in ("JPEG", "WEBP", "MPO", "TIFF"):
        try:
            ifd = im.getexif().get_ifd(EXIF_IFD)
        except Exception:  # noqa: BLE001 - broken EXIF is just "no metadata"
            ifd = {}
        note = ifd.get(MAKER_NOTE)
        if isinstance(note, bytes) and note.startswith(STUDIO_PREFIX):
            chunks["studio"] = note[len(STUDIO_PREFIX):].decode("utf-8", errors="replace")
        if USER_COMMENT in ifd:
            chunks.setdefault("parameters", decode_user_comment(ifd[USER_COMMENT]))
    return chunks


def _from_chunks(chunks: dict[str, str]) -> dict[str, Any]:
    studio = studio_from_chunks(chunks)
    if studio is not None:
        out = {k: studio[k] for k in ("prompt", "negative_prompt", "steps", "scheduler", "guidance",
                                      "seed", "width", "height", "strength") if k in studio}
        out["model"] = studio.get("model_id", "")
        if studio.get("model_hash"):
            out["model_hash"] = studio["model_hash"]
        # 0 / -1 mean "the model's default" in Studio; other tools have no such value.
        for key in ("width", "height", "steps"):
            if not out.get(key):
                out.pop(key, None)
        if out.get("guidance") is not None and out["guidance"] < 0:
            out.pop("guidance")
        return {**out, "source": "studio", "studio": studio}
    if chunks.get("parameters"):
        return {**parse_parameters(chunks["parameters"]), "source": "a1111"}
    for key in ("invokeai_metadata", "sd-metadata"):
        if chunks.get(key):
            data = _json(chunks[key])
            if isinstance(data, dict):
                return {**(_invoke3(data) if key == "invokeai_metadata" else _invoke2(data)),
                        "source": "invokeai"}
    for key, parse in (("prompt", _comfy_api), ("workflow", _comfy_workflow)):
        data = _json(chunks.get(key, ""))
        if isinstance(data, dict):
            out = parse(data)
            if out:
                return {**out, "source": "comfyui"}
    return {}


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _put(out: dict, key: str, value: Any, kind: type) -> None:
    if value is None or value == "":
        return
    try:
        out[key] = kind(value)
    except (TypeError, ValueError):
        pass


# ── InvokeAI ──


def _invoke3(d: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"prompt": str(d.get("positive_prompt", "")),
                           "negative_prompt": str(d.get("negative_prompt", ""))}
    _put(out, "steps", d.get("steps"), int)
    _put(out, "guidance", d.get("cfg_scale"), float)
    _put(out, "seed", d.get("seed"), int)
    _put(out, "width", d.get("width"), int)
    _put(out, "height", d.get("height"), int)
    _put(out, "strength", d.get("strength"), float)
    sched = str(d.get("scheduler", ""))
    out["sampler"] = sched
    out["scheduler"] = INVOKE_SCHEDULERS.get(sched, "")
    model = d.get("model")
    if isinstance(model, dict):
        out["model"] = str(model.get("name") or model.get("model_name") or "")
        if model.get("hash"):
            out["model_hash"] = str(model["hash"])
    elif model:
        out["model"] = str(model)
    return out


def _invoke2(d: dict) -> dict[str, Any]:
    image = d.get("image") if isinstance(d.get("image"), dict) else {}
    prompt = image.get("prompt", "")
    if isinstance(prompt, list):  # [{"prompt": ..., "weight": ...}]
        prompt = " ".join(str(p.get("prompt", "")) for p in prompt if isinstance(p, dict))
    prompt = str(prompt)
    # InvokeAI 2 wrote the negative prompt inside [brackets].
    negative = " ".join(m.strip() for m in re.findall(r"\[([^\]]*)\]", prompt))
    out: dict[str, Any] = {"prompt": re.sub(r"\s*\[[^\]]*\]\s*", " ", prompt).strip(),
                           "negative_prompt": negative}
    _put(out, "steps", image.get("steps"), int)
    _put(out, "guidance", image.get("cfg_scale"), float)
    _put(out, "seed", image.get("seed"), int)
    _put(out, "width", image.get("width"), int)
    _put(out, "height", image.get("height"), int)
    sched = str(image.get("sampler", ""))
    out["sampler"] = sched
    out["scheduler"] = INVOKE_SCHEDULERS.get(sched, "")
    out["model"] = str(d.get("model_weights", ""))
    return out


# ── ComfyUI ──


def _comfy_scheduler(sampler: str, scheduler: str) -> str:
    base = COMFY_SAMPLERS.get(sampler, "")
    return "dpmpp_2m_karras" if base == "dpmpp_2m" and scheduler == "karras" else base


def _comfy_api(graph: dict) -> dict[str, Any]:
    """The API-format graph ComfyUI stores as ``prompt``: {node id: {class_type, inputs}}."""
    nodes = {str(k): v for k, v in graph.items() if isinstance(v, dict) and "class_type" in v}
    sampler = next((n for n in nodes.values() if "KSampler" in str(n["class_type"])), None)
    if sampler is None:
        return {}
    inp = sampler.get("inputs", {})

    def follow(ref: Any, want: tuple[str, ...], through: tuple[str, ...], depth: int = 0) -> Any:
        # A link is [node id, output slot]; walk it until a node has one of the wanted inputs.
        if not isinstance(ref, list) or not ref or depth > 20:
            return ref
        node = nodes.get(str(ref[0]), {})
        node_in = node.get("inputs", {})
        for key in want:
            if key in node_in:
                return follow(node_in[key], want, through, depth + 1)
        for key in through:
            if key in node_in:
                return follow(node_in[key], want, through, depth + 1)
        return None

    text_keys = ("text", "text_g", "string", "value")
    out: dict[str, Any] = {
        "prompt": str(follow(inp.get("positive"), text_keys, ("conditioning", "conditioning_1")) or ""),
        "negative_prompt": str(follow(inp.get("negative"), text_keys, ("conditioning", "conditioning_1")) or ""),
    }
    _put(out, "seed", inp.get("seed", inp.get("noise_seed")), int)
    _put(out, "steps", inp.get("steps"), int)
    _put(out, "guidance", inp.get("cfg"), float)
    sampler_name, sched = str(inp.get("sampler_name", "")), str(inp.get("scheduler", ""))
    out["sampler"] = sampler_name if sched in ("", "normal") else f"{sampler_name} {sched}"
    out["scheduler"] = _comfy_scheduler(sampler_name, sched)
    if inp.get("denoise") is not None and float(inp["denoise"]) < 1.0:
        _put(out, "strength", inp.get("denoise"), float)
    model = follow(inp.get("model"), ("ckpt_name", "unet_name"), ("model",))
    if isinstance(model, str):
        out["model"] = model
    latent = inp.get("latent_image")
    if isinstance(latent, list):
        node_in = nodes.get(str(latent[0]), {}).get("inputs", {})
        _put(out, "width", node_in.get("width"), int)
        _put(out, "height", node_in.get("height"), int)
    return out


def _comfy_workflow(wf: dict) -> dict[str, Any]:
    """The UI-format ``workflow``: nodes with widgets_values, wired by a links table."""
    nodes = {n.get("id"): n for n in wf.get("nodes", []) if isinstance(n, dict)}
    links = {l[0]: l[1] for l in wf.get("links", []) if isinstance(l, list) and len(l) >= 2}
    sampler = next((n for n in nodes.values() if str(n.get("type", "")).startswith("KSampler")), None)
    if sampler is None:
        return {}

    def source(node: dict, name: str) -> dict:
        for i in node.get("inputs", []) or []:
            if isinstance(i, dict) and i.get("name") == name and i.get("link") is not None:
                return nodes.get(links.get(i["link"]), {})
        return {}

    def widgets(node: dict) -> list:
        w = node.get("widgets_values")
        return w if isinstance(w, list) else []

    def text(node: dict) -> str:
        for _ in range(20):
            if not node:
                return ""
            if "TextEncode" in str(node.get("type", "")) and widgets(node):
                return str(widgets(node)[0])
            node = source(node, "conditioning") or source(node, "conditioning_1")
        return ""

    w = widgets(sampler)
    advanced = sampler.get("type") == "KSamplerAdvanced"
    w = w[1:] if advanced else w  # KSamplerAdvanced starts with add_noise
    out: dict[str, Any] = {"prompt": text(source(sampler, "positive")),
                           "negative_prompt": text(source(sampler, "negative"))}
    if len(w) >= 6:
        _put(out, "seed", w[0], int)
        _put(out, "steps", w[2], int)
        _put(out, "guidance", w[3], float)
        out["sampler"] = str(w[4])
        out["scheduler"] = _comfy_scheduler(str(w[4]), str(w[5]))
    model = source(sampler, "model")
    for _ in range(20):
        if not model or "Checkpoint" in str(model.get("type", "")):
            break
        model = source(model, "model")
    if model and widgets(model):
        out["model"] = str(widgets(model)[0])
    latent = source(sampler, "latent_image")
    if "EmptyLatent" in str(latent.get("type", "")) and len(widgets(latent)) >= 2:
        _put(out, "width", widgets(latent)[0], int)
        _put(out, "height", widgets(latent)[1], int)
    return out
