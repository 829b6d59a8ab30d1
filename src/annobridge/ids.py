"""Id parsers: a backend's positive integer ids, and the neutral ids (int or str) the planner and sub-APIs take."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from numbers import Integral
from typing import Any

from .errors import AnnobridgeError, ValidationError
from .models import Id

__all__ = ["backend_id", "backend_ids", "id_if_numeric", "neutral_ids", "optional_backend_id"]


def _parse(value: Any) -> int | None:
    """`value` as a positive int if it is one (an int, or a string of ASCII digits without a leading 0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return int(value) if value > 0 else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and not text.startswith("0"):
            return int(text)
    return None


def backend_id(value: Any, field: str, backend: str, *, error: type[AnnobridgeError] = ValidationError) -> int:
    """`value` as an id of `backend` (a positive int, given as an int or a string of digits); `error` naming `field`.

    >>> backend_id(" 12", "job_id", "Label Studio")
    12
    >>> backend_id("x", "job_id", "Label Studio")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: job_id: 'x' is not a Label Studio id (a positive integer)
    >>> backend_id(0, "project_id", "Supervisely")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: project_id: 0 is not a Supervisely id (a positive integer)
    """
    number = _parse(value)
    if number is None:
        raise error(f"{field}: {value!r} is not a {backend} id (a positive integer)")
    return number


def optional_backend_id(
    value: Any, field: str, backend: str, *, error: type[AnnobridgeError] = ValidationError
) -> int | None:
    """None for None, else `backend_id(value, field, backend)`.

    >>> optional_backend_id(None, "dataset_id", "Supervisely"), optional_backend_id("7", "dataset_id", "Supervisely")
    (None, 7)
    """
    return None if value is None else backend_id(value, field, backend, error=error)


def backend_ids(values: Iterable[Any], field: str, backend: str) -> list[int]:
    """Every value as an id of `backend`; a bare string or int is refused (it is not a list of ids).

    >>> backend_ids(["3", 4], "item_ids", "Label Studio")
    [3, 4]
    >>> backend_ids("34", "item_ids", "Label Studio")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: item_ids: expected a list of Label Studio ids, got '34'
    """
    if isinstance(values, (str, bytes, int)) or not isinstance(values, Iterable):
        raise ValidationError(f"{field}: expected a list of {backend} ids, got {values!r}")
    return [backend_id(v, field, backend) for v in values]


def id_if_numeric(ref: Any) -> int | None:
    """The id a user reference holds when it is one (a positive int or its digits), else None: a login, say.

    >>> id_if_numeric(7), id_if_numeric("7"), id_if_numeric("ann"), id_if_numeric("007"), id_if_numeric(True)
    (7, 7, None, None, None)
    """
    return _parse(ref)


def neutral_ids(name: str, values: Iterable[Any]) -> list[Id]:
    """The ids (int or str, as given) of `values`, ids or objects with `.id`; a duplicate or a non-id is refused.

    >>> neutral_ids("users", [3, "ann"])
    [3, 'ann']
    >>> neutral_ids("users", [3, 3])
    Traceback (most recent call last):
    annobridge.errors.ValidationError: users: duplicate ids [3]; each may appear once
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValidationError(f"{name}: expected a list of ids or of objects with .id, got {values!r}")
    ids: list[Id] = []
    for value in values:
        ident = value if isinstance(value, (int, str)) else getattr(value, "id", value)
        if isinstance(ident, bool) or not isinstance(ident, (int, str)):
            raise ValidationError(f"{name}: {value!r} is not an id (int or str) nor has one as .id")
        ids.append(ident)
    duplicates = [ident for ident, n in Counter(ids).items() if n > 1]
    if duplicates:
        raise ValidationError(f"{name}: duplicate ids {duplicates}; each may appear once")
    return ids
