"""Prefetch: run a producer (a generator) in a thread ahead of its consumer, bounded by count and by bytes.

The migration engine reads, downloads and converts the next batches while the target writes
this one. The queue holds at most `max_items` items and, beyond the first, at most `max_bytes`
of their `weight`, so memory stays flat however large the items are. The producer's exception
reaches the consumer at the point it happened; a consumer that stops early stops the producer.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Generic, Iterator, TypeVar

__all__ = ["Prefetch"]

T = TypeVar("T")
_END = object()


class Prefetch(Generic[T]):
    """Iterate `source` in a background thread, up to `max_items` items (and `max_bytes` of `weight`) ahead.

    >>> with Prefetch(iter(range(5)), max_items=2) as items:
    ...     list(items)
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        source: Iterator[T],
        *,
        max_items: int = 2,
        max_bytes: int | None = None,
        weight: Callable[[T], int] = lambda item: 0,
        name: str = "annobridge-prefetch",
    ) -> None:
        self._source, self._weight = source, weight
        self._max_items, self._max_bytes = max(1, max_items), max_bytes
        self._queue: deque[tuple[object, int]] = deque()
        self._held = 0  # the weight of what the queue holds
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)

    def __enter__(self) -> Iterator[T]:
        self._thread.start()
        return self._consume()

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._stopped = True
            self._queue.clear()
            self._cond.notify_all()
        self._thread.join()

    def _room(self, weight: int) -> bool:
        if self._stopped or not self._queue:
            return True  # an empty queue takes any item: one item larger than the bound still gets through
        if len(self._queue) >= self._max_items:
            return False
        return self._max_bytes is None or self._held + weight <= self._max_bytes

    def _put(self, item: object, weight: int) -> bool:
        with self._cond:
            self._cond.wait_for(lambda: self._room(weight))
            if self._stopped:
                return False
            self._queue.append((item, weight))
            self._held += weight
            self._cond.notify_all()
            return True

    def _produce(self) -> None:
        try:
            for item in self._source:
                if not self._put(item, self._weight(item)):
                    break
        except BaseException as exc:  # handed to the consumer, raised where it reads the item
            self._put(_Failed(exc), 0)
        else:
            self._put(_END, 0)
        finally:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()

    def _consume(self) -> Iterator[T]:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue))
                item, weight = self._queue.popleft()
                self._held -= weight
                self._cond.notify_all()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item  # type: ignore[misc]


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
