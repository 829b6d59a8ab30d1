"""Neutral annotations on Supervisely: an image's one annotation (figures and tags) read and written in bulk.

Reading takes a page of images at a time with one annotations.bulk.info; a job's items are the
images of its dataset it holds, carrying the reviewer's verdict. An image whose annotation holds
nothing (no object, tag or description: what every new image has) has none, as an unlabeled
Label Studio task has none: list() leaves it out and get() gives []. Writing converts and checks every
annotation against the project's meta first, then sends one annotations.bulk.add per dataset (100
images a request): "replace" uploads each image's annotation whole, "append" reads what the images
hold (annotations.bulk.info) and uploads it with the new objects and tags after it (so the objects
already there keep their class, shape, author, origin and times; Supervisely gives them new figure
ids). Objects a model made are written as such (nnCreated/nnUpdated, ObjectOrigin.MODEL): that is
how Supervisely keeps model output. What Supervisely cannot hold of an annotation is stashed in its
customBigData and given back when it is read (figures.py), so reading asks for customBigData. The losses
of reading are in `read_report`. `to_native` and `from_native` turn neutral annotations into Supervisely's
own JSON ({"image_id", "annotation"}) and back.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from annobridge.annotation_apis import AnnotationsAPI, WriteMode, checked_writes, each_checked, in_pages
from annobridge.annotations import ItemAnnotation
from annobridge.errors import ValidationError
from annobridge.fidelity import FidelityReport
from annobridge.models import Id, ReviewStatus

from .annotation_writes import Authors, appended_stashed, merged
from .convert import entities, sly_id
from .figures_native import download, download_one
from .users import team_members

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

__all__ = ["SuperviselyAnnotations"]

PAGE = 100  # images a page: what one annotations.bulk.info answers
ID_FILTER_CHUNK = 500  # ids per images.list "in" filter


class SuperviselyAnnotations(AnnotationsAPI["SuperviselyProvider"]):
    """Images' annotations as ItemAnnotations (figures.py converts both ways); see the module docstring.

    Example (an object a model made stays one)::

        made_by_model = ObjectAnnotation(class_name="kiwi", shape=Point(x=3, y=4), origin=ObjectOrigin.MODEL)
        image_annotation = ItemAnnotation(item=image.id, width=640, height=480, objects=[made_by_model])
        sv.annotations.write(project.id, [image_annotation])
        [a.objects[-1].origin for a in sv.annotations.get(image.id)]  # -> [<ObjectOrigin.MODEL: 'model'>]
    """

    def __init__(self, backend: SuperviselyProvider) -> None:
        super().__init__(backend)
        self.read_report = FidelityReport()  # what the last list() or get() could not carry into the neutral form

    # -- reading ---------------------------------------------------------------------------

    def list(self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None
    ) -> Iterator[ItemAnnotation]:
        """The annotation of each image of the job (in its order, with the reviewer's verdict) or the project
        (dataset by dataset), only `item_ids` when given, images without one left out; 100 images a request."""
        if (job_id is None) == (project_id is None):
            raise ValidationError("annotations.list takes exactly one of job_id, project_id")
        wanted = None if item_ids is None else [sly_id(i, "item_ids") for i in item_ids]
        self.read_report = FidelityReport()
        if job_id is not None:
            info, _ = self.backend.jobs.fetch(job_id)  # now, so a missing job is NotFound at the call
            return self._job(info, wanted)
        pid = sly_id(project_id, "project_id")
        meta = self.backend.projects.meta(pid)
        if wanted is None:
            return self._project(pid, meta)
        infos = self._images(pid, wanted, "item_ids")
        return self._pages(meta, [(infos[i].dataset_id, i) for i in wanted], {})

    def _job(self, info, wanted: list[int] | None) -> Iterator[ItemAnnotation]:
        verdicts = {e.id: e.review_status for e in entities(info.entities) or []}
        ids = list(verdicts)
        if wanted is not None:
            strangers = sorted(set(wanted) - set(verdicts))
            if strangers:
                raise ValidationError(f"item_ids: {strangers[:20]} are not items of labeling job {info.id}")
            ids = [i for i in wanted if i in verdicts]
        meta = self.backend.projects.meta(info.project_id)
        return self._pages(meta, [(info.dataset_id, i) for i in ids], verdicts)

    def _project(self, project_id: int, meta: dict[str, Any]) -> Iterator[ItemAnnotation]:
        with self.backend.errors():
            datasets = self.backend.api.dataset.get_list(project_id)
        for dataset in datasets:
            with self.backend.errors():
                pages = self.backend.api.image.get_list_generator(dataset.id, batch_size=PAGE)
                for infos in pages:
                    yield from self._pages(meta, [(dataset.id, i.id) for i in infos], {})

    def _pages(
        self, meta: dict[str, Any], places: list[tuple[int, int]], verdicts: dict[Any, ReviewStatus]
    ) -> Iterator[ItemAnnotation]:
        """The neutral annotation of each (dataset, image), in order, one annotations.bulk.info per page."""
        from .figures import from_supervisely

        for start in range(0, len(places), PAGE):
            page = places[start : start + PAGE]
            by_dataset: dict[int, list[int]] = defaultdict(list)
            for dataset_id, image_id in page:
                by_dataset[dataset_id].append(image_id)
            found: dict[int, dict[str, Any]] = {}
            with self.backend.errors():
                for dataset_id, ids in by_dataset.items():
                    found.update(zip(ids, download(self.backend.api, dataset_id, ids)))
            for _, image_id in page:
                neutral, losses = from_supervisely(found[image_id], meta, item=image_id)
                self.read_report.merge(losses)
                if image_id in verdicts:  # a job's: the reviewer's verdict; else what the item kept, if anything
                    neutral = neutral.model_copy(update={"review_status": verdicts[image_id]})
                if _holds_something(neutral):
                    yield neutral

    def get(self, item_id: Id) -> list[ItemAnnotation]:
        """The image's one annotation (annotations.info) in a list, [] when it holds nothing; NotFound for a
        missing image."""
        from .figures import from_supervisely

        ident = sly_id(item_id, "item_id")
        with self.backend.errors():
            info = self.backend.api.image.get_info_by_id(ident)
        if info is None:
            raise self.backend.not_found(f"image {item_id}")
        meta = self.backend.projects.meta(info.project_id or self._project_of(info.dataset_id))
        with self.backend.errors():
            data = download_one(self.backend.api, ident)
        neutral, self.read_report = from_supervisely(data, meta, item=ident, width=info.width, height=info.height)
        return [neutral] if _holds_something(neutral) else []

    def _project_of(self, dataset_id: int) -> int:
        with self.backend.errors():
            return self.backend.api.dataset.get_info_by_id(dataset_id).project_id

    # -- writing ---------------------------------------------------------------------------

    def write(
        self, project_id: Id, annotations: Iterable[ItemAnnotation], *, mode: WriteMode = "append"
    ) -> FidelityReport:
        """Write the annotations onto the project's images (see the module docstring); the report of the
        conversion, the authors written as the uploader and the merges. Nothing is sent unless every annotation
        names an image of the project, has its size and fits the project's meta."""
        from .figures import stashed, to_supervisely
        from .meta import meta_to_schema

        listed = checked_writes(annotations, mode)
        if not listed:
            return FidelityReport()
        pid = sly_id(project_id, "project_id")
        meta = self.backend.projects.meta(pid)
        schema = meta_to_schema(meta)[0]
        groups: dict[int, list[ItemAnnotation]] = defaultdict(list)
        for index, ann in enumerate(listed):
            groups[sly_id(ann.item, f"annotations[{index}].item")].append(ann)
        infos = self._images(pid, list(groups), "annotations.item")
        authors = Authors(team_members(self.backend), team=self.backend.team_id)
        report = FidelityReport()
        converted: dict[int, tuple[ItemAnnotation, dict[str, Any], FidelityReport]] = {}
        for image_id, anns in groups.items():
            original = merged(image_id, anns, report, counted=mode == "replace")
            losses = FidelityReport()
            ann = authors.apply(original, losses)
            _same_size(ann, infos[image_id])
            ann.validate_against(schema)
            native, conversion = to_supervisely(ann, meta, stash=False)  # the stash is made below, of `original`
            losses.merge(conversion)
            converted[image_id] = (original, native, losses)
        by_dataset: dict[int, list[int]] = defaultdict(list)
        for image_id in converted:
            by_dataset[infos[image_id].dataset_id].append(image_id)
        with self.backend.errors():
            for dataset_id, ids in by_dataset.items():
                for start in range(0, len(ids), PAGE):
                    chunk = ids[start : start + PAGE]
                    held = download(self.backend.api, dataset_id, chunk) if mode == "append" else [None] * len(chunk)
                    sent = []
                    for image_id, old in zip(chunk, held):
                        original, native, losses = converted[image_id]
                        if old is None:
                            payload, losses = stashed(original, native, meta, losses)
                        else:
                            payload, losses = appended_stashed(old, original, native, losses, meta)
                        report.merge(losses)
                        sent.append(payload)
                    self.backend.api.annotation.upload_jsons(chunk, sent)
        return report

    def delete(self, item_ids: Iterable[Id]) -> None:
        """Empty these images' annotations (no objects, no tags, no description); the images stay."""
        ids = list(dict.fromkeys(sly_id(i, "item_ids") for i in item_ids))
        if not ids:
            return
        with self.backend.errors():
            try:
                infos = self.backend.api.image.get_info_by_id_batch(ids)
            except KeyError as exc:  # the SDK's word for an image it cannot find
                raise self.backend.not_found(str(exc.args[0] if exc.args else exc)) from None
        by_dataset: dict[int, list[Any]] = defaultdict(list)
        for info in infos:
            by_dataset[info.dataset_id].append(info)
        with self.backend.errors():
            for dataset_id, group in by_dataset.items():
                empty = [{"size": {"height": i.height, "width": i.width}, "tags": [], "objects": []} for i in group]
                self.backend.api.annotation.upload_jsons([i.id for i in group], empty)

    # -- Supervisely's own JSON -----------------------------------------------------------------

    def to_native(self, project_id: Id, annotations: Iterable[ItemAnnotation]) -> Iterator[dict[str, Any]]:
        """One {"image_id", "annotation"} per image (AnnotationInfo's fields; the annotation is Supervisely's image
        annotation JSON), consecutive annotations of one image merged into its one; each checked against the
        project's meta and its image (of the project, its size) as write() checks it, 100 images a request."""
        from .figures import to_supervisely
        from .meta import meta_to_schema

        pid = sly_id(project_id, "project_id")
        meta = self.backend.projects.meta(pid)
        schema = meta_to_schema(meta)[0]

        def documents() -> Iterator[dict[str, Any]]:
            groups = itertools.groupby(each_checked(annotations), key=lambda a: sly_id(a.item, "annotations.item"))
            for page in in_pages(((i, list(anns)) for i, anns in groups), PAGE):
                infos = self._images(pid, list(dict.fromkeys(i for i, _ in page)), "annotations.item")
                for image_id, anns in page:
                    ann = merged(image_id, anns, FidelityReport(), counted=False)
                    _same_size(ann, infos[image_id])
                    ann.validate_against(schema)
                    yield {"image_id": image_id, "annotation": to_supervisely(ann, meta)[0]}

        return documents()

    def from_native(self, project_id: Id, documents: Iterable[dict[str, Any]]) -> Iterator[ItemAnnotation]:
        """The neutral annotation of each {"image_id", "annotation"} (what to_native and Supervisely's
        AnnotationInfo give), read against the project's meta."""
        from .figures import from_supervisely

        meta = self.backend.projects.meta(sly_id(project_id, "project_id"))

        def read() -> Iterator[ItemAnnotation]:
            for index, doc in enumerate(documents):
                data = doc if isinstance(doc, dict) else {}
                if data.get("image_id") is None or not isinstance(data.get("annotation"), dict):
                    raise ValidationError(f"document #{index}: a Supervisely image annotation is a JSON object with "
                                          "image_id and annotation (the image's annotation JSON)")
                image_id = sly_id(data["image_id"], f"document #{index}: image_id")
                yield from_supervisely(data["annotation"], meta, item=image_id)[0]

        return read()

    def _images(self, project_id: int, ids: list[int], field: str) -> dict[int, Any]:
        """ImageInfo by id for images of the project (images.list by id, 500 a request); ValidationError naming
        the ids that are not."""
        found: dict[int, Any] = {}
        with self.backend.errors():
            for start in range(0, len(ids), ID_FILTER_CHUNK):
                chunk = ids[start : start + ID_FILTER_CHUNK]
                infos = self.backend.api.image.get_list(
                    project_id=project_id, filters=[{"field": "id", "operator": "in", "value": chunk}]
                )
                found.update((i.id, i) for i in infos)
        strangers = [i for i in ids if i not in found]
        if strangers:
            more = " ..." if len(strangers) > 20 else ""
            raise ValidationError(f"{field}: {strangers[:20]}{more} are not images of project {project_id}")
        return found


def _holds_something(annotation: ItemAnnotation) -> bool:
    return bool(annotation.objects or annotation.tags or annotation.description)


def _same_size(annotation: ItemAnnotation, info) -> None:
    """ValidationError unless the annotation is drawn on the image's size (where the server knows it)."""
    if info.width and info.height and (annotation.width, annotation.height) != (info.width, info.height):
        raise annotation.fail(
            f"the annotation is {annotation.width}x{annotation.height}, the image is {info.width}x{info.height}"
        )
