"""The Enterprise stand-in's task routes: assignments, the project's assignment settings, and imports.

Sources: label-studio-sdk 2.1.2 (projects/assignments/raw_client.py, types/bulk_assign_assignments_response.py,
types/assignment_settings.py, types/project_import.py) and Label Studio's data_import/api.py, which says
non-Community editions answer an import with `{"import": <id>}` to poll.

- POST /api/projects/{id}/tasks/assignees answers 201 BulkAssignAssignmentsResponse {assignments, async, task_ids};
  no task limit (none is documented). With `async_assignments`, it answers {async: true, task_ids} and the
  assignments show from the second read of a task's assignees on (silent in the documentation: the count is left
  out of an async answer, since it is not known yet).
- A repeated (task, user, type) assignment is not made twice (conservative; counted once). One task's assignees:
  GET lists them, POST adds (201), PATCH replaces those of the type (200), DELETE removes (204).
- GET/PATCH /api/projects/{id}/ carry `assignment_settings` (AssignmentSettings: label_stream_task_distribution,
  "auto_distribution" until PATCHed); the rest of the project is the real server's.
- POST /api/projects/{id}/import is done by the real server and answered 201 {"import": id}; the first poll of
  GET /api/projects/{id}/imports/{import}/ says "in_progress", later ones the real answer as a ProjectImport
  ("completed", task_ids, counts); a refused import is the real server's refusal, unchanged.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

__all__ = ["TaskRoutes"]

AUTO = "auto_distribution"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class TaskRoutes:
    """The routes above, kept in `standin`'s state (assignments, settings, imports) and sent on through `relay`."""

    def __init__(self, standin: Any, relay: Any) -> None:
        self.standin, self.relay = standin, relay
        self.queued: list[tuple[int, list[int], str, list[int]]] = []  # async assignments not shown yet
        self.polled = False

    def routes(self) -> list[Any]:
        from starlette.routing import Route

        every = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return [
            Route("/api/projects/{pid:int}/tasks/assignees", self.bulk_assign, methods=["POST"]),
            Route("/api/projects/{pid:int}/tasks/{tid:int}/assignees", self.task_assignees, methods=every),
            Route("/api/dm/actions", self.actions, methods=every),
            Route("/api/dm/actions/", self.actions, methods=every),
            Route("/api/projects/{pid:int}/", self.project, methods=every),
            Route("/api/projects/{pid:int}/import", self.imports, methods=["POST"]),
            Route("/api/projects/{pid:int}/imports/{iid:int}/", self.import_status, methods=["GET"]),
        ]

    # ---------------------------------------------------------------- assignments

    def _assign(self, pid: int, tasks: list[int], kind: str, users: list[int]) -> int:
        made = 0
        for task in tasks:
            current = self.standin.assignments.setdefault((pid, task), [])
            for user in users:
                if not any(a["assignee"] == user and a["type"] == kind for a in current):
                    current.append({"id": next(self.standin.ids), "assignee": user, "task": task, "type": kind,
                                    "created_at": _now()})
                    made += 1
        return made

    async def bulk_assign(self, request: Any) -> Any:
        from starlette.responses import JSONResponse

        self.relay.local(request)
        pid, body = request.path_params["pid"], await request.json()
        selected = body.get("selectedItems") or {}
        if selected.get("all"):
            return JSONResponse({"detail": "the stand-in takes explicit task lists only"}, status_code=400)
        tasks, kind, users = selected.get("included") or [], body.get("type", "AN"), body.get("users") or []
        if self.standin.async_assignments:
            self.queued.append((pid, tasks, kind, users))
            self.polled = False
            return JSONResponse({"async": True, "task_ids": tasks}, status_code=201)
        made = self._assign(pid, tasks, kind, users)
        return JSONResponse({"assignments": made, "async": False, "task_ids": tasks}, status_code=201)

    async def task_assignees(self, request: Any) -> Any:
        from starlette.responses import JSONResponse, Response

        self.relay.local(request)
        pid, tid = request.path_params["pid"], request.path_params["tid"]
        if request.method == "GET" and self.queued:
            if self.polled:  # the background work is done by the second read
                for queued in self.queued:
                    self._assign(*queued)
                self.queued.clear()
            self.polled = True
        current = self.standin.assignments.setdefault((pid, tid), [])
        if request.method == "GET":
            return JSONResponse(current)
        if request.method == "DELETE":
            kind, users = request.query_params.get("type"), request.query_params.get("users")
            wanted = {int(u) for u in users.split(",")} if users else None
            current[:] = [a for a in current if not ((kind is None or a["type"] == kind)
                                                     and (wanted is None or a["assignee"] in wanted))]
            return Response(status_code=204)
        body = await request.json()
        if request.method == "PATCH":
            current[:] = [a for a in current if a["type"] != body.get("type", "AN")]
        for user in body.get("users") or []:
            current.append({"id": next(self.standin.ids), "assignee": user, "task": tid,
                            "type": body.get("type", "AN"), "created_at": _now()})
        return JSONResponse(current[-1] if current else {}, status_code=201 if request.method == "POST" else 200)

    async def actions(self, request: Any) -> Any:
        from starlette.responses import JSONResponse

        action = request.query_params.get("id")
        if action not in ("delete_annotators", "delete_reviewers"):
            return await self.relay.forward(request)
        self.relay.local(request)
        pid, body = int(request.query_params["project"]), await request.json()
        included = set((body.get("selectedItems") or {}).get("included") or [])
        kind, removed = ("AN" if action == "delete_annotators" else "RE"), 0
        for (project, task), current in self.standin.assignments.items():
            if project == pid and task in included:
                before = len(current)
                current[:] = [a for a in current if a["type"] != kind]
                removed += before - len(current)
        return JSONResponse({"processed_items": removed, "detail": f"Removed {removed} assignments"})

    # ---------------------------------------------------------------- the project's assignment settings

    async def project(self, request: Any) -> Any:
        import json

        from starlette.responses import JSONResponse

        pid = request.path_params["pid"]
        if request.method not in ("GET", "PATCH"):
            return await self.relay.forward(request)
        self.relay.local(request)
        body, wanted = b"", None
        if request.method == "PATCH":
            changes = await request.json()
            wanted = (changes.pop("assignment_settings", None) or {}).get("label_stream_task_distribution")
            if wanted is not None and wanted not in (AUTO, "assigned_only"):
                return JSONResponse({"label_stream_task_distribution": [f'"{wanted}" is not a valid choice.']},
                                    status_code=400)
            body = json.dumps(changes).encode()
        answer = await self.relay.send(request, body=body)
        if answer.status_code >= 300:
            return JSONResponse(answer.json(), status_code=answer.status_code)
        if request.method == "PATCH" and wanted is not None:
            self.standin.distribution[pid] = wanted
        chosen = self.standin.distribution.get(pid, AUTO)
        settings = {"id": pid, "project": pid, "label_stream_task_distribution": chosen}
        return JSONResponse({**answer.json(), "assignment_settings": settings}, status_code=answer.status_code)

    # ---------------------------------------------------------------- imports

    async def imports(self, request: Any) -> Any:
        from starlette.responses import JSONResponse, Response

        self.relay.local(request)
        answer = await self.relay.send(request)
        if answer.status_code >= 300:
            return Response(answer.content, status_code=answer.status_code,
                            media_type=answer.headers.get("content-type"))
        iid, done = next(self.standin.ids), answer.json()
        self.standin.imports[iid] = {**done, "id": iid, "project": request.path_params["pid"], "status": "completed",
                                     "created_at": _now(), "finished_at": _now(), "_polled": False}
        return JSONResponse({"import": iid}, status_code=201)

    async def import_status(self, request: Any) -> Any:
        from starlette.responses import JSONResponse

        self.relay.local(request)
        record = self.standin.imports.get(request.path_params["iid"])
        if record is None or record["project"] != request.path_params["pid"]:
            return JSONResponse({"detail": "Not found."}, status_code=404)
        public = {k: v for k, v in record.items() if not k.startswith("_")}
        if not record["_polled"]:  # the first poll finds it still running
            record["_polled"] = True
            keep = ("id", "project", "created_at")
            return JSONResponse({**{k: public[k] for k in keep}, "status": "in_progress"})
        return JSONResponse(public)
