"""Small helpers every Label Studio sub-API shares: the SDK handle, id checks, SDK objects as plain data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, TypeVar

from annobridge.ids import backend_id, backend_ids
from annobridge.models import User

if TYPE_CHECKING:
    from .client import Connection

__all__ = ["LabelStudioSubAPI", "as_dict", "as_int", "chunks", "to_user"]

T = TypeVar("T")
BATCH = 1000  # Label Studio's own limit for assignment requests; also used for imports and actions


class LabelStudioSubAPI:
    """Mixin for sub-APIs: `self.conn` (the Connection), `self.sdk` (the SDK client), `self.call(what)`."""

    backend: Any

    @property
    def conn(self) -> Connection:
        return self.backend.connection

    @property
    def sdk(self) -> Any:
        return self.backend.connection.sdk

    def call(self, what: str) -> Any:
        return self.backend.connection.call(what)


def as_int(value: Any, field: str) -> int:
    """`value` as a Label Studio id (a positive int); ValidationError naming `field` otherwise.

    >>> as_int("12", "job_id")
    12
    """
    return backend_id(value, field, "Label Studio")


def as_ints(values: Iterable[Any], field: str) -> list[int]:
    """Every value as a Label Studio id; a bare string or int is refused (it is not a list of ids)."""
    return backend_ids(values, field, "Label Studio")


def as_dict(obj: Any) -> dict[str, Any]:
    """An SDK model (or dict) as a plain JSON-like dict, keeping fields the SDK did not declare."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    return obj.model_dump(mode="json", by_alias=True, exclude_unset=False)


def to_user(value: Any) -> User | None:
    """A neutral User from an SDK user, a user dict, or a bare id."""
    if value is None:
        return None
    if isinstance(value, int):
        return User(id=value)
    data = as_dict(value)
    if data.get("id") is None:
        return None
    name = " ".join(x for x in (data.get("first_name"), data.get("last_name")) if x) or None
    return User(
        id=data["id"], login=data.get("username") or data.get("email"), email=data.get("email") or None, name=name
    )


def chunks(values: list[T], size: int = BATCH) -> Iterator[list[T]]:
    """`values` in consecutive lists of at most `size`.

    >>> list(chunks([1, 2, 3], 2))
    [[1, 2], [3]]
    """
    for start in range(0, len(values), size):
        yield values[start : start + size]
