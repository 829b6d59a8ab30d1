"""API tokens: cleaned where they enter, sent only to the server they belong with, redacted from every message."""

from __future__ import annotations

import functools
import re
import warnings
from typing import TYPE_CHECKING, Any

from .errors import AuthenticationError, InvalidURL
from .urls import http_origin, is_loopback

if TYPE_CHECKING:
    from .urls import BackendURL

__all__ = ["REDACTED", "PlainHTTPWarning", "bound_token", "clean_token", "redact", "warn_plain_http"]

REDACTED = "***"
TOKEN_ARGUMENT = "the token= argument"
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


class PlainHTTPWarning(UserWarning):
    """A token is sent over plain http to a host that is not this machine."""


_SHOWN: dict = {}  # warn_plain_http's warnings registry


def clean_token(value: Any, source: str = TOKEN_ARGUMENT, server: str = "") -> str | None:
    """`value` without surrounding whitespace; AuthenticationError, showing no part of it, if it cannot be a header.

    A token is sent as an HTTP header value, so it must be visible ASCII: no line break, control
    character, space or non-ASCII character inside. `source` names where it came from.

    >>> clean_token("  0123abcd\\r\\n", "LABEL_STUDIO_API_KEY")
    '0123abcd'
    >>> clean_token("0123\\nabcd", "API_TOKEN")
    Traceback (most recent call last):
    annobridge.errors.AuthenticationError: the token from API_TOKEN cannot be sent as an HTTP header: it contains a line...
    """
    if value is None:
        return None
    if hasattr(value, "get_secret_value"):  # pydantic's SecretStr
        value = value.get_secret_value()
    where = f"the token from {source}" + (f" for {server}" if server else "")
    if not isinstance(value, str):
        raise AuthenticationError(f"{where} must be text, not {type(value).__name__}; nothing was sent")
    token = value.strip()
    if not token:
        raise AuthenticationError(f"{where} is empty; nothing was sent")
    found = dict.fromkeys(_problem(c) for c in token if not "!" <= c <= "~")
    if found:
        raise AuthenticationError(
            f"{where} cannot be sent as an HTTP header: it contains {' and '.join(found)}; nothing was sent"
        )
    return token


def _problem(char: str) -> str:
    if char in "\r\n":
        return "a line break (CR or LF)"
    if char == " ":
        return "a space"
    return "a control character" if ord(char) < 32 or ord(char) == 127 else "a non-ASCII character"


def redact(text: str, token: str | None) -> str:
    """`text` with every form of `token` replaced by ***: as it is, repr() or JSON escaped, bytes repr, URL-encoded.

    >>> redact("x-api-key: 'ab/c\\\\r' sent to /?k=ab%2Fc%0D", "ab/c\\r")
    'x-api-key: *** sent to /?k=***'
    >>> redact("nothing to hide", None)
    'nothing to hide'
    """
    if not token or not text:
        return text
    return _pattern(token).sub(REDACTED, text)


@functools.lru_cache(maxsize=8)
def _pattern(token: str) -> re.Pattern[str]:
    """A pattern matching `token` with each character in any of the forms a message can hold it in.

    Surrounding quotes of a repr go too: 'abc' and b'abc' become ***, not '***'.
    """
    body = "".join(_char(c) for c in token)
    return re.compile(rf"(?:b?'{body}'|b?\"{body}\"|{body})")


def _char(char: str) -> str:
    forms = {char, _hexes("%", char.encode("utf-8", "surrogatepass"))}
    if ord(char) < 256:
        forms.add(_hexes("%", bytes([ord(char)])))
    if char == " ":
        forms.add("+")
    escaped = {_ESCAPES.get(char, char), "\\/" if char == "/" else char}
    code = ord(char)
    if code < 32 or 127 <= code:
        escaped.add(_hexes("\\x", char.encode("utf-8", "surrogatepass")))  # bytes repr
        if code < 256:
            escaped.add(_hexes("\\x", bytes([code])))
        if code < 0x10000:
            escaped.add(f"\\u{code:04x}")
        else:  # ascii() and JSON's surrogate pair
            pair = char.encode("utf-16-be")
            escaped |= {f"\\U{code:08x}", f"\\u{pair[:2].hex()}\\u{pair[2:].hex()}"}
    for form in list(escaped):  # a repr of a repr: backslashes doubled, a quote maybe escaped again
        doubled = form.replace("\\", "\\\\")
        escaped |= {doubled, doubled.replace("'", "\\'"), doubled.replace('"', '\\"')}
    patterns = {re.escape(f) for f in forms | escaped}
    return "(?:" + "|".join(sorted(_any_case_hex(p) for p in patterns)) + ")"


def _hexes(prefix: str, data: bytes) -> str:
    return "".join(f"{prefix}{b:02x}" for b in data)


def _any_case_hex(pattern: str) -> str:
    """Letters of hex escapes (%2f, \\x0d, \\u00e9) matched in either case."""
    return re.sub(
        r"(%|\\\\x|\\\\u|\\\\U)([0-9a-f]+)",
        lambda m: m.group(1) + "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in m.group(2)),
        pattern,
    )


def bound_token(
    token: str,
    source: str,
    address: BackendURL,
    home: str | None,
    home_name: str,
    *,
    server: str,
    required: bool,
) -> str:
    """`token`, read from `source`, if `address` is the server `home` (read from `home_name`) names.

    Otherwise AuthenticationError in one line saying what to do; without `home`, the token is
    refused when `required` and used when not. Hosts compare lower-cased, with default ports.

    >>> from annobridge.urls import BackendURL
    >>> sv = BackendURL.parse("supervisely+http://127.0.0.1:8000")
    >>> bound_token("t0k", "API_TOKEN", sv, "HTTP://127.0.0.1:8000/", "SERVER_ADDRESS", server="sv", required=True)
    't0k'
    >>> bound_token("t0k", "API_TOKEN", sv, "http://127.0.0.1:9", "SERVER_ADDRESS", server="sv", required=True)
    Traceback (most recent call last):
    annobridge.errors.AuthenticationError: the token from API_TOKEN is for SERVER_ADDRESS=http://127.0.0.1:9, not for sv...
    """
    target = http_origin(address.http_url)
    advice = f"pass token= / --token, or set {home_name}={address.http_url}"
    home = (home or "").strip()
    if not home:
        if not required:
            return token
        raise AuthenticationError(
            f"the token from {source} is not sent to {server}: {home_name} is not set, "
            f"so nothing says which server the token is for; {advice}"
        )
    try:
        origin = http_origin(home)
    except InvalidURL:
        raise AuthenticationError(
            f"the token from {source} is not sent to {server}: {home_name} is not an http(s) URL; {advice}"
        ) from None
    if origin != target:
        scheme, host, port = origin
        shown = f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"
        raise AuthenticationError(
            f"the token from {source} is for {home_name}={shown}, not for {server}, so it is not sent there: {advice}"
        )
    return token


def warn_plain_http(address: BackendURL, server: str) -> bool:
    """Warn (PlainHTTPWarning) that a token goes over plain http, unless to this machine; True if it warned.

    >>> from annobridge.urls import BackendURL
    >>> warn_plain_http(BackendURL.parse("labelstudio+http://127.0.0.1:8080"), "ls")
    False
    """
    if address.transport != "http" or is_loopback(address.host):
        return False
    # Shown as one line ("annobridge:0: PlainHTTPWarning: ..."): with no source line to quote, a caller's
    # line that may hold the token is never printed; each message is shown once a process by default.
    warnings.warn_explicit(
        f"{server} is reached over plain http, so its token crosses the network unencrypted; "
        f"use {address.provider}://{address.http_url.split('://', 1)[1]} (https) unless the network is trusted",
        PlainHTTPWarning,
        "annobridge",
        0,
        module="annobridge.tokens",
        registry=_SHOWN,
    )
    return True
