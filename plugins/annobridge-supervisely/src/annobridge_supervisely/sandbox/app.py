"""The Starlette app: POST /public/api/v3/<method> checked for the token, dispatched, answered in Supervisely's shapes."""

from __future__ import annotations

import hmac
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import (
    activity,
    annotation_api,
    datasets,
    figure_tag_api,
    images,
    instance,
    job_actions,
    job_stats,
    jobs,
    lifecycle,
    projects,
    tasks,
    teams,
    users,
    workspaces,
)
from .defaults import DEFAULT_TOKEN
from .errors import ApiError, bad_request, unauthorized
from .seed import OWNER_LOGIN, bootstrap, seed_demo
from .store import Store

API_PREFIX = "/public/api/v3/"

log = logging.getLogger("annobridge.sandbox")

Handler = Callable[["Context", Any], Any]


@dataclass
class Context:
    """What a handler sees: the store, the token's owner, the base URL and the request headers."""

    store: Store
    user: dict
    base_url: str
    headers: Any = field(default_factory=dict)


def routes() -> dict[str, Handler]:
    """Every API method the sandbox answers, by Supervisely method name."""
    table: dict[str, Handler] = {}
    for module in (
        instance, users, teams, activity, workspaces, projects, datasets, images, annotation_api, figure_tag_api,
        jobs, job_actions, job_stats, lifecycle, tasks,
    ):
        overlap = table.keys() & module.ROUTES.keys()
        assert not overlap, f"methods registered twice: {overlap}"
        table.update(module.ROUTES)
    return table


def create_app(db_path: str | None = None, token: str = DEFAULT_TOKEN, seed: bool = True) -> Starlette:
    """A Supervisely-compatible app over SQLite (`db_path`, or memory when None).

    A fresh database gets the roles and the admin user (the owner of `token`), and with
    `seed` the demo team, workspace and "Lemons (Test)" project. An existing file is used
    as it is.

    >>> from starlette.testclient import TestClient
    >>> client = TestClient(create_app())
    >>> client.post("/public/api/v3/users.me", json={}, headers={"x-api-key": DEFAULT_TOKEN}).json()["login"]
    'admin'
    """
    if not token:
        raise ValueError("the sandbox needs a non-empty token")
    store = Store(db_path)
    if store.is_empty():
        with store.transaction():
            bootstrap(store)
            if seed:
                seed_demo(store)
    table = routes()
    calls: Counter = Counter()
    expected = token.encode()

    async def api(request: Request) -> Response:
        method = request.path_params["method"]
        calls[method] += 1
        try:
            given = request.headers.get("x-api-key", "").encode()
            if not hmac.compare_digest(given, expected):
                raise unauthorized()
            handler = table.get(method)
            if handler is None:
                raise ApiError(404, f"API method {method!r} is not implemented by the Supervisely sandbox")
            body = await _read_body(request)
            owner = store.one("SELECT * FROM users WHERE login = ?", (OWNER_LOGIN,))
            ctx = Context(store, owner, str(request.base_url).rstrip("/"), request.headers)
            with store.transaction():
                result = handler(ctx, body)
        except ApiError as error:
            return JSONResponse(error.body(), status_code=error.status)
        except Exception as error:  # a sandbox bug: say so, as a real server's 500 would
            log.exception("sandbox error in %s", method)
            return JSONResponse({"error": f"Internal sandbox error: {error!r}", "details": {}}, status_code=500)
        return result if isinstance(result, Response) else JSONResponse(result)

    async def home(request: Request) -> Response:
        return JSONResponse({"service": "Supervisely sandbox (annobridge)", "api": API_PREFIX})

    app = Starlette(
        routes=[
            Route(API_PREFIX + "{method:path}", api, methods=["POST", "GET"]),
            Route(images.STORAGE_PREFIX + "{image_id:int}", images.storage_endpoint(store), methods=["GET"]),
            Route("/", home, methods=["GET"]),
        ]
    )
    app.state.store = store
    app.state.calls = calls
    return app


async def _read_body(request: Request) -> Any:
    """JSON bodies as they are, multipart uploads as {"files": [(name, filename, bytes)]}, GET query as a dict."""
    if request.method == "GET":
        return dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        form = await request.form()
        files = []
        for name, value in form.multi_items():
            if hasattr(value, "read"):
                files.append((name, value.filename, await value.read()))
        return {"files": files}
    raw = await request.body()
    if not raw:
        return {}
    try:
        return await request.json()
    except ValueError:
        raise bad_request("request body is not valid JSON") from None
