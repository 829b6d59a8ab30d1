"""List answers paged in SQL: paging.py's filters, sort and page as WHERE, ORDER BY and LIMIT, so a page costs its rows.

A listing names the SQL expression of each API field it can filter or sort by. A request
that filters or sorts by a field only the JSON holds (an image's meta, a figure's geometry)
gets None back, and the caller pages the whole list in Python as paging.page does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from . import paging
from .errors import bad_request
from .errors import field as body_field
from .store import Store

_SCALARS = (str, int, float, bool, type(None))
_COMPARE = {">": ">", ">=": ">=", "<": "<", "<=": "<="}


@dataclass(frozen=True)
class Listing:
    """One list endpoint's query: FROM clause, base WHERE, API field -> SQL expression, JSON-only fields.

    >>> Listing("images i", "i.dataset_id = ?", (5,), {"id": "i.id"}).count_sql()
    'SELECT COUNT(*) FROM images i WHERE i.dataset_id = ?'
    """

    source: str
    where: str
    args: tuple
    columns: dict[str, str]
    json_only: frozenset[str] = field(default_factory=frozenset)
    select: str = "*"
    tiebreak: str = "id"

    def count_sql(self, where: str | None = None) -> str:
        """SELECT COUNT(*) of the rows matching `where` (the base WHERE by default)."""
        return f"SELECT COUNT(*) FROM {self.source} WHERE {where or self.where}"


def sql_page(
    store: Store,
    listing: Listing,
    body: dict,
    to_json: Callable[[dict], dict],
    extra: tuple[str, list] = ("", []),
    filters_key: str = "filter",
) -> dict | None:
    """One page answer like paging.page, reading only the page's rows; None when a field needs the JSON.

    `extra` is one more ("AND ...", args) condition the caller built (images' typed `filters`).

    >>> store = Store()
    >>> _ = store.execute("INSERT INTO teams (name) VALUES ('b'), ('a')")
    >>> listing = Listing("teams", "1", (), {"id": "id", "name": "name"}, select="id, name")
    >>> sql_page(store, listing, {"per_page": 1, "sort": "name"}, dict)
    {'total': 2, 'perPage': 1, 'pagesCount': 2, 'entities': [{'id': 2, 'name': 'a'}]}
    """
    conditions, args = _filters(listing, body.get(filters_key))
    if conditions is None:
        return None
    order = _order(listing, body)
    if order is None:
        return None
    where = " AND ".join([f"({listing.where})", *conditions]) + extra[0]
    args = [*listing.args, *args, *extra[1]]
    total = store.scalar(listing.count_sql(where), args)
    answer, start, stop = paging.window(body, total)
    rows = store.rows(
        f"SELECT {listing.select} FROM {listing.source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, max(0, stop - start), start],
    )
    answer["entities"] = [to_json(row) for row in rows]
    return answer


def _known(listing: Listing, name: str, what: str) -> bool:
    """True when SQL can express the field, False when only the JSON holds it; 400 when it is no field at all."""
    if name in listing.columns:
        return True
    if name in listing.json_only:
        return False
    raise bad_request(f"cannot {what} by unknown field {name!r}", field="sort" if what == "sort" else name)


def _filters(listing: Listing, filters: Any) -> tuple[list[str] | None, list]:
    """SQL conditions for the `filter` list, with paging.apply_filters's checks and its None semantics."""
    if filters is None:
        return [], []
    if not isinstance(filters, list):
        raise bad_request("'filter' must be a list of {field, operator, value} objects")
    conditions, args, expressible = [], [], True
    for flt in filters:
        name = body_field(flt, "field", str)
        operator = body_field(flt, "operator", str)
        value = flt.get("value")
        if operator not in paging._OPERATORS:
            raise bad_request(f"filter operator {operator!r} is not supported", field="operator")
        if operator in ("in", "!in") and not isinstance(value, list):
            raise bad_request(f"filter {name!r} {operator} needs a list value", field=name)
        if not _known(listing, name, "filter"):
            expressible = False
            continue
        values = value if operator in ("in", "!in") else [value]
        if not all(isinstance(v, _SCALARS) for v in values):
            expressible = False  # a list or object value compares as Python compares it
            continue
        condition, condition_args = _condition(listing.columns[name], operator, value)
        conditions.append(condition)
        args += condition_args
    return (conditions if expressible else None), args


def _condition(expr: str, operator: str, value: Any) -> tuple[str, list]:
    """One filter as SQL that treats NULL as Python treats None (None != 5, None not in [5], None > 5 is false)."""
    operator = paging.ALIASES.get(operator, operator)
    if operator == "=":
        return f"{expr} IS ?", [value]
    if operator == "!=":
        return f"{expr} IS NOT ?", [value]
    if operator in _COMPARE:
        return f"{expr} {_COMPARE[operator]} ?", [value]
    present = json.dumps([v for v in value if v is not None])
    member = f"{expr} IN (SELECT value FROM json_each(?))"
    has_none = any(v is None for v in value)
    if operator == "in":
        return (f"({member} OR {expr} IS NULL)" if has_none else member), [present]
    return (f"({expr} IS NOT NULL AND NOT {member})" if has_none else f"({expr} IS NULL OR NOT {member})"), [present]


def _order(listing: Listing, body: dict) -> str | None:
    """ORDER BY for body's sort/sort_order; SQLite's NULLs-first ascending matches paging.apply_sort."""
    key = body.get("sort") or "id"
    direction = body.get("sort_order") or "asc"
    if direction not in ("asc", "desc"):
        raise bad_request(f"sort_order must be 'asc' or 'desc', got {direction!r}", field="sort_order")
    if not _known(listing, key, "sort"):
        return None
    # equal keys keep id order, as Python's stable sort keeps the rows' order
    return f"{listing.columns[key]} {direction.upper()}, {listing.tiebreak} ASC"
