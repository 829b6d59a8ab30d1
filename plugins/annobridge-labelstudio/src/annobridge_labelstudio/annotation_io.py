"""What the neutral annotations and predictions APIs share: a project's config read once, users by login, tasks
as neutral annotations (with the image size from the regions or the image), and checks before a write."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from annobridge.annotations import ItemAnnotation
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, FidelityReport
from annobridge.schema import LabelSchema

from .label_config_parse import parse_label_config
from .sdk_data import as_int, as_ints, chunks
from .subapi_base import LabelStudioSubAPI

if TYPE_CHECKING:
    from annobridge.models import Id

__all__ = ["Context", "context", "known_tasks", "logins", "sized", "task_projects", "user_ids"]

SELECTION = 500  # task ids per listing request (they travel in the query string)


@dataclass
class Context:
    """One project's label config and schema, read once, and the image sizes learned while reading its tasks."""

    pid: int
    config: str
    schema: LabelSchema
    key: str | None
    sizes: dict[int, tuple[int, int]] = field(default_factory=dict)

    def read(self, api: LabelStudioSubAPI, task: dict[str, Any], raw: dict[str, Any], authors: dict[int, str]
             ) -> tuple[ItemAnnotation, FidelityReport]:
        """The neutral ItemAnnotation of one annotation (or prediction) of `task`, its author as a login, with what
        annobridge kept for the way back in the task's meta."""
        from .regions import from_labelstudio
        from .regions_keep import task_stashes
        from .transfer import region_size

        width, height = (None, None) if region_size(raw) is not None else self.size(api, task)
        neutral, report = from_labelstudio(
            raw, label_config=self.config, schema=self.schema, item=task["id"], width=width, height=height,
            stashes=task_stashes(task),
        )
        author = raw.get("completed_by")
        author = author.get("id") if isinstance(author, dict) else author
        if author is not None:
            neutral = neutral.model_copy(update={"author": authors.get(author, author)})
        return neutral, report

    def size(self, api: LabelStudioSubAPI, task: dict[str, Any]) -> tuple[int, int]:
        """The task's image size: from any of its annotations' or predictions' regions, else from the image."""
        from .media import fetch, image_size, media_url
        from .transfer import region_size

        tid = task["id"]
        if tid not in self.sizes:
            found = next((s for s in map(region_size, _everything(task)) if s is not None), None)
            if found is None:
                url = media_url(task, self.key)
                if not url:
                    raise ValidationError(f"item {tid}: no region gives the image size and the task has no image URL")
                found = image_size(fetch(api.conn, url, tid), f"item {tid}: no region gives the image size, and {url}")
            self.sizes[tid] = found
        return self.sizes[tid]


def sized(result: list[dict[str, Any]], annotation: ItemAnnotation) -> list[dict[str, Any]]:
    """`result`, its regions giving the image size: where none does (item tags only), each result carries
    original_width / original_height as region results do, so reading it back needs no image."""
    if any(r.get("original_width") for r in result):
        return result
    return [{**r, "original_width": annotation.width, "original_height": annotation.height} for r in result]


def _everything(task: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in (task.get("annotations") or []) + (task.get("predictions") or []) if isinstance(a, dict)]


def context(api: LabelStudioSubAPI, pid: int) -> Context:
    """The project's config, schema and image data key (one request)."""
    from .transfer import media_key

    config = api.backend.projects.label_config(pid)
    try:
        key: str | None = media_key(config)
    except ValidationError:
        key = None
    return Context(pid, config, parse_label_config(config).schema, key)


def logins(api: LabelStudioSubAPI) -> dict[int, str]:
    """User id -> login (username, else email), from one users list."""
    return {int(u.id): (u.login or u.email or str(u.id)) for u in api.backend.users.list()}


def user_ids(api: LabelStudioSubAPI) -> dict[str, int]:
    """Login, email and id (as text) -> user id, from one users list."""
    found: dict[str, int] = {}
    for user in api.backend.users.list():
        for name in (str(user.id), user.email, user.login):
            if name:
                found.setdefault(name, int(user.id))
    return found


def known_tasks(api: LabelStudioSubAPI, pid: int, item_ids: Iterable[Id], field: str = "item") -> list[int]:
    """The ids as tasks of project `pid`, in order without repeats; ValidationError naming those it lacks."""
    wanted = list(dict.fromkeys(as_ints(item_ids, field)))
    found: set[int] = set()
    for chunk in chunks(wanted, SELECTION):
        found.update(api.backend.items.ids(pid, selected_ids=chunk))
    strangers = [t for t in wanted if t not in found]
    if strangers:
        raise ValidationError(f"{field}: {strangers[:5]} are not tasks of project {pid}")
    return wanted


def task_projects(api: LabelStudioSubAPI, item_ids: Iterable[Id], field: str = "item_ids") -> dict[int, list[int]]:
    """Project id -> the given tasks in it (one request per project to learn it, one listing to match the rest)."""
    left = list(dict.fromkeys(as_ints(item_ids, field)))
    groups: dict[int, list[int]] = {}
    while left:
        pid = as_int(api.backend.items.task(left[0])["project"], "project")
        found: set[int] = set()
        for chunk in chunks(left, SELECTION):
            found.update(api.backend.items.ids(pid, selected_ids=chunk))
        found.add(left[0])
        groups[pid] = [t for t in left if t in found]
        left = [t for t in left if t not in found]
    return groups


def completed_by(author: Any, users: dict[str, int], report: FidelityReport, item: Any) -> dict[str, Any]:
    """{"completed_by": the author's user id} for an annotation's create; nothing for no author, and nothing for an
    author the server lacks, counted in `report` as dropped."""
    if author is None:
        return {}
    if str(author) in users:
        return {"completed_by": users[str(author)]}
    report.dropped("annotation author", LABEL_STUDIO, f"no user {author!r} on the server", item=item)
    return {}


@contextlib.contextmanager
def removed_on_failure(api: LabelStudioSubAPI) -> Iterator[list[int]]:
    """A list to put the ids of annotations being made in: if the block fails, they are deleted again, so nothing
    half-written is left that a rerun would make twice."""
    made: list[int] = []
    try:
        yield made
    except BaseException:
        for annotation_id in made:
            with contextlib.suppress(Exception):
                api.sdk.annotations.delete(annotation_id)
        raise
