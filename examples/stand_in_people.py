"""Stand-ins for the people of a labeling job (the labeler and the reviewer), so demos and CI can run a review unattended.

They are not part of a workflow: with real people you leave them out and the workflow simply waits.
This is the one example module that is vendor-specific on purpose: a labeler and a reviewer act in
each tool's UI, which no neutral API stands for.
On the Supervisely sandbox they act through its sandbox-only job actions (`sandbox.jobs.*`, which stand in
for the labeling UI and exist on no real Supervisely); on Label Studio the labeler accepts the model's
predictions as annotations, and the reviewer (Enterprise only) accepts each annotation.
"""

from __future__ import annotations

import annobridge
from annobridge import Capability, ReviewStatus


def label(backend: annobridge.Provider, job: annobridge.Job, model_version: str) -> str:
    """The labeler accepts every pre-annotation and submits the job; returns what they did, in words.

    >>> label(backend, job, "fruit-colours-1")                     # doctest: +SKIP
    'labeler: started, accepted the model's boxes, submitted (sandbox.jobs.start, sandbox.jobs.submit)'
    """
    if backend.name == "supervisely":
        from annobridge_sandbox_supervisely import control

        control.start(backend.api, job.id)
        control.submit(backend.api, job.id)  # marks every image done, keeping the model's boxes
        return "labeler: started, accepted the model's boxes, submitted (sandbox.jobs.start, sandbox.jobs.submit)"
    if backend.supports(Capability.PREDICTIONS):
        made = backend.predictions.to_annotations(backend.jobs.project_of(job.id), model_versions=[model_version])
        return f"labeler: accepted the predictions of {made} tasks as annotations"
    raise annobridge.Unsupported("stand-in labeler", backend.describe(), "no stand-in is written for this backend")


def review(backend: annobridge.Provider, job: annobridge.Job) -> str:
    """The reviewer accepts every item and completes the review; returns what they did, in words.

    >>> review(backend, job)                                       # doctest: +SKIP
    'reviewer: accepted 6 items, completed the review (sandbox.jobs.complete)'
    """
    items = [item.id for item in backend.items.list(job_id=job.id)]
    for item in items:
        backend.reviews.set(job.id, item, ReviewStatus.ACCEPTED)
    if backend.name == "supervisely":
        from annobridge_sandbox_supervisely import control

        control.complete(backend.api, job.id)
        return f"reviewer: accepted {len(items)} items, completed the review (sandbox.jobs.complete)"
    backend.require(Capability.REVIEWS)
    return f"reviewer: accepted {len(items)} items"
