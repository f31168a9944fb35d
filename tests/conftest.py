"""Shared test setup: offscreen Qt, and a fresh STUDIO_HOME per test so nothing real is touched."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def studio_home(tmp_path, monkeypatch):
    home = tmp_path / "studio-home"
    home.mkdir()
    monkeypatch.setenv("STUDIO_HOME", str(home))
    monkeypatch.delenv("STUDIO_DATA_DIR", raising=False)
    return home


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """A per-session folder for expensive artefacts shared between tests (tiny exported models)."""
    return tmp_path_factory.mktemp("shared-cache")


# Waiting with qtbot.waitSignal on a high-rate cross-thread signal (worker.progress/token) can
# crash pytest after the test: signals already queued reach the finished blocker. Tests wait on
# those with a list filled by a lambda and qtbot.waitUntil instead.
