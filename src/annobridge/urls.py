"""Backend URLs: `labelstudio+http://127.0.0.1:8080` parsed into a scheme and an HTTP address."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InvalidURL


@dataclass(frozen=True)
class BackendURL:
    """A parsed backend URL.

    >>> u = BackendURL.parse("labelstudio+http://127.0.0.1:8080")
    >>> (u.provider, u.http_url)
    ('labelstudio', 'http://127.0.0.1:8080')
    >>> BackendURL.parse("supervisely://app.supervisely.com").http_url
    'https://app.supervisely.com'
    """

    scheme: str
    provider: str
    transport: str
    host: str
    port: int | None
    path: str

    @classmethod
    def parse(cls, url: str) -> BackendURL:
        """Parse `url`; InvalidURL says what is wrong, never repeating a credential."""
        if not isinstance(url, str) or "://" not in url:
            raise InvalidURL(f"{_safe(url)!r} is not a backend URL; expected e.g. labelstudio+http://127.0.0.1:8080")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise InvalidURL(f"{_safe(url)!r} is not a valid URL: {exc}") from None
        if parts.username or parts.password:
            raise InvalidURL(
                f"{_safe(url)!r} carries credentials; tokens are never read from the URL, "
                "pass token= or use the vendor's environment variable"
            )
        if parts.query or parts.fragment:
            raise InvalidURL(f"{_safe(url)!r}: a backend URL takes no query string or fragment")
        scheme = parts.scheme.lower()
        provider, _, transport = scheme.partition("+")
        if not provider or not parts.hostname:
            raise InvalidURL(f"{_safe(url)!r} names no backend or no host; expected e.g. labelstudio+http://127.0.0.1:8080")
        transport = transport or "https"
        if transport not in ("http", "https"):
            raise InvalidURL(f"{_safe(url)!r}: transport must be http or https, not {transport!r}")
        return cls(scheme, provider, transport, parts.hostname or "", port, parts.path.rstrip("/"))

    @property
    def http_url(self) -> str:
        """The server's HTTP(S) base address."""
        netloc = f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            netloc += f":{self.port}"
        return f"{self.transport}://{netloc}{self.path}"

    @property
    def canonical(self) -> str:
        """One spelling per server, for comparing addresses: https as the bare scheme, default ports dropped.

        >>> BackendURL.parse("labelstudio+https://LS.example.com:443/").canonical
        'labelstudio://ls.example.com'
        """
        transport, host, port = http_origin(self.http_url)
        scheme = self.provider if transport == "https" else f"{self.provider}+http"
        shown = "" if port == {"http": 80, "https": 443}[transport] else f":{port}"
        return f"{scheme}://{f'[{host}]' if ':' in host else host}{shown}{self.path}"

    def __str__(self) -> str:
        return f"{self.scheme}://" + self.http_url.split("://", 1)[1]


def _safe(url: object) -> str:
    """`url` with any userinfo replaced, fit for an error message."""
    text = str(url)
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = "***@" + rest.split("@", 1)[1]
    return (scheme + sep + rest).split("?", 1)[0]


def http_origin(url: str) -> tuple[str, str, int]:
    """The (scheme, host, port) an http(s) URL sends to: host lower-cased, the default port filled in.

    Two addresses name the same server when their origins are equal; the path does not matter.

    >>> http_origin("HTTP://LocalHost/x"), http_origin("https://[::1]:8443/")
    (('http', 'localhost', 80), ('https', '::1', 8443))
    >>> http_origin("labelstudio+http://127.0.0.1:8080")
    ('http', '127.0.0.1', 8080)
    """
    text = str(url).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{_safe(text)!r} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower().rpartition("+")[2]
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURL(f"{_safe(text)!r} is not an http(s) URL with a host, e.g. http://127.0.0.1:8000")
    return scheme, parts.hostname.lower().rstrip("."), port or (80 if scheme == "http" else 443)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine: localhost, 127.0.0.0/8 or ::1 (a name is not looked up).

    >>> [is_loopback(h) for h in ("127.0.0.1", "127.8.9.10", "::1", "LOCALHOST", "10.0.0.1", "ls.example.com")]
    [True, True, True, True, False, False]
    """
    import ipaddress

    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)
