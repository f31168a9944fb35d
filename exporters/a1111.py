"""The AUTOMATIC1111 ``parameters`` text: the de-facto standard recipe other tools read.

    a cat in a hat
    Negative prompt: blurry
    Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: studio-emoji

The parser follows A1111's own ``parse_generation_parameters`` (the last line holds the
``Key: value`` pairs when it has at least three; quoted values are JSON strings).
"""

from __future__ import annotations

import json
import re
from typing import Any

# Studio scheduler id → A1111 sampler name.
SAMPLER_NAMES = {
    "euler": "Euler",
    "euler_a": "Euler a",
    "ddim": "DDIM",
    "dpmpp_2m": "DPM++ 2M",
    "dpmpp_2m_karras": "DPM++ 2M Karras",
    "lcm": "LCM",
}
_FROM_SAMPLER = {v.lower(): k for k, v in SAMPLER_NAMES.items()}

# ComfyUI sampler_name (+ scheduler "karras") and InvokeAI scheduler names → Studio ids.
COMFY_SAMPLERS = {"euler": "euler", "euler_ancestral": "euler_a", "ddim": "ddim",
                  "dpmpp_2m": "dpmpp_2m", "lcm": "lcm"}
INVOKE_SCHEDULERS = {"euler": "euler", "euler_a": "euler_a", "ddim": "ddim", "dpmpp_2m": "dpmpp_2m",
                     "dpmpp_2m_k": "dpmpp_2m_karras", "lcm": "lcm", "k_euler": "euler",
                     "k_euler_a": "euler_a", "k_dpmpp_2": "dpmpp_2m"}

_RE_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_RE_SIZE = re.compile(r"^\s*(\d+)\s*x\s*(\d+)\s*$")


def _quote(text: str) -> str:
    """A1111's quoting: values with a comma, colon, quote or newline become JSON strings."""
    if not any(c in text for c in ',:\n"'):
        return text
    return json.dumps(text, ensure_ascii=False)


def _num(value: float) -> str:
    return f"{value:g}"


def format_parameters(params: dict[str, Any]) -> str:
    """The A1111 text for a Studio parameter dict (``ImageRequest`` field names).

    Values that mean "the model's default" (steps 0, guidance < 0, size 0, no seed) are left
    out rather than written as a misleading number.
    """
    lines = [str(params.get("prompt", ""))]
    negative = str(params.get("negative_prompt", "") or "")
    if negative:
        lines.append(f"Negative prompt: {negative}")
    fields: list[tuple[str, str]] = []
    steps = params.get("steps") or 0
    if steps > 0:
        fields.append(("Steps", str(int(steps))))
    scheduler = params.get("scheduler") or ""
    if scheduler:
        fields.append(("Sampler", SAMPLER_NAMES.get(scheduler, scheduler)))
    guidance = params.get("guidance")
    if guidance is not None and guidance >= 0:
        fields.append(("CFG scale", _num(float(guidance))))
    if params.get("seed") is not None:
        fields.append(("Seed", str(int(params["seed"]))))
    width, height = params.get("width") or 0, params.get("height") or 0
    if width and height:
        fields.append(("Size", f"{int(width)}x{int(height)}"))
    if params.get("model_hash"):
        fields.append(("Model hash", str(params["model_hash"])[:10]))
    model = params.get("model_id") or params.get("model") or ""
    if model:
        fields.append(("Model", str(model)))
    if params.get("init_image_sha") or params.get("img2img"):
        fields.append(("Denoising strength", _num(float(params.get("strength", 0.75)))))
    fields.append(("Version", "Studio"))
    lines.append(", ".join(f"{k}: {_quote(v)}" for k, v in fields))
    return "\n".join(lines)


def parse_parameters(text: str) -> dict[str, Any]:
    """Parse an A1111 ``parameters`` string into the common dict (see ``exporters.read``).

    Keys: prompt, negative_prompt, steps, sampler (as written), scheduler (Studio id or ""),
    guidance, seed, width, height, model, model_hash, strength (those present), and ``extra``
    with every other ``Key: value`` pair.
    """
    *lines, last = text.strip().split("\n")
    if len(_RE_PARAM.findall(last)) < 3:
        lines.append(last)
        last = ""
    prompt: list[str] = []
    negative: list[str] = []
    in_negative = False
    for line in lines:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            in_negative = True
            line = line[len("Negative prompt:"):].strip()
        (negative if in_negative else prompt).append(line)
    out: dict[str, Any] = {"prompt": "\n".join(prompt), "negative_prompt": "\n".join(negative)}
    extra: dict[str, str] = {}
    for key, value in _RE_PARAM.findall(last):
        value = value.strip()
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            try:
                value = json.loads(value)
            except ValueError:
                pass
        extra[key.strip()] = value
    _take(out, extra, "Steps", "steps", int)
    _take(out, extra, "CFG scale", "guidance", float)
    _take(out, extra, "Seed", "seed", int)
    _take(out, extra, "Denoising strength", "strength", float)
    if "Model" in extra:
        out["model"] = extra.pop("Model")
    if "Model hash" in extra:
        out["model_hash"] = extra.pop("Model hash")
    size = _RE_SIZE.match(extra.get("Size", ""))
    if size:
        extra.pop("Size")
        out["width"], out["height"] = int(size.group(1)), int(size.group(2))
    if "Sampler" in extra:
        sampler = extra.pop("Sampler")
        if extra.get("Schedule type", "").lower() == "karras" and not sampler.lower().endswith("karras"):
            sampler = f"{sampler} Karras"
            extra.pop("Schedule type")
        out["sampler"] = sampler
        out["scheduler"] = _FROM_SAMPLER.get(sampler.lower(), "")
    out["extra"] = extra
    return out


def _take(out: dict, extra: dict, key: str, name: str, kind: type) -> None:
    if key not in extra:
        return
    try:
        out[name] = kind(extra[key])
    except ValueError:
        return  # keep the odd value in extra
    del extra[key]
