"""Page through an SDK list call to the end: no item cap, no request past the last page, no 404 failure."""

from __future__ import annotations

from math import gcd
from typing import Any, Callable, Iterator

__all__ = ["all_pages", "all_pages_shrinking"]

# Label Studio on SQLite answers 500 "Expression tree is too large (maximum depth 1000)" to a page of
# about 1000 tasks that were made from uploaded files (one FileUpload each); smaller pages of the same tasks work.
TOO_LARGE = "Expression tree is too large"


def all_pages(fetch: Callable[[int], Any], *, skipped: int = 0) -> Iterator[Any]:
    """Every item of the SDK pagers `fetch(page)` returns for page 1, 2, ... until the server has no more.

    One request per page: it stops on a short or empty page, when the items seen reach the
    response's `total`/`count`, when `next` is null, or on the 404 Label Studio answers past the end.
    `skipped`: items before `fetch`'s page 1, counted towards the total.

    >>> pages = {1: [1, 2], 2: [3]}
    >>> class Pager:
    ...     def __init__(self, n): self.items, self.response = pages.get(n, []), None
    >>> list(all_pages(Pager))
    [1, 2, 3]
    """
    from label_studio_sdk.core.api_error import ApiError

    page, seen, size = 1, skipped, None
    while True:
        try:
            pager = fetch(page)
        except ApiError as exc:
            if exc.status_code == 404 and page > 1:
                return
            raise
        items = list(pager.items or ())
        yield from items
        seen += len(items)
        response = pager.response
        total = getattr(response, "total", None)
        total = getattr(response, "count", None) if total is None else total
        size = size or len(items)
        if not items or len(items) < size:
            return
        if total is not None and seen >= total:
            return
        if response is not None and hasattr(response, "next") and response.next is None:
            return
        page += 1


def all_pages_shrinking(fetch: Callable[[int, int], Any], page_size: int) -> Iterator[Any]:
    """Like `all_pages`, for `fetch(page, page_size)`: a page the server finds too large to build is asked for again
    in halves (SQLite's expression-depth limit), and the listing goes on at that size from the same position.

    >>> def fetch(page, size):
    ...     if size > 2: raise too_large
    ...     class Pager: items, response = list(range((page - 1) * size, min(page * size, 5))), None
    ...     return Pager
    >>> from label_studio_sdk.core.api_error import ApiError
    >>> too_large = ApiError(status_code=500, body={"detail": TOO_LARGE + " (maximum depth 1000)"})
    >>> list(all_pages_shrinking(fetch, 8))
    [0, 1, 2, 3, 4]
    """
    from label_studio_sdk.core.api_error import ApiError

    seen, size = 0, page_size
    while True:
        try:
            # `seen` is always a multiple of `size`, so page numbers at the new size continue where it stopped.
            skip = seen // size
            for item in all_pages(lambda page: fetch(skip + page, size), skipped=seen):
                yield item
                seen += 1
            return
        except ApiError as exc:
            if exc.status_code != 500 or TOO_LARGE not in str(exc.body) or size == 1:
                raise
            size = gcd(seen, size // 2) if seen else size // 2
