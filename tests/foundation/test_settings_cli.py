"""Settings persistence and the headless command line's contract (clear one-line errors)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from studio.settings import Settings


def test_settings_round_trip_and_corrupt_file(studio_home):
    s = Settings(device="cpu", threads=3, text_model="gemma3-270m", data_dir="D:/作品")
    s.save()
    assert Settings.load() == s
    Settings.path().write_text("{not json", encoding="utf-8")
    assert Settings.load() == Settings()  # corrupt → defaults, no crash


def test_settings_migrate_from_v0(studio_home):
    Settings.path().write_text(json.dumps({"provider": "cpu", "threads": 4}), encoding="utf-8")
    s = Settings.load()
    assert s.device == "cpu" and s.threads == 4 and s.version == 1


def run_cli(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_help_documents_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for word in ("text", "image", "models"):
        assert word in out.stdout


def test_bad_size_is_one_clear_line():
    out = run_cli("image", "a cat", "--size", "big", "-o", "x.png")
    assert out.returncode == 1
    assert out.stderr.strip() == "studio: --size must look like 512x512, not 'big'."


def test_unknown_model_is_one_clear_line():
    out = run_cli("text", "hello", "--model", "no-such-model")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "Unknown model 'no-such-model'" in out.stderr
    assert "Traceback" not in out.stderr


def test_models_list_shows_the_catalogue():
    out = run_cli("models", "list")
    assert out.returncode == 0
    assert "smollm2-135m-instruct" in out.stdout and "gemma3-270m" in out.stdout


def test_terms_must_be_accepted_before_gemma_downloads():
    out = run_cli("models", "pull", "gemma3-270m")
    assert out.returncode == 1 and "--accept-terms" in out.stderr


def test_the_app_never_imports_torch():
    code = ("import sys, studio.app, studio.cli, studio.ui.main_window, studio.worker.thread;"
            "print(sorted(m for m in ('torch','diffusers','transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
