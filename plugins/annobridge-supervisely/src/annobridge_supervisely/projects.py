"""Supervisely projects and their ProjectMeta, as neutral Projects and LabelSchemas."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from annobridge.errors import BackendError, Conflict, NotFound
from annobridge.models import Id, Project
from annobridge.provider import ProjectsAPI
from annobridge.schema import LabelSchema, MediaKind

from .convert import project_from_info, sly_id

if TYPE_CHECKING:
    from .provider import SuperviselyProvider


class SuperviselyProjects(ProjectsAPI["SuperviselyProvider"]):
    """Projects of the team (api.project); schemas through meta.py (ProjectMeta <-> LabelSchema)."""

    name_limit = 255  # Supervisely's project names: the SDK's own "New Project Name" inputs take 1 to 255 characters

    def _project(self, info) -> Project:
        return project_from_info(info, server=self.backend.address.http_url, team_id=self.backend.team_id)

    def list(self) -> list[Project]:
        """Every project in every workspace of the team (all pages)."""
        with self.backend.errors():
            spaces = self.backend.api.workspace.get_list(self.backend.team_id)
            infos = [p for w in spaces for p in self.backend.api.project.get_list(w.id)]
        return [self._project(info) for info in infos]

    def get(self, project_id: Id) -> Project:
        with self.backend.errors():
            info = self.backend.api.project.get_info_by_id(sly_id(project_id, "project_id"))
        if info is None:
            raise self.backend.not_found(f"project {project_id}")
        return self._project(info)

    def create(self, name: str, schema: LabelSchema | None = None, description: str = "") -> Project:
        """A project in the workspace (of videos for a video schema), with the schema as its ProjectMeta; removed
        again if the meta fails.

        The name is checked first (blank, or over Supervisely's 255 characters: ValidationError), so
        nothing is made for a name the server would refuse.

        Example::

            sv.projects.create("Lemons (copy)", schema=LabelSchema(classes=[ObjectClass(name="kiwi", shape="mask")]))
        """
        name = self.check_name(name)
        meta = _meta_json(schema) if schema is not None else None
        try:
            with self.backend.errors():
                kind = "videos" if schema is not None and schema.media is MediaKind.VIDEO else "images"
                workspace = self.backend.workspace_id
                info = self.backend.api.project.create(workspace, name, description=description, type=kind)
        except BackendError:
            with self.backend.errors():  # names are unique in a workspace: a refusal for a taken name is a Conflict
                taken = self.backend.api.project.get_info_by_name(self.backend.workspace_id, name)
            if taken is not None:
                raise Conflict(
                    f"{self.backend.describe()}: workspace {self.backend.workspace_id} has a project named {name!r} "
                    f"already (id {taken.id})"
                ) from None
            raise
        try:
            if meta is not None:
                with self.backend.errors():
                    self.backend.api.project.update_meta(info.id, meta)
            return self._project(info)
        except BaseException:
            with contextlib.suppress(Exception):
                self.delete(info.id)  # nothing half-made
            raise

    def delete(self, project_id: Id) -> None:
        """Remove the project (it goes to Supervisely's trash, as in the web UI)."""
        ident = sly_id(project_id, "project_id")
        try:
            with self.backend.errors():
                self.backend.api.project.remove(ident)
        except NotFound:
            raise self.backend.not_found(f"project {project_id}") from None

    def get_schema(self, project_id: Id) -> LabelSchema:
        """The project's ProjectMeta as a LabelSchema (what it cannot hold is in schema_report())."""
        return self.schema_report(project_id)[0]

    def schema_report(self, project_id: Id):
        """(LabelSchema, FidelityReport) of the project's ProjectMeta: what was carried, approximated, dropped."""
        from .meta import meta_to_schema

        return meta_to_schema(self.meta(project_id))

    def meta(self, project_id: Id) -> dict:
        """The project's ProjectMeta JSON, as the server has it."""
        try:
            with self.backend.errors():
                return self.backend.api.project.get_meta(sly_id(project_id, "project_id"))
        except NotFound:
            raise self.backend.not_found(f"project {project_id}") from None

    def set_schema(self, project_id: Id, schema: LabelSchema) -> LabelSchema:
        """Replace the project's ProjectMeta with the schema's; returns the schema as read back."""
        meta = _meta_json(schema)
        try:
            with self.backend.errors():
                self.backend.api.project.update_meta(sly_id(project_id, "project_id"), meta)
        except NotFound:
            raise self.backend.not_found(f"project {project_id}") from None
        return self.get_schema(project_id)


def _meta_json(schema: LabelSchema) -> dict:
    from .meta import schema_to_meta

    return schema_to_meta(schema)[0]
