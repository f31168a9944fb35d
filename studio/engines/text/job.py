"""``run_text_job``: a TextRequest on the worker thread (or the headless CLI) → TextResult.

Steps: resolve the model id ("" = the default from settings) → install it on first use
(download + conversion progress through ``ctx.progress``) → load tokenizer + decoder once per
(folder, precision) in ``ctx.sessions.cached`` (so the prompt's KV cache survives between jobs:
retry and alternatives skip the prompt) → stream tokens through ``ctx.token`` with progress and
cancel checks between tokens → TextResult with RunStats.

Worker thread only (the sessions live there).
"""

from __future__ import annotations

import time

from studio.engines.text.model import TextModel
from studio.jobs import JobContext, RunStats, TextRequest, TextResult, TokenInfo, UserError

PRECISIONS = ("fp32", "int8", "int4", "fp16")
PROGRESS_EVERY = 1 / 30  # seconds: the UI needs no more than ~30 progress updates a second


def run_text_job(req: TextRequest, ctx: JobContext) -> TextResult:
    t0 = time.perf_counter()
    model = load_for_job(req, ctx)
    max_new = req.sampler.max_new_tokens
    last = [0.0]

    def on_token(index: int, tok: TokenInfo) -> None:
        ctx.token(index, tok)
        now = time.perf_counter()
        if now - last[0] >= PROGRESS_EVERY or index + 1 >= max_new:
            last[0] = now
            rate = (index + 1) / (now - start) if now > start else 0.0
            ctx.progress(index + 1, max_new, rate=rate, unit="tokens")

    start = time.perf_counter()
    gen = model.generate(req.prompt, req.sampler, ctx.cancel, on_token, memory=req.memory, chat=req.chat)
    for note in gen.notices:
        ctx.notice(note)
    stats = RunStats(seconds=time.perf_counter() - t0, device=ctx.sessions.report().label,
                     model_id=model.manifest.get("id", model.folder.name),
                     prompt_tokens=gen.prompt_tokens, new_tokens=gen.new_tokens,
                     prompt_tps=gen.prompt_tps, decode_tps=gen.decode_tps, ttft=gen.ttft)
    return TextResult(req.job_id, req, gen.text, tuple(gen.tokens), gen.finish_reason, gen.seed,
                      stats, tuple(gen.notices))


def load_for_job(req: TextRequest, ctx: JobContext) -> TextModel:
    """The cached TextModel for the request's model and precision, installing it if needed."""
    from studio.models import registry
    from studio.settings import Settings

    model_id = req.model_id or Settings.load().text_model
    if req.precision and req.precision not in PRECISIONS:
        raise UserError(f"Unknown precision '{req.precision}'; choose one of {', '.join(PRECISIONS)}.")

    def progress(message: str, done: int, total: int) -> None:
        unit = "bytes" if message.startswith("Downloading") else "steps"
        ctx.progress(done, total, unit=unit, message=message)

    folder = registry.ensure(model_id, progress)
    precision = req.precision  # "" = best for the device (fp16 on CUDA, int4 on CPU)
    key = ("text", str(folder), precision, ctx.sessions.report().provider)
    return ctx.sessions.cached(key, lambda: TextModel.load(folder, precision, ctx.sessions, progress))
