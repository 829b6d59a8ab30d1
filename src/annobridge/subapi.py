"""The base of every sub-API: `SubAPI[P]`, typed by its provider, and `@requires`, the capability gate.

Each method declares the capability it needs with `@requires`; the check runs in one place,
before the backend's own code, even when a provider's subclass overrides the method. A method a
provider does not implement raises Unsupported naming it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from .capabilities import Capability
from .errors import Conflict, Unsupported

if TYPE_CHECKING:
    from .provider import Provider

__all__ = ["P", "SubAPI", "free_name", "one_named", "requires"]

P = TypeVar("P", bound="Provider")
F = TypeVar("F", bound=Callable[..., Any])
_GATE = "__annobridge_capability__"


def requires(capability: Capability) -> Callable[[F], F]:
    """Mark a sub-API method as needing `capability`; calls raise Unsupported without it.

    >>> class Reviews(SubAPI):
    ...     @requires(Capability.REVIEWS)
    ...     def list(self, job_id): return []
    >>> getattr(Reviews.list, "__annobridge_capability__").value
    'reviews'
    """

    def mark(fn: F) -> F:
        setattr(fn, _GATE, capability)
        return _gated(fn, capability)

    return mark


def _gated(fn: F, capability: Capability) -> F:
    @functools.wraps(fn)
    def wrapper(self: SubAPI, *args: Any, **kwargs: Any) -> Any:
        self.backend.require(capability)
        return fn(self, *args, **kwargs)

    setattr(wrapper, _GATE, capability)
    return wrapper  # type: ignore[return-value]


def one_named(name: str, found: list[Any], what: str) -> Any:
    """The one record in `found` (those named `name`), None if none; Conflict when several share the name."""
    if len(found) > 1:
        raise Conflict(f"{len(found)} {what} are named {name!r} (ids {sorted(str(x.id) for x in found)}); use an id")
    return found[0] if found else None


def free_name(name: str, taken: set[str]) -> str:
    """The first of name, name_001, name_002... not in `taken`.

    >>> free_name("lemons", {"lemons", "lemons_001"})
    'lemons_002'
    """
    candidate, n = name, 0
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n:03d}"
    return candidate


class SubAPI(Generic[P]):
    """One area of a backend's API, typed by its provider: a subclass of `SubAPI[MyProvider]` sees
    `self.backend` as a MyProvider. Overriding a gated method keeps its gate."""

    def __init__(self, backend: P) -> None:
        self.backend: P = backend

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, attr in list(vars(cls).items()):
            if not callable(attr) or hasattr(attr, _GATE):
                continue
            for base in cls.__mro__[1:]:
                capability = getattr(base.__dict__.get(name), _GATE, None)
                if capability is not None:
                    setattr(cls, name, _gated(attr, capability))
                    break

    def _missing(self, what: str) -> Unsupported:
        return Unsupported(what, self.backend.describe(), "this provider does not implement it")

