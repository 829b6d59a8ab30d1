"""A stand-in for the Enterprise-only endpoints, in front of a real (Community) Label Studio server.

It answers /api/version as Enterprise and serves task assignments, annotation reviews, project
members, pauses, organization roles and s3s storage records itself, from memory, and a project's
annotation history from the real server's annotations and its own reviews; every other request
goes on to the real server unchanged, so projects, tasks and annotations stay real. Task assignments, the
project's assignment settings and imports (answered asynchronously, as Enterprise does) are enterprise_tasks.py's.

People and reviews follow label-studio-sdk 2.1.2's models (label_studio_sdk/types/*.py and the clients
organizations/members, projects/members/paginated, annotation_reviews, projects/pauses):

- GET /api/organizations/{id}/memberships/{uid}/ is the real server's own answer (the documented OrganizationMember:
  user, organization, counts, created_at; no role) for every member, 404 for anyone else.
- GET /api/organizations/{id}/memberships is the real server's page with each member's `role` added
  (LseOrganizationMemberList.role, the documented place of a member's role). PATCH .../memberships answers an
  LseOrganizationMemberList. Silent in the documentation, chosen conservatively: the organization's creator is Owner
  (OW), anyone the stand-in was not given a role for is Not Activated (NO, the role that grants nothing), a PATCH for
  a non-member is 404, and a `role` filter is refused (400) rather than ignored.
- GET /api/projects/{id}/members/paginated/ lists PaginatedProjectMember: the explicit members, and unless
  `implicit=false` the implicit ones too (organization Owners and Administrators; the stand-in models no workspaces),
  each with `implicit_member` (false for an explicit member, as the SDK's docstring says).
- POST /api/annotation-reviews/ takes AnnotationReviewRequest (which has `comment`) and answers AnnotationReview
  (which has none); the comment is kept only for the annotation history (AnnotationHistory.comment). A second
  review of the same annotation by the same reviewer is a new review (nothing documents a refusal); a review of
  an annotation the real server does not have is 400.
- GET .../members/{uid}/pauses/ lists only pauses not resumed (deleted_at null) unless `include_deleted=true`.
- /api/storages/s3s/ (and export/s3s) keep LseS3ImportStorage records: `project` and `role_arn` required (400
  naming the field, as Django REST framework does), the AWS key, secret and session token never answered back
  (io_storages/s3/serializers.py `secure_fields`); the stand-in reaches no bucket, so nothing syncs.

Example::

    with EnterpriseStandIn(server.url) as ee:
        backend = annobridge.connect("labelstudio+" + ee.url, token=server.token)
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from datetime import datetime, timezone
from typing import Any

from .enterprise_tasks import TaskRoutes
from .relay import Relay

__all__ = ["EnterpriseStandIn"]

SECURE_FIELDS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")  # never answered back



def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class EnterpriseStandIn:
    """A Starlette app on 127.0.0.1 (uvicorn in a thread); `log` lists (method, path, "local"|"forwarded")."""

    def __init__(self, upstream: str, *, async_assignments: bool = False) -> None:
        self.upstream = upstream.rstrip("/")
        self.async_assignments = async_assignments  # bulk assignments answer {async: true} and show later
        self.url = ""
        self.log: list[tuple[str, str, str]] = []
        self.assignments: dict[tuple[int, int], list[dict[str, Any]]] = {}  # (project, task) -> assignments
        self.reviews: dict[int, dict[str, Any]] = {}
        self.members: dict[int, set[int]] = {}
        self.pauses: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self.roles: dict[int, str] = {}  # user -> organization role code, as PATCHed
        self._owners: dict[int, int | None] = {}  # organization -> its creator
        self.storages: dict[tuple[str, int], dict[str, Any]] = {}  # ("import"|"export", id) -> an s3s storage
        self.distribution: dict[int, str] = {}  # project -> label_stream_task_distribution, as PATCHed
        self.imports: dict[int, dict[str, Any]] = {}  # import id -> its ProjectImport
        self.ids = itertools.count(1)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> EnterpriseStandIn:
        import uvicorn

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="enterprise-stand-in")
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Enterprise stand-in did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> EnterpriseStandIn:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def local(self, path_part: str = "") -> list[tuple[str, str]]:
        """The requests the stand-in answered itself (method, path), optionally only those containing `path_part`."""
        return [(m, p) for m, p, how in self.log if how == "local" and path_part in p]

    # ---------------------------------------------------------------- the app

    def app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Route

        relay = Relay(self.upstream, self.log)
        local, forward, upstream, upstream_json = relay.local, relay.forward, relay.send, relay.read_json

        async def version(request: Request) -> Response:
            local(request)
            status, data = await upstream_json(request, "/api/version/")
            return JSONResponse({**(data or {}), "edition": "Enterprise"}, status_code=status)

        # -------- reviews
        async def reviews(request: Request) -> Response:
            local(request)
            if request.method == "GET":
                found = list(self.reviews.values())
                if request.query_params.get("annotation"):
                    found = [r for r in found if r["annotation"] == int(request.query_params["annotation"])]
                if request.query_params.get("annotation__task__project"):
                    project = int(request.query_params["annotation__task__project"])
                    found = [r for r in found if r["_project"] == project]
                return JSONResponse([_public(r) for r in found])
            body = await request.json()
            status, annotation = await upstream_json(request, f"/api/annotations/{body.get('annotation')}/")
            if status != 200:
                return JSONResponse({"detail": f"annotation {body.get('annotation')} not found"}, status_code=400)
            review = {"id": next(self.ids), "annotation": annotation["id"], "accepted": bool(body.get("accepted")),
                      "_comment": body.get("comment"), "created_at": _now(), "created_by": None,
                      "_project": annotation.get("project")}
            self.reviews[review["id"]] = review
            return JSONResponse(_public(review), status_code=201)

        async def review(request: Request) -> Response:
            local(request)
            rid = request.path_params["rid"]
            if rid not in self.reviews:
                return JSONResponse({"detail": "Not found."}, status_code=404)
            if request.method == "DELETE":
                del self.reviews[rid]
                return Response(status_code=204)
            if request.method == "PATCH":
                changes = await request.json()
                self.reviews[rid].update({("_" + k if k == "comment" else k): v for k, v in changes.items()
                                          if k in ("accepted", "comment")})
            return JSONResponse(_public(self.reviews[rid]))

        # -------- members, roles, pauses
        async def members(request: Request) -> Response:
            local(request)
            pid = request.path_params["pid"]
            people = self.members.setdefault(pid, set())
            if request.method == "POST":
                user = int((await request.json())["user"])
                people.add(user)
                return JSONResponse({"user": user}, status_code=201)
            people.discard(int(request.query_params.get("user", 0)))
            return Response(status_code=204)

        async def owner(request: Request, org: int) -> int | None:
            if org not in self._owners:
                status, data = await upstream_json(request, f"/api/organizations/{org}")
                creator = (data or {}).get("created_by") if status == 200 else None
                self._owners[org] = creator.get("id") if isinstance(creator, dict) else creator
            return self._owners[org]

        async def role_of(request: Request, org: int, uid: int) -> str:
            if uid in self.roles:
                return self.roles[uid]
            return "OW" if uid == await owner(request, org) else "NO"

        async def members_page(request: Request) -> Response:
            local(request)
            pid, query = request.path_params["pid"], request.query_params
            people = {user: False for user in sorted(self.members.get(pid, set()))}  # user -> implicit_member
            if query.get("implicit", "").lower() != "false":
                status, project = await upstream_json(request, f"/api/projects/{pid}/")
                org = (project or {}).get("organization") if status == 200 else None
                status, users = await upstream_json(request, "/api/users/") if org else (0, None)
                for user in users if status == 200 else []:
                    if user["id"] not in people and await role_of(request, org, user["id"]) in ("OW", "AD"):
                        people[user["id"]] = True
            page, size = int(query.get("page", 1)), int(query.get("page_size", 100))
            chosen = list(people.items())[(page - 1) * size: page * size]
            if page > 1 and not chosen:
                return JSONResponse({"detail": "Invalid page."}, status_code=404)
            results = []
            for user, implicit in chosen:
                status, data = await upstream_json(request, f"/api/users/{user}/")
                if status == 200:
                    results.append({**data, "implicit_member": implicit})
            more = page * size < len(people)
            return JSONResponse({"count": len(people), "previous": None, "results": results,
                                 "next": f"{request.url.path}?page={page + 1}&page_size={size}" if more else None})

        async def memberships(request: Request) -> Response:
            local(request)
            org = request.path_params["oid"]
            if request.method == "GET":  # the real server's page, with each member's role
                if request.query_params.get("role"):
                    return JSONResponse({"detail": "the stand-in does not filter members by role"}, status_code=400)
                answer = await upstream(request)
                if answer.status_code != 200:
                    return Response(answer.content, status_code=answer.status_code,
                                    media_type=answer.headers.get("content-type"))
                data = answer.json()
                for member in data.get("results") or []:
                    user = member.get("user")
                    member["role"] = await role_of(request, org, user.get("id") if isinstance(user, dict) else user)
                return JSONResponse(data)
            body = await request.json()
            uid, role = int(body["user_id"]), body.get("role")
            if role not in ("OW", "AD", "MA", "RE", "AN", "DI", "NO"):
                return JSONResponse({"role": [f"\"{role}\" is not a valid choice."]}, status_code=400)
            status, _ = await upstream_json(request, f"/api/organizations/{org}/memberships/{uid}/")
            if status != 200:
                return JSONResponse({"detail": "Not found."}, status_code=404)
            self.roles[uid] = role
            _, user = await upstream_json(request, f"/api/users/{uid}/")
            return JSONResponse({"organization": org, "role": role, "user": user})

        async def pauses(request: Request) -> Response:
            local(request)
            key = (request.path_params["pid"], request.path_params["uid"])
            current = self.pauses.setdefault(key, [])
            if request.method == "POST":
                body = await request.json()
                pause = {"id": next(self.ids), "project": key[0], "user": key[1], "reason": body.get("reason"),
                         "verbose_reason": body.get("verbose_reason"), "created_at": _now(), "deleted_at": None}
                current.append(pause)
                return JSONResponse(pause, status_code=201)
            resumed_too = request.query_params.get("include_deleted", "").lower() == "true"
            return JSONResponse([p for p in current if resumed_too or p["deleted_at"] is None])

        async def pause(request: Request) -> Response:
            local(request)
            key = (request.path_params["pid"], request.path_params["uid"])
            found = [p for p in self.pauses.get(key, []) if p["id"] == request.path_params["id"]]
            if not found:
                return JSONResponse({"detail": "Not found."}, status_code=404)
            if request.method == "DELETE":
                found[0]["deleted_at"] = _now()
                return Response(status_code=204)
            return JSONResponse(found[0])

        # -------- annotation history (read from the real annotations and the stand-in's reviews), s3s storages
        async def history(request: Request) -> Response:
            local(request)
            pid = request.path_params["pid"]
            tasks, page = [], 1
            while True:  # the real server's tasks, 1000 a page, with their annotations
                query = f"project={pid}&fields=all&page={page}&page_size=1000"
                status, data = await upstream_json(request, f"/api/tasks/?{query}")
                tasks += (data or {}).get("tasks") or [] if status == 200 else []
                if status != 200 or len((data or {}).get("tasks") or []) < 1000:
                    break
                page += 1
            entries, task_of = [], {}
            for task in tasks:
                for ann in task.get("annotations") or []:
                    task_of[ann["id"]] = task["id"]
                    entries.append({"action": "skipped" if ann.get("was_cancelled") else "submitted",
                                    "annotation_id": ann["id"], "task_id": task["id"], "project_id": pid,
                                    "created_at": ann.get("created_at"), "created_by": ann.get("completed_by"),
                                    "result": ann.get("result"), "comment": None, "review_id": None})
            for r in self.reviews.values():
                if r["_project"] == pid:
                    entries.append({"action": "accepted" if r["accepted"] else "rejected", "review_id": r["id"],
                                    "annotation_id": r["annotation"], "task_id": task_of.get(r["annotation"]),
                                    "project_id": pid, "created_at": r["created_at"], "created_by": r["created_by"],
                                    "comment": r.get("_comment"), "result": None})
            entries.sort(key=lambda e: str(e["created_at"]))
            for n, entry in enumerate(entries, 1):
                entry["id"] = n
            page, size = int(request.query_params.get("page", 1)), int(request.query_params.get("page_size", 100))
            chunk = entries[(page - 1) * size: page * size]
            more = page * size < len(entries)
            return JSONResponse({"count": len(entries), "previous": None, "results": chunk,
                                 "next": f"{request.url.path}?page={page + 1}&page_size={size}" if more else None})

        async def s3s(request: Request) -> Response:
            local(request)
            direction = "export" if "/export/" in request.url.path else "import"
            sid = request.path_params.get("sid")
            if sid is None and request.method == "GET":
                project = int(request.query_params.get("project", 0))
                listed = [v for (d, _), v in self.storages.items() if d == direction and v["project"] == project]
                return JSONResponse(listed)
            if sid is None:
                body = await request.json()
                missing = {key: ["This field is required."] for key in ("project", "role_arn") if not body.get(key)}
                if missing:
                    return JSONResponse(missing, status_code=400)
                kept = {k: v for k, v in body.items() if k not in SECURE_FIELDS}
                storage = {**kept, "id": next(self.ids), "type": "s3s", "status": "initialized",
                           "last_sync": None, "last_sync_count": None, "created_at": _now()}
                self.storages[(direction, storage["id"])] = storage
                return JSONResponse(storage, status_code=201)
            if (direction, sid) not in self.storages:
                return JSONResponse({"detail": "Not found."}, status_code=404)
            if request.method == "DELETE":
                del self.storages[(direction, sid)]
                return Response(status_code=204)
            return JSONResponse(self.storages[(direction, sid)])

        all_methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        routes = [
            Route("/api/version", version), Route("/api/version/", version),
            *TaskRoutes(self, relay).routes(),
            Route("/api/annotation-reviews/", reviews, methods=["GET", "POST"]),
            Route("/api/annotation-reviews/{rid:int}/", review, methods=all_methods),
            Route("/api/projects/{pid:int}/members/", members, methods=["POST", "DELETE"]),
            Route("/api/projects/{pid:int}/members/paginated/", members_page),
            Route("/api/organizations/{oid:int}/memberships", memberships, methods=["GET", "PATCH"]),
            Route("/api/projects/{pid:int}/members/{uid:int}/pauses/", pauses, methods=["GET", "POST"]),
            Route("/api/projects/{pid:int}/members/{uid:int}/pauses/{id:int}/", pause, methods=all_methods),
            Route("/api/projects/{pid:int}/annotation-history/", history),
            Route("/api/storages/s3s/", s3s, methods=["GET", "POST"]),
            Route("/api/storages/s3s/{sid:int}", s3s, methods=["GET", "DELETE"]),
            Route("/api/storages/export/s3s", s3s, methods=["GET", "POST"]),
            Route("/api/storages/export/s3s/{sid:int}", s3s, methods=["GET", "DELETE"]),
            Route("/{path:path}", forward, methods=all_methods),
        ]
        return Starlette(routes=routes)


def _public(review: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in review.items() if not k.startswith("_")}


