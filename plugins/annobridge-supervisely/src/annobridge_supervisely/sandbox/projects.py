"""Projects: projects.list/info/add/editInfo/archive, projects.meta(.update), projects.settings.update (ProjectApi)."""

from __future__ import annotations

from .activity import record
from .errors import bad_request, field, int_list, not_found
from .imaging import storage_url
from .paging import page
from .project_clone import INCLUDE_DEFAULTS, clone_project
from .project_meta import meta_json, replace_meta
from .store import Store, dumps, loads, now
from .tasks import record_finished_task
from .workspaces import get_workspace

NAME_MAX = 255
"""The longest project name Supervisely takes (the SDK's own "New Project Name" inputs allow 1 to 255 characters)."""


def project_name(body, default=...) -> str:
    """The request's project name, or 400 for a blank one or one over NAME_MAX, as Supervisely answers.

    >>> project_name({"name": "Lemons"})
    'Lemons'
    >>> project_name({"name": "  "})
    Traceback (most recent call last):
    annobridge_supervisely.sandbox.errors.ApiError: "name" is not allowed to be empty
    """
    name = field(body, "name", str, default=default)
    if not name.strip():
        raise bad_request('"name" is not allowed to be empty', field="name")
    if len(name) > NAME_MAX:
        raise bad_request(f'"name" length must be less than or equal to {NAME_MAX} characters long', field="name")
    return name


def get_project(store: Store, project_id: int) -> dict:
    """The projects row with its team_id, or 404."""
    row = store.one(
        "SELECT p.*, w.team_id FROM projects p JOIN workspaces w ON w.id = p.workspace_id WHERE p.id = ?",
        (project_id,),
    )
    if row is None:
        raise not_found("Project", project_id)
    return row


def project_json(store: Store, row: dict, base_url: str) -> dict:
    """ProjectInfo fields in info_sequence order (size as a string, as the API sends bigints)."""
    stats = store.one(
        "SELECT COUNT(i.id) AS images, COALESCE(SUM(b.size), 0) AS size, MIN(i.id) AS first_image "
        "FROM datasets d LEFT JOIN images i ON i.dataset_id = d.id LEFT JOIN blobs b ON b.hash = i.hash "
        "WHERE d.project_id = ?",
        (row["id"],),
    )
    datasets_count = store.scalar("SELECT COUNT(*) FROM datasets WHERE project_id = ?", (row["id"],))

    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "size": str(stats["size"]),
        "readme": row["readme"],
        "workspaceId": row["workspace_id"],
        "imagesCount": stats["images"],
        "itemsCount": stats["images"],
        "datasetsCount": datasets_count,
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "type": row["type"],
        "referenceImageUrl": storage_url(base_url, stats["first_image"]) if stats["first_image"] else None,
        "customData": loads(row["custom_data"], {}),
        "backupArchive": None,
        "teamId": row["team_id"],
        "settings": loads(row["settings"], {}),
        "importSettings": None,
        "version": None,
        "createdBy": row["created_by"],
        "embeddingsEnabled": False,
        "embeddingsUpdatedAt": None,
        "embeddingsInProgress": False,
        "localEntitiesCount": stats["images"],
        "remoteEntitiesCount": 0,
        "groupId": row["team_id"],
    }


def projects_list(ctx, body) -> dict:
    """projects.list {workspaceId | groupId (team), filter, fields}."""
    workspace_id = field(body, "workspaceId", int, default=None)
    team_id = field(body, "groupId", int, default=None)
    sql = "SELECT p.*, w.team_id FROM projects p JOIN workspaces w ON w.id = p.workspace_id"
    if workspace_id is not None:
        get_workspace(ctx.store, workspace_id)
        rows = ctx.store.rows(sql + " WHERE p.workspace_id = ?", (workspace_id,))
    elif team_id is not None:
        rows = ctx.store.rows(sql + " WHERE w.team_id = ?", (team_id,))
    else:
        raise bad_request("projects.list needs 'workspaceId' or 'groupId'", field="workspaceId")
    return page([project_json(ctx.store, row, ctx.base_url) for row in rows], body)


def projects_info(ctx, body) -> dict:
    """projects.info {id}."""
    return project_json(ctx.store, get_project(ctx.store, field(body, "id", int)), ctx.base_url)


def projects_add(ctx, body) -> dict:
    """projects.add {name, workspaceId, description, type, readme?, settings?, customData?}."""
    workspace = get_workspace(ctx.store, field(body, "workspaceId", int))
    name = project_name(body)
    kind = field(body, "type", str, default="images")
    if kind != "images":
        raise bad_request(f"the sandbox holds image projects only, not {kind!r}", field="type")
    if ctx.store.one("SELECT id FROM projects WHERE workspace_id = ? AND name = ?", (workspace["id"], name)):
        raise bad_request(f"project {name!r} already exists in workspace {workspace['id']}", field="name")
    stamp = now()
    project_id = ctx.store.execute(
        "INSERT INTO projects (workspace_id, name, description, readme, type, custom_data, settings, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            workspace["id"], name, field(body, "description", str, default=""),
            field(body, "readme", str, default=""), kind,
            dumps(field(body, "customData", dict, default={})), dumps(field(body, "settings", dict, default={})),
            ctx.user["id"], stamp, stamp,
        ),
    )
    record(ctx.store, "create_project", user_id=ctx.user["id"], project_id=project_id)
    return project_json(ctx.store, get_project(ctx.store, project_id), ctx.base_url)


def projects_edit(ctx, body) -> dict:
    """projects.editInfo {id, name?, description?, readme?, customData?}."""
    row = get_project(ctx.store, field(body, "id", int))
    ctx.store.execute(
        "UPDATE projects SET name = ?, description = ?, readme = ?, custom_data = ?, updated_at = ? WHERE id = ?",
        (
            project_name(body, default=row["name"]),
            field(body, "description", str, default=row["description"]),
            field(body, "readme", str, default=row["readme"]),
            dumps(field(body, "customData", dict, default=loads(row["custom_data"], {}))),
            now(),
            row["id"],
        ),
    )
    return project_json(ctx.store, get_project(ctx.store, row["id"]), ctx.base_url)


def projects_clone(ctx, body) -> dict:
    """projects.clone {id, workspaceId, name, include?, datasetIds?} -> {"taskId"}: ProjectApi.clone(_advanced).

    The copy is made at once; the answered task is already finished and names the new project
    in meta.output.project.id, where the cloning tutorial reads it.
    """
    started = now()
    if "id" not in body and ("sharedLinkToken" in body or "explorePath" in body):
        raise bad_request("the sandbox clones projects by 'id' only (it has no shared links or Explore)", field="id")
    source = get_project(ctx.store, field(body, "id", int))
    workspace = get_workspace(ctx.store, field(body, "workspaceId", int))
    name = project_name(body)
    if ctx.store.one("SELECT id FROM projects WHERE workspace_id = ? AND name = ?", (workspace["id"], name)):
        raise bad_request(f"project {name!r} already exists in workspace {workspace['id']}", field="name",
                          type="NONUNIQUE")
    include = {**INCLUDE_DEFAULTS, **_include(body)}
    dataset_ids = int_list(body, "datasetIds", default=None)
    project_id = ctx.store.execute(
        "INSERT INTO projects (workspace_id, name, description, readme, type, custom_data, settings, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?)",
        (workspace["id"], name, source["description"], source["readme"], source["type"], source["custom_data"],
         ctx.user["id"], started, started),
    )
    clone_project(ctx.store, source, get_project(ctx.store, project_id), include, dataset_ids)
    record(ctx.store, "create_project", user_id=ctx.user["id"], project_id=project_id)
    meta = {"output": {"project": {"id": project_id}}}
    return {"taskId": record_finished_task(ctx.store, workspace["id"], "clone", ctx.user["id"], meta, started)}


def _include(body) -> dict[str, bool]:
    include = field(body, "include", dict, default={})
    for key, value in include.items():
        if key not in INCLUDE_DEFAULTS:
            raise bad_request(f"include.{key} is not a clone option ({', '.join(INCLUDE_DEFAULTS)})", field="include")
        if not isinstance(value, bool):
            raise bad_request(f"include.{key} must be a boolean, got {value!r}", field="include")
    return include


def projects_archive(ctx, body) -> dict:
    """projects.archive {id}: ProjectApi.remove; the project and all in it go away."""
    row = get_project(ctx.store, field(body, "id", int))
    ctx.store.execute("DELETE FROM projects WHERE id = ?", (row["id"],))
    return {"success": True}


def projects_meta(ctx, body) -> dict:
    """projects.meta {id}: classes and tags with ids."""
    return meta_json(ctx.store, get_project(ctx.store, field(body, "id", int))["id"])


def projects_meta_update(ctx, body) -> dict:
    """projects.meta.update {id, meta}: answers the stored meta (with ids), as instances >= 6.8.69 do."""
    row = get_project(ctx.store, field(body, "id", int))
    meta = replace_meta(ctx.store, row["id"], field(body, "meta", dict))
    ctx.store.execute("UPDATE projects SET updated_at = ? WHERE id = ?", (now(), row["id"]))
    return meta


def projects_settings_update(ctx, body) -> dict:
    """projects.settings.update {id, settings}."""
    row = get_project(ctx.store, field(body, "id", int))
    ctx.store.execute("UPDATE projects SET settings = ? WHERE id = ?", (dumps(field(body, "settings", dict)), row["id"]))
    return {"success": True}


ROUTES = {
    "projects.list": projects_list,
    "projects.info": projects_info,
    "projects.add": projects_add,
    "projects.editInfo": projects_edit,
    "projects.archive": projects_archive,
    "projects.clone": projects_clone,
    "projects.meta": projects_meta,
    "projects.meta.update": projects_meta_update,
    "projects.settings.update": projects_settings_update,
}
