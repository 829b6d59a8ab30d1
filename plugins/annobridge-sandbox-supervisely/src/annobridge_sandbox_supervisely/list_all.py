"""projects.list.all and datasets.list.all: every project or dataset of every team the user is a member of."""

from __future__ import annotations

from . import archive
from .datasets import dataset_json
from .errors import field
from .paging import MAX_PER_PAGE, page
from .projects import live_dataset_rows, project_json

_PROJECTS = (
    "SELECT p.*, w.team_id FROM projects p JOIN workspaces w ON w.id = p.workspace_id "
    "WHERE w.team_id IN (SELECT team_id FROM members WHERE user_id = ?) AND {live} ORDER BY p.id"
)


def _paged(body: dict, entities: list[dict]) -> dict:
    """One page; without per_page the first page holds up to MAX_PER_PAGE (20000), as the API's default."""
    return page(entities, {"per_page": MAX_PER_PAGE, **body})


def _projects(ctx) -> list[dict]:
    return ctx.store.rows(_PROJECTS.format(live=archive.LIVE_PROJECT), (ctx.user["id"],))


def projects_list_all(ctx, body) -> dict:
    """projects.list.all {filter?, skipExported?, sort?, sort_order?, per_page?, page?}: ProjectApi.get_list_all.

    skipExported leaves out projects archived to a backup (their card stays, see archive.py).
    """
    skip_exported = field(body, "skipExported", bool, default=False)
    entities = [project_json(ctx.store, row, ctx.base_url) for row in _projects(ctx)]
    if skip_exported:
        entities = [entity for entity in entities if entity["backupArchive"] is None]
    return _paged(body, entities)


def datasets_list_all(ctx, body) -> dict:
    """datasets.list.all {filter?, sort?, sort_order?, per_page?, page?, extraFields?}: DatasetApi.get_list_all.

    Filters by groupId (team) and workspaceId as by projectId; customData only when extraFields names it.
    """
    with_custom = "customData" in field(body, "extraFields", list, default=[])
    entities = []
    for project in _projects(ctx):
        for row in live_dataset_rows(ctx.store, project["id"]):
            row = {**row, "workspace_id": project["workspace_id"], "team_id": project["team_id"]}
            entities.append({**dataset_json(ctx.store, row, ctx.base_url, with_custom), "groupId": project["team_id"]})
    answer = _paged(body, entities)
    for entity in answer["entities"]:
        del entity["groupId"]  # there to filter by; DatasetInfo names the team teamId
    return answer


ROUTES = {
    "projects.list.all": projects_list_all,
    "datasets.list.all": datasets_list_all,
}
