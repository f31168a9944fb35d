"""The draft model: spans streamed at the cursor, accept/reject, retry, alternatives, token
picks and undo/redo of generations as single steps, on a plain-string buffer."""

from __future__ import annotations

import pytest
from writing_helpers import stream, tok

from studio.jobs import TokenDelta, UserError
from studio.writing.buffer import StringBuffer, utf16_len
from studio.writing.draft import Draft, DraftSettings

BEFORE = "The ship left the harbour at dawn"
AFTER = ". Nobody waved.\n\nChapter two."


def make(text=BEFORE + AFTER, **kw):
    buf = StringBuffer(text)
    return buf, Draft(buf, DraftSettings(**kw))


def test_continue_from_middle_keeps_text_after_cursor():
    buf, d = make()
    cursor = len(BEFORE)
    req = d.continue_request(cursor)
    assert req.prompt == BEFORE
    d.begin(req, cursor)
    stream(d, req, [" and", " sailed", " north"])
    assert buf.text == BEFORE + " and sailed north" + AFTER
    assert d.span_range() == (cursor, cursor + len(" and sailed north"))
    assert d.streaming is None and d.span.current.finish_reason == "length"


def test_reject_removes_only_the_span_and_accept_keeps_it():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    stream(d, req, [" slowly"])
    d.reject()
    assert buf.text == BEFORE + AFTER and d.span is None
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    stream(d, req, [" quietly"])
    accepted = d.accept()
    assert accepted is not None and d.span is None
    assert buf.text == BEFORE + " quietly" + AFTER


def test_retry_adds_candidates_and_flip_cycles_between_them():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    stream(d, req, [" one"])
    r2 = d.retry()
    assert r2.prompt == req.prompt and r2.job_id != req.job_id
    assert buf.text == BEFORE + AFTER  # the old candidate is off the page while the new streams
    stream(d, r2, [" two", " more"])
    r3 = d.retry()
    stream(d, r3, [" three"])
    assert [c.text for c in d.span.candidates] == [" one", " two more", " three"]
    assert buf.text == BEFORE + " three" + AFTER
    assert d.flip(-1) and buf.text == BEFORE + " two more" + AFTER
    assert d.flip(-1) and buf.text == BEFORE + " one" + AFTER
    assert not d.flip(-1)  # already the first
    assert d.flip(+2) and buf.text == BEFORE + " three" + AFTER
    d.reject()
    assert buf.text == BEFORE + AFTER


def test_retry_reseeds_a_fixed_seed():
    from studio.jobs import SamplerParams

    buf, d = make(sampler=SamplerParams(seed=42))
    req = d.continue_request(len(BEFORE))
    assert req.sampler.seed == 42
    d.begin(req, len(BEFORE))
    stream(d, req, [" x"])
    assert d.retry().sampler.seed is None


def test_undo_redo_a_generation_as_one_step_brings_the_span_back():
    buf, d = make()
    steps = buf.undo_steps()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    stream(d, req, [" a", " b", " c", " d"])
    assert buf.undo_steps() == steps + 1  # four tokens, one undo step
    buf.undo(); d.after_undo_redo()
    assert buf.text == BEFORE + AFTER and d.span is None
    buf.redo(); d.after_undo_redo()
    assert buf.text == BEFORE + " a b c d" + AFTER
    assert d.span is not None and d.span.current.text == " a b c d"
    d.reject()
    assert buf.text == BEFORE + AFTER


def test_undo_after_accept_and_typing():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    stream(d, req, [" fast"])
    d.user_edit()  # typing accepts
    assert d.span is None
    buf.replace(len(BEFORE + " fast"), len(BEFORE + " fast"), "!")
    d.after_user_edit()
    buf.undo(); d.after_undo_redo()  # undo the typing: the accepted text stays, unmarked
    assert buf.text == BEFORE + " fast" + AFTER and d.span is None
    buf.undo(); d.after_undo_redo()  # undo the generation
    assert buf.text == BEFORE + AFTER


def test_token_pick_regenerates_from_the_picked_token():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    tokens = stream(d, req, [" and", " sailed", " north"])
    # the position inside " sailed" maps to token 1
    pos = len(BEFORE) + len(" and") + 3
    assert d.token_index_at(pos) == 1
    alt = tokens[1].top[1]
    assert alt[1] == " alt"
    r2 = d.pick_token(1, alt)
    assert r2.prompt == req.prompt + " and alt"
    assert buf.text == BEFORE + " and alt" + AFTER  # the kept prefix + picked token, then streaming
    stream(d, r2, [" away"])
    assert buf.text == BEFORE + " and alt away" + AFTER
    cur = d.span.current
    assert [t.text for t in cur.tokens] == [" and", " alt", " away"]
    assert cur.tokens[1].token_id == 7
    assert len(d.span.candidates) == 2 and d.flip(-1)
    assert buf.text == BEFORE + " and sailed north" + AFTER


def test_stop_mid_stream_keeps_a_consistent_document():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    for i, piece in enumerate([" the", " wind"]):
        d.on_token(TokenDelta(req.job_id, i, tok(piece)))
    assert d.on_stopped(req.job_id)
    assert buf.text == BEFORE + " the wind" + AFTER
    assert d.span.current.finish_reason == "cancelled" and d.streaming is None
    d.reject()
    assert buf.text == BEFORE + AFTER


def test_stop_before_any_token_leaves_nothing():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    d.on_stopped(req.job_id)
    assert d.span is None and buf.text == BEFORE + AFTER


def test_events_of_other_jobs_are_ignored():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    assert not d.on_token(TokenDelta(req.job_id + 1000, 0, tok("x")))
    assert not d.on_stopped(req.job_id + 1000)
    assert buf.text == BEFORE + AFTER and d.streaming == req.job_id


def test_final_text_wins_over_streamed_text():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    stream(d, req, [" end", " STOP"], finish="stop", final_text=" end")
    assert buf.text == BEFORE + " end" + AFTER


def test_busy_draft_refuses_new_work():
    buf, d = make()
    req = d.continue_request(len(BEFORE))
    d.begin(req, len(BEFORE))
    with pytest.raises(UserError):
        d.retry()
    with pytest.raises(UserError):
        d.begin(d.continue_request(0), 0)


def test_instruct_mode_replaces_the_selection_and_reject_restores_it():
    text = "First. The dog ran. Last."
    buf, d = make(text)
    start, end = text.index("The"), text.index(" Last")
    req = d.instruction_request("rewrite vividly", start, end)
    assert req.chat and "rewrite vividly" in req.prompt and "The dog ran." in req.prompt
    d.begin(req, start, end)
    assert buf.text == "First.  Last."
    stream(d, req, ["The hound", " bolted."])
    assert buf.text == "First. The hound bolted. Last."
    d.reject()
    assert buf.text == text


def test_unicode_spans_in_utf16_units():
    class Utf16Buffer(StringBuffer):
        """Positions in UTF-16 code units, like Qt's document."""

        def _enc(self):
            return self.text.encode("utf-16-le")

        def size(self):
            return utf16_len(self.text)

        def length(self, text):
            return utf16_len(text)

        def slice(self, start, end):
            return self._enc()[start * 2:end * 2].decode("utf-16-le")

        def replace(self, start, end, text, *, merge=False):
            enc = self._enc()
            new = (enc[:start * 2] + text.encode("utf-16-le") + enc[end * 2:]).decode("utf-16-le")
            super().replace(0, len(self.text), new, merge=merge)

    before, after = "我们🚀出发", "了。"
    buf = Utf16Buffer(before + after)
    d = Draft(buf)
    cursor = utf16_len(before)
    req = d.continue_request(cursor)
    assert req.prompt == before
    d.begin(req, cursor)
    stream(d, req, ["吧", "🎉", "!"])
    assert buf.text == before + "吧🎉!" + after
    assert d.token_index_at(cursor + utf16_len("吧🎉")) == 2
    d.reject()
    assert buf.text == before + after


def test_line_breaks_are_kept_as_the_buffer_stores_them():
    from studio.writing.buffer import normalize_newlines

    class QtLike(StringBuffer):
        def normalize(self, text):
            return normalize_newlines(text)

    buf = QtLike("a")
    d = Draft(buf)
    req = d.continue_request(1)
    d.begin(req, 1)
    stream(d, req, ["x\r", "\ny\u2028", "z"])
    assert buf.text == "ax\n\ny\nz"
    assert d.span.current.text == "x\n\ny\nz" and d.span_end() == buf.size()
    assert "".join(t.text for t in d.span.current.tokens) == d.span.current.text
