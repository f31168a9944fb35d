"""A model-agnostic job: run an ONNX graph repeatedly, feeding its output back in.

It exercises the whole worker path (session factory, progress, cancel) on any small real graph,
which is what the foundation tests and the start-up benchmark need.
"""

from __future__ import annotations

import time

import numpy as np

from studio.jobs import IterateRequest, IterateResult, JobContext, RunStats


def run_iterate(req: IterateRequest, ctx: JobContext) -> IterateResult:
    sess = ctx.sessions.create(req.model_path)
    name_in = sess.get_inputs()[0].name
    x = np.asarray(req.initial)
    t0 = time.perf_counter()
    run_options = ctx.cancel.run_options()
    for step in range(1, req.steps + 1):
        ctx.cancel.check()
        try:
            x = sess.run(None, {name_in: x}, run_options)[0]
        except Exception:
            ctx.cancel.check()  # a terminated run raises; report it as a cancel
            raise
        elapsed = time.perf_counter() - t0
        ctx.progress(step, req.steps, rate=step / elapsed if elapsed > 0 else 0.0)
    secs = time.perf_counter() - t0
    return IterateResult(req.job_id, x, req.steps,
                         RunStats(seconds=secs, device=ctx.sessions.report().label,
                                  steps_per_s=req.steps / secs if secs > 0 else 0.0))
