"""Build the text-image training set: open emoji art + CLDR captions, or a user's folder.

The result is one compact ``.npz``: uint8 images [N,64,64,3] on white, a caption list, and for
each image the indices of its captions, its concept id and style id, plus the held-out concepts
the quality benchmark uses. Sources (npm tarballs, fetched with ``npm pack``):
  emoji-datasource-google@16.0.0 (Noto, Apache-2.0), emoji-datasource-twitter@16.0.0
  (Twemoji, CC-BY-4.0), emojibase-data@17.0.0 (CLDR labels + tags, MIT).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from studio.jobs import UserError

SIZE = 64
PACKAGES = {
    "google": "emoji-datasource-google@16.0.0",
    "twitter": "emoji-datasource-twitter@16.0.0",
    "emojibase": "emojibase-data@17.0.0",
}
STYLES = {"google": "noto", "twitter": "twemoji"}
HELD_OUT_FRACTION = 0.04  # of non-flag base emoji, chosen by a hash of the code point

Progress = Callable[[str, int, int], None]


def _quiet(*_: object) -> None:
    pass


@dataclass
class Dataset:
    images: np.ndarray  # uint8 [N,64,64,3]
    captions: list[str]  # unique caption strings
    image_captions: np.ndarray  # int32 [N,K] caption indices per image (-1 = none)
    concept: np.ndarray  # int32 [N]
    style: np.ndarray  # int8 [N]: 0 noto, 1 twemoji, -1 user
    concept_names: list[str]  # label per concept id
    held_out: np.ndarray  # bool [n_concepts]: never shown to the generator

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp, images=self.images, captions=np.array(self.captions, dtype=object).astype(str),
            image_captions=self.image_captions, concept=self.concept, style=self.style,
            concept_names=np.array(self.concept_names).astype(str), held_out=self.held_out)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "Dataset":
        z = np.load(path, allow_pickle=False)
        return cls(z["images"], [str(s) for s in z["captions"]], z["image_captions"], z["concept"],
                   z["style"], [str(s) for s in z["concept_names"]], z["held_out"])

    def train_indices(self) -> np.ndarray:
        return np.flatnonzero(~self.held_out[self.concept])


def fetch_packages(cache: Path, progress: Progress = _quiet) -> dict[str, Path]:
    """``npm pack`` each source into ``cache`` (skipped when present); returns the tarballs."""
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, (key, spec) in enumerate(PACKAGES.items()):
        name, version = spec.rsplit("@", 1)
        tgz = cache / f"{name}-{version}.tgz"
        progress(f"Fetching {spec}", i, len(PACKAGES))
        if not tgz.exists():
            try:
                subprocess.run(["npm", "pack", spec, "--silent"], cwd=cache, check=True,
                               capture_output=True, timeout=900)
            except FileNotFoundError:
                raise UserError("npm is needed to download the emoji images; install Node.js.") from None
            except subprocess.CalledProcessError as exc:
                raise UserError(f"npm could not fetch {spec}: {exc.stderr.decode(errors='replace')[-300:]}") from None
        out[key] = tgz
    progress("Fetched sources", len(PACKAGES), len(PACKAGES))
    return out


def _norm(hexcode: str) -> str:
    return "-".join(p for p in hexcode.upper().split("-") if p != "FE0F")


def _on_white(png: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(png)).convert("RGBA")
    if im.size != (SIZE, SIZE):
        im = im.resize((SIZE, SIZE), Image.LANCZOS)
    bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(bg, im).convert("RGB"), dtype=np.uint8)


def _article(label: str) -> str:
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label


def caption_variants(label: str, tags: list[str], style: str) -> list[str]:
    """The phrasings one image is trained with (fixed, so their embeddings can be precomputed)."""
    out = [label, _article(label), f"{label}, {style} style"]
    if tags:
        out.append(", ".join(tags[:5]))
    return out


def is_held_out(hexcode: str, group: int | None) -> bool:
    if group == 9:  # flags stay in: they are many and near-identical rectangles
        return False
    h = int(hashlib.sha1(_norm(hexcode).encode()).hexdigest()[:8], 16)
    return h / 0xFFFFFFFF < HELD_OUT_FRACTION


def build_emoji(tarballs: dict[str, Path], progress: Progress = _quiet) -> Dataset:
    with tarfile.open(tarballs["emojibase"]) as tf:
        base = json.load(tf.extractfile("package/en/data.json"))  # type: ignore[arg-type]
    # caption info by normalised code point; skin variants inherit the base tags and concept
    info: dict[str, tuple[str, list[str], str, int | None]] = {}
    for e in base:
        tags = [t for t in e.get("tags", []) if t]
        info[_norm(e["hexcode"])] = (e["label"], tags, _norm(e["hexcode"]), e.get("group"))
        for s in e.get("skins", []) or []:
            info[_norm(s["hexcode"])] = (s["label"], tags, _norm(e["hexcode"]), e.get("group"))

    images, caps_per_image, concept, style = [], [], [], []
    caption_ids: dict[str, int] = {}
    concept_ids: dict[str, int] = {}
    concept_names: list[str] = []
    held: list[bool] = []
    for si, key in enumerate(("google", "twitter")):
        with tarfile.open(tarballs[key]) as tf:
            meta = json.load(tf.extractfile("package/emoji.json"))  # type: ignore[arg-type]
            members = {m.name: m for m in tf.getmembers()}
            entries = []
            for e in meta:
                entries.append(e)
                entries += list((e.get("skin_variations") or {}).values())
            for n, e in enumerate(entries):
                if n % 500 == 0:
                    progress(f"Reading {STYLES[key]} images", n, len(entries))
                member = members.get(f"package/img/{key}/64/{e['image']}")
                found = info.get(_norm(e["unified"])) or info.get(_norm(e.get("non_qualified") or ""))
                if member is None or found is None or not e.get(f"has_img_{key}", True):
                    continue
                label, tags, base_hex, group = found
                if base_hex not in concept_ids:
                    concept_ids[base_hex] = len(concept_names)
                    concept_names.append(info[base_hex][0] if base_hex in info else label)
                    held.append(is_held_out(base_hex, group))
                images.append(_on_white(tf.extractfile(member).read()))  # type: ignore[union-attr]
                ids = [caption_ids.setdefault(c, len(caption_ids))
                       for c in caption_variants(label, tags, STYLES[key])]
                caps_per_image.append(ids)
                concept.append(concept_ids[base_hex])
                style.append(si)
    progress("Read images", 1, 1)
    k = max(len(c) for c in caps_per_image)
    ic = np.full((len(images), k), -1, np.int32)
    for i, c in enumerate(caps_per_image):
        ic[i, : len(c)] = c
    return Dataset(np.stack(images), list(caption_ids), ic, np.array(concept, np.int32),
                   np.array(style, np.int8), concept_names, np.array(held, bool))


IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"}


def build_folder(folder: Path, progress: Progress = _quiet) -> Dataset:
    """A user's art: every image with a ``.txt`` caption beside it (one caption per line)."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTS)
    pairs = [(p, p.with_suffix(".txt")) for p in files if p.with_suffix(".txt").exists()]
    if not pairs:
        raise UserError(f"{folder} has no images with a .txt caption beside them.")
    images, caps, caption_ids = [], [], {}
    for n, (img, txt) in enumerate(pairs):
        progress("Reading images", n, len(pairs))
        lines = [s.strip() for s in txt.read_text(encoding="utf-8").splitlines() if s.strip()]
        if not lines:
            continue
        im = Image.open(img)
        im = im.convert("RGBA") if im.mode in ("RGBA", "LA", "P") else im.convert("RGB")
        w, h = im.size  # centre square crop, then resize
        s = min(w, h)
        im = im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)).resize((SIZE, SIZE), Image.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, "PNG")
        images.append(_on_white(buf.getvalue()))
        caps.append([caption_ids.setdefault(c, len(caption_ids)) for c in lines])
    if not images:
        raise UserError(f"The captions in {folder} are all empty.")
    k = max(len(c) for c in caps)
    ic = np.full((len(images), k), -1, np.int32)
    for i, c in enumerate(caps):
        ic[i, : len(c)] = c
    n = len(images)
    names = [list(caption_ids)[c[0]] for c in caps]
    return Dataset(np.stack(images), list(caption_ids), ic, np.arange(n, dtype=np.int32),
                   np.full(n, -1, np.int8), names, np.zeros(n, bool))
