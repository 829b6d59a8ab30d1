"""Label Studio values made plain: ids checked, SDK models as dicts, users as neutral Users, lists in batches."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, TypeVar

from annobridge.errors import ValidationError
from annobridge.ids import backend_id, backend_ids
from annobridge.models import Id, User

__all__ = ["BATCH", "as_dict", "as_int", "as_ints", "chosen_project", "chunks", "to_user"]

T = TypeVar("T")
BATCH = 1000  # tasks a request (assignments, imports, actions): each stays short; no server limit is documented


def as_int(value: Any, field: str) -> int:
    """`value` as a Label Studio id (a positive int); ValidationError naming `field` otherwise.

    >>> as_int("12", "job_id")
    12
    """
    return backend_id(value, field, "Label Studio")


def as_ints(values: Iterable[Any], field: str) -> list[int]:
    """Every value as a Label Studio id; a bare string or int is refused (it is not a list of ids).

    >>> as_ints(["3", 4], "item_ids")
    [3, 4]
    """
    return backend_ids(values, field, "Label Studio")


def chosen_project(job_id: Id | None, project_id: Id | None, dataset_id: Id | None) -> int:
    """The project a call names by `job_id` or `project_id` (on Label Studio a job is a project; no datasets).

    >>> chosen_project(None, "4", None)
    4
    >>> chosen_project(3, 4, None)
    Traceback (most recent call last):
    annobridge.errors.ValidationError: job_id 3 and project_id 4: on Label Studio a job is a project
    """
    if dataset_id is not None:
        raise ValidationError(
            f"dataset_id: Label Studio has no datasets (got {dataset_id!r}); pass job_id or project_id"
        )
    if job_id is not None and project_id is not None and str(job_id) != str(project_id):
        raise ValidationError(f"job_id {job_id!r} and project_id {project_id!r}: on Label Studio a job is a project")
    chosen = job_id if job_id is not None else project_id
    if chosen is None:
        raise ValidationError("job_id or project_id: one of them is needed (on Label Studio a job is a project)")
    return as_int(chosen, "job_id" if job_id is not None else "project_id")


def as_dict(obj: Any) -> dict[str, Any]:
    """An SDK model (or dict) as a plain JSON-like dict, keeping fields the SDK did not declare."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    return obj.model_dump(mode="json", by_alias=True, exclude_unset=False)


def to_user(value: Any) -> User | None:
    """A neutral User from an SDK user, a user dict, or a bare id.

    >>> to_user({"id": 7, "username": "ann", "first_name": "Ann", "email": ""}).name
    'Ann'
    """
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
