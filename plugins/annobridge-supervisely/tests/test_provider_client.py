"""The SDK client's failures as annobridge errors: 401, 403, 404, 409, 429, 5xx, refused connections; retries counted.

The sandbox answers like a healthy server, so these drive the real supervisely SDK against a
few-line stand-in that answers with whatever status a test asks for.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from annobridge.errors import (
    AuthenticationError,
    BackendError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    RequestRefused,
    Unavailable,
    ValidationError,
)

from .provider_support import connect

TOKEN = "s3cr3t-" + "t" * 121


class _Script:
    """Answers to give, in order (the last one repeats), and the requests seen."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict, dict]] = [(200, {}, {})]
        self.seen: list[tuple[str, dict]] = []

    def next(self) -> tuple[int, dict, dict]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def server():
    script = _Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            script.seen.append((self.path, {"x-api-key": self.headers.get("x-api-key"), **body}))
            status, payload, headers = script.next()
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    script.url = f"supervisely+http://127.0.0.1:{httpd.server_address[1]}"
    yield script
    httpd.shutdown()
    httpd.server_close()


def _connect(url: str, **options):
    return connect(url, token=TOKEN, team_id=1, retry_sleep=0, **options)


def _fail(server, status: int, payload: dict | None = None, headers: dict | None = None):
    server.answers = [(status, payload or {"error": "something", "details": {"message": "went wrong"}}, headers or {})]
    return _connect(server.url)


def test_401_names_the_server_and_never_the_token(server):
    sv = _fail(server, 401, {"error": "Unauthorized", "details": {"message": f"bad token {TOKEN}"}})
    with pytest.raises(AuthenticationError) as err:
        sv.jobs.get(1)
    text = str(err.value)
    assert "127.0.0.1" in text and "401" in text and "jobs.info" in text
    assert TOKEN not in text and "s3cr3t" not in text
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_the_token_travels_in_the_header_only(server):
    server.answers = [(200, {"total": 0, "perPage": 20, "pagesCount": 1, "entities": []}, {})]
    _connect(server.url).users.list()
    path, body = server.seen[0]
    assert path.endswith("/public/api/v3/members.list")
    assert body["x-api-key"] == TOKEN and TOKEN not in json.dumps({k: v for k, v in body.items() if k != "x-api-key"})


def test_403_is_forbidden_not_a_bad_token(server):
    with pytest.raises(Forbidden, match=r"does not allow this token's user to call jobs.stop \(HTTP 403\)") as err:
        _fail(server, 403).jobs.stop(1)
    assert not isinstance(err.value, AuthenticationError)


def test_404_is_not_found_naming_the_job(server):
    with pytest.raises(NotFound, match="labeling job 7"):
        _fail(server, 404).jobs.get(7)


def test_409_is_a_conflict(server):
    with pytest.raises(Conflict):
        _fail(server, 409).jobs.archive(1)


def test_400_is_a_refused_request_with_the_servers_words(server):
    with pytest.raises(RequestRefused, match="went wrong") as err:
        _fail(server, 400).jobs.set_status(1, "completed")
    assert isinstance(err.value, BackendError) and isinstance(err.value, ValidationError)
    assert "refused jobs.set-status (HTTP 400)" in str(err.value)


def test_429_is_rate_limited_with_the_servers_retry_after(server):
    sv = _fail(server, 429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimited) as err:
        sv.jobs.stop(1)
    assert err.value.retry_after == 120.0
    assert len(server.seen) == 1, "a wait longer than the policy allows is not slept through"


def test_5xx_is_unavailable_after_the_policys_retries(server):
    sv = _fail(server, 503)
    with pytest.raises(Unavailable, match="503"):
        sv.jobs.stop(1)
    assert len(server.seen) == 1 + sv.policy.retries


def test_a_transient_failure_is_retried_and_then_succeeds(server):
    server.answers = [(502, {}, {}), (429, {}, {"Retry-After": "0"}), (200, {}, {})]
    _connect(server.url).jobs.stop(3)
    assert [p.rsplit("/", 1)[-1] for p, _ in server.seen] == ["jobs.stop"] * 3


def test_a_client_error_is_not_retried(server):
    with pytest.raises(NotFound):
        _fail(server, 404).jobs.stop(1)
    assert len(server.seen) == 1


def test_refused_connection_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sv = _connect(f"supervisely+http://127.0.0.1:{port}", retries=1)
    with pytest.raises(Unavailable, match="cannot be reached"):
        sv.jobs.get(1)


def test_no_token_is_an_authentication_error_before_any_request(monkeypatch, server):
    monkeypatch.delenv("API_TOKEN", raising=False)
    monkeypatch.setattr(
        "annobridge_supervisely.settings.SuperviselySettings.model_config", {"env_file": None, "extra": "ignore"}
    )
    sv = connect(server.url, team_id=1)
    with pytest.raises(AuthenticationError, match="API_TOKEN"):
        sv.jobs.get(1)
    assert server.seen == []
