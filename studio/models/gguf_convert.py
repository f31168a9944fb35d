"""GGUF file → Studio text-model folder (tokenizer, ONNX decoders, manifest). Torch-free.

Folder layout::

    manifest.json           id, kind "text", family, context, formats, source, license, sha256
    tokenizer.json          for the ``tokenizers`` library, built from the GGUF vocabulary
    tokenizer_config.json   special tokens, end-of-turn ids, chat template
    decoder_int4.onnx       one graph per precision (fp32 | int8 | int4 | fp16)
    source.gguf             kept so another precision can be built later without a download

``convert_gguf`` builds the folder; ``ensure_precision`` adds a missing precision on demand.
Command line (runs in a child process if a caller wants isolation)::

    python -m studio.models.gguf_convert MODEL.gguf OUT_DIR --precision int4 --precision fp32
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

from studio.fileio import atomic_write_text
from studio.jobs import UserError
from studio.models.gguf_graph import PRECISIONS, build_decoder, save_model
from studio.models.gguf_read import GGUFModel
from studio.models.gguf_tokenizer import write_tokenizer

ProgressFn = Callable[[str, int, int], None]  # (stage message, done, total)
SOURCE_NAME = "source.gguf"


def decoder_file(precision: str) -> str:
    return f"decoder_{precision}.onnx"


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def convert_gguf(gguf_path: Path, folder: Path, precisions: Iterable[str] = ("int4",),
                 progress: ProgressFn | None = None, *, model_id: str = "", name: str = "",
                 license: str = "", source: dict | None = None, keep_source: bool = True,
                 sha256: str = "") -> Path:
    """Convert `gguf_path` into `folder` (created; replaced if it exists). Returns the folder."""
    progress = progress or (lambda *_: None)
    gguf_path = Path(gguf_path)
    model = GGUFModel(gguf_path)  # validates: UserError on damaged files / unknown archs
    meta = model.tokenizer_meta()
    work = folder.with_name(folder.name + ".converting")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        write_tokenizer(meta, work)
        digest = sha256 or file_sha256(gguf_path)
        if keep_source:
            progress("Keeping the original GGUF file…", 0, 0)
            _link_or_copy(gguf_path, work / SOURCE_NAME)
        manifest = {
            "id": model_id or folder.name, "kind": "text",
            "name": name or str(model.meta.get("general.name") or folder.name),
            "family": model.arch, "arch": model.arch, "context": model.config.context,
            "formats": {}, "tokenizer": "tokenizer.json",
            "source": source or {"file": gguf_path.name},
            "license": license or str(model.meta.get("general.license") or ""),
            "sha256": {"source.gguf": digest}, "config": model.config.as_dict(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        for prec in precisions:
            _build(model, work, prec, progress)
            manifest["formats"][prec] = decoder_file(prec)
            manifest["sha256"][decoder_file(prec)] = file_sha256(work / decoder_file(prec))
        atomic_write_text(work / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return folder


def ensure_precision(folder: Path, precision: str, progress: ProgressFn | None = None) -> Path:
    """The decoder file for `precision` in `folder`, built from ``source.gguf`` if missing."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    formats = manifest.get("formats", {})
    if precision in formats and (folder / formats[precision]).is_file():
        return folder / formats[precision]
    src = folder / SOURCE_NAME
    if precision not in PRECISIONS:
        raise UserError(f"Unknown precision '{precision}'; choose one of {', '.join(PRECISIONS)}.")
    if not src.is_file():
        have = ", ".join(formats) or "none"
        raise UserError(f"{manifest.get('name', folder.name)} has no {precision} version "
                        f"(available: {have}).")
    model = GGUFModel(src)
    _build(model, folder, precision, progress or (lambda *_: None))
    formats[precision] = decoder_file(precision)
    manifest["formats"] = formats
    manifest.setdefault("sha256", {})[decoder_file(precision)] = file_sha256(folder / decoder_file(precision))
    atomic_write_text(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return folder / decoder_file(precision)


def _build(model: GGUFModel, folder: Path, precision: str, progress: ProgressFn) -> None:
    label = {"fp32": "full precision", "fp16": "half precision"}.get(precision, precision)
    msg = f"Converting to ONNX ({label})…"
    progress(msg, 0, model.config.layers)
    onnx_model = build_decoder(model.config, model.tensor, precision,
                               progress=lambda d, t: progress(msg, d, t))
    save_model(onnx_model, folder / decoder_file(precision))


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        dst.hardlink_to(src)
    except OSError:
        shutil.copyfile(src, dst)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m studio.models.gguf_convert")
    ap.add_argument("gguf", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--precision", action="append", choices=PRECISIONS)
    args = ap.parse_args(argv)
    try:
        convert_gguf(args.gguf, args.out, args.precision or ["int4"],
                     lambda m, d, t: print(f"{m} {d}/{t}" if t else m, file=sys.stderr))
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
