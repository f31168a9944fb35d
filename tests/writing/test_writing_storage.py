"""Autosave round trip (with a pending span), text files, presets, word count, budget."""

from __future__ import annotations

import json

import pytest
from writing_helpers import tok

from studio.jobs import SamplerParams, UserError
from studio.writing import presets, storage
from studio.writing.budget import TokenCounter
from studio.writing.draft import DraftSettings
from studio.writing.spans import Candidate
from studio.writing.words import count_words


def test_autosave_round_trip_keeps_everything(studio_home):
    st = storage.DraftState(
        text="Héllo 世界 🚀\nline two", path="/tmp/x.md", cursor=5, modified=True,
        settings=DraftSettings(title="T", memory="mem 🧠", author_note="note", note_depth=2,
                               sampler=SamplerParams(temperature=0.4, stop=("\n\n",), seed=3,
                                                     logit_bias=((5, -1.0),)), preset="Focused"),
        span=storage.SavedSpan(6, 1, [Candidate("a", [tok("a", top=((1, "a", -0.1),))], "stop"),
                                      Candidate("b🎉", [tok("b🎉")], "length", seed=9)], ""))
    path = storage.write_autosave(st)
    assert path.parent == studio_home / "autosave" / "writing"
    back = storage.read_autosaves()
    assert len(back) == 1
    b = back[0]
    assert (b.id, b.text, b.path, b.cursor, b.modified) == (st.id, st.text, st.path, 5, True)
    assert b.settings.sampler == st.settings.sampler and b.settings.memory == "mem 🧠"
    assert b.span.index == 1 and [c.text for c in b.span.candidates] == ["a", "b🎉"]
    assert b.span.candidates[0].tokens[0].top == ((1, "a", -0.1),)
    storage.remove_autosave(st.id)
    assert storage.read_autosaves() == []


def test_damaged_autosave_is_skipped_not_deleted(studio_home):
    folder = storage.autosave_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bad.json").write_bytes(b"{not json")
    (folder / "future.json").write_text(json.dumps({"version": 99}))
    assert storage.read_autosaves() == []
    assert (folder / "bad.json").exists()


def test_text_files_round_trip_and_errors(tmp_path):
    p = tmp_path / "draft.md"
    storage.write_text_file(p, "# Title\n\n中文 and emoji 🎈\n")
    assert storage.read_text_file(p) == "# Title\n\n中文 and emoji 🎈\n"
    (tmp_path / "crlf.txt").write_bytes("\ufeffa\r\nb".encode("utf-8"))
    assert storage.read_text_file(tmp_path / "crlf.txt") == "a\nb"
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(UserError):
        storage.read_text_file(tmp_path / "bin.txt")
    with pytest.raises(UserError):
        storage.read_text_file(tmp_path / "missing.md")
    assert storage.title_for("\n## A heading here\nbody", "Untitled") == "A heading here"


def test_presets_save_and_match(studio_home):
    assert presets.matching_preset(SamplerParams()) == "Balanced"
    custom = SamplerParams(temperature=0.66, top_k=7)
    presets.save_preset("Mine", custom)
    assert presets.all_presets()["Mine"] == custom
    assert presets.matching_preset(custom) == "Mine"
    with pytest.raises(UserError):
        presets.save_preset("Balanced", custom)
    presets.delete_preset("Mine")
    assert "Mine" not in presets.all_presets()


def test_word_count_counts_cjk_characters():
    assert count_words("The quick  brown\nfox") == 4
    assert count_words("我们出发 go now") == 6
    assert count_words("") == 0


def test_budget_estimates_without_tokenizer_and_counts_with_one(tmp_path):
    est = TokenCounter(None)
    b = est.budget("memory", "x" * 400, max_new_tokens=100)
    assert not b.exact and b.total == 2048 and 100 <= b.used <= 110 and not b.trimmed
    from tokenizers import Tokenizer, models, pre_tokenizers

    tk = Tokenizer(models.WordLevel({"[UNK]": 0, "a": 1, "b": 2}, unk_token="[UNK]"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tk.save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "manifest.json").write_text(json.dumps({"id": "t", "kind": "text", "context_length": 8}))
    counter = TokenCounter(tmp_path)
    assert counter.exact and counter.context_length == 8
    assert counter.count("a b a c") == 4
    b = counter.budget("", "a b a b a b a b a b", max_new_tokens=2)
    assert b.trimmed and b.used == 6 and b.total == 8
