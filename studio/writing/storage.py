"""Drafts on disk: the autosave format (JSON, versioned, crash-safe) and Markdown / plain text.

An autosave keeps everything needed to carry on after a crash: the text, the file it belongs
to, memory, author's note, sampler settings and the pending span with all its candidates.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from studio import paths
from studio.fileio import atomic_write_bytes
from studio.jobs import SamplerParams, TokenInfo, UserError
from studio.writing.draft import DraftSettings
from studio.writing.spans import Candidate

AUTOSAVE_VERSION = 1
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")


@dataclass
class SavedSpan:
    start: int  # in UTF-16 code units, as the editor counts
    index: int
    candidates: list[Candidate]
    replaced: str = ""


@dataclass
class DraftState:
    """Everything an autosave holds for one draft."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    text: str = ""
    path: str = ""  # the file the draft was opened from / saved to, "" if never saved
    settings: DraftSettings = field(default_factory=DraftSettings)
    cursor: int = 0
    span: SavedSpan | None = None
    saved_at: float = 0.0
    modified: bool = False  # changes not yet saved to ``path`` (or never saved anywhere)


# ── autosave ──


def sampler_to_dict(s: SamplerParams) -> dict:
    d = asdict(s)
    d["stop"] = list(s.stop)
    d["banned_tokens"] = list(s.banned_tokens)
    d["logit_bias"] = [list(p) for p in s.logit_bias]
    return d


def sampler_from_dict(d: dict) -> SamplerParams:
    known = {f.name: f for f in fields(SamplerParams)}
    clean = {k: v for k, v in d.items() if k in known}
    for key in ("stop", "banned_tokens"):
        if key in clean:
            clean[key] = tuple(clean[key])
    if "logit_bias" in clean:
        clean["logit_bias"] = tuple((int(a), float(b)) for a, b in clean["logit_bias"])
    return SamplerParams(**clean)


def _token_to_list(t: TokenInfo) -> list:
    return [t.token_id, t.text, t.logprob, [list(a) for a in t.top]]


def _token_from_list(v: list) -> TokenInfo:
    return TokenInfo(int(v[0]), str(v[1]), float(v[2]), tuple((int(a), str(b), float(c)) for a, b, c in v[3]))


def state_to_json(state: DraftState) -> bytes:
    s = state.settings
    data = {
        "version": AUTOSAVE_VERSION, "id": state.id, "text": state.text, "path": state.path,
        "cursor": state.cursor, "saved_at": state.saved_at or time.time(), "modified": state.modified,
        "settings": {"title": s.title, "memory": s.memory, "author_note": s.author_note,
                     "note_depth": s.note_depth, "preset": s.preset, "model_id": s.model_id,
                     "sampler": sampler_to_dict(s.sampler)},
        "span": None,
    }
    if state.span:
        data["span"] = {
            "start": state.span.start, "index": state.span.index, "replaced": state.span.replaced,
            "candidates": [{"text": c.text, "finish_reason": c.finish_reason or "cancelled",
                            "seed": c.seed, "tokens": [_token_to_list(t) for t in c.tokens]}
                           for c in state.span.candidates],
        }
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def state_from_json(raw: bytes) -> DraftState:
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or int(data.get("version", 0)) > AUTOSAVE_VERSION:
            raise ValueError("unknown autosave version")
        st = data.get("settings") or {}
        settings = DraftSettings(
            title=str(st.get("title", "")), memory=str(st.get("memory", "")),
            author_note=str(st.get("author_note", "")), note_depth=int(st.get("note_depth", 3)),
            preset=str(st.get("preset", "")), model_id=str(st.get("model_id", "")),
            sampler=sampler_from_dict(st.get("sampler") or {}))
        span = None
        if data.get("span"):
            sp = data["span"]
            cands = [Candidate(text=str(c["text"]), finish_reason=str(c.get("finish_reason", "")),
                               seed=c.get("seed"), tokens=[_token_from_list(t) for t in c.get("tokens", [])])
                     for c in sp["candidates"]]
            if cands:
                span = SavedSpan(int(sp["start"]), min(int(sp["index"]), len(cands) - 1), cands,
                                 str(sp.get("replaced", "")))
        return DraftState(id=str(data.get("id") or uuid.uuid4().hex[:12]), text=str(data.get("text", "")),
                          path=str(data.get("path", "")), settings=settings,
                          cursor=int(data.get("cursor", 0)), span=span,
                          saved_at=float(data.get("saved_at", 0.0)),
                          modified=bool(data.get("modified", False)))
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise UserError(f"This autosave cannot be read ({exc}).") from None


def autosave_folder() -> Path:
    return paths.autosave_dir() / "writing"


def write_autosave(state: DraftState) -> Path:
    path = autosave_folder() / f"{state.id}.json"
    atomic_write_bytes(path, state_to_json(state))
    return path


def read_autosaves() -> list[DraftState]:
    """Every readable autosaved draft, oldest first (the tab order they were saved in)."""
    states = []
    folder = autosave_folder()
    for path in sorted(folder.glob("*.json")):
        try:
            states.append(state_from_json(path.read_bytes()))
        except (OSError, UserError):
            continue  # a foreign or damaged file is skipped, never deleted
    return sorted(states, key=lambda s: s.saved_at)


def remove_autosave(draft_id: str) -> None:
    (autosave_folder() / f"{draft_id}.json").unlink(missing_ok=True)


# ── Markdown / plain text ──


def read_text_file(path: Path) -> str:
    """A draft's text from a .md/.txt file (UTF-8, with or without BOM; CRLF normalised)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path.name} does not exist.") from None
    except OSError as exc:
        raise UserError(f"{path.name} cannot be read: {exc.strerror or exc}.") from None
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(f"{path.name} is not a text file.")
    for enc in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def write_text_file(path: Path, text: str) -> None:
    if path.suffix.lower() not in TEXT_SUFFIXES:
        path = path.with_suffix(".md")
    atomic_write_bytes(path, text.encode("utf-8"))


def title_for(text: str, fallback: str) -> str:
    """A tab title: the first words of the first non-empty line (Markdown heading marks removed)."""
    for line in text.splitlines():
        line = re.sub(r"^#+\s*", "", line).strip()
        if line:
            return line[:30] + ("…" if len(line) > 30 else "")
    return fallback
