"""User settings: a small JSON file with a schema version and migrations.

Read and written on the UI thread (or the CLI); the worker receives the values it needs in
its constructor, never this object.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from studio import paths
from studio.fileio import atomic_write_text

SCHEMA_VERSION = 1


@dataclass
class Settings:
    device: str = "auto"  # auto | gpu | cpu
    threads: int = 0  # 0 = automatic
    text_model: str = "smollm2-135m-instruct"
    image_model: str = "studio-emoji"
    data_dir: str = ""  # "" = platform default (or STUDIO_HOME)
    language: str = ""  # "" = system; e.g. "zh_CN"
    version: int = SCHEMA_VERSION

    @classmethod
    def path(cls) -> Path:
        return paths.config_dir() / "settings.json"

    @classmethod
    def load(cls) -> "Settings":
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()  # missing or corrupt: defaults (a corrupt file is replaced on next save)
        try:
            raw = _migrate(raw if isinstance(raw, dict) else {})
        except (TypeError, ValueError):  # e.g. "version": "x": defaults, never a crash at start-up
            return cls()
        types = {f.name: type(f.default) for f in fields(cls)}
        s = cls(**{k: v for k, v in raw.items() if k in types and type(v) is types[k]})
        if s.device not in ("auto", "gpu", "cpu"):
            s.device = "auto"
        return s

    def save(self) -> None:
        atomic_write_text(self.path(), json.dumps(asdict(self), indent=2, ensure_ascii=False))

    def apply_data_dir(self) -> None:
        """Point paths.data_dir() at the configured folder (env var so child processes inherit it)."""
        if self.data_dir:
            os.environ["STUDIO_DATA_DIR"] = self.data_dir


def _migrate(raw: dict) -> dict:
    version = int(raw.get("version", 0) or 0)
    if version < 1:
        # v0 (pre-release) called the device preference "provider".
        if "provider" in raw and "device" not in raw:
            raw["device"] = raw.pop("provider")
    raw["version"] = SCHEMA_VERSION
    return raw
