"""A local TCP proxy that adds latency, not a bandwidth limit: each chunk is forwarded `delay` seconds after it arrived.

    >>> with DelayProxy("127.0.0.1", 8080, delay=0.025) as proxy:          # doctest: +SKIP
    ...     httpx.get(proxy.url + "/health")                                # pays >= 50 ms a round trip

One asyncio loop in a daemon thread; per connection and direction, a reader puts every chunk on a
queue with its due time (arrival + delay) and a writer sends them in order once due, so the bytes
stream on at full speed, only later. A request and its answer each cross once: one round trip pays
2 x delay. An end of stream is forwarded (half-close) after the same delay.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CHUNK = 64 * 1024


class DelayProxy:
    """A proxy on 127.0.0.1 (a free port) in front of host:port; start()/stop() or a context manager."""

    def __init__(self, host: str, port: int, *, delay: float = 0.025):
        self.host, self.port, self.delay = host, port, delay
        self.listen_port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()

    @classmethod
    def for_url(cls, url: str, *, delay: float = 0.025) -> DelayProxy:
        """A proxy in front of the host:port of a URL ("http://127.0.0.1:8000", "labelstudio+http://...")."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80, delay=delay)

    @property
    def address(self) -> str:
        """host:port to connect to instead of the target's."""
        return f"127.0.0.1:{self.listen_port}"

    def proxied(self, url: str) -> str:
        """`url` with its host:port replaced by the proxy's, scheme and path kept.

        >>> p = DelayProxy("127.0.0.1", 8000); p.listen_port = 9
        >>> p.proxied("labelstudio+http://127.0.0.1:8000/x")
        'labelstudio+http://127.0.0.1:9/x'
        """
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=self.address))

    def start(self) -> DelayProxy:
        """Listen, in a daemon thread; returns once the port is open."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", 0))
                self.listen_port = self._server.sockets[0].getsockname()[1]
            except BaseException as error:  # reported to start()'s caller
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name=f"delay-proxy-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure:
            raise failure[0]
        if self.listen_port is None:
            raise RuntimeError("the delay proxy did not start")
        return self

    def stop(self) -> None:
        """Close the listener and every connection, end the thread."""
        if self._loop is None or self._thread is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            asyncio.get_running_loop().stop()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        self._thread.join(timeout=10)
        self._loop = self._thread = None

    def __enter__(self) -> DelayProxy:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                client_writer.close()
                return
            try:
                await asyncio.gather(
                    self._pump(client_reader, upstream_writer), self._pump(upstream_reader, client_writer)
                )
            except (OSError, asyncio.IncompleteReadError):
                pass  # one side went away: close both
            finally:
                for writer in (client_writer, upstream_writer):
                    writer.close()
        finally:
            self._tasks.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy reader -> writer, each chunk `delay` after it arrived, in order; then the end of stream."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(send())
        try:
            while True:
                data = await reader.read(CHUNK)
                queue.put_nowait((loop.time() + self.delay, data))
                if not data:
                    break
            await sender
        finally:
            sender.cancel()
