"""Tiny real models built once per session (no torch) and installed per test on demand."""

from __future__ import annotations

import pytest

from tests.bad_input import models


@pytest.fixture(scope="session")
def tiny_root(shared_cache):
    root = shared_cache / "reliability-models"
    models.tiny_text_folder(root)
    models.tiny_image_folder(root)
    return root


@pytest.fixture
def text_model(tiny_root, studio_home) -> str:
    """The tiny llama installed (a private copy) in this test's STUDIO_HOME; returns its id."""
    return models.install(tiny_root / models.TEXT_ID)


@pytest.fixture
def image_model(tiny_root, studio_home) -> str:
    return models.install(tiny_root / models.IMAGE_ID)


@pytest.fixture
def sessions():
    from studio.engines.runtime import SessionFactory

    return SessionFactory(device="cpu", threads=1)
