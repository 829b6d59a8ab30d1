"""Where a Supervisely token goes: API_TOKEN (environment or ~/supervisely.env) only to the server SERVER_ADDRESS
names, stripped; a token that cannot be a header is refused before any request; no form of it in any error.

Requests go through the real supervisely SDK to a capture server on 127.0.0.1, which records the
headers it saw; one test uses the sandbox. HOME is a directory of the test's own throughout.
"""

from __future__ import annotations

import json
import warnings
from urllib.parse import quote, quote_plus

import pytest

import annobridge
from annobridge.errors import AnnobridgeError, AuthenticationError, Conflict, Forbidden, RequestRefused, Unavailable
from annobridge.testing.capture import Answer, Capture, assert_hidden
from annobridge.tokens import PlainHTTPWarning

SECRET = "Zq9x/K7m+Wv2=Lp4Rt8" + "s" * 109  # 128 characters, as Supervisely's are; '/', '+', '=' change when quoted


def _rejected(path: str, headers: dict) -> tuple[int, dict, bytes]:
    return 401, {"Content-Type": "application/json"}, b'{"error": "Unauthorized"}'


class SuperviselyCapture(Capture):
    """A capture server seen as a Supervisely backend."""

    @property
    def backend_url(self) -> str:
        return "supervisely+" + self.url

    @property
    def keys(self) -> list[str | None]:
        return self.header("x-api-key")


@pytest.fixture
def capture():
    with SuperviselyCapture(_rejected) as running:
        yield running


@pytest.fixture
def other():
    with SuperviselyCapture(_rejected) as running:
        yield running


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path):
    """HOME is the test's own directory (its supervisely.env is the one read); no Supervisely variables."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("API_TOKEN", "SERVER_ADDRESS", "TEAM_ID", "WORKSPACE_ID", "SUPERVISELY_API_SERVER_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _first_call(backend) -> AnnobridgeError:
    with pytest.raises(AnnobridgeError) as caught:
        backend.jobs.get(1)
    return caught.value


def _connect(url: str, **options):
    return annobridge.connect(url, team_id=1, retries=0, **options)


# -- API_TOKEN and SERVER_ADDRESS ----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["{url}", "{url}/", "HTTP://127.0.0.1:{port}/ \r\n"])
def test_the_environment_token_goes_stripped_to_server_address(capture, monkeypatch, address):
    monkeypatch.setenv("API_TOKEN", f"  {SECRET}\r\n")
    monkeypatch.setenv("SERVER_ADDRESS", address.format(url=capture.url, port=capture.url.rsplit(":", 1)[1]))
    with _connect(capture.backend_url) as sv:
        assert isinstance(_first_call(sv), AuthenticationError)
    assert capture.keys == [SECRET]


def test_a_token_in_a_crlf_supervisely_env_goes_stripped_to_its_server(capture, home):
    (home / "supervisely.env").write_bytes(f"SERVER_ADDRESS={capture.url}\r\nAPI_TOKEN={SECRET} \r\n".encode())
    with _connect(capture.backend_url) as sv:
        _first_call(sv)
    assert capture.keys == [SECRET]


@pytest.mark.parametrize(
    "address", [None, "http://127.0.0.1:9", "https://127.0.0.1:{port}", "http://localhost:{port}", "127.0.0.1:{port}"]
)
@pytest.mark.parametrize("where", ["environment", "supervisely.env"])
def test_the_environment_token_is_not_sent_to_another_server(capture, monkeypatch, home, address, where):
    lines = {"API_TOKEN": SECRET}
    if address is not None:
        lines["SERVER_ADDRESS"] = address.format(port=capture.url.rsplit(":", 1)[1])
    if where == "environment":
        for name, value in lines.items():
            monkeypatch.setenv(name, value)
    else:
        (home / "supervisely.env").write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
    with pytest.raises(AuthenticationError) as caught:
        _connect(capture.backend_url)
    message = str(caught.value)
    assert "SERVER_ADDRESS" in message and "token=" in message and capture.url in message and "\n" not in message
    assert ("supervisely.env" in message) is (where == "supervisely.env")
    assert_hidden(SECRET, message, run=8)
    assert capture.seen == []


def test_an_explicit_token_goes_where_it_is_told_stripped(capture, monkeypatch):
    monkeypatch.setenv("API_TOKEN", "from-env")
    monkeypatch.setenv("SERVER_ADDRESS", "http://127.0.0.1:9")
    with _connect(capture.backend_url, token=f"\t{SECRET} \n") as sv:
        _first_call(sv)
    assert capture.keys == [SECRET]


def test_supervisely_api_server_address_does_not_divert_the_token(capture, other, monkeypatch):
    monkeypatch.setenv("SUPERVISELY_API_SERVER_ADDRESS", other.url + "/public/api")
    with _connect(capture.backend_url, token=SECRET) as sv:
        _first_call(sv)
    assert capture.keys == [SECRET] and other.seen == []


def test_a_redirect_to_another_port_does_not_carry_the_token(capture, other):
    capture.answer = lambda path, headers: (307, {"Location": other.url + path}, b"")
    with _connect(capture.backend_url, token=SECRET) as sv:
        _first_call(sv)
    assert capture.keys == [SECRET]
    assert len(other.seen) == 1 and other.keys == [None]


# -- tokens that cannot be a header -------------------------------------------------------------------

BAD = {
    "crlf": f"{SECRET[:8]}\r\n{SECRET[8:]}",
    "lf": f"{SECRET[:8]}\n{SECRET[8:]}",
    "escape": f"{SECRET[:8]}\x1b[2J{SECRET[8:]}",
    "non-latin-1": f"{SECRET[:8]}\u20ac{SECRET[8:]}",
    "latin-1": f"{SECRET[:8]}\u00e9{SECRET[8:]}",
    "empty": " \r\n",
}


@pytest.mark.parametrize("where", ["token=", "API_TOKEN"])
@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_token_is_one_line_before_any_request(capture, monkeypatch, where, kind):
    bad = BAD[kind]
    with pytest.raises(AuthenticationError) as caught:
        if where == "token=":
            _connect(capture.backend_url, token=bad).jobs.get(1)
        else:
            monkeypatch.setenv("API_TOKEN", bad)
            monkeypatch.setenv("SERVER_ADDRESS", capture.url)
            _connect(capture.backend_url).jobs.get(1)
    message = str(caught.value)
    assert "\n" not in message and ("is empty" if kind == "empty" else "cannot be sent as an HTTP header") in message
    assert (where if where != "token=" else "token= argument") in message and capture.url in message
    assert caught.value.__cause__ is None
    if bad.strip():
        assert_hidden(bad, message + repr(caught.value.args), run=8)
    assert capture.seen == []  # refused before the first request, so nothing to retry


# -- errors never repeat the token -------------------------------------------------------------------


def _echo(status: int, json_body: bool = True) -> Answer:
    """Answer `status` with a body holding the token the request carried in several forms, after 280 x's."""

    def answer(path: str, headers: dict) -> tuple[int, dict, bytes]:
        token = headers.get("x-api-key") or ""
        said = f"bad key {token!r} {quote(token, safe='')} {quote_plus(token)} {json.dumps(token)} {token}"
        if json_body:
            body = {"error": "x" * 280 + token, "details": {"message": said}}
            return status, {"Content-Type": "application/json"}, json.dumps(body).encode()
        return status, {"Content-Type": "text/plain"}, ("x" * 280 + token + said).encode()

    return answer


@pytest.mark.parametrize(
    ("status", "json_body", "kind"),
    [(401, True, AuthenticationError), (400, True, RequestRefused), (400, False, RequestRefused),
     (500, True, Unavailable), (409, False, Conflict), (403, True, Forbidden)],
)
def test_a_server_that_echoes_the_token_does_not_get_it_into_the_error(capture, status, json_body, kind):
    capture.answer = _echo(status, json_body)
    with _connect(capture.backend_url, token=SECRET) as sv:
        error = _first_call(sv)
    assert type(error) is kind and "***" in str(error)
    assert_hidden(SECRET, f"{error} {error.args!r}", run=8)
    assert capture.keys == [SECRET]


# -- plain http ------------------------------------------------------------------------------------------


def test_plain_http_to_another_host_warns_and_loopback_does_not():
    with pytest.warns(PlainHTTPWarning, match="plain http") as seen:
        annobridge.connect("supervisely+http://sv.example.com", token=SECRET).close()
    assert_hidden(SECRET, "".join(str(w.message) for w in seen), run=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlainHTTPWarning)
        for url in ("supervisely+http://127.0.0.1:8000", "supervisely+http://[::1]:8000", "supervisely+http://localhost",
                    "supervisely://sv.example.com"):
            annobridge.connect(url, token=SECRET).close()


# -- the sandbox ------------------------------------------------------------------------------------------


def test_a_token_pasted_with_crlf_works_on_the_sandbox_and_only_there(sandbox, home):
    (home / "supervisely.env").write_bytes(
        f"SERVER_ADDRESS={sandbox.server_address}\r\nAPI_TOKEN= {sandbox.token}\r\n".encode()
    )
    with annobridge.connect("supervisely+" + sandbox.server_address) as sv:
        assert sv.users.me().login == "admin"
    other = sandbox.server_address.replace("127.0.0.1", "localhost")
    with pytest.raises(AuthenticationError, match="is for SERVER_ADDRESS=http://127.0.0.1"):
        annobridge.connect("supervisely+" + other)
