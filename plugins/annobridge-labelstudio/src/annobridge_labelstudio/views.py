"""Data Manager views (tabs) of a Label Studio project: saved filters and ordering, a Label Studio extra."""

from __future__ import annotations

from typing import Any

from annobridge.models import Id

from .sdk_data import as_dict, as_int
from .subapi_base import LabelStudioSubAPI

__all__ = ["LabelStudioViews"]


class LabelStudioViews(LabelStudioSubAPI):
    """Data Manager views (tabs): saved filters and ordering to list or export tasks by."""

    def list(self, job_id: Id) -> list[dict[str, Any]]:
        """The views of the job's project, as the server gives them."""
        pid = as_int(job_id, "job_id")
        with self.call(f"listing the views of project {pid}"):
            return [as_dict(v) for v in self.sdk.views.list(project=pid)]

    def create(self, job_id: Id, *, filters: dict[str, Any] | None = None, ordering: list[str] | None = None,
               title: str = "Tasks") -> dict[str, Any]:
        """A view of the job's tasks; its id works as `view_id` in items.list and exports.create."""
        pid = as_int(job_id, "job_id")
        data = {"title": title, "filters": filters or {"conjunction": "and", "items": []}, "ordering": ordering or []}
        with self.call(f"creating a view in project {pid}"):
            return as_dict(self.sdk.views.create(project=pid, data=data))

    def delete(self, view_id: Id) -> None:
        """Delete the view; the tasks it listed stay."""
        vid = as_int(view_id, "view_id")
        with self.call(f"deleting view {vid}"):
            self.sdk.views.delete(str(vid))
