"""Context building: author's note depth, clipping, memory, instruct requests."""

from __future__ import annotations

from studio.jobs import SamplerParams
from studio.writing import context
from studio.writing.buffer import StringBuffer
from studio.writing.draft import Draft, DraftSettings


def test_note_goes_a_few_lines_before_the_cursor():
    before = "l1\nl2\nl3\nl4\nhalf a sen"
    out = context.insert_note(before, "  keep it   eerie ", depth=3)
    assert out == "l1\nl2\n[Author's note: keep it eerie]\nl3\nl4\nhalf a sen"
    assert out.endswith("half a sen")  # the text right before the cursor is untouched


def test_note_at_start_when_text_is_short_and_empty_note_changes_nothing():
    assert context.insert_note("one line", "n", depth=3) == "[Author's note: n]\none line"
    assert context.insert_note("a\nb", "   ") == "a\nb"


def test_clip_front_cuts_at_whitespace():
    text = "word " * 100
    out = context.clip_front(text, 42)
    assert len(out) <= 42 and out.startswith("word") and text.endswith(out)


def test_memory_and_note_reach_the_request():
    d = Draft(StringBuffer("Once upon a time.\nThere was a fox.\nIt ran"),
              DraftSettings(memory=" The fox is called Ada. ", author_note="tense mood",
                            sampler=SamplerParams(temperature=0.3), model_id="m"))
    req = d.continue_request(d.buffer.size())
    assert req.memory == "The fox is called Ada."
    assert "[Author's note: tense mood]" in req.prompt and req.prompt.endswith("It ran")
    assert req.sampler.temperature == 0.3 and req.model_id == "m" and not req.chat


def test_instruction_request_uses_chat_and_room_for_the_rewrite():
    req = context.build_instruction("Make it shorter", "x" * 1000, sampler=SamplerParams(max_new_tokens=16))
    assert req.chat and req.prompt.startswith("Make it shorter\n\n")
    assert req.sampler.max_new_tokens >= 500
