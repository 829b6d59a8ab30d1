"""Reviewers' verdicts on a labeling job's entities: read them, set one, reject all or the unmarked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annobridge.models import Id, JobEntity, ReviewStatus
from annobridge.provider import ReviewsAPI

from .convert import REVIEW_TO_SLY, entities, review_status, sly_id

if TYPE_CHECKING:
    from .provider import SuperviselyProvider


class SuperviselyReviews(ReviewsAPI["SuperviselyProvider"]):
    """Entity review statuses (jobs.info entities, jobs.entities.update-review-status, jobs.reject)."""

    def list(self, job_id: Id) -> list[JobEntity]:
        """The job's items, each with the reviewer's verdict (Supervisely's "done" reads as none)."""
        info, _ = self.backend.jobs.fetch(job_id)
        return entities(info.entities) or []

    def set(self, job_id: Id, item_id: Id, status: ReviewStatus | str) -> None:
        """Set the verdict on one item of the job (LabelingJobApi.set_entity_review_status)."""
        verdict = REVIEW_TO_SLY[review_status(status)]
        with self.backend.errors():
            self.backend.api.labeling_job.set_entity_review_status(
                sly_id(job_id, "job_id"), sly_id(item_id, "item_id"), verdict
            )

    def reject(self, job_id: Id, *, only_unmarked: bool = False) -> None:
        """Reject every item of the job, or only those with no verdict yet (LabelingJobApi.reject_annotations)."""
        with self.backend.errors():
            self.backend.api.labeling_job.reject_annotations(
                sly_id(job_id, "job_id"), mode="unmarked" if only_unmarked else "all"
            )
