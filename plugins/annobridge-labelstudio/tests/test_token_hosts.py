"""Where a Label Studio token goes: LABEL_STUDIO_API_KEY only to the server LABEL_STUDIO_URL names (where set),
stripped; a token that cannot be a header is refused before any request; no form of it in any error.

Requests go through the real label-studio-sdk to a capture server on 127.0.0.1, which records the
headers it saw; one test uses the real Label Studio server.
"""

from __future__ import annotations

import json
import warnings
from urllib.parse import quote, quote_plus

import pytest

import annobridge
from annobridge.errors import AnnobridgeError, AuthenticationError, NotFound, RequestRefused, Unavailable
from annobridge.testing.capture import Answer, Capture, assert_hidden
from annobridge.tokens import PlainHTTPWarning

SECRET = "Zq9x/K7m+Wv2=Lp4Rt8"  # '/', '+' and '=' change when URL-encoded


class LabelStudioCapture(Capture):
    """A capture server (answering 401 unless told otherwise) seen as a Label Studio backend."""

    @property
    def backend_url(self) -> str:
        return "labelstudio+" + self.url

    @property
    def authorizations(self) -> list[str | None]:
        return self.header("authorization")


@pytest.fixture
def capture():
    with LabelStudioCapture() as running:
        yield running


@pytest.fixture
def other():
    with LabelStudioCapture() as running:
        yield running


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    """No Label Studio variables of the user's, and a HOME of the test's own."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    return monkeypatch


def _first_call(backend) -> AnnobridgeError:
    with pytest.raises(AnnobridgeError) as caught:
        backend.projects.list()
    return caught.value


# -- LABEL_STUDIO_API_KEY and LABEL_STUDIO_URL --------------------------------------------------------


@pytest.mark.parametrize("url", [None, "{url}", "{url}/", "HTTP://127.0.0.1:{port}/ls \r\n"])
def test_the_environment_key_goes_stripped_where_label_studio_url_allows(capture, env, url):
    env.setenv("LABEL_STUDIO_API_KEY", f"  {SECRET}\r\n")
    if url is not None:
        env.setenv("LABEL_STUDIO_URL", url.format(url=capture.url, port=capture.url.rsplit(":", 1)[1]))
    with annobridge.connect(capture.backend_url, retries=0) as backend:
        assert isinstance(_first_call(backend), AuthenticationError)
    assert capture.authorizations == [f"Token {SECRET}"]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "https://127.0.0.1:{port}", "http://localhost:{port}", "127.0.0.1:{port}"]
)
def test_the_environment_key_is_not_sent_to_another_server(capture, env, url):
    env.setenv("LABEL_STUDIO_API_KEY", SECRET)
    env.setenv("LABEL_STUDIO_URL", url.format(port=capture.url.rsplit(":", 1)[1]))
    with pytest.raises(AuthenticationError) as caught:
        annobridge.connect(capture.backend_url, retries=0)
    message = str(caught.value)
    assert "LABEL_STUDIO_URL" in message and "token=" in message and capture.url in message
    assert "\n" not in message
    assert_hidden(SECRET, message)
    assert capture.seen == []


def test_an_explicit_token_goes_where_it_is_told_stripped(capture, env):
    env.setenv("LABEL_STUDIO_API_KEY", "from-env-" + SECRET)
    env.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    with annobridge.connect(capture.backend_url, token=f"\t{SECRET} \n", retries=0) as backend:
        _first_call(backend)
    assert capture.authorizations == [f"Token {SECRET}"]


# -- tokens that cannot be a header ---------------------------------------------------------------------

BAD = {
    "crlf": f"{SECRET[:8]}\r\n{SECRET[8:]}",
    "lf": f"{SECRET[:8]}\n{SECRET[8:]}",
    "escape": f"{SECRET[:8]}\x1b[2J{SECRET[8:]}",
    "non-latin-1": f"{SECRET[:8]}\u20ac{SECRET[8:]}",
    "latin-1": f"{SECRET[:8]}\u00e9{SECRET[8:]}",
    "empty": " \r\n",
}


@pytest.mark.parametrize("where", ["token=", "LABEL_STUDIO_API_KEY"])
@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_token_is_one_line_before_any_request(capture, env, where, kind):
    bad = BAD[kind]
    if where == "token=":
        call = lambda: annobridge.connect(capture.backend_url, token=bad, check=True)  # noqa: E731
    else:
        env.setenv("LABEL_STUDIO_API_KEY", bad)
        env.setenv("LABEL_STUDIO_URL", capture.url)
        call = lambda: annobridge.connect(capture.backend_url, check=True)  # noqa: E731
    with pytest.raises(AuthenticationError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message and ("is empty" if kind == "empty" else "cannot be sent as an HTTP header") in message
    assert (where if where != "token=" else "token= argument") in message and capture.url in message
    assert caught.value.__cause__ is None
    if bad.strip():
        assert_hidden(bad, message + repr(caught.value.args))
    assert capture.seen == []  # refused before the first request, so nothing to retry


# -- errors never repeat the token ---------------------------------------------------------------------


def _echo(status: int, json_body: bool = True) -> Answer:
    """Answer `status` with a body holding the token the request carried in several forms."""

    def answer(path: str, headers: dict) -> tuple[int, dict, bytes]:
        token = (headers.get("authorization") or "").split(" ", 1)[-1]
        said = f"bad key {token!r} {quote(token, safe='')} {quote_plus(token)} {json.dumps(token)} {token}"
        if json_body:
            return status, {"Content-Type": "application/json"}, json.dumps({"detail": said}).encode()
        return status, {"Content-Type": "text/plain"}, ("x" * 280 + token + said).encode()

    return answer


@pytest.mark.parametrize(
    ("status", "json_body", "kind"),
    [(401, True, AuthenticationError), (400, True, RequestRefused), (400, False, RequestRefused),
     (500, True, Unavailable), (404, False, NotFound)],
)
def test_a_server_that_echoes_the_token_does_not_get_it_into_the_error(capture, status, json_body, kind):
    capture.answer = _echo(status, json_body)
    with annobridge.connect(capture.backend_url, token=SECRET, retries=0) as backend:
        error = _first_call(backend)
    assert type(error) is kind and "***" in str(error)
    assert_hidden(SECRET, f"{error} {error.args!r}")
    assert capture.authorizations == [f"Token {SECRET}"]


def test_a_redirect_to_another_port_does_not_carry_the_token(capture, other):
    capture.answer = lambda path, headers: (302, {"Location": other.url + path}, b"")
    with annobridge.connect(capture.backend_url, token=SECRET, retries=0) as backend:
        _first_call(backend)
    assert capture.authorizations == [f"Token {SECRET}"]
    assert len(other.seen) == 1 and other.authorizations == [None]


# -- plain http ------------------------------------------------------------------------------------------


def test_plain_http_to_another_host_warns_and_loopback_does_not():
    with pytest.warns(PlainHTTPWarning, match="plain http") as seen:
        annobridge.connect("labelstudio+http://ls.example.com:8080", token=SECRET).close()
    assert_hidden(SECRET, "".join(str(w.message) for w in seen))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlainHTTPWarning)
        for url in ("labelstudio+http://127.0.0.1:8080", "labelstudio+http://[::1]:8080", "labelstudio+http://localhost",
                    "labelstudio://ls.example.com"):
            annobridge.connect(url, token=SECRET).close()
        annobridge.connect("labelstudio+http://ls.example.com").close()  # no token, nothing to warn about


# -- the real server --------------------------------------------------------------------------------------


def test_a_key_pasted_with_crlf_works_on_the_real_server_and_only_there(server, env):
    env.setenv("LABEL_STUDIO_API_KEY", f" {server.token}\r\n")
    env.setenv("LABEL_STUDIO_URL", server.url.upper() + "/")
    with annobridge.connect(server.backend_url) as backend:
        assert backend.users.me().login == server.username
    env.setenv("LABEL_STUDIO_URL", server.url.replace("127.0.0.1", "localhost"))
    with pytest.raises(AuthenticationError, match="LABEL_STUDIO_URL=http://localhost"):
        annobridge.connect(server.backend_url)
