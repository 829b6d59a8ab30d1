"""A fault-injecting HTTP proxy on 127.0.0.1 to put in front of a real server: drops, 503s, 429s, delays, truncations.

Example (in front of a live server)::

    plan = FaultPlan(seed=7, drop=0.05, unavailable=0.05, rate_limited=0.05, truncate=0.05)
    with FaultProxy("http://127.0.0.1:8080", plan) as proxy:
        backend = annobridge.connect(f"labelstudio+{proxy.url}", token=token)
        backend.projects.list()
        proxy.injected_counts()  # -> {'drop': 1, ...}

Each request is forwarded unchanged (streamed, keep-alive on both sides) unless the seeded plan
picks a fault for it. `drop` closes the connection before the server sees the request; `lost_answer`
forwards it and then closes without answering; `unavailable` and `rate_limited` answer 503 and 429
(with Retry-After) without forwarding; `delay` waits before forwarding; `truncate` forwards and then
sends only half of the body it promised. Every fault is recorded as an Injection.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

__all__ = ["FAULT_KINDS", "FaultPlan", "FaultProxy", "Injection"]

FAULT_KINDS = ("drop", "lost_answer", "unavailable", "rate_limited", "delay", "truncate")
_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer", "upgrade"}


@dataclass(frozen=True)
class Injection:
    """One fault the proxy injected: what kind, into which request (method and path, never headers)."""

    kind: str
    method: str
    path: str


@dataclass
class FaultPlan:
    """Rates (0..1) of each fault per eligible request, drawn from a seeded generator.

    `eligible(method, path)` limits faults to some requests (e.g. those safe to repeat); `max_in_a_row`
    lets a request through after that many consecutive faults, so a bounded retry always gets one.

    >>> plan = FaultPlan(seed=1, unavailable=1.0)
    >>> plan.pick("GET", "/api/projects")
    'unavailable'
    """

    seed: int = 0
    drop: float = 0.0
    lost_answer: float = 0.0
    unavailable: float = 0.0
    rate_limited: float = 0.0
    delay: float = 0.0
    truncate: float = 0.0
    delay_seconds: float = 0.01
    retry_after: str = "0"
    max_in_a_row: int | None = None
    eligible: Callable[[str, str], bool] | None = None
    _random: random.Random = field(init=False, repr=False)
    _in_a_row: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        rates = {kind: getattr(self, kind) for kind in FAULT_KINDS}
        bad = {kind: rate for kind, rate in rates.items() if not 0 <= rate <= 1}
        if bad or sum(rates.values()) > 1:
            raise ValueError(f"fault rates must lie in [0, 1] and add up to at most 1, not {rates}")
        self._random = random.Random(self.seed)

    def pick(self, method: str, path: str) -> str | None:
        """The fault for this request, or None to forward it untouched."""
        if self.eligible is not None and not self.eligible(method, path):
            return None
        if self.max_in_a_row is not None and self._in_a_row >= self.max_in_a_row:
            self._in_a_row = 0
            return None
        draw = self._random.random()
        for kind in FAULT_KINDS:
            rate = getattr(self, kind)
            if draw < rate:
                self._in_a_row += 1
                return kind
            draw -= rate
        self._in_a_row = 0
        return None


class FaultProxy:
    """The proxy, served from a thread of its own on 127.0.0.1; a context manager.

    `url` is the proxy's address; `injected` the faults in order; `forwarded` how many requests
    reached the server (a lost answer and a truncation count: the server did see them).
    """

    def __init__(self, upstream: str, plan: FaultPlan | None = None, *, host: str = "127.0.0.1") -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// address, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self.upstream_host = parts.netloc
        self.plan = plan or FaultPlan()
        self.host = host
        self.port = 0
        self.injected: list[Injection] = []
        self.forwarded = 0
        self.received = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None
        self._stopped: asyncio.Event | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT, the address to connect to instead of the server's."""
        return f"http://{self.host}:{self.port}"

    def injected_counts(self) -> dict[str, int]:
        """How many faults of each kind were injected."""
        return dict(Counter(i.kind for i in self.injected))

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FaultProxy:
        """Serve in a background thread; returns once the proxy listens (RuntimeError after 10 s)."""
        self._thread = threading.Thread(target=self._serve, name="annobridge-fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (at most 10 s)."""
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        import httpx

        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        limits = httpx.Limits(max_keepalive_connections=20)
        async with httpx.AsyncClient(base_url=self.upstream, timeout=120, limits=limits) as client:
            self._client = client
            self._server = await asyncio.start_server(self._connection, self.host, 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()
            async with self._server:
                await self._stopped.wait()

    # ------------------------------------------------------------------ one connection

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass  # the client went away, or the proxy is stopping
        finally:
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request on the connection; False when the connection is to be closed."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = [tuple(line.split(":", 1)) for line in lines[1:] if ":" in line]
        headers = [(k.strip(), v.strip()) for k, v in headers]
        body = await _read_body(reader, {k.lower(): v for k, v in headers})
        self.received += 1
        path = target.split("?", 1)[0]
        kind = self.plan.pick(method, path)
        if kind is not None:
            self.injected.append(Injection(kind, method, path))
        if kind == "drop":
            return False
        if kind in ("unavailable", "rate_limited"):
            status = 503 if kind == "unavailable" else 429
            extra = f"Retry-After: {self.plan.retry_after}\r\n".encode() if status == 429 else b""
            text = b'{"detail": "injected by the fault proxy"}'
            writer.write(
                f"HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\n".encode()
                + extra
                + f"Content-Length: {len(text)}\r\n\r\n".encode()
                + text
            )
            await writer.drain()
            return True
        if kind == "delay":
            await asyncio.sleep(self.plan.delay_seconds)
        forward = [(k, v) for k, v in headers if k.lower() not in _HOP and k.lower() not in ("host", "content-length")]
        forward.append(("Host", self.upstream_host))
        request = self._client.build_request(method, target, headers=forward, content=body)
        response = await self._client.send(request, stream=True)
        self.forwarded += 1
        try:
            if kind == "lost_answer":
                return False
            out = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _HOP]
            length = response.headers.get("content-length")
            if kind == "truncate" or length is None:
                data = b"".join([chunk async for chunk in response.aiter_raw()])
                out = [(k, v) for k, v in out if k.lower() != "content-length"] + [("Content-Length", str(len(data)))]
                writer.write(_head(response, out))
                writer.write(data[: len(data) // 2] if kind == "truncate" else data)
                await writer.drain()
                return kind != "truncate"  # after a truncation the connection is closed
            writer.write(_head(response, out))
            async for chunk in response.aiter_raw():
                writer.write(chunk)
                await writer.drain()
            return True
        finally:
            await response.aclose()


def _head(response, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {response.status_code} {response.reason_phrase or 'OK'}"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers are sent by httpx or requests
                return bytes(body)
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    length = int(headers.get("content-length") or 0)
    return await reader.readexactly(length) if length else b""
