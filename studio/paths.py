"""Every folder Studio reads or writes, in one place.

User data (models, history, autosaves) lives under ``platformdirs.user_data_dir("studio")``
and settings under the config dir. ``STUDIO_HOME`` overrides both (data in ``$STUDIO_HOME``,
config in ``$STUDIO_HOME/config``) so tests and portable installs never touch the real ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "studio"
REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS = REPO_ROOT / "assets"


def _home() -> Path | None:
    home = os.environ.get("STUDIO_HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    """Root of user data; may be redirected by the ``data_dir`` setting (see settings.py)."""
    override = os.environ.get("STUDIO_DATA_DIR")
    if override:
        return _ensure(Path(override).expanduser())
    home = _home()
    return _ensure(home if home else Path(platformdirs.user_data_dir(APP, appauthor=False)))


def config_dir() -> Path:
    home = _home()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP, appauthor=False)))


def models_dir() -> Path:
    return _ensure(data_dir() / "models")


def downloads_dir() -> Path:
    return _ensure(data_dir() / "downloads")


def history_dir() -> Path:
    return _ensure(data_dir() / "history")


def autosave_dir() -> Path:
    return _ensure(data_dir() / "autosave")


def builtin_models_dir() -> Path:
    """Models we train ourselves and ship in the repository (read-only)."""
    return ASSETS / "models"


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
