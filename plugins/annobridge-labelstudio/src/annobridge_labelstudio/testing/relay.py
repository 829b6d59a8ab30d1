"""The Enterprise stand-in's link to the real server: pass a request on unchanged, or read from it; log which."""

from __future__ import annotations

from typing import Any

__all__ = ["Relay"]

_HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive"}


class Relay:
    """Requests to the real server behind the stand-in; `log` gets (method, path, "local"|"forwarded")."""

    def __init__(self, upstream: str, log: list[tuple[str, str, str]]) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=upstream, timeout=300)
        self.log = log

    def local(self, request: Any) -> None:
        """Note that the stand-in answers this request itself."""
        self.log.append((request.method, request.url.path, "local"))

    async def send(self, request: Any, path: str | None = None, method: str | None = None,
                   body: bytes | None = None) -> Any:
        """The request (or `method` on `path` with `body`) sent to the real server with the caller's headers."""
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        return await self.client.request(
            method or request.method, path or request.url.path, params=None if path else request.url.query,
            headers=headers, content=await request.body() if body is None else body,
        )

    async def forward(self, request: Any) -> Any:
        """The real server's answer to the request, unchanged."""
        from starlette.responses import Response

        self.log.append((request.method, request.url.path, "forwarded"))
        answer = await self.send(request)
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        return Response(answer.content, status_code=answer.status_code, headers=headers)

    async def read_json(self, request: Any, path: str) -> tuple[int, Any]:
        """GET `path` from the real server as the caller: (status, JSON or None)."""
        answer = await self.send(request, path=path, method="GET", body=b"")
        return answer.status_code, (answer.json() if answer.content else None)
