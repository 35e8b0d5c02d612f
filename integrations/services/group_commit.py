"""Group commit: the threads of one process that want to write at the same moment share one write.

Under load the webhook endpoint's cost is not the rows it stores but the fixed price of each
transaction: the statements' round trips, planning, the commit's WAL flush and the Python that
drives them. Here the first caller to arrive becomes the *leader* and writes every item that
is waiting at that moment in one call; the callers that arrive while it writes wait, and the
first of them leads the next batch. Nobody waits for a timer: a caller alone is written at once,
so a quiet process answers exactly as fast as before, and a busy one writes bigger batches.

Every caller gets its answer only after the write that holds its item has returned (committed),
and if that write raises, every caller of the batch raises the same error; so acknowledging
only what is stored still holds for each of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Slot(Generic[T, R]):
    __slots__ = ("done", "error", "item", "result", "woken")

    def __init__(self, item: T) -> None:
        self.item = item
        self.woken = threading.Event()  # set when done, or to lead the next batch
        self.done = False
        self.result: R | BaseException | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """Batch the items that concurrent callers submit; ``write`` takes a batch, returns one result
    per item in the same order, and runs in the leader's thread (with its database connection).
    A result that is an exception is raised in its own caller only; an exception that ``write``
    raises is raised in every caller of the batch.

    Each waiting caller is woken once, by the leader that wrote its item or to lead the next
    batch itself, so a big batch does not wake every waiting thread to check whether it is done.
    """

    def __init__(
        self,
        write: Callable[[Sequence[T]], Sequence[R | BaseException]],
        *,
        max_batch: int = 500,
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Slot[T, R]] = []
        self._writing = False

    def submit(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            lead = not self._writing
            self._writing = True
        while True:
            if not lead:
                slot.woken.wait()
                slot.woken.clear()
                if slot.done:
                    return self._outcome(slot)
            self._lead()
            if slot.done:
                return self._outcome(slot)
            lead = False

    def _lead(self) -> None:
        """Write what waits now; then hand the lead to the next waiting caller, if any."""
        with self._lock:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
        try:
            results = self._write([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"write returned {len(results)} results for {len(batch)} items")
            for waiting, result in zip(batch, results, strict=True):
                waiting.result = result
        except BaseException as error:  # every caller of the batch learns it failed
            for waiting in batch:
                waiting.error = error
        with self._lock:
            for waiting in batch:
                waiting.done = True
            successor = self._waiting[0] if self._waiting else None
            self._writing = successor is not None
        for waiting in batch:
            waiting.woken.set()
        if successor is not None:
            successor.woken.set()

    @staticmethod
    def _outcome(slot: _Slot[T, R]) -> R:
        if slot.error is not None:
            raise slot.error
        if isinstance(slot.result, BaseException):  # that item alone failed
            raise slot.result
        return slot.result  # type: ignore[return-value]
