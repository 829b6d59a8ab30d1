"""Object classes one by one (ObjectClassApi): advanced.object_classes.list, which the SDK's name -> id maps read."""

from __future__ import annotations

from .errors import field
from .paging import page
from .project_meta import classes
from .projects import get_project


def classes_list(ctx, body) -> dict:
    """advanced.object_classes.list {projectId, filter}: ObjectClassInfo fields (id, name, shape, color...)."""
    project = get_project(ctx.store, field(body, "projectId", int))
    stamp = project["created_at"]  # the sandbox keeps no per-class times: the project's stand in
    entities = [
        {"id": c["id"], "name": c["title"], "description": c.get("description", ""), "shape": c["shape"],
         "color": c["color"], "settings": c.get("geometry_config") or {}, "createdAt": stamp, "updatedAt": stamp}
        for c in classes(ctx.store, project["id"])
    ]
    return page(entities, body)


ROUTES = {"advanced.object_classes.list": classes_list}
