"""The supervisely SDK client: lazy import, an Api with a short retry policy, and its errors as annobridge's.

`import supervisely` takes seconds, so nothing here imports it until a provider is used.
The SDK's own retry loop sleeps up to a minute and then loses the HTTP status, so the
client asks each request to raise at once (`raise_error=True`) and retries the transient
failures itself (connection errors, 429, 500, 502-504), a few times with a short backoff.
`sdk_errors` turns what is left into annobridge errors that name the server, never the token.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

from annobridge.errors import (
    AnnobridgeError,
    AuthenticationError,
    BackendError,
    Conflict,
    NotFound,
    RateLimited,
    Unavailable,
    ValidationError,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def sly():
    """The supervisely package, imported on first use (it takes seconds)."""
    import supervisely

    return supervisely


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and how long apart, transient failures are retried."""

    retries: int = 2
    sleep: float = 0.5
    max_wait: float = 30.0

    def delay(self, exc: Exception, attempt: int) -> float | None:
        """Seconds to wait before trying again after `exc`, or None to give up."""
        import requests

        if attempt >= self.retries:
            return None
        response = getattr(exc, "response", None)
        if isinstance(exc, requests.HTTPError) and response is not None:
            if response.status_code not in RETRY_STATUSES:
                return None
            asked = _retry_after(response)
            if asked is not None:
                return asked if asked <= self.max_wait else None
        elif not isinstance(exc, (requests.ConnectionError, requests.Timeout)):
            return None
        return min(self.sleep * 2**attempt, self.max_wait)


def make_api(server_address: str, token: str, policy: RetryPolicy | None = None):
    """A sly.Api for `server_address` whose requests fail fast and retry by `policy`.

    The address is used as given: an explicit http:// is not probed for an https redirect.
    """
    api = _api_class()(server_address, token, ignore_task_id=True, retry_count=1, retry_sleep_sec=0)
    api._annobridge_policy = policy or RetryPolicy()
    api._require_https_redirect_check = False  # the URL's transport is the user's choice
    api._version_check_completed = True  # no extra instance.version request on the first error
    return api


_API_CLASS = None


def _api_class():
    global _API_CLASS
    if _API_CLASS is None:
        base = sly().Api

        class Api(base):
            """sly.Api whose POSTs raise the HTTP error at once, after annobridge's own retries."""

            def post(self, method, data, retries=None, stream=False, raise_error=False):
                policy: RetryPolicy = getattr(self, "_annobridge_policy", RetryPolicy())
                replayable = isinstance(data, (dict, list, bytes))  # a multipart stream is spent once sent
                attempt = 0
                while True:
                    try:
                        return base.post(self, method, data, retries=1, stream=stream, raise_error=True)
                    except Exception as exc:  # noqa: BLE001 - the policy decides what is transient
                        wait = policy.delay(exc, attempt) if replayable else None
                        if wait is None:
                            raise
                        attempt += 1
                        time.sleep(wait)

        _API_CLASS = Api
    return _API_CLASS


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def translate(exc: BaseException, backend: str, token: str | None = None) -> AnnobridgeError:
    """The annobridge error for an exception the SDK raised while talking to `backend`."""
    import requests

    if isinstance(exc, AnnobridgeError):
        return exc
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.HTTPError) and response is not None:
        return _from_status(response, backend, token)
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        kind = "timed out" if isinstance(exc, requests.Timeout) else "refused or dropped the connection"
        return Unavailable(f"{backend} cannot be reached: it {kind}")
    if isinstance(exc, requests.RequestException):
        return Unavailable(f"{backend} failed: {_scrub(str(exc), token)}")
    text = _scrub(str(exc), token)
    if isinstance(exc, RuntimeError) and "is not a member of the team" in text:
        return ValidationError(text)
    if isinstance(exc, RuntimeError) and text.startswith("Request has failed"):
        return Unavailable(f"{backend}: {text}")
    if isinstance(exc, (ValueError, TypeError, KeyError)):
        return ValidationError(f"{backend}: {text}")
    return BackendError(f"{backend}: {type(exc).__name__}: {text}")


def _from_status(response, backend: str, token: str | None) -> AnnobridgeError:
    status = response.status_code
    method = _method(response)
    detail = _scrub(_server_message(response), token)
    said = f": {detail}" if detail else ""
    if status == 401:
        return AuthenticationError(
            f"{backend} rejected the API token (HTTP 401 on {method}); pass token= or set API_TOKEN{said}"
        )
    if status == 403:  # the token was accepted; its user may not do this
        return BackendError(f"{backend} does not allow this token's user to call {method} (HTTP 403){said}")
    if status == 404:
        return NotFound(f"{backend}: not found (HTTP 404 on {method}){said}")
    if status == 409:
        return Conflict(f"{backend}: conflict (HTTP 409 on {method}){said}")
    if status == 429:
        return RateLimited(f"{backend} is rate limiting requests (HTTP 429 on {method}){said}", _retry_after(response))
    if status >= 500:
        return Unavailable(f"{backend} failed (HTTP {status} on {method}){said}")
    return BackendError(f"{backend} refused {method} (HTTP {status}){said}")


def _method(response) -> str:
    path = urlsplit(str(getattr(response, "url", "") or "")).path
    return path.rsplit("/v3/", 1)[-1] if "/v3/" in path else (path or "the request")


def _server_message(response) -> str:
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - not JSON: use the text
        return (response.text or "").strip()[:300]
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message") if body.get(k)]
        details = body.get("details")
        if isinstance(details, dict) and details.get("message"):
            parts.append(str(details["message"]))
        elif isinstance(details, str) and details:
            parts.append(details)
        return "; ".join(dict.fromkeys(parts))[:300]
    return str(body)[:300]


def _scrub(text: str, token: str | None) -> str:
    return text.replace(token, "***") if token else text


@contextmanager
def sdk_errors(backend: str, token: str | None = None) -> Iterator[None]:
    """Run SDK calls, raising what they raise as annobridge errors naming `backend`."""
    try:
        yield
    except AnnobridgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - every SDK failure becomes an annobridge error
        raise translate(exc, backend, token) from None


def not_found(what: Any, backend: str) -> NotFound:
    """NotFound for a thing the SDK answered None for (its way of saying 404)."""
    return NotFound(f"{what} not found on {backend}")
