"""Assignments on Supervisely: a plan becomes one labeling job per annotator (and reviewer) holding their items.

A Supervisely job has one annotator, at most one reviewer and a fixed set of items, so
`assign(job, plan)` uses the job as a template: every (annotator, reviewer) pair of the
plan gets a job over exactly its items (images_ids), with the template's dataset, readme,
description, classes, tags and limits. An item with a reviewer but no annotator in the plan
is labeled by the template's annotator. A pair whose items are exactly those of the
template, or of a job an earlier plan made, reuses that job (so applying a plan twice makes
no duplicates). The jobs are linked in custom data ("annobridge": {"plan_jobs": [...]} on
the template, {"plan_of": id} on each), which is how `list(job)` finds them. The template
itself is left as it is: stop or delete it if its annotator should not label the items too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable

from annobridge.errors import NotFound, ValidationError
from annobridge.models import Assignment, Id, Job, Role
from annobridge.provider import AssignmentsAPI

from .convert import job_from_info, sly_id
from .users import resolve_members, team_members

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

LINK = "annobridge"


class SuperviselyAssignments(AssignmentsAPI["SuperviselyProvider"]):
    """Plans applied natively as labeling jobs; see the module docstring."""

    def assign(self, job_id: Id, assignments: Iterable[Assignment]) -> list[Job]:
        """Apply the plan to the job's dataset: one job per (annotator, reviewer) holding their items.

        Users who are not team members, items outside the job's dataset, and an item with two
        reviewers are refused (ValidationError naming them) before any job is made. Returns
        the plan's jobs, new and reused; if making one fails, the new ones are removed.

        Example::

            plan = annobridge.plan_assignments([i.id for i in sv.items.list(job_id=job.id)], [101, 102], seed=7)
            [j.assignees[0].login for j in sv.assignments.assign(job.id, plan)]  # -> ['labeler_1', 'labeler_2']
        """
        plan = list(assignments)
        if not plan:
            return []
        template, custom = self.backend.jobs.fetch(job_id)
        members = team_members(self.backend)
        refs = list(dict.fromkeys(a.user_id for a in plan))  # each user resolved (and named) once
        resolved = dict(zip(refs, resolve_members(self.backend, refs, "assignments.user_id", members)))
        users = [resolved[a.user_id] for a in plan]
        items = [sly_id(a.item_id, "assignments.item_id") for a in plan]
        self._check_items(template.dataset_id, set(items))
        groups = _groups(plan, users, items, template.assigned_to_id)
        linked = self._linked(custom)
        known = {(j.assigned_to_id, frozenset(e["id"] for e in j.entities or [])): j for j in [template, *linked]}
        chosen, made = [], []
        try:
            for (annotator, reviewer), group in groups.items():
                existing = known.get((annotator, frozenset(group)))
                if existing is not None:
                    if reviewer is not None and existing.reviewer_id != reviewer:
                        with self.backend.errors():
                            self.backend.api.labeling_job.set_assignees(
                                existing.id, reviewer_id=reviewer, check_membership=False, return_info=False
                            )
                    chosen.append(existing.id)
                    continue
                info = self._make(template, annotator, reviewer, group, members)
                made.append(info.id)
                chosen.append(info.id)
            self._link(template.id, custom, made)
        except Exception:
            if made:
                self.backend.jobs.delete_many(made)
            raise
        return [self.backend.jobs.get(i) for i in chosen]

    def _check_items(self, dataset_id: int, wanted: set[int]) -> None:
        ids = sorted(wanted)
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            with self.backend.errors():
                infos = self.backend.api.image.get_list(
                    dataset_id, filters=[{"field": "id", "operator": "in", "value": chunk}]
                )
            found |= {i.id for i in infos}
        strangers = sorted(wanted - found)
        if strangers:
            raise ValidationError(
                f"assignments.item_id: {strangers[:20]}{' ...' if len(strangers) > 20 else ''} are not images of "
                f"dataset {dataset_id}, the job's dataset; a Supervisely job holds items of one dataset"
            )

    def _make(self, template, annotator: int, reviewer: int | None, items: list[int], members: dict[int, Any]):
        login = getattr(members.get(annotator), "login", annotator)
        name = f"{template.name} ({login})"
        if reviewer is not None:
            name = f"{template.name} ({login}, review {getattr(members.get(reviewer), 'login', reviewer)})"
        with self.backend.errors():
            (info,) = self.backend.api.labeling_job.create(
                name=name[:255],
                dataset_id=template.dataset_id,
                user_ids=[annotator],
                readme=template.readme,
                description=template.description,
                classes_to_label=list(template.classes_to_label or []),
                objects_limit_per_image=template.objects_limit_per_image,
                tags_to_label=list(template.tags_to_label or []),
                tags_limit_per_image=template.tags_limit_per_image,
                reviewer_id=reviewer,
                images_ids=items,
            )
            self.backend.api.labeling_job.set_custom_data(info.id, {LINK: {"plan_of": template.id}})
        return info

    def _linked(self, custom: dict[str, Any]) -> list[Any]:
        infos = []
        for linked_id in (custom.get(LINK) or {}).get("plan_jobs", []):
            try:
                infos.append(self.backend.jobs.fetch(linked_id)[0])
            except NotFound:  # removed since: no longer part of the plan
                continue
        return infos

    def _link(self, template_id: int, custom: dict[str, Any], made: list[int]) -> None:
        if not made:
            return
        link = dict(custom.get(LINK) or {})
        link["plan_jobs"] = [*link.get("plan_jobs", []), *made]
        with self.backend.errors():
            self.backend.api.labeling_job.set_custom_data(template_id, {LINK: link})

    def list(self, job_id: Id) -> list[Assignment]:
        """The job's annotator over its items and its reviewer, and the same for the jobs its plans made."""
        info, custom = self.backend.jobs.fetch(job_id)
        seen: dict[Assignment, None] = {}
        for job in [info, *self._linked(custom)]:
            for entity in job.entities or []:
                if job.assigned_to_id is not None:
                    seen[Assignment(item_id=entity["id"], user_id=job.assigned_to_id, role=Role.ANNOTATOR)] = None
                if job.reviewer_id is not None:
                    seen[Assignment(item_id=entity["id"], user_id=job.reviewer_id, role=Role.REVIEWER)] = None
        return list(seen)

    def jobs_of(self, job_id: Id) -> list[Job]:
        """The jobs that plans applied to this job made (live ones only)."""
        _, custom = self.backend.jobs.fetch(job_id)
        return [job_from_info(i, backend=self.backend.name) for i in self._linked(custom)]


def _groups(plan: list[Assignment], users: list[int], items: list[int], fallback: int | None) -> dict:
    """(annotator, reviewer) -> items in plan order; ValidationError for an item with two reviewers."""
    annotators: dict[int, list[int]] = defaultdict(list)
    reviewer_of: dict[int, int] = {}
    for assignment, user, item in zip(plan, users, items):
        if assignment.role is Role.REVIEWER:
            if reviewer_of.setdefault(item, user) != user:
                raise ValidationError(
                    f"assignments: item {item} has reviewers {reviewer_of[item]} and {user}; "
                    "a Supervisely job has at most one reviewer, so an item gets one"
                )
        elif user not in annotators[item]:
            annotators[item].append(user)
    groups: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for item in dict.fromkeys(items):
        labelers = annotators.get(item) or ([fallback] if fallback is not None else [])
        if not labelers:
            raise ValidationError(f"assignments: item {item} has a reviewer but no annotator, and the job has none")
        for labeler in labelers:
            groups[(labeler, reviewer_of.get(item))].append(item)
    return dict(groups)
