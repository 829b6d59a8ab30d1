"""A JobSpec or JobUpdate checked and turned into LabelingJobApi arguments, before anything is written.

Every refusal names the setting and the backend: a user outside the team, a class or tag the
project lacks, a dataset of another project, another vendor's options, toolbox settings on an
images project (the SDK would drop them silently), a change jobs.editInfo cannot make.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from annobridge.errors import Unsupported, ValidationError
from annobridge.models import JobSpec, JobUpdate, options_for

from .convert import sly_id
from .options import SuperviselyJobChanges, SuperviselyJobOptions, create_arguments
from .users import resolve_members

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

__all__ = ["create_plan", "json_object", "update_plan"]

EDITABLE = ("name", "readme", "description", "reviewer", "options")  # what jobs.editInfo changes
# every neutral JobSpec field a labeling job holds; a field the core adds later is refused until it has its place
HONOURED = frozenset(
    {
        "name", "readme", "description", "classes_to_label", "tags_to_label", "objects_limit_per_item",
        "tags_limit_per_item", "include_items_with_tags", "exclude_items_with_tags", "item_range", "project_id",
        "annotators", "reviewer", "item_ids", "label_schema", "custom_data", "options",
    }
)


def create_plan(backend: SuperviselyProvider, spec: JobSpec) -> dict[str, Any]:
    """The LabelingJobApi.create keyword arguments for `spec`; ValidationError / Unsupported before any write.

    It reads the project's meta, dataset and team: for project 5 (one dataset, 10555) and annotator "anna"
    (user 101), `create_plan(sv, JobSpec(name="x", project_id=5, annotators=["anna"]))` has dataset_id 10555
    and user_ids [101].
    """
    fields = type(spec).model_fields
    unplaced = [
        f for f in fields if f not in HONOURED and getattr(spec, f) != fields[f].get_default(call_default_factory=True)
    ]
    if unplaced:
        raise Unsupported(
            f"JobSpec.{', '.join(unplaced)}", backend.describe(), "a Supervisely labeling job has no such setting"
        )
    options = options_for(spec.options, SuperviselyJobOptions, backend.describe())
    if not spec.annotators:
        raise ValidationError("annotators: a Supervisely labeling job needs at least one annotator")
    json_object(spec.custom_data, "custom_data")
    project_id, dataset_id = _home(backend, spec, options)
    with backend.errors():
        meta = backend.api.project.get_meta(project_id)
    classes, tags = _labels(spec, options, project_id, meta)
    if options.toolbox_settings is not None:
        _videos_only(backend, project_id)
    people = resolve_members(
        backend, [*spec.annotators, *([spec.reviewer] if spec.reviewer is not None else [])], "annotators"
    )
    return dict(
        name=spec.name,
        dataset_id=dataset_id,
        user_ids=people[: len(spec.annotators)],
        readme=spec.readme,
        description=spec.description,
        classes_to_label=classes,
        objects_limit_per_image=spec.objects_limit_per_item,
        tags_to_label=tags,
        tags_limit_per_image=spec.tags_limit_per_item,
        include_images_with_tags=list(spec.include_items_with_tags),
        exclude_images_with_tags=list(spec.exclude_items_with_tags),
        images_range=list(spec.item_range) if spec.item_range else None,
        reviewer_id=people[-1] if spec.reviewer is not None else None,
        images_ids=[sly_id(i, "item_ids") for i in spec.item_ids],
        **create_arguments(options),
    )


def _home(backend: SuperviselyProvider, spec: JobSpec, options: SuperviselyJobOptions) -> tuple[int, int]:
    """(project id, dataset id): options.dataset_id (checked against project_id), else the project's only dataset."""
    if options.dataset_id is None and spec.project_id is None:
        raise ValidationError(
            f"project_id / options.dataset_id: a labeling job on {backend.describe()} works on one dataset of a "
            "project; a label_schema alone cannot place it"
        )
    if options.dataset_id is None:
        project_id = sly_id(spec.project_id, "project_id")
        return project_id, backend.sole_dataset(project_id)
    with backend.errors():
        dataset = backend.api.dataset.get_info_by_id(options.dataset_id)
    if dataset is None:
        raise ValidationError(f"options.dataset_id: no dataset {options.dataset_id} on {backend.describe()}")
    if spec.project_id is not None and sly_id(spec.project_id, "project_id") != dataset.project_id:
        raise ValidationError(
            f"options.dataset_id: dataset {options.dataset_id} belongs to project {dataset.project_id}, "
            f"not {spec.project_id}"
        )
    return dataset.project_id, dataset.id


def _labels(
    spec: JobSpec, options: SuperviselyJobOptions, project_id: int, meta: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """classes_to_label and tags_to_label, checked against the project's meta (a label_schema fills empty ones)."""
    classes_known = [c.get("title") for c in meta.get("classes", [])]
    tags_known = [t.get("name") for t in meta.get("tags", [])]
    classes, tags = list(spec.classes_to_label), list(spec.tags_to_label)
    checks = [
        ("classes_to_label", classes, classes_known),
        ("tags_to_label", tags, tags_known),
        ("include_items_with_tags", spec.include_items_with_tags, tags_known),
        ("exclude_items_with_tags", spec.exclude_items_with_tags, tags_known),
        ("options.read_only_tags", options.read_only_tags or [], tags_known),
    ]
    if spec.label_schema is not None:
        schema_classes = [c.name for c in spec.label_schema.classes]
        schema_tags = [t.name for t in spec.label_schema.tags]
        checks += [
            ("label_schema.classes", schema_classes, classes_known),
            ("label_schema.tags", schema_tags, tags_known),
        ]
        classes, tags = classes or schema_classes, tags or schema_tags
    for field, names, known in checks:
        missing = [n for n in names if n not in known]
        if missing:
            raise ValidationError(f"{field}: {missing} not in project {project_id}, which has {known}")
    return classes, tags


def _videos_only(backend: SuperviselyProvider, project_id: int) -> None:
    with backend.errors():
        kind = backend.api.project.get_info_by_id(project_id).type
    if kind != "videos":
        raise Unsupported(
            "options.toolbox_settings",
            backend.describe(),
            f"Supervisely applies labeling toolbox settings to video projects; project {project_id} holds {kind}",
        )


def update_plan(backend: SuperviselyProvider, changes: JobUpdate) -> dict[str, Any]:
    """The jobs.editInfo fields for `changes` (userId / reviewerId resolved to team members); refusals first.

    jobs.editInfo is the public method the SDK edits custom data and assignees with (set_custom_data,
    set_assignees); a label schema has no place on a labeling job, so label_schema is Unsupported.
    """
    asked = [f for f in type(changes).model_fields if f not in EDITABLE and getattr(changes, f) is not None]
    if asked:
        raise Unsupported(
            f"jobs.update of {', '.join(asked)}",
            backend.describe(),
            "a Supervisely labeling job's editable fields are name, readme, description, annotator and "
            "reviewer (jobs.editInfo); a job labels its project's classes, so change the project's schema "
            "(projects.set_schema) or clone the job with other classes_to_label",
        )
    options = options_for(changes.options, SuperviselyJobChanges, backend.describe())
    data: dict[str, Any] = {
        k: getattr(changes, k) for k in ("name", "readme", "description") if getattr(changes, k) is not None
    }
    refs = {
        key: ref
        for key, ref in (("userId", options.annotator), ("reviewerId", changes.reviewer))
        if ref is not None
    }
    named = "/".join({"userId": "options.annotator", "reviewerId": "reviewer"}[k] for k in refs)
    people = resolve_members(backend, list(refs.values()), named) if refs else []
    data.update(zip(refs, people))
    return data


def json_object(data: Any, field: str) -> None:
    """ValidationError naming `field` unless `data` is a JSON object."""
    if not isinstance(data, dict):
        raise ValidationError(f"{field}: custom data must be a JSON object (dict), not {type(data).__name__}")
    try:
        json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{field}: custom data must be JSON: {exc}") from None
