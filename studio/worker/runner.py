"""Qt-free job dispatch: request → engine → result, and exceptions → one clear message.

Shared by the worker thread and the headless CLI, so both run the exact same code path.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import re
import traceback

from studio.jobs import (Cancelled, ImageRequest, IterateRequest, JobContext, JobFailed, Result,
                         TextRequest, UserError)

log = logging.getLogger(__name__)


_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = ("prompt", "negative_prompt", "memory")


def clean_text(request, ctx: JobContext):
    """Replace lone surrogates (undecodable bytes from a terminal or a file) with U+FFFD.

    Tokenizers and SQLite refuse them; done once here so every engine and the history get
    valid Unicode, and the user is told rather than shown an encoding error.
    """
    changes = {}
    for name in _TEXT_FIELDS:
        value = getattr(request, name, None)
        if isinstance(value, str) and _SURROGATE.search(value):
            changes[name] = _SURROGATE.sub("\ufffd", value)
    if not changes:
        return request
    ctx.notice("Some characters in the prompt could not be read and were replaced with \ufffd.")
    return dataclasses.replace(request, **changes, job_id=request.job_id)


def run_request(request, ctx: JobContext) -> Result:
    """Run one request on the engine for its kind. Worker thread (or CLI) only."""
    request = clean_text(request, ctx)
    try:
        return _dispatch(request, ctx)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("studio.engines"):
            raise UserError(f"The {kind_of(request)} engine is not part of this build yet.") from exc
        raise


def _dispatch(request, ctx: JobContext) -> Result:
    if isinstance(request, TextRequest):
        from studio.engines.text.job import run_text_job

        return run_text_job(request, ctx)
    if isinstance(request, ImageRequest):
        from studio.engines.image.job import run_image_job

        return run_image_job(request, ctx)
    if isinstance(request, IterateRequest):
        from studio.engines.iterate import run_iterate

        return run_iterate(request, ctx)
    raise UserError(f"Studio cannot run a {type(request).__name__}.")


def kind_of(request) -> str:
    return {TextRequest: "text", ImageRequest: "image", IterateRequest: "iterate"}.get(type(request), "?")


def run_with_fallback(request, ctx: JobContext) -> Result:
    """run_request, retried once on CPU when the GPU fails at run time."""
    try:
        return run_request(request, ctx)
    except (Cancelled, UserError, MemoryError):
        raise
    except Exception as exc:
        if ctx.cancel.cancelled:
            raise Cancelled() from exc
        if not getattr(ctx.sessions, "on_gpu", False) or not _looks_like_gpu_failure(exc):
            raise
        ctx.sessions.force_cpu(f"The GPU failed ({_first_line(exc)}); continuing on the CPU.")
        ctx.notice("The GPU failed during this job; it was finished on the CPU instead.")
        return run_request(request, ctx)


def describe_failure(job_id: int, exc: BaseException) -> JobFailed:
    """One sentence a user can act on, plus technical details for the "Details…" button."""
    details = "".join(traceback.format_exception(exc))
    if isinstance(exc, UserError):
        return JobFailed(job_id, str(exc), details)
    if isinstance(exc, MemoryError):
        return JobFailed(job_id, "Not enough memory for this job. Try a smaller size, fewer images "
                                 "or a smaller model.", details)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return JobFailed(job_id, "The disk is full. Free some space and try again; nothing was lost.",
                         details)
    if isinstance(exc, OSError):
        return JobFailed(job_id, f"A file could not be read or written: {exc}", details)
    text = _first_line(exc)
    if "onnxruntime" in type(exc).__module__ or "onnxruntime" in details:
        if "bad_alloc" in text or "Failed to allocate" in text:
            return JobFailed(job_id, "Not enough memory to run this model at this size.", details)
        return JobFailed(job_id, f"The model failed to run: {text}", details)
    log.debug("unexpected failure in job %s", job_id, exc_info=exc)
    return JobFailed(job_id, f"Something went wrong: {text}", details)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _looks_like_gpu_failure(exc: BaseException) -> bool:
    text = str(exc)
    return any(k in text for k in ("CUDA", "cuda", "cuDNN", "CUBLAS", "GPU"))
