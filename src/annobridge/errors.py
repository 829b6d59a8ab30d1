"""The one exception hierarchy every annobridge call raises from.

    AnnobridgeError
    ├── ConfigurationError
    │   ├── InvalidURL             a backend URL that cannot be parsed
    │   ├── UnknownProvider        a scheme no provider claims
    │   └── ProviderNotInstalled   a known scheme whose plugin package is missing
    ├── Unsupported                a capability this backend does not have
    ├── TimedOut                   a wait ran out of time; nothing failed
    ├── ValidationError            bad input, refused before anything is written
    └── BackendError               the backend answered, or failed to
        ├── AuthenticationError    401: missing or rejected token
        ├── Forbidden              403: the token is fine, this user or request is not allowed
        ├── NotFound               404: no such project, job, item, ...
        ├── Conflict               409: the thing exists already, or changed under us
        ├── RateLimited            429: retry after a while
        ├── RequestRefused         any other 4xx: the request as sent was refused (a ValidationError too)
        └── Unavailable            connection refused, timeout, 5xx

`from_status` gives the one of these an HTTP status means, so that every provider maps alike.
The command line turns each into one line on stderr and the exit code `exit_code` gives:
0 done, 2 bad input or configuration (and usage errors), 3 not found, 4 authentication,
5 conflict (another run holds the target, the target exists and was not asked for),
6 unsupported, 7 the backend refused, failed or could not be reached, 8 a wait timed out.
"""

from __future__ import annotations

from typing import Mapping


class AnnobridgeError(Exception):
    """Base of every error annobridge raises; the CLI prints it as one line."""


class ConfigurationError(AnnobridgeError):
    """The way annobridge was asked to connect cannot work."""


class InvalidURL(ConfigurationError):
    """A backend URL that cannot be parsed."""


class UnknownProvider(ConfigurationError):
    """A URL scheme no installed or known provider claims."""


class ProviderNotInstalled(ConfigurationError):
    """A known scheme whose plugin package is not installed."""


class Unsupported(AnnobridgeError):
    """A capability the connected backend does not have."""

    def __init__(self, capability: object, backend: str, detail: str = "") -> None:
        self.capability = capability
        self.backend = backend
        name = getattr(capability, "value", capability)
        message = f"{name} is not supported by {backend}"
        super().__init__(f"{message}: {detail}" if detail else message)


class TimedOut(AnnobridgeError, TimeoutError):
    """A wait ran out of time before the job or export got where it was asked to; nothing failed."""


class ValidationError(AnnobridgeError, ValueError):
    """Bad input, refused before anything is written; names the field and value."""


class BackendError(AnnobridgeError):
    """The backend refused a request or could not be reached."""


class AuthenticationError(BackendError):
    """The token is missing or the server rejected it."""


class Forbidden(BackendError):
    """The server accepted the token but forbade the request (HTTP 403): a permission, or a blocked URL."""


class NotFound(BackendError, LookupError):
    """The project, job, item or export does not exist."""


class Conflict(BackendError):
    """The target exists already or changed while we worked."""


class RateLimited(BackendError):
    """The server asked us to slow down (HTTP 429)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestRefused(BackendError, ValidationError):
    """The server refused the request as sent (HTTP 400, or a 4xx without a class of its own)."""


class Unavailable(BackendError):
    """The server could not be reached or failed (connection error, timeout, 5xx)."""


EXIT_CODES: dict[type[AnnobridgeError], int] = {
    ConfigurationError: 2,
    ValidationError: 2,
    NotFound: 3,
    AuthenticationError: 4,
    Conflict: 5,
    Unsupported: 6,
    Forbidden: 7,
    RequestRefused: 7,  # the server said no, though the fault is the request's: a backend failure, not bad input
    BackendError: 7,
    TimedOut: 8,
    AnnobridgeError: 2,
}


def in_one_line(error: Exception) -> str:
    """An error as the one line the command line prints: pydantic's as "field: problem; ..." without its trailer.

    >>> from pydantic import BaseModel
    >>> class M(BaseModel):
    ...     n: int
    >>> try:
    ...     M(n="x")
    ... except ValueError as exc:
    ...     in_one_line(exc)
    'n: Input should be a valid integer, unable to parse string as an integer'
    """
    problems = getattr(error, "errors", None)
    if callable(problems) and type(error).__module__.startswith("pydantic"):
        parts = []
        for problem in problems():
            where = ".".join(str(part) for part in problem.get("loc", ()))
            message = str(problem.get("msg", "")).removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if where else message)
        return "; ".join(parts)
    return " ".join(str(error).split())


def exit_code(error: AnnobridgeError) -> int:
    """The documented exit code of the command line for `error`: its nearest class in EXIT_CODES.

    >>> exit_code(NotFound("no job 42")), exit_code(Unavailable("timeout")), exit_code(ValidationError("x"))
    (3, 7, 2)
    """
    return next(EXIT_CODES[cls] for cls in type(error).__mro__ if cls in EXIT_CODES)


_BY_STATUS: dict[int, type[BackendError]] = {
    401: AuthenticationError,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def from_status(
    status: int | None, message: str | Mapping[type[BackendError], str], *, retry_after: float | None = None
) -> BackendError:
    """The error an HTTP `status` means (None: no answer), saying `message`; a 429 carries `retry_after` seconds.

    401 AuthenticationError, 403 Forbidden, 404 NotFound, 409 Conflict, 429 RateLimited, any other
    4xx RequestRefused, 5xx or None Unavailable (below 400, a plain BackendError). `message` may be
    a text for each class, in a provider's own words: the error's nearest class in it is used, so
    the BackendError text serves every class without one.

    >>> error = from_status(429, "slow down", retry_after=2.0)
    >>> type(error).__name__, str(error), error.retry_after
    ('RateLimited', 'slow down', 2.0)
    >>> said = {NotFound: "no such job", BackendError: "refused"}
    >>> [(type(e).__name__, str(e)) for e in (from_status(404, said), from_status(400, said))]
    [('NotFound', 'no such job'), ('RequestRefused', 'refused')]
    >>> type(from_status(None, "no answer")).__name__, exit_code(from_status(403, "x"))
    ('Unavailable', 7)
    """
    if status is None or status >= 500:
        kind: type[BackendError] = Unavailable
    else:
        kind = _BY_STATUS.get(status) or (RequestRefused if status >= 400 else BackendError)
    if not isinstance(message, str):
        texts = message
        message = next((texts[cls] for cls in kind.__mro__ if cls in texts), None)
        if message is None:
            raise KeyError(f"no text for {kind.__name__}, nor for BackendError")
    if kind is RateLimited:
        return RateLimited(message, retry_after)
    return kind(message)
