"""A server on 127.0.0.1 that records the headers sent to it, and checks that no form of a token is in a text."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import quote, quote_plus

import httpx

__all__ = ["Answer", "Capture", "assert_hidden", "forms", "rejected"]

Answer = Callable[[str, dict], "tuple[int, dict, bytes]"]
"""How a Capture answers: (path, lower-cased request headers) -> (status, headers, body)."""


def rejected(path: str, headers: dict) -> tuple[int, dict, bytes]:
    """Answer 401, as a server does to a token it does not know.

    >>> rejected("/api/projects", {})
    (401, {'Content-Type': 'application/json'}, b'{"detail": "Invalid token."}')
    """
    return 401, {"Content-Type": "application/json"}, b'{"detail": "Invalid token."}'


class Capture:
    """A server on 127.0.0.1 that records each request's method, path and headers, and answers with `answer`.

    >>> with Capture() as capture:
    ...     status = httpx.get(capture.url + "/api", headers={"Authorization": "Token t"}, trust_env=False).status_code
    >>> status, capture.seen[0][:2], capture.header("authorization")
    (401, ('GET', '/api'), ['Token t'])
    """

    def __init__(self, answer: Answer = rejected) -> None:
        self.answer = answer
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                capture.seen.append((self.command, self.path, headers))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, extra, data = capture.answer(self.path, headers)
                self.send_response(status)
                for key, value in {**extra, "Content-Length": str(len(data))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815 - http.server's names

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def header(self, name: str) -> list[str | None]:
        """The `name` header (lower case) of each request so far, None where a request had none."""
        return [headers.get(name) for _, _, headers in self.seen]

    def close(self) -> None:
        """Stop the server and free its port."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def forms(token: str) -> list[str]:
    """Every way a message can hold `token`: as it is, repr, ascii, JSON, bytes repr, URL-encoded, nested.

    >>> "k+y" in forms("k+y"), "b'k+y'" in forms("k+y"), "k%2By" in forms("k+y"), "k%2by" in forms("k+y")
    (True, True, True, True)
    """
    found = [
        token,
        repr(token),
        ascii(token),
        json.dumps(token),
        json.dumps(token, ensure_ascii=False),
        repr(token.encode("utf-8")),
        str(token.encode("utf-8")),
        token.encode("unicode_escape").decode("ascii"),
        quote(token),
        quote(token, safe=""),
        quote_plus(token),
        re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(token, safe="")),
        repr(repr(token)),
        repr({"token": token}),
        repr((token,)),
        json.dumps({"token": token}),
        str(httpx.URL("http://h/", params={"t": token})),
    ]
    try:
        found += [repr(token.encode("latin-1")), quote(token, encoding="latin-1")]
    except UnicodeEncodeError:
        pass
    return found


def assert_hidden(token: str, text: str, run: int = 4) -> None:
    """Assert that `text` holds no form of `token` (stripped or not), nor any `run` of its letters and digits
    in a row; a run of one repeated character says nothing of the token and is let through.

    >>> assert_hidden("Zq9x/K7m", "the key *** was refused")
    >>> assert_hidden("Zq9x/K7m", "the key ended in 9xK7")
    Traceback (most recent call last):
    AssertionError: part of the token in 'the key ended in 9xK7'...
    """
    for form in [f for t in {token, token.strip()} if t for f in forms(t)]:
        assert form not in text, f"{form!r} in {text!r}"
    core = "".join(c for c in token if c.isalnum())
    for start in range(len(core) - run + 1):
        part = core[start : start + run]
        assert len(set(part)) == 1 or part not in text, f"part of the token in {text!r}"
