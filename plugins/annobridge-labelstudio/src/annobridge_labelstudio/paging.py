"""Page through an SDK list call to the end: no item cap, no request past the last page, no 404 failure."""

from __future__ import annotations

from typing import Any, Callable, Iterator

__all__ = ["every"]


def every(fetch: Callable[[int], Any]) -> Iterator[Any]:
    """Every item of the SDK pagers `fetch(page)` returns for page 1, 2, ... until the server has no more.

    One request per page: it stops on a short or empty page, when the items seen reach the
    response's `total`/`count`, when `next` is null, or on the 404 Label Studio answers past the end.

    >>> pages = {1: [1, 2], 2: [3]}
    >>> class Pager:
    ...     def __init__(self, n): self.items, self.response = pages.get(n, []), None
    >>> list(every(Pager))
    [1, 2, 3]
    """
    from label_studio_sdk.core.api_error import ApiError

    page, seen, size = 1, 0, None
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
