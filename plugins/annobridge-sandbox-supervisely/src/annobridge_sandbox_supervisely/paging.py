"""List answers the way Supervisely pages them: filter, sort, then {total, perPage, pagesCount, entities}.

Two modes, both read by the SDK's module_api: page numbers (`page`, `per_page`; the SDK's
get_list_all_pages) and a cursor (`pagination_mode: "token"`, `after`; its generator).
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .errors import bad_request, field

DEFAULT_PER_PAGE = 500
MAX_PER_PAGE = 20000

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "eq": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "!in": lambda a, b: a not in b,
    ">": lambda a, b: a is not None and a > b,
    ">=": lambda a, b: a is not None and a >= b,
    "<": lambda a, b: a is not None and a < b,
    "<=": lambda a, b: a is not None and a <= b,
}
ALIASES = {"eq": "=", "not": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
"""Spelled-out operators the API takes too (the SDK's get_list_all documents both spellings)."""
_OPERATORS.update({alias: _OPERATORS[symbol] for alias, symbol in ALIASES.items()})


def apply_filters(entities: list[dict], filters: Any) -> list[dict]:
    """Keep the entities matching every {"field", "operator", "value"} filter (API field names).

    >>> apply_filters([{"id": 1}, {"id": 2}], [{"field": "id", "operator": "in", "value": [2]}])
    [{'id': 2}]
    """
    if filters is None:
        return entities
    if not isinstance(filters, list):
        raise bad_request("'filter' must be a list of {field, operator, value} objects")
    for flt in filters:
        name = field(flt, "field", str)
        operator = field(flt, "operator", str)
        value = flt.get("value")
        if operator not in _OPERATORS:
            raise bad_request(f"filter operator {operator!r} is not supported", field="operator")
        if operator in ("in", "!in") and not isinstance(value, list):
            raise bad_request(f"filter {name!r} {operator} needs a list value", field=name)
        if entities and name not in entities[0]:
            raise bad_request(f"cannot filter by unknown field {name!r}", field=name)
        test = _OPERATORS[operator]
        entities = [entity for entity in entities if test(entity.get(name), value)]
    return entities


def apply_sort(entities: list[dict], body: dict) -> list[dict]:
    """Sort by body["sort"] (an API field, default id) in body["sort_order"] (asc/desc)."""
    key = body.get("sort") or "id"
    order = body.get("sort_order") or "asc"
    if order not in ("asc", "desc"):
        raise bad_request(f"sort_order must be 'asc' or 'desc', got {order!r}", field="sort_order")
    if entities and key not in entities[0]:
        raise bad_request(f"cannot sort by unknown field {key!r}", field="sort")
    # None sorts first, like SQL NULLs ascending
    return sorted(entities, key=lambda e: (e.get(key) is not None, e.get(key)), reverse=order == "desc")


def page(entities: list[dict], body: dict, filters_key: str = "filter") -> dict:
    """Filter, sort and cut one page of `entities` for the request `body`.

    >>> page([{"id": i} for i in range(5)], {"per_page": 2, "page": 3})["entities"]
    [{'id': 4}]
    """
    entities = apply_sort(apply_filters(entities, body.get(filters_key)), body)
    answer, start, stop = window(body, len(entities))
    answer["entities"] = entities[start:stop]
    return answer


def per_page_of(body: dict) -> int:
    """The page size a request asks for (DEFAULT_PER_PAGE when it names none), checked."""
    per_page = field(body, "per_page", int, default=DEFAULT_PER_PAGE)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise bad_request(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}", field="per_page")
    return per_page


def window(body: dict, total: int) -> tuple[dict, int, int]:
    """(answer without entities, start, stop): which slice of `total` sorted entities this request gets.

    >>> window({"per_page": 2, "pagination_mode": "token", "after": "2"}, 5)
    ({'total': 5, 'perPage': 2, 'pagesCount': 3, 'after': '4'}, 2, 4)
    """
    per_page = per_page_of(body)
    answer = {"total": total, "perPage": per_page, "pagesCount": max(1, math.ceil(total / per_page))}
    if body.get("pagination_mode") == "token":
        start = _cursor(body.get("after"))
        stop = min(total, start + per_page)
        answer["after"] = str(stop) if stop < total else None
        return answer, start, max(start, stop)
    number = field(body, "page", int, default=1)
    if number < 1:
        raise bad_request(f"page must be 1 or more, got {number}", field="page")
    return answer, (number - 1) * per_page, number * per_page


def _cursor(after: Any) -> int:
    if after is None:
        return 0
    try:
        return max(0, int(after))
    except (TypeError, ValueError):
        raise bad_request(f"'after' cursor {after!r} is not one this server gave out", field="after") from None
