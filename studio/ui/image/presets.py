"""Prompt history and named styles, stored as small JSON files in the data folder. Qt-free.

A style is a template: ``{prompt}`` in it is replaced by what the user typed (a style without
it appends itself), and its negative text is added to the negative prompt.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from studio import paths
from studio.fileio import atomic_write_text

MAX_HISTORY = 50

BUILTIN_STYLES = (
    ("watercolor", "{prompt}, watercolor painting, soft washes, paper texture", "photo, 3d render"),
    ("pixel art", "{prompt}, pixel art, 16-bit, crisp edges, limited palette", "blurry, smooth shading"),
    ("emoji", "{prompt}, emoji, flat colours, bold outline, centered", "text, watermark"),
    ("photo", "{prompt}, photograph, natural light, sharp focus", "painting, drawing, cartoon"),
)


@dataclass(frozen=True)
class Style:
    name: str
    prompt: str  # template; "{prompt}" marks where the user's prompt goes
    negative: str = ""

    def apply(self, prompt: str, negative: str) -> tuple[str, str]:
        if "{prompt}" in self.prompt:
            new = self.prompt.replace("{prompt}", prompt.strip())
        else:
            new = ", ".join(p for p in (prompt.strip(), self.prompt.strip()) if p)
        neg = ", ".join(p for p in (negative.strip(), self.negative.strip()) if p)
        return new, neg


def _read(path: Path) -> list:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


class StyleBook:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / "image-styles.json"
        saved = [Style(str(d.get("name", "")), str(d.get("prompt", "")), str(d.get("negative", "")))
                 for d in _read(self.path) if isinstance(d, dict) and d.get("name")]
        self.styles: dict[str, Style] = {n: Style(n, p, neg) for n, p, neg in BUILTIN_STYLES}
        self.styles.update({s.name: s for s in saved})

    def names(self) -> list[str]:
        return sorted(self.styles, key=str.casefold)

    def get(self, name: str) -> Style | None:
        return self.styles.get(name)

    def save_style(self, style: Style) -> None:
        self.styles[style.name] = style
        self._write()

    def delete(self, name: str) -> None:
        self.styles.pop(name, None)
        self._write()

    def _write(self) -> None:
        atomic_write_text(self.path, json.dumps([asdict(s) for s in self.styles.values()],
                                                ensure_ascii=False, indent=1))


class PromptHistory:
    """Recent (prompt, negative) pairs, newest first, without duplicates."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / "image-prompts.json"
        self.items: list[tuple[str, str]] = [
            (str(d[0]), str(d[1])) for d in _read(self.path)
            if isinstance(d, list) and len(d) == 2][:MAX_HISTORY]

    def add(self, prompt: str, negative: str) -> None:
        item = (prompt, negative)
        if not prompt.strip():
            return
        self.items = [item] + [i for i in self.items if i != item][:MAX_HISTORY - 1]
        atomic_write_text(self.path, json.dumps([list(i) for i in self.items], ensure_ascii=False))
