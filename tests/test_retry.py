"""annobridge.retry: what is retried (and what never is), Retry-After, timeouts, settings; requests counted on the wire.

The upstream is a real HTTP server on 127.0.0.1 that counts what reaches it; faults come from
annobridge.testing.faults.FaultProxy in front of it. Waits are recorded, never slept or timed.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from annobridge.errors import ConfigurationError
from annobridge.retry import RetryPolicy, RetryTransport, idempotent, retry_after
from annobridge.testing.faults import FaultPlan, FaultProxy


class Upstream:
    """A real server answering every method with a JSON body (or a scripted status), counting requests per path."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.status: dict[str, list[int]] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.seen.append((self.command, self.path))
                queue = outer.status.get(self.path)
                status = queue.pop(0) if queue else 200
                data = json.dumps({"path": self.path, "pad": "x" * 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.close()


def _client(policy: RetryPolicy) -> tuple[httpx.Client, RetryTransport]:
    transport = RetryTransport(policy)
    return httpx.Client(transport=transport), transport


def _policy(waits: list[float] | None = None, **kw) -> RetryPolicy:
    return RetryPolicy(backoff=0.01, sleep=(waits.append if waits is not None else (lambda s: None)), **kw)


@pytest.mark.parametrize("kind", ["drop", "unavailable", "rate_limited", "truncate", "lost_answer"])
def test_each_fault_on_a_get_is_retried_until_it_succeeds(upstream, kind):
    plan = FaultPlan(seed=1, **{kind: 1.0}, max_in_a_row=2)
    with FaultProxy(upstream.url, plan) as proxy:
        client, transport = _client(_policy(retries=3))
        response = client.get(f"{proxy.url}/api/projects")
    assert response.status_code == 200 and response.json()["path"] == "/api/projects"
    assert proxy.injected_counts() == {kind: 2}
    assert transport.attempts == 3 and transport.retried == 2
    reached = {"drop": 1, "unavailable": 1, "rate_limited": 1, "truncate": 3, "lost_answer": 3}[kind]
    assert len(upstream.seen) == reached  # drops and injected answers never reach the server


def test_a_post_is_never_retried_unless_marked_idempotent(upstream):
    with FaultProxy(upstream.url, FaultPlan(seed=1, unavailable=1.0, max_in_a_row=2)) as proxy:
        client, transport = _client(_policy(retries=3))
        assert client.post(f"{proxy.url}/api/tasks", json={"a": 1}).status_code == 503
        assert transport.attempts == 1
        with idempotent():
            assert client.post(f"{proxy.url}/api/tasks", json={"a": 1}).status_code == 200
        assert transport.attempts == 3
    assert upstream.seen == [("POST", "/api/tasks")]


def test_a_dropped_post_is_not_repeated(upstream):
    with FaultProxy(upstream.url, FaultPlan(seed=1, lost_answer=1.0)) as proxy:
        client, transport = _client(_policy(retries=3))
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(f"{proxy.url}/api/tasks", json={})
    assert transport.attempts == 1 and upstream.seen == [("POST", "/api/tasks")]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"])
def test_safe_methods_are_retried(upstream, method):
    upstream.status["/x"] = [503, 502]
    client, transport = _client(_policy(retries=3))
    assert client.request(method, f"{upstream.url}/x").status_code == 200
    assert transport.attempts == 3


def test_patch_is_not_a_safe_method(upstream):
    upstream.status["/x"] = [503]
    client, transport = _client(_policy(retries=3))
    assert client.patch(f"{upstream.url}/x", json={}).status_code == 503
    assert transport.attempts == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500])
def test_other_statuses_are_never_retried(upstream, status):
    upstream.status["/x"] = [status]
    client, transport = _client(_policy(retries=3))
    assert client.get(f"{upstream.url}/x").status_code == status
    assert transport.attempts == 1 and len(upstream.seen) == 1


def test_retries_run_out_and_the_last_answer_comes_back(upstream):
    upstream.status["/x"] = [503] * 10
    client, transport = _client(_policy(retries=2))
    assert client.get(f"{upstream.url}/x").status_code == 503
    assert transport.attempts == 3 and len(upstream.seen) == 3


def test_retry_after_is_obeyed_and_backoff_has_jitter_within_its_ceiling(upstream):
    waits: list[float] = []
    with FaultProxy(upstream.url, FaultPlan(seed=3, rate_limited=1.0, retry_after="7", max_in_a_row=1)) as proxy:
        client, _ = _client(_policy(waits, retries=2))
        client.get(f"{proxy.url}/a")
    assert waits == [7.0]
    waits.clear()
    upstream.status["/b"] = [503, 503, 503]
    client, _ = _client(RetryPolicy(retries=3, backoff=1.0, sleep=waits.append))
    client.get(f"{upstream.url}/b")
    assert len(waits) == 3 and all(0 <= w <= 2**i for i, w in enumerate(waits))


def test_a_retry_after_longer_than_the_policy_allows_is_handed_back_at_once(upstream):
    with FaultProxy(upstream.url, FaultPlan(seed=3, rate_limited=1.0, retry_after="3600")) as proxy:
        client, transport = _client(_policy(retries=3, max_retry_after=60))
        response = client.get(f"{proxy.url}/a")
    assert response.status_code == 429 and response.headers["retry-after"] == "3600"
    assert transport.attempts == 1


def test_retry_after_parses_seconds_and_http_dates():
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert retry_after({"Retry-After": "-4"}) == 0.0
    assert retry_after({}) is None and retry_after(None) is None


def test_a_delayed_answer_past_the_timeout_is_retried_then_fails_as_a_timeout(upstream):
    plan = FaultPlan(seed=1, delay=1.0, delay_seconds=0.5)
    with FaultProxy(upstream.url, plan) as proxy:
        transport = RetryTransport(_policy(retries=1, timeout=0.1))
        client = httpx.Client(transport=transport, timeout=0.1)
        with pytest.raises(httpx.ReadTimeout):
            client.get(f"{proxy.url}/slow")
    assert transport.attempts == 2 and proxy.injected_counts() == {"delay": 2}


def test_policy_from_options_beats_the_environment_which_beats_the_default(monkeypatch):
    monkeypatch.delenv("ANNOBRIDGE_TIMEOUT", raising=False)
    monkeypatch.delenv("ANNOBRIDGE_RETRIES", raising=False)
    assert RetryPolicy.from_options({}, timeout=120.0).timeout == 120.0
    monkeypatch.setenv("ANNOBRIDGE_TIMEOUT", "9")
    monkeypatch.setenv("ANNOBRIDGE_RETRIES", "1")
    policy = RetryPolicy.from_options({}, timeout=120.0)
    assert (policy.timeout, policy.retries) == (9.0, 1)
    assert RetryPolicy.from_options({"timeout": 4, "retries": 0}).timeout == 4.0


@pytest.mark.parametrize(
    ("options", "env", "named"),
    [
        ({"timeout": "soon"}, {}, "timeout"),
        ({"retries": -1}, {}, "retries"),
        ({"timeout": 0}, {}, "timeout"),
        ({}, {"ANNOBRIDGE_RETRIES": "many"}, "ANNOBRIDGE_RETRIES"),
    ],
)
def test_bad_settings_are_configuration_errors_naming_them(monkeypatch, options, env, named):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigurationError, match=named):
        RetryPolicy.from_options(options)


def test_the_transport_verifies_tls_by_default_and_only_turns_it_off_when_asked():
    import ssl

    on = RetryTransport(RetryPolicy())
    off = RetryTransport(RetryPolicy(), verify=False)
    assert on.verify is True and off.verify is False
    context_on = on._inner._pool._ssl_context
    context_off = off._inner._pool._ssl_context
    assert context_on.verify_mode == ssl.CERT_REQUIRED and context_on.check_hostname
    assert context_off.verify_mode == ssl.CERT_NONE
