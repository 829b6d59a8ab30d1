"""The supervisely SDK client: lazy import, an Api that sends through annobridge's retry policy, and its errors.

`import supervisely` takes seconds, so nothing here imports it until a provider is used.
The SDK's own loop retries every POST up to ten times, sleeps up to a minute, sends without a
timeout and then loses the HTTP status; so the Api here sends each request once itself, on its
own requests.Session (TLS verified unless told otherwise, a timeout on every request), through
annobridge.retry.RetryPolicy: reads (which Supervisely serves as POSTs) and state-setting writes
are retried on connection errors, 429, 502-504; other writes only inside `annobridge.retry.idempotent()`.
`sdk_errors` turns what is left into annobridge errors that name the server, never the token.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit

from annobridge.errors import (
    AnnobridgeError,
    AuthenticationError,
    BackendError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unavailable,
    ValidationError,
    from_status,
)
from annobridge.retry import RetryPolicy, is_marked_idempotent, retry_after
from annobridge.tokens import redact

# The last part of a method name that reads (Supervisely serves its reads as POSTs) or sets a state
# to a given value, so that sending it twice leaves the server as sending it once.
READ_ENDS = ("list", "info", "download", "stats", "me", "activity", "version", "meta", "hashes")
SET_ENDS = ("editInfo", "set-status", "update-review-status", "stop", "archive", "update")


def safe_to_repeat(method: str) -> bool:
    """Whether the Supervisely API method `method` may be sent again after a failure.

    >>> safe_to_repeat("images.list"), safe_to_repeat("jobs.set-status"), safe_to_repeat("images.bulk.add")
    (True, True, False)
    """
    last = method.rsplit(".", 1)[-1]
    return last in READ_ENDS or last in SET_ENDS or is_marked_idempotent()


def make_api(server_address: str, token: str, policy: RetryPolicy | None = None, verify: bool | str = True):
    """A sly.Api for `server_address` whose requests go through `policy`, verifying TLS unless `verify` says not.

    The address is used as given: an explicit http:// is not probed for an https redirect, the API
    is at its /public/api (SUPERVISELY_API_SERVER_ADDRESS is not read), and a redirect to another
    host or port does not carry the token along.

    Example::

        api = make_api("http://127.0.0.1:8000", token, RetryPolicy(retries=2))
        api.user.get_my_info().login  # -> 'admin'
    """
    import requests

    address = server_address.rstrip("/")
    api = _api_class()(
        address,
        token,
        ignore_task_id=True,
        retry_count=1,
        retry_sleep_sec=0,
        api_server_address=address + "/public/api",
    )
    api._annobridge_policy = (policy or RetryPolicy()).with_transient(
        requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError
    )
    api._annobridge_session = _session_class()()
    api._annobridge_session.verify = verify
    # the SDK's private switches on purpose (it has no public ones): the URL's transport is the user's choice
    api._require_https_redirect_check = False
    api._skip_https_redirect_check = True
    api._version_check_completed = True  # no extra instance.version request on the first error
    return api


_API_CLASS = None
_SESSION_CLASS = None


def _session_class():
    """requests.Session that also drops x-api-key (not only Authorization) on a redirect to another origin."""
    global _SESSION_CLASS
    if _SESSION_CLASS is None:
        import requests

        class Session(requests.Session):
            def rebuild_auth(self, prepared_request, response):
                if self.should_strip_auth(response.request.url, prepared_request.url):
                    prepared_request.headers.pop("x-api-key", None)
                super().rebuild_auth(prepared_request, response)

        _SESSION_CLASS = Session
    return _SESSION_CLASS


def _api_class():
    global _API_CLASS
    if _API_CLASS is None:
        import supervisely as sly

        base = sly.Api

        class Api(base):
            """sly.Api whose POSTs and GETs go out once per try, through annobridge's policy, and raise at once."""

            def post(self, method, data, retries=None, stream=False, raise_error=False):
                url = self.api_server_address + "/v3/" + method
                kwargs: dict[str, Any] = {"headers": self.headers}
                if type(data) is bytes:
                    kwargs["data"] = data
                elif hasattr(data, "content_type"):  # a MultipartEncoder: a stream spent once sent
                    kwargs.update(data=data, headers={**self.headers, "Content-Type": data.content_type})
                else:
                    kwargs["json"] = {**data, **self.additional_fields} if type(data) is dict else data
                replayable = "json" in kwargs or type(data) is bytes
                return self._annobridge_send("POST", url, replayable and safe_to_repeat(method), stream, kwargs)

            def get(self, method, params, retries=None, stream=False, use_public_api=True, data=None):
                url = self.api_server_address + "/v3/" + method
                if use_public_api is False:
                    url = self.server_address.rstrip("/") + "/" + method
                json_body = {**params, **self.additional_fields} if type(params) is dict else params
                kwargs = {"headers": self.headers, "params": json_body, "data": data}
                return self._annobridge_send("GET", url, True, stream, kwargs)

            def _annobridge_send(self, verb, url, safe, stream, kwargs):
                policy: RetryPolicy = self._annobridge_policy
                session = self._annobridge_session

                def send():
                    response = session.request(verb, url, timeout=policy.timeout, stream=stream, **kwargs)
                    if safe and stream:
                        response.content  # noqa: B018 - read inside the retry, so a truncated body is retried
                    return response

                response = policy.call(send, safe=safe)
                if response.status_code != 200:
                    # the SDK's private check on purpose: the same requests.HTTPError (server message kept) as its post
                    base._raise_for_status(response)
                return response

        _API_CLASS = Api
    return _API_CLASS


def translate(exc: BaseException, backend: str, token: str | None = None) -> AnnobridgeError:
    """The annobridge error for an exception the SDK raised while talking to `backend`.

    >>> import requests
    >>> str(translate(requests.ConnectionError("refused"), "supervisely (http://127.0.0.1:1)"))
    'supervisely (http://127.0.0.1:1) cannot be reached: it refused or dropped the connection'
    """
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
        return Unavailable(f"{backend} failed: {redact(str(exc), token)}")
    text = redact(str(exc), token)
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
    detail = redact(_server_message(response), token)[:300]  # redacted before it is cut, so no part is left
    said = f": {detail}" if detail else ""
    texts = {
        AuthenticationError: f"{backend} rejected the API token (HTTP 401 on {method}); pass token= or set API_TOKEN",
        Forbidden: f"{backend} does not allow this token's user to call {method} (HTTP 403)",  # the token was accepted
        NotFound: f"{backend}: not found (HTTP 404 on {method})",
        Conflict: f"{backend}: conflict (HTTP 409 on {method})",
        RateLimited: f"{backend} is rate limiting requests (HTTP 429 on {method})",
        Unavailable: f"{backend} failed (HTTP {status} on {method})",
        BackendError: f"{backend} refused {method} (HTTP {status})",  # RequestRefused too
    }
    messages = {kind: text + said for kind, text in texts.items()}
    return from_status(status, messages, retry_after=retry_after(response.headers))


def _method(response) -> str:
    path = urlsplit(str(getattr(response, "url", "") or "")).path
    return path.rsplit("/v3/", 1)[-1] if "/v3/" in path else (path or "the request")


def _server_message(response) -> str:
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - not JSON: use the text
        return (response.text or "").strip()
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message") if body.get(k)]
        details = body.get("details")
        if isinstance(details, dict) and details.get("message"):
            parts.append(str(details["message"]))
        elif isinstance(details, str) and details:
            parts.append(details)
        return "; ".join(dict.fromkeys(parts))
    return str(body)


@contextmanager
def sdk_errors(backend: str, token: str | None = None) -> Iterator[None]:
    """Run SDK calls, raising what they raise as annobridge errors naming `backend`.

    >>> with sdk_errors("supervisely (http://127.0.0.1:1)"):
    ...     raise KeyError("classTitle")  # what the SDK raises for JSON it cannot read
    Traceback (most recent call last):
    annobridge.errors.ValidationError: supervisely (http://127.0.0.1:1): 'classTitle'
    """
    try:
        yield
    except AnnobridgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - every SDK failure becomes an annobridge error
        raise translate(exc, backend, token) from None


def not_found(what: Any, backend: str) -> NotFound:
    """NotFound for a thing the SDK answered None for (its way of saying 404).

    >>> str(not_found("job 42", "supervisely (http://127.0.0.1:8000)"))
    'job 42 not found on supervisely (http://127.0.0.1:8000)'
    """
    return NotFound(f"{what} not found on {backend}")
