"""Projects: projects.list/info/add/editInfo/archive/remove.permanently/workspace.set, meta, settings (ProjectApi)."""

from __future__ import annotations

from . import archive
from .activity import record
from .errors import bad_request, field, int_list, not_found
from .imaging import storage_url
from .paging import page
from .project_clone import INCLUDE_DEFAULTS, clone_project
from .project_embeddings import embeddings_of, set_embeddings
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
    annobridge_sandbox_supervisely.errors.ApiError: "name" is not allowed to be empty
    """
    name = field(body, "name", str, default=default)
    if not name.strip():
        raise bad_request('"name" is not allowed to be empty', field="name")
    if len(name) > NAME_MAX:
        raise bad_request(f'"name" length must be less than or equal to {NAME_MAX} characters long', field="name")
    return name


def get_project(store: Store, project_id: int, removed: bool = False) -> dict:
    """The projects row with its team_id, or 404 (also for a removed project, unless `removed`)."""
    row = store.one(
        "SELECT p.*, w.team_id FROM projects p JOIN workspaces w ON w.id = p.workspace_id WHERE p.id = ?",
        (project_id,),
    )
    if row is None or (not removed and archive.project_archived(store, project_id)):
        raise not_found("Project", project_id)
    return row


def name_taken(store: Store, workspace_id: int, name: str) -> bool:
    """True when a project of the workspace, not removed, has the name (a removed one frees it)."""
    return store.one(f"SELECT p.id FROM projects p WHERE p.workspace_id = ? AND p.name = ? AND {archive.LIVE_PROJECT}",
                     (workspace_id, name)) is not None


def live_dataset_rows(store: Store, project_id: int) -> list[dict]:
    """The project's dataset rows, in id order, without removed ones and those nested in them."""
    rows = store.rows("SELECT * FROM datasets WHERE project_id = ? ORDER BY id", (project_id,))
    return archive.live_datasets(store, rows)


def project_json(store: Store, row: dict, base_url: str) -> dict:
    """ProjectInfo fields in info_sequence order (size as a string, as the API sends bigints)."""
    dataset_ids = [dataset["id"] for dataset in live_dataset_rows(store, row["id"])]
    stats = store.one(
        "SELECT COUNT(i.id) AS images, COALESCE(SUM(b.size), 0) AS size, MIN(i.id) AS first_image "
        "FROM images i JOIN blobs b ON b.hash = i.hash WHERE i.dataset_id IN (SELECT value FROM json_each(?))",
        (dumps(dataset_ids),),
    )
    datasets_count = len(dataset_ids)

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
        "backupArchive": archive.backup_of(store, row["id"]),
        "teamId": row["team_id"],
        "settings": loads(row["settings"], {}),
        "importSettings": None,
        "version": None,
        "createdBy": row["created_by"],
        **embeddings_of(store, row["id"]),
        "localEntitiesCount": stats["images"],
        "remoteEntitiesCount": 0,
        "groupId": row["team_id"],
    }


def projects_list(ctx, body) -> dict:
    """projects.list {workspaceId | groupId (team), filter, fields}."""
    workspace_id = field(body, "workspaceId", int, default=None)
    team_id = field(body, "groupId", int, default=None)
    sql = ("SELECT p.*, w.team_id FROM projects p JOIN workspaces w ON w.id = p.workspace_id "
           f"WHERE {archive.LIVE_PROJECT}")
    if workspace_id is not None:
        get_workspace(ctx.store, workspace_id)
        rows = ctx.store.rows(sql + " AND p.workspace_id = ?", (workspace_id,))
    elif team_id is not None:
        rows = ctx.store.rows(sql + " AND w.team_id = ?", (team_id,))
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
    if kind not in ("images", "videos"):
        raise bad_request(f"the sandbox holds image and video projects only, not {kind!r}", field="type")
    if name_taken(ctx.store, workspace["id"], name):
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
    """projects.editInfo {id, name?, description?, readme?, customData?, embeddingsEnabled?, embeddingsUpdatedAt?,
    silent?}: silent leaves updatedAt as it was."""
    row = get_project(ctx.store, field(body, "id", int))
    embeddings = {}
    if "embeddingsEnabled" in body:
        embeddings["enabled"] = int(field(body, "embeddingsEnabled", bool))
    if "embeddingsUpdatedAt" in body:
        embeddings["updated_at"] = field(body, "embeddingsUpdatedAt", str, nullable=True)
    if embeddings:
        set_embeddings(ctx.store, row["id"], **embeddings)
    silent = field(body, "silent", bool, default=False)
    ctx.store.execute(
        "UPDATE projects SET name = ?, description = ?, readme = ?, custom_data = ?, updated_at = ? WHERE id = ?",
        (
            project_name(body, default=row["name"]),
            field(body, "description", str, default=row["description"]),
            field(body, "readme", str, default=row["readme"]),
            dumps(field(body, "customData", dict, default=loads(row["custom_data"], {}))),
            row["updated_at"] if silent else now(),
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
    if name_taken(ctx.store, workspace["id"], name):
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
    """projects.archive {id}: ProjectApi.remove; the project is hidden from lists and info, kept until deleted."""
    row = get_project(ctx.store, field(body, "id", int))
    archive.archive_project(ctx.store, row["id"])
    return {"success": True}


def projects_remove_permanently(ctx, body) -> dict:
    """projects.remove.permanently {projects: [{id, archiveUrl?, annotationsArchiveUrl?}], preserveProjectCard?}.

    Without archiveUrl (ProjectApi.remove_permanently) the projects must have been removed first and are
    deleted with all in them; with it (ProjectApi.archive) the data goes and the card stays, naming the backup.
    """
    entries = field(body, "projects", list)
    checked = []
    for entry in entries:
        project = get_project(ctx.store, field(entry, "id", int), removed=True)
        url = field(entry, "archiveUrl", str, default=None)
        if url is None and not archive.project_archived(ctx.store, project["id"]):
            raise bad_request(f"project {project['id']} must be removed (archived) before it is deleted permanently",
                              field="projects")
        checked.append((project["id"], url, field(entry, "annotationsArchiveUrl", str, default=None)))
    for project_id, url, annotations_url in checked:
        if url is None:
            ctx.store.execute("DELETE FROM projects WHERE id = ?", (project_id,))
        else:
            archive.keep_backup(ctx.store, project_id, url, annotations_url)
    return {"success": True}


def projects_workspace_set(ctx, body) -> dict:
    """projects.workspace.set {id, workspaceId}: ProjectApi.move, to another workspace of the same team."""
    row = get_project(ctx.store, field(body, "id", int))
    workspace = get_workspace(ctx.store, field(body, "workspaceId", int))
    if workspace["team_id"] != row["team_id"]:
        raise bad_request(f"workspace {workspace['id']} is not in the project's team {row['team_id']}",
                          field="workspaceId")
    if workspace["id"] != row["workspace_id"] and name_taken(ctx.store, workspace["id"], row["name"]):
        raise bad_request(f"project {row['name']!r} already exists in workspace {workspace['id']}", field="name")
    ctx.store.execute("UPDATE projects SET workspace_id = ?, updated_at = ? WHERE id = ?",
                      (workspace["id"], now(), row["id"]))
    return {"success": True}


def projects_embeddings_in_progress(ctx, body) -> dict:
    """projects.embeddings-in-progress.update {id, embeddingsInProgress, errorMessage?}."""
    row = get_project(ctx.store, field(body, "id", int))
    set_embeddings(ctx.store, row["id"], in_progress=int(field(body, "embeddingsInProgress", bool)),
                   error_message=field(body, "errorMessage", str, default=None))
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


def projects_classes_remove(ctx, body) -> dict:
    """projects.classes.remove {id (class), projectId}: ProjectApi.remove_class; its labels go with it."""
    row = get_project(ctx.store, field(body, "projectId", int))
    meta, class_id = meta_json(ctx.store, row["id"]), field(body, "id", int)
    gone = [item for item in meta["classes"] if item["id"] == class_id]
    if not gone:
        raise not_found("Object class", class_id)
    classes = [item for item in meta["classes"] if item["id"] != class_id]
    tags = [{**tag, "classes": [name for name in tag.get("classes") or [] if name != gone[0]["title"]]}
            for tag in meta["tags"]]
    replace_meta(ctx.store, row["id"], {"classes": classes, "tags": tags})
    return {"success": True}


def projects_tags_remove(ctx, body) -> dict:
    """projects.tags.remove {id (tag meta), projectId}: ProjectApi.remove_tag; its image and object tags go too."""
    row = get_project(ctx.store, field(body, "projectId", int))
    meta, tag_id = meta_json(ctx.store, row["id"]), field(body, "id", int)
    if not any(tag["id"] == tag_id for tag in meta["tags"]):
        raise not_found("Tag", tag_id)
    replace_meta(ctx.store, row["id"], {"classes": meta["classes"],
                                        "tags": [tag for tag in meta["tags"] if tag["id"] != tag_id]})
    return {"success": True}


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
    "projects.remove.permanently": projects_remove_permanently,
    "projects.workspace.set": projects_workspace_set,
    "projects.embeddings-in-progress.update": projects_embeddings_in_progress,
    "projects.clone": projects_clone,
    "projects.meta": projects_meta,
    "projects.meta.update": projects_meta_update,
    "projects.classes.remove": projects_classes_remove,
    "projects.tags.remove": projects_tags_remove,
    "projects.settings.update": projects_settings_update,
}

REFUSED = {
    "embeddings.calculate-project-embeddings": "needs the embeddings service a real instance runs beside the API",
    "embeddings.send-ai-search": "needs the embeddings service a real instance runs beside the API",
    "projects.images.get-backup-archive": "the sandbox makes no backups of a project's images",
    "ecosystem.info": "the sandbox hosts no app ecosystem",
}
