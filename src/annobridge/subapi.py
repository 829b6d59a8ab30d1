"""The base of every sub-API: `SubAPI[P]`, typed by its provider, `@requires`, the capability gate, and
`@keyword_ids`, the one argument order.

Each method declares the capability it needs with `@requires`; the check runs in one place,
before the backend's own code, even when a provider's subclass overrides the method. A method a
provider does not implement raises Unsupported naming it.

The argument order, everywhere: a method's first argument is what it acts on, named for its kind
(`project_id`, `job_id`, `item_id`/`item_ids`, `export`, `storage`). A method that acts on either a
job's or a project's items (items.list, items.select, items.download, annotations.list,
predictions.list, videos.list, videos.annotations) takes both as keywords only, so the two ids
cannot be confused: `items.list(job_id=7)`, `items.list(project_id=3)`.
The old positional form (`items.list(7)`, read as a job id) still works in this release and warns.
"""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from .capabilities import Capability
from .errors import Conflict, Unsupported

if TYPE_CHECKING:
    from .provider import Provider

__all__ = ["P", "SubAPI", "free_name", "keyword_ids", "one_named", "requires"]

P = TypeVar("P", bound="Provider")
F = TypeVar("F", bound=Callable[..., Any])
_GATE = "__annobridge_capability__"
_KEYWORDS = "__annobridge_keyword_ids__"


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


def keyword_ids(name: str) -> Callable[[F], F]:
    """Mark a method whose ids are keyword-only: a positional id is still taken, as `name`, with a
    DeprecationWarning (for one release); a provider's override keeps this, as it keeps a gate.

    >>> class Items(SubAPI):
    ...     @keyword_ids("job_id")
    ...     def list(self, *, job_id=None, project_id=None): return [job_id, project_id]
    >>> Items(None).list(project_id=3)
    [None, 3]
    """

    def mark(fn: F) -> F:
        return _keyworded(fn, name)

    return mark


def _keyworded(fn: F, name: str) -> F:
    @functools.wraps(fn)
    def wrapper(self: SubAPI, *args: Any, **kwargs: Any) -> Any:
        if args:
            if len(args) > 1 or name in kwargs:
                raise TypeError(f"{fn.__qualname__}() takes its ids as keywords ({name}=...)")
            warnings.warn(
                f"{fn.__name__}({args[0]!r}): pass {name}={args[0]!r}; a positional id is deprecated and will be "
                "refused in the next release", DeprecationWarning, stacklevel=2,
            )
            kwargs[name] = args[0]
        return fn(self, **kwargs)

    setattr(wrapper, _KEYWORDS, name)
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
            if not callable(attr):
                continue
            bases = [base.__dict__.get(name) for base in cls.__mro__[1:]]
            capability = next((getattr(b, _GATE) for b in bases if hasattr(b, _GATE)), None)
            if capability is not None and not hasattr(attr, _GATE):
                attr = _gated(attr, capability)
            keyword = next((getattr(b, _KEYWORDS) for b in bases if hasattr(b, _KEYWORDS)), None)
            if keyword is not None and not hasattr(attr, _KEYWORDS):
                attr = _keyworded(attr, keyword)
            setattr(cls, name, attr)

    def _missing(self, what: str) -> Unsupported:
        return Unsupported(what, self.backend.describe(), "this provider does not implement it")

