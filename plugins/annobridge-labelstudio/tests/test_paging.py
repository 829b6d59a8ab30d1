"""The pager helper: every item, one request a page, no request past the end, a 404 past the end is the end."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from label_studio_sdk.core.api_error import ApiError

from annobridge_labelstudio.paging import TOO_LARGE, all_pages, all_pages_shrinking


def pages(sizes, *, total=None, count=None, next_links=None, missing_after=None):
    calls = []

    def fetch(page):
        calls.append(page)
        if missing_after is not None and page > missing_after:
            raise ApiError(status_code=404, body={"detail": "Invalid page."})
        size = sizes[page - 1] if page <= len(sizes) else 0
        start = sum(sizes[: page - 1])
        response = SimpleNamespace(total=total, count=count)
        if next_links is not None:
            response.next = next_links[page - 1]
        return SimpleNamespace(items=list(range(start, start + size)), response=response)

    return fetch, calls


@pytest.mark.parametrize(
    ("sizes", "extra", "expected_calls"),
    [
        ([3, 3, 1], {}, [1, 2, 3]),                      # a short page ends it
        ([3, 3], {"total": 6}, [1, 2]),                  # the total ends it
        ([3, 3], {"count": 6}, [1, 2]),                  # the count ends it
        ([3, 3], {"next_links": ["p2", None]}, [1, 2]),  # a null next ends it
        ([3, 3], {"missing_after": 2}, [1, 2, 3]),       # the 404 past the end ends it
        ([], {}, [1]),
    ],
)
def test_every_item_and_no_page_too_many(sizes, extra, expected_calls):
    fetch, calls = pages(sizes, **extra)
    assert list(all_pages(fetch)) == list(range(sum(sizes)))
    assert calls == expected_calls


def test_a_404_on_the_first_page_is_an_error():
    fetch, _ = pages([], missing_after=0)
    with pytest.raises(ApiError):
        list(all_pages(fetch))


def test_a_server_capping_page_size_is_paged_by_its_own_size():
    fetch, calls = pages([100, 100, 40])  # asked for 1000 a page, given 100
    assert len(list(all_pages(fetch))) == 240 and calls == [1, 2, 3]


def test_shrinking_reads_every_item_once_when_a_page_is_too_large_midway():
    calls = []

    def fetch(page, size):
        calls.append((page, size))
        if size > 4 and page > 1:  # the second page of 8 is "too large" (tasks made from uploaded files)
            raise ApiError(status_code=500, body={"detail": TOO_LARGE + " (maximum depth 1000)"})
        start = (page - 1) * size
        return SimpleNamespace(items=list(range(start, min(start + size, 20))), response=SimpleNamespace(total=20))

    assert list(all_pages_shrinking(fetch, 8)) == list(range(20))
    assert calls == [(1, 8), (2, 8), (3, 4), (4, 4), (5, 4)]
