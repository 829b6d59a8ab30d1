"""Prefetch: the producer runs ahead in a thread, bounded by count and bytes, errors and early stops handed over."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge.prefetch import Prefetch


class Watched:
    """A producer of byte strings that records how far ahead of the consumer it got."""

    def __init__(self, sizes):
        self.sizes, self.made, self.taken, self.lock = sizes, 0, 0, threading.Lock()
        self.ahead: list[tuple[int, int]] = []  # (items, bytes) made but not yet taken, after each item made

    def __iter__(self):
        for size in self.sizes:
            with self.lock:
                self.made += 1
                waiting = self.sizes[self.taken : self.made]
                self.ahead.append((len(waiting), sum(waiting)))
            yield b"x" * size

    def take(self):
        with self.lock:
            self.taken += 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=30), st.integers(1, 4), st.integers(1, 120))
def test_every_item_in_order_never_more_than_the_bounds_ahead(sizes, max_items, max_bytes):
    source = Watched(sizes)
    got = []
    with Prefetch(iter(source), max_items=max_items, max_bytes=max_bytes, weight=len) as items:
        for item in items:
            got.append(len(item))
            source.take()
    assert got == sizes
    # made and not yet taken: the queue (at most max_items, and max_bytes or one larger item), the item the
    # consumer holds, and the one just made
    largest = max(sizes, default=0)
    for (count, size), just_made in zip(source.ahead, sizes):
        assert count <= max_items + 2
        assert size - just_made <= max(max_bytes, largest) + largest


def test_an_error_of_the_producer_is_raised_where_the_consumer_reaches_it():
    def source():
        yield 1
        yield 2
        raise ValueError("page 3 is unreadable")

    got = []
    with pytest.raises(ValueError, match="page 3"):
        with Prefetch(source(), max_items=1) as items:
            for item in items:
                got.append(item)
    assert got == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer_and_closes_it():
    closed = threading.Event()
    made = []

    def source():
        try:
            for n in range(1000):
                made.append(n)
                yield n
        finally:
            closed.set()

    with Prefetch(source(), max_items=2) as items:
        assert next(items) == 0
    assert closed.is_set() and len(made) <= 4  # stopped within the bound, and the generator closed


def test_one_item_larger_than_the_byte_bound_still_goes_through():
    with Prefetch(iter([b"x" * 10, b"y" * 500, b"z"]), max_items=3, max_bytes=100, weight=len) as items:
        assert [len(i) for i in items] == [10, 500, 1]
