"""The one retry policy both providers send their requests through: tenacity backoff with jitter, Retry-After honoured.

A request is retried only when it is safe to repeat: GET, HEAD, PUT, DELETE and OPTIONS, or a POST
its caller marks idempotent (a read endpoint that happens to be a POST, or a write the ledger makes
safe), and only after a connection failure, a timeout, a truncated answer, or HTTP 429/502/503/504.
Any other 4xx is the caller's mistake and is never repeated.

    >>> policy = RetryPolicy(retries=2, backoff=0)
    >>> answers = iter([503, 503, 200])
    >>> policy.call(lambda: httpx.Response(next(answers))).status_code
    200
"""

from __future__ import annotations

import contextlib
import contextvars
import random
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Mapping, TypeVar

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigurationError

__all__ = [
    "RETRY_STATUSES",
    "SAFE_METHODS",
    "RetryPolicy",
    "RetrySettings",
    "idempotent",
    "is_marked_idempotent",
    "retry_after",
]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

T = TypeVar("T")
_IDEMPOTENT: contextvars.ContextVar[bool] = contextvars.ContextVar("annobridge_idempotent", default=False)


class RetrySettings(BaseSettings):
    """ANNOBRIDGE_TIMEOUT (seconds per request) and ANNOBRIDGE_RETRIES (extra attempts), read from the environment."""

    model_config = SettingsConfigDict(env_prefix="ANNOBRIDGE_", extra="ignore")

    timeout: float = Field(60.0, gt=0)
    retries: int = Field(3, ge=0, le=20)


@contextlib.contextmanager
def idempotent() -> Iterator[None]:
    """Mark every request sent inside the block as safe to repeat (a read over POST, or a write a ledger guards).

    >>> with idempotent():
    ...     is_marked_idempotent()
    True
    >>> is_marked_idempotent()
    False
    """
    token = _IDEMPOTENT.set(True)
    try:
        yield
    finally:
        _IDEMPOTENT.reset(token)


def is_marked_idempotent() -> bool:
    """True inside an `idempotent()` block.

    >>> with idempotent():
    ...     is_marked_idempotent()
    True
    """
    return _IDEMPOTENT.get()


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds a Retry-After header asks for (delta seconds or an HTTP date), or None.

    >>> retry_after({"Retry-After": "2"})
    2.0
    >>> retry_after({"Retry-After": "soon"}) is None
    True
    """
    if not headers:
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0) if when is not None else None


@dataclass(frozen=True)
class RetryPolicy:
    """How requests are retried and timed out; one for each connected backend.

    `retries` extra attempts after the first, exponential backoff from `backoff` seconds capped at
    `max_backoff` with full jitter, a server's Retry-After obeyed up to `max_retry_after` (longer
    than that, the 429 is handed back at once), and `timeout` seconds per request.

    >>> RetryPolicy.from_options({"timeout": 5, "retries": 1}).timeout
    5.0
    """

    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 60.0
    timeout: float = 60.0
    transient: tuple[type[BaseException], ...] = ()
    sleep: Callable[[float], None] = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ConfigurationError(f"retries must be 0 or more, not {self.retries!r}")
        if self.timeout <= 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, not {self.timeout!r}")
        if self.backoff < 0 or self.max_backoff < 0:
            raise ConfigurationError(f"backoff must not be negative, not {self.backoff!r}")

    @classmethod
    def from_options(cls, options: Mapping[str, Any], **defaults: Any) -> RetryPolicy:
        """The policy connect() options ask for: `timeout=`, `retries=`, `retry_backoff=`; else the environment.

        >>> RetryPolicy.from_options({"retries": "2"}).retries
        2
        """
        try:
            settings = RetrySettings()
        except Exception as exc:  # pydantic's ValidationError: a bad ANNOBRIDGE_* value
            raise ConfigurationError(f"bad ANNOBRIDGE_TIMEOUT / ANNOBRIDGE_RETRIES in the environment: {exc}") from None
        # an explicit option beats the environment, which beats the backend's default
        values = {**defaults, **{name: getattr(settings, name) for name in settings.model_fields_set}}
        for option, name, kind in (
            ("timeout", "timeout", float),
            ("retries", "retries", int),
            ("retry_backoff", "backoff", float),
        ):
            if options.get(option) is not None:
                try:
                    values[name] = kind(options[option])
                except (TypeError, ValueError):
                    raise ConfigurationError(f"{option} must be a number, not {options[option]!r}") from None
        return cls(**values)

    def with_transient(self, *errors: type[BaseException]) -> RetryPolicy:
        """This policy, also retrying on `errors` (a client library's own connection errors)."""
        return replace(self, transient=self.transient + tuple(errors))

    # ------------------------------------------------------------------ deciding

    def is_transient(self, exc: BaseException) -> bool:
        """A failure worth another try: no connection, a timeout, a dropped or truncated answer."""
        return isinstance(exc, (httpx.TransportError, ConnectionError, TimeoutError) + self.transient)

    def wants_retry(self, response: Any) -> bool:
        """An answer worth another try: 429 (unless it asks to wait too long), 502, 503 or 504."""
        status = getattr(response, "status_code", None)
        if status not in RETRY_STATUSES:
            return False
        asked = retry_after(getattr(response, "headers", None))
        return not (status == 429 and asked is not None and asked > self.max_retry_after)

    def _wait(self, state: Any) -> float:
        outcome = state.outcome
        if not outcome.failed:
            asked = retry_after(getattr(outcome.result(), "headers", None))
            if asked is not None:
                return asked
        ceiling = min(self.backoff * 2 ** (state.attempt_number - 1), self.max_backoff)
        return random.uniform(0, ceiling)  # full jitter: clients that failed together do not retry together

    # ------------------------------------------------------------------ doing

    def call(self, send: Callable[[], T], *, safe: bool = True) -> T:
        """Run `send()` (one request), retrying what is transient if `safe`; returns the last answer.

        A retried answer is closed before the next try. When the tries run out, the last answer is
        returned (the caller turns its status into an error) or the last failure raised.
        """
        if not safe or self.retries == 0:
            return send()
        return self.retrying()(send)

    def retrying(self) -> Any:
        """The tenacity.Retrying that `call` sends a safe request through, for a caller that needs its statistics.

        `statistics["attempt_number"]` is the try under way (1 for the first), read inside the call:

        >>> retrying, answers, tries = RetryPolicy(retries=2, backoff=0).retrying(), iter([503, 503, 200]), []
        >>> def send():
        ...     tries.append(retrying.statistics["attempt_number"])
        ...     return httpx.Response(next(answers))
        >>> retrying(send).status_code, tries
        (200, [1, 2, 3])
        """
        import tenacity

        def discard(state: Any) -> None:
            if not state.outcome.failed:
                close = getattr(state.outcome.result(), "close", None)
                if close is not None:
                    close()

        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            retry=tenacity.retry_if_exception(self.is_transient) | tenacity.retry_if_result(self.wants_retry),
            wait=self._wait,
            sleep=self.sleep or _sleep,
            before_sleep=discard,
            retry_error_callback=lambda state: state.outcome.result(),
            reraise=True,
        )


class RetryTransport(httpx.BaseTransport):
    """An httpx transport that sends each request through a RetryPolicy; for clients an SDK builds on httpx.

    A request safe to repeat has its answer read inside the retry, so a truncated body is retried too.
    `attempts` counts what went on the wire, `retried` the repeats.

    >>> import httpx
    >>> client = httpx.Client(transport=RetryTransport(RetryPolicy()))  # verify=True, as httpx's own default
    """

    def __init__(self, policy: RetryPolicy, *, verify: Any = True, inner: Any = None) -> None:
        self.policy = policy
        self.verify = verify
        self._inner = inner or httpx.HTTPTransport(verify=verify)
        self.attempts = 0
        self.retried = 0

    def handle_request(self, request: Any) -> Any:
        safe = request.method.upper() in SAFE_METHODS or is_marked_idempotent()
        sent = 0

        def send() -> Any:
            nonlocal sent
            sent += 1
            self.attempts += 1
            response = self._inner.handle_request(request)
            if safe:
                try:
                    response.read()
                except BaseException:
                    response.close()
                    raise
            return response

        try:
            return self.policy.call(send, safe=safe)
        finally:
            self.retried += max(sent - 1, 0)

    def close(self) -> None:
        self._inner.close()


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)

