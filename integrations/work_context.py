"""Which unit of work the current code runs for, so what it records can point back to it.

The engine sets it around an ERP request, a close-out and an import run; the Procore client's
attempt recorder reads it, so each outbound API attempt names the request or run it served and
support can walk from one to the other. A ``contextvars`` variable: each thread (and task) sees
its own.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkContext:
    erp_request_pk: int | None = None
    sync_run_pk: int | None = None


_current: contextvars.ContextVar[WorkContext] = contextvars.ContextVar(
    "work_context",
    default=WorkContext(),  # noqa: B039 - a frozen dataclass, never mutated
)


def work_context() -> WorkContext:
    return _current.get()


@contextmanager
def working_on(
    *, erp_request_pk: int | None = None, sync_run_pk: int | None = None
) -> Iterator[None]:
    outer = _current.get()
    token = _current.set(
        WorkContext(
            erp_request_pk=erp_request_pk if erp_request_pk is not None else outer.erp_request_pk,
            sync_run_pk=sync_run_pk if sync_run_pk is not None else outer.sync_run_pk,
        )
    )
    try:
        yield
    finally:
        _current.reset(token)
