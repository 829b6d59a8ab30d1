"""The SDK client behind a Label Studio backend: creation, auth, edition detection, request counting, errors.

Every SDK call goes through `Connection.call(what)`, which turns the SDK's ApiError and httpx's
transport errors into annobridge.errors, naming the server and what was asked, never the token.
Requests go out through annobridge's one retry policy (annobridge.retry.RetryTransport under the
SDK's httpx client); the SDK's own retry loop, which would repeat POSTs too, is switched off.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from annobridge.errors import (
    AnnobridgeError,
    AuthenticationError,
    BackendError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    RequestRefused,
    Unavailable,
    from_status,
)
from annobridge.retry import RetryPolicy, RetryTransport, retry_after
from annobridge.tokens import redact

if TYPE_CHECKING:
    import httpx
    from label_studio_sdk.client import LabelStudio

__all__ = ["Connection", "Edition", "translate"]


@dataclass(frozen=True)
class Edition:
    """What /api/version says: `Community` or `Enterprise`, and the release.

    >>> Edition("Community", "1.23.2").describe()
    'Community 1.23.2'
    """

    name: str
    release: str

    @property
    def enterprise(self) -> bool:
        """Whether this is Label Studio Enterprise (assignments, reviews, members, pauses)."""
        return self.name.lower() == "enterprise"

    def describe(self) -> str:
        """The edition in words, for messages: "Community 1.23.2"."""
        return f"{self.name} {self.release}".strip()


class Connection:
    """One authenticated SDK client (`label_studio_sdk.client.LabelStudio`), created on first use.

    `requests` counts the HTTP requests sent through it (an httpx event hook), so tests and the
    benchmark can assert how many a call needed; `transport.attempts` counts those on the wire,
    retries included. TLS certificates are verified unless `verify` says otherwise (False, or a
    CA bundle path). A client passed as `httpx_client` is used as it is, with its own transport.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        server: str,
        policy: RetryPolicy | None = None,
        verify: bool | str = True,
        httpx_client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.server = server
        self._token = token
        self.policy = policy or RetryPolicy(timeout=120.0)
        self.verify = verify
        self._httpx_client = httpx_client
        self.transport: RetryTransport | None = None
        self._sdk: LabelStudio | None = None
        self._edition: Edition | None = None
        self.requests = 0

    # ------------------------------------------------------------------ the SDK client

    @property
    def sdk(self) -> LabelStudio:
        """The SDK client; AuthenticationError (naming the server) if there is no usable token."""
        if self._sdk is None:
            if not self._token:
                raise AuthenticationError(
                    f"no token for {self.server}: pass token= or set LABEL_STUDIO_API_KEY "
                    "(a legacy token or a personal access token)"
                )
            import httpx
            from label_studio_sdk.client import LabelStudio

            client = self._httpx_client
            if client is None:
                self.transport = RetryTransport(self.policy, verify=self.verify)
                client = httpx.Client(
                    timeout=self.policy.timeout, follow_redirects=True, transport=self.transport, verify=self.verify
                )
            client.event_hooks.setdefault("request", []).append(self._count)
            with self.call("connecting"):
                # max_retries=0: the SDK would retry 5xx, 408 and 409 on every method, POSTs included
                self._sdk = LabelStudio(base_url=self.base_url, api_key=self._token, httpx_client=client, max_retries=0)
        return self._sdk

    @property
    def http(self) -> Any:
        """The SDK's own HTTP client (auth headers, JWT refresh, retries) for endpoints it has no method for."""
        # on purpose: the SDK's own client signs requests (and refreshes JWTs) for endpoints it has no method for
        return self.sdk._client_wrapper.httpx_client

    def request(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """A request through the SDK's HTTP client for an endpoint the SDK has no method for.

        Returns the httpx.Response; an HTTP error status becomes the matching annobridge error.
        """
        with self.call(what):
            response = self.http.request(path, method=method, **kwargs)
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise self._scrub(translate(response.status_code, body, response.headers, what, self.server, self._token))
        return response

    def _count(self, request: Any) -> None:
        self.requests += 1

    def close(self) -> None:
        """Close the HTTP client if this connection created it."""
        if self._sdk is not None and self._httpx_client is None:
            # the SDK offers no close(); its wrapper holds the httpx.Client this connection made
            self._sdk._client_wrapper.httpx_client.httpx_client.close()
        self._sdk = None

    # ------------------------------------------------------------------ what the server is

    @property
    def known_edition(self) -> Edition | None:
        """The edition if it was asked already, else None (no request)."""
        return self._edition

    @property
    def edition(self) -> Edition:
        """The server's edition and release from /api/version (asked once)."""
        if self._edition is None:
            with self.call("reading /api/version"):
                version = self.sdk.versions.get()
            extra = version.model_dump() if hasattr(version, "model_dump") else {}
            release = version.release or (extra.get("label-studio-os-package") or {}).get("version") or ""
            self._edition = Edition(version.edition or "Community", str(release))
        return self._edition

    def authenticate(self) -> Any:
        """Check the token with /api/current-user/whoami (/api/version answers without one)."""
        with self.call("checking the token"):
            return self.sdk.users.whoami()

    # ------------------------------------------------------------------ errors

    @contextlib.contextmanager
    def call(self, what: str) -> Iterator[None]:
        """Run SDK calls, translating their failures into annobridge errors about `what` on this server."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        try:
            yield
        except AnnobridgeError:
            raise
        except ApiError as exc:
            error = translate(exc.status_code, exc.body, exc.headers, what, self.server, self._token)
            raise self._scrub(error) from None
        except httpx.TimeoutException as exc:
            raise Unavailable(f"{self.server} did not answer in time while {what} ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise Unavailable(f"cannot reach {self.server} while {what}: {redact(str(exc), self._token)}") from None

    def _scrub(self, error: BackendError) -> BackendError:
        error.args = tuple(redact(str(a), self._token) if isinstance(a, str) else a for a in error.args)
        return error


def _detail(body: Any, token: str | None = None) -> str:
    """The useful part of an error body: detail and validation errors, never headers, cookies or `token`.

    The token is redacted before the text is shortened, so no part of it is left at a cut.
    """
    if isinstance(body, dict):
        parts = []
        if body.get("detail"):
            parts.append(str(body["detail"]))
        if body.get("validation_errors"):
            parts.append(str(body["validation_errors"]))
        for key in ("error", "message"):
            if body.get(key):
                parts.append(str(body[key]))
        if not parts:
            rest = {k: v for k, v in body.items() if k not in ("id", "version", "exc_info")}
            parts.append(redact(str(rest), token)[:500])
        return redact("; ".join(parts), token)
    text = redact(str(body or "").strip(), token)
    return text[:300] if text and not text.lstrip().startswith("<") else ""


def translate(
    status: int | None, body: Any, headers: Any, what: str, server: str, token: str | None = None
) -> BackendError:
    """The annobridge error for an HTTP failure `status` while doing `what` on `server`, never repeating `token`.

    >>> str(translate(401, {"detail": "Invalid token."}, {}, "listing projects", "labelstudio (x)"))
    'labelstudio (x) rejected the token while listing projects (HTTP 401): Invalid token.'
    """
    detail = _detail(body, token)
    suffix = f": {detail}" if detail else ""
    said = {
        AuthenticationError: f"{server} rejected the token while {what} (HTTP 401)",
        # the token is fine; this user, or this request (an SSRF-blocked URL, say), is not
        Forbidden: f"{server} forbade {what} (HTTP 403)",
        NotFound: f"not found on {server} while {what} (HTTP 404)",
        Conflict: f"{server} reports a conflict while {what} (HTTP 409)",
        RateLimited: f"{server} asks to slow down while {what} (HTTP 429)",
        RequestRefused: f"{server} refused {what} (HTTP {status})",
        Unavailable: f"{server} failed while {what} (HTTP {status})",
        BackendError: f"{server} answered HTTP {status} while {what}",
    }
    return from_status(status, {kind: text + suffix for kind, text in said.items()}, retry_after=retry_after(headers))
