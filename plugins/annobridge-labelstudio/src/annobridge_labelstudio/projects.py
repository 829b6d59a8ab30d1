"""Projects on Label Studio: each LS project is a Project, its label config the LabelSchema."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from annobridge.errors import ValidationError
from annobridge.locks import hold
from annobridge.models import Id, Project
from annobridge.provider import ProjectsAPI
from annobridge.schema import LabelSchema

from .label_config import build_label_config, read_extras, write_extras
from .label_config_parse import parse_label_config
from .paging import all_pages
from .sdk_data import as_dict, as_int
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["LabelStudioProjects", "check_title", "iter_projects"]

TITLE_MIN, TITLE_MAX = 3, 50  # Label Studio's PROJECT_TITLE_MIN_LEN / _MAX_LEN
DELETE_WAIT = 600  # seconds a delete waits for another on the same server (a big project takes minutes)


def check_title(title: str, field: str = "name") -> str:
    """`title` as Label Studio keeps it (stripped: the server trims it); ValidationError, before anything is
    written, for a title it would refuse or turn into "project N" (blank, under 3 or over 50 characters).

    >>> check_title(" Lemons ")
    'Lemons'
    >>> check_title("ab")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: name: Label Studio project titles have 3 to 50 characters, got 'ab' (2)
    """
    text = title.strip() if isinstance(title, str) else ""
    if not TITLE_MIN <= len(text) <= TITLE_MAX:
        raise ValidationError(
            f"{field}: Label Studio project titles have {TITLE_MIN} to {TITLE_MAX} characters, got {title!r} ({len(text)})"
        )
    return text


def iter_projects(api: LabelStudioSubAPI, page_size: int = 100, **filters: Any) -> Iterator[Any]:
    """Every LS project (the SDK's pager, one request per page, no cap)."""
    with api.call("listing projects"):
        yield from all_pages(lambda page: api.sdk.projects.list(page=page, page_size=page_size, **filters))


def project_url(api: LabelStudioSubAPI, project_id: int) -> str:
    return f"{api.conn.base_url}/projects/{project_id}/data"


def schema_of(label_config: str | None) -> LabelSchema | None:
    """The schema in a label config, or None when it holds nothing neutral or does not parse."""
    if not label_config:
        return None
    try:
        return parse_label_config(label_config).schema
    except ValidationError:
        return None


class LabelStudioProjects(LabelStudioSubAPI, ProjectsAPI[LabelStudioProvider]):
    """LS projects as neutral Projects.

    Example::

        p = backend.projects.create("Lemons", schema=SAMPLE_SCHEMA)
        backend.projects.get_schema(p.id) == SAMPLE_SCHEMA  # -> True
    """

    name_limit = TITLE_MAX

    def check_name(self, name: object) -> str:
        """The name stripped, as Label Studio keeps it; ValidationError for a blank one or one outside 3 to 50 characters.

        >>> LabelStudioProjects(None).check_name("  Lemons  ")
        'Lemons'
        """
        return check_title(super().check_name(name))

    def to_project(self, raw: Any) -> Project:
        data = as_dict(raw)
        return Project(
            id=data["id"],
            name=data.get("title") or f"project {data['id']}",
            description=data.get("description") or "",
            workspace_id=data.get("workspace"),
            items_count=data.get("task_number"),
            schema=schema_of(data.get("label_config")),
            created_at=data.get("created_at"),
            url=project_url(self, data["id"]),
        )

    def list(self) -> list[Project]:
        return [self.to_project(p) for p in iter_projects(self)]

    def get(self, project_id: Id) -> Project:
        pid = as_int(project_id, "project_id")
        with self.call(f"reading project {pid}"):
            return self.to_project(self.sdk.projects.get(pid))

    def create(self, name: str, schema: LabelSchema | None = None, description: str = "") -> Project:
        """One LS project holding the schema as its label config, made in one request.

        The name is checked first (blank or whitespace, under 3 or over 50 characters:
        ValidationError); if reading the new project back fails, it is deleted again.
        """
        name = self.check_name(name)
        config = build_label_config(schema) if schema is not None else None
        with self.call(f"creating project {name!r}"):
            raw = self.sdk.projects.create(
                title=name, description=description, **({"label_config": config} if config else {})
            )
        try:
            return self.get(raw.id)
        except BaseException:
            with contextlib.suppress(Exception):
                self.delete(raw.id)  # nothing half-made
            raise

    def delete(self, project_id: Id) -> None:
        """Delete the project; deletes on one server from this machine run one at a time (DELETE_WAIT).

        Label Studio (1.23, projects/api.py `perform_destroy`) unhooks every Django signal for the whole
        server process while it deletes a project and puts back what it found; two deletes that overlap
        leave the signals unhooked until the server restarts, and its task counters (what "annotated"
        filters on) silently stop.
        """
        pid = as_int(project_id, "project_id")
        key = f"delete projects on {self.backend.address.canonical}"
        with hold(key, f"deleting a project on {self.backend.describe()}", wait=DELETE_WAIT):
            with self.call(f"deleting project {pid}"):
                self.sdk.projects.delete(pid)

    def get_schema(self, project_id: Id) -> LabelSchema:
        return parse_label_config(self.label_config(project_id)).schema

    def schema_report(self, project_id: Id):
        """(LabelSchema, FidelityReport) of the project's label config: what has no neutral form, and where a config
        built back from the schema would differ."""
        parsed = parse_label_config(self.label_config(project_id))
        return parsed.schema, parsed.report

    def set_schema(self, project_id: Id, schema: LabelSchema) -> LabelSchema:
        pid = as_int(project_id, "project_id")
        extras = {k: v for k, v in read_extras(self.label_config(pid)).items() if k in ("source_project", "job")}
        config = build_label_config(schema, extras)
        with self.call(f"setting the label config of project {pid}"):
            self.sdk.projects.update(pid, label_config=config)
        return self.get_schema(pid)

    # ---------------------------------------------------------------- Label Studio extras

    def label_config(self, project_id: Id) -> str:
        """The project's label config XML, as stored."""
        pid = as_int(project_id, "project_id")
        with self.call(f"reading project {pid}"):
            return self.sdk.projects.get(pid).label_config or ""

    def set_label_config(self, project_id: Id, config: str) -> None:
        """Store a label config written by hand (validated by the server), keeping annobridge's extras."""
        pid = as_int(project_id, "project_id")
        extras = read_extras(self.label_config(pid))
        with self.call(f"setting the label config of project {pid}"):
            self.sdk.projects.update(pid, label_config=write_extras(config, {**extras, **read_extras(config)}))

    def params(self, project_id: Id) -> dict[str, Any]:
        """Every project parameter the server reports (the legacy SDK's get_params)."""
        pid = as_int(project_id, "project_id")
        with self.call(f"reading project {pid}"):
            return as_dict(self.sdk.projects.get(pid))

    def model_versions(self, project_id: Id) -> dict[str, int]:
        """Model versions of the project's predictions and how many predictions each has."""
        pid = as_int(project_id, "project_id")
        response = self.conn.request("GET", f"api/projects/{pid}/model-versions/", f"reading the model versions of project {pid}")
        data = response.json()
        return dict(data) if isinstance(data, dict) else {str(v): 0 for v in data}

    def predictions_coverage(self, project_id: Id) -> dict[str, float]:
        """Share of the project's tasks each model version has predictions for (the legacy SDK's coverage)."""
        tasks = self.params(project_id).get("task_number") or 0
        return {version: (count / tasks if tasks else 0.0) for version, count in self.model_versions(project_id).items()}
