"""Errors the sandbox answers with, in Supervisely's body shape {"error": ..., "details": {...}}.

Only 4xx codes the SDK does not retry are used for client mistakes (400, 401, 404), so a
wrong call fails at once instead of sleeping through the SDK's retry schedule.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status, the "error" sentence and extra "details"."""

    def __init__(self, status: int, message: str, **details: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    def body(self) -> dict:
        """The JSON body, the shape `Api.parse_error` reads."""
        return {"error": self.message, "details": {"message": self.message, **self.details}}


def bad_request(message: str, **details: Any) -> ApiError:
    """400: the request is wrong (a field, a value, a state)."""
    return ApiError(400, message, **details)


def not_found(kind: str, id_: Any) -> ApiError:
    """404: the SDK turns this into None for get_info_by_id."""
    return ApiError(404, f"{kind} with id {id_!r} not found", type="NOT_FOUND")


def unauthorized() -> ApiError:
    """401: missing or wrong x-api-key (the token itself is never echoed)."""
    return ApiError(401, "Unauthorized", reason="invalid or missing x-api-key header")


_TYPES = {int: "an integer", str: "a string", list: "a list", dict: "an object", bool: "a boolean"}


def field(body: Any, name: str, kind: type | None = None, default: Any = ..., nullable: bool = False) -> Any:
    """Read one request field, or answer 400 naming the field and what it should be.

    >>> field({"id": 3}, "id", int)
    3
    >>> field({}, "name", str, default="")
    ''
    """
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    if name not in body or (body[name] is None and not nullable and default is not ...):
        if default is ...:
            raise bad_request(f"field {name!r} is required", field=name)
        return default
    value = body[name]
    if value is None and nullable:
        return None
    if kind is not None:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            raise bad_request(
                f"field {name!r} must be {_TYPES.get(kind, kind.__name__)}, got {value!r}", field=name
            )
    return value


def int_list(body: Any, name: str, default: Any = ...) -> list[int]:
    """Read a list of integer ids, or answer 400."""
    values = field(body, name, list, default=default)
    if values is default:
        return values
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad_request(f"field {name!r} must be a list of integer ids, got {value!r}", field=name)
    return values
