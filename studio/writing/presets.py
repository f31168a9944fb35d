"""Named sampler presets: a few built in, the user's own saved as JSON in the data folder."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from studio import paths
from studio.fileio import atomic_write_text
from studio.jobs import SamplerParams, UserError
from studio.writing.storage import sampler_from_dict, sampler_to_dict

BUILTIN: dict[str, SamplerParams] = {
    "Balanced": SamplerParams(),
    "Creative": SamplerParams(temperature=1.05, top_k=0, top_p=0.98, min_p=0.03, repetition_penalty=1.05),
    "Focused": SamplerParams(temperature=0.5, top_k=20, top_p=0.9, min_p=0.1, repetition_penalty=1.15),
    "Deterministic": SamplerParams(greedy=True, temperature=0.0, repetition_penalty=1.1),
}


def _path() -> Path:
    return paths.data_dir() / "writing-presets.json"


def user_presets() -> dict[str, SamplerParams]:
    try:
        raw = json.loads(_path().read_text(encoding="utf-8"))
        return {str(k): sampler_from_dict(v) for k, v in raw.items() if isinstance(v, dict)}
    except (OSError, ValueError, TypeError):
        return {}


def all_presets() -> dict[str, SamplerParams]:
    return {**BUILTIN, **user_presets()}


def save_preset(name: str, params: SamplerParams) -> None:
    name = name.strip()
    if not name:
        raise UserError("A preset needs a name.")
    if name in BUILTIN:
        raise UserError(f"“{name}” is a built-in preset; choose another name.")
    presets = user_presets()
    presets[name] = replace(params, seed=None)  # a preset is a style, not one fixed output
    atomic_write_text(_path(), json.dumps({k: sampler_to_dict(v) for k, v in presets.items()},
                                          indent=2, ensure_ascii=False))


def delete_preset(name: str) -> None:
    presets = user_presets()
    if presets.pop(name, None) is not None:
        atomic_write_text(_path(), json.dumps({k: sampler_to_dict(v) for k, v in presets.items()},
                                              indent=2, ensure_ascii=False))


def matching_preset(params: SamplerParams) -> str:
    """The preset these settings equal (ignoring seed and max tokens), or ""."""
    norm = replace(params, seed=None, max_new_tokens=128)
    for name, p in all_presets().items():
        if replace(p, seed=None, max_new_tokens=128) == norm:
            return name
    return ""
