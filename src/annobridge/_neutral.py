"""The base of the neutral annotation models: frozen, strict, and raising ValidationErrors that name item and object."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from .errors import ValidationError

__all__ = ["Neutral", "object_name"]

_KINDS = {"rectangle", "polygon", "polyline", "point", "keypoints", "mask"}  # pydantic puts these in error paths
# A nested model's own ValidationError already says "Polygon: exterior: ..."; the path above says where.
_NESTED = re.compile(r"\b(?:ObjectAnnotation|Rectangle|Polygon|Polyline|Point|Keypoints?|Mask|Tag): ")


class Neutral(BaseModel):
    """Frozen, strict, and raising annobridge's ValidationError instead of pydantic's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except PydanticValidationError as exc:
            raise ValidationError(_describe(type(self).__name__, data, exc)) from None


def _describe(model: str, data: dict[str, Any], exc: PydanticValidationError) -> str:
    """One readable sentence per problem, naming the item and the object it is in."""
    where = model
    if data.get("item") is not None:
        where = f"item {data['item']!r}"
    problems = []
    for error in exc.errors():
        loc = list(error["loc"])
        subject = where
        if len(loc) >= 2 and loc[0] == "objects" and isinstance(loc[1], int):
            subject = f"{where}, {object_name(data.get('objects'), loc[1])}"
            loc = loc[2:]
        field = ".".join(str(part) for part in loc if part not in _KINDS)
        message = _NESTED.sub("", error["msg"].removeprefix("Value error, "))
        problems.append(f"{subject}: {field}: {message}" if field else f"{subject}: {message}")
    return "; ".join(problems)


def object_name(objects: Any, index: int) -> str:
    """How errors name object `index` of `objects` (models or dicts).

    >>> object_name([{"class_name": "kiwi", "id": 17}], 0)
    "object #0 (class 'kiwi', id 17)"
    """
    try:
        obj = objects[index]
        name = obj.get("class_name") if isinstance(obj, dict) else obj.class_name
        ident = obj.get("id") if isinstance(obj, dict) else obj.id
    except (IndexError, KeyError, TypeError, AttributeError):
        return f"object #{index}"
    return f"object #{index} (class {name!r}" + (f", id {ident!r})" if ident is not None else ")")
