"""The history's "accepted" flag for text generations: did the writer keep it?

Main thread only. The worker writes the record and then emits ``recorded`` with its ids; the
writer may decide before or after that, so decisions wait here for their record ids.
"""

from __future__ import annotations

import logging
from typing import Callable

from studio.writing.spans import Span

log = logging.getLogger(__name__)


class AcceptedFlags:
    def __init__(self, store_getter: Callable[[], object | None]) -> None:
        self._store = store_getter
        self._decided: dict[int, bool] = {}  # job → accepted, waiting for its record ids
        self._records: dict[int, tuple[int, ...]] = {}  # job → history record ids

    def decide(self, span: Span | None, accepted: bool) -> None:
        """The shown candidate of ``span`` was accepted (or not); every other one was not."""
        if span is None:
            return
        for i, cand in enumerate(span.candidates):
            if not cand.job_id:
                continue
            keep = accepted and i == span.index
            if cand.job_id in self._records:
                self._mark(cand.job_id, keep)
            else:
                self._decided[cand.job_id] = keep

    def recorded(self, job_id: int, record_ids: tuple[int, ...]) -> None:
        self._records[job_id] = tuple(record_ids)
        if job_id in self._decided:
            self._mark(job_id, self._decided.pop(job_id))

    def _mark(self, job_id: int, accepted: bool) -> None:
        ids = self._records.get(job_id, ())
        store = self._store()
        if not ids or store is None:
            return
        try:
            for rid in ids:
                store.set_accepted(rid, accepted)
        except Exception as exc:  # noqa: BLE001 - the flag is a nicety; never lose the draft over it
            log.warning("could not mark history record %s accepted=%s: %s", ids, accepted, exc)
