"""The one exception hierarchy every annobridge call raises from.

    AnnobridgeError
    ├── ConfigurationError
    │   ├── InvalidURL             a backend URL that cannot be parsed
    │   ├── UnknownProvider        a scheme no provider claims
    │   └── ProviderNotInstalled   a known scheme whose plugin package is missing
    ├── Unsupported                a capability this backend does not have
    ├── ValidationError            bad input, refused before anything is written
    └── BackendError               the backend answered, or failed to
        ├── AuthenticationError    missing or rejected token
        ├── NotFound               no such project, job, item, ...
        ├── Conflict               the thing exists already, or changed under us
        ├── RateLimited            429: retry after a while
        └── Unavailable            connection refused, timeout, 5xx
"""

from __future__ import annotations


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


class ValidationError(AnnobridgeError, ValueError):
    """Bad input, refused before anything is written; names the field and value."""


class BackendError(AnnobridgeError):
    """The backend refused a request or could not be reached."""


class AuthenticationError(BackendError):
    """The token is missing or the server rejected it."""


class NotFound(BackendError, LookupError):
    """The project, job, item or export does not exist."""


class Conflict(BackendError):
    """The target exists already or changed while we worked."""


class RateLimited(BackendError):
    """The server asked us to slow down (HTTP 429)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(BackendError):
    """The server could not be reached or failed (connection error, timeout, 5xx)."""
