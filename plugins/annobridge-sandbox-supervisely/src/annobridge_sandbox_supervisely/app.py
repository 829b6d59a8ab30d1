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
    figure_edit_api,
    figure_tag_api,
    image_embeddings,
    images,
    instance,
    job_actions,
    job_stats,
    jobs,
    lifecycle,
    list_all,
    object_class_api,
    project_stats,
    projects,
    task_data,
    tag_edit_api,
    tag_meta_api,
    tasks,
    teams,
    users,
    video_annotations,
    videos,
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


_MODULES = (
    instance, users, teams, activity, workspaces, projects, datasets, images, image_embeddings, annotation_api,
    figure_tag_api, figure_edit_api, tag_meta_api, tag_edit_api,
    jobs, job_actions, job_stats, lifecycle, tasks, task_data, list_all, project_stats,
    videos, video_annotations, object_class_api,
)


def routes() -> dict[str, Handler]:
    """Every API method the sandbox answers, by Supervisely method name."""
    table: dict[str, Handler] = {}
    for module in _MODULES:
        overlap = table.keys() & module.ROUTES.keys()
        assert not overlap, f"methods registered twice: {overlap}"
        table.update(module.ROUTES)
    for module in _MODULES:  # a method shared by kinds of entity: the module that claims a request answers it
        for method, (claims, handler) in getattr(module, "CLAIMS", {}).items():
            table[method] = _claimed(claims, handler, table[method])
    return table


def _claimed(claims: Callable[["Context", Any], bool], handler: Handler, otherwise: Handler) -> Handler:
    """`handler` for the requests `claims` says are its, `otherwise` for the rest."""
    return lambda ctx, body: (handler if claims(ctx, body) else otherwise)(ctx, body)


def refused() -> dict[str, str]:
    """API methods the sandbox declines on purpose, each with why (a module's optional REFUSED table)."""
    table: dict[str, str] = {}
    for module in _MODULES:
        table.update(getattr(module, "REFUSED", {}))
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
    table, declined = routes(), refused()
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
                raise _unserved(method, declined.get(method))
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


def _unserved(method: str, why: str | None) -> ApiError:
    """404 naming the method, with the reason when the sandbox declines it on purpose."""
    if why:
        return ApiError(404, f"API method {method!r} is not served by the Supervisely sandbox: {why}")
    return ApiError(404, f"API method {method!r} is not implemented by the Supervisely sandbox")


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
