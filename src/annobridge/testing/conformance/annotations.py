"""Conformance of the neutral annotations and predictions: written in bulk, listed, read, turned and removed."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ...annotations import ItemAnnotation, ObjectAnnotation, Polygon, Prediction, Rectangle, Tag
from ...capabilities import Capability
from ...errors import ValidationError
from ...fidelity import FidelityReport
from .base import IMAGE_SIZE, ConformanceBase, assert_unsupported, authors_of, holding, lacks, needs, objects_of

__all__ = ["AnnotationTests", "PredictionTests"]


def _by_item(annotations) -> dict[str, list[ItemAnnotation]]:
    """item id -> the annotations listed for it that hold something."""
    found: dict[str, list[ItemAnnotation]] = {}
    for ann in holding(annotations):
        assert ann.item is not None, "a listed annotation names its item"
        found.setdefault(str(ann.item), []).append(ann)
    return found


def _unset_where(got: ItemAnnotation, written: ItemAnnotation) -> ItemAnnotation:
    """`got` with the server-owned fields (ids, times, authors) that `written` left unset unset too."""
    owned = ("id", "created_at", "updated_at", "author")

    def like(model, wanted):
        return model.model_copy(update={k: None for k in owned if k in type(model).model_fields
                                        and getattr(wanted, k) is None})

    def tags(have, want):
        return tuple(like(t, w) for t, w in zip(have, want)) + tuple(have[len(want):])

    objects = tuple(like(o, w).model_copy(update={"tags": tags(o.tags, w.tags)})
                    for o, w in zip(got.objects, written.objects)) + tuple(got.objects[len(written.objects):])
    return like(got, written).model_copy(update={"objects": objects, "tags": tags(got.tags, written.tags), "kept": {}})


class AnnotationTests(ConformanceBase):
    """Items' annotations through `backend.annotations`, on a new project of sample items."""

    @needs(Capability.ANNOTATIONS)
    def test_write_returns_its_report_and_get_reads_it_back_with_its_author(
        self, backend, project, item_ids, annotation_for, author
    ):
        written = [annotation_for(item_ids[0], author, 0), annotation_for(item_ids[1], author, 1)]
        report = backend.annotations.write(project.id, written)
        assert isinstance(report, FidelityReport) and report.lossless, str(report)
        for ann in written:
            got = backend.annotations.get(ann.item)
            assert objects_of(got) == objects_of([ann])
            assert sorted((t.name, t.value) for a in got for t in a.tags) == [("size", ann.tags[0].value)]
            assert authors_of(got) == {author}
            assert {(a.width, a.height) for a in got} == {(ann.width, ann.height)}
        assert holding(backend.annotations.get(item_ids[2])) == []

    @needs(Capability.ANNOTATIONS)
    def test_what_the_backend_cannot_show_is_kept_and_read_back(self, backend, project, item_ids, author):
        """Holes, descriptions and times come back as written, whether the backend shows them or keeps them aside
        (keep.py); what was left unset (ids, an update time, a tag's times) the backend may fill in."""
        moment = datetime(2024, 5, 1, 8, 30, 15, tzinfo=timezone.utc)
        cut = Polygon(exterior=((2, 2), (40, 2), (40, 30), (2, 30)), interiors=(((10, 10), (20, 10), (20, 20)),))
        kiwi = ObjectAnnotation(class_name="kiwi", shape=cut, author=author, description="cut in half",
                                created_at=moment)
        width, height = IMAGE_SIZE
        written = ItemAnnotation(item=item_ids[0], width=width, height=height, objects=(kiwi,), author=author,
                                 tags=(Tag(name="size", value="small", author=author),), description="one kiwi")
        report = backend.annotations.write(project.id, [written])
        assert report.lossless, str(report)
        (got,) = holding(backend.annotations.get(item_ids[0]))
        assert _unset_where(got, written) == written

    @needs(Capability.ANNOTATIONS)
    def test_append_adds_and_replace_takes_the_place(self, backend, project, item_ids, annotation_for, author):
        first, second = annotation_for(item_ids[0], author, 0), annotation_for(item_ids[0], author, 1)
        backend.annotations.write(project.id, [first])
        backend.annotations.write(project.id, [second], mode="append")
        assert objects_of(backend.annotations.get(item_ids[0])) == objects_of([first, second])
        backend.annotations.write(project.id, [annotation_for(item_ids[1], author, 0)])
        backend.annotations.write(project.id, [second], mode="replace")
        assert objects_of(backend.annotations.get(item_ids[0])) == objects_of([second])
        assert objects_of(backend.annotations.get(item_ids[1])) == objects_of([first])

    @needs(Capability.ANNOTATIONS)
    def test_list_by_project_and_by_items(self, backend, project, item_ids, annotation_for, author):
        backend.annotations.write(project.id, [annotation_for(i, author, n) for n, i in enumerate(item_ids[:2])])
        listed = _by_item(backend.annotations.list(project_id=project.id))
        assert set(listed) == {str(i) for i in item_ids[:2]}
        assert objects_of(listed[str(item_ids[1])]) == objects_of([annotation_for(item_ids[1], author, 1)])
        only = _by_item(backend.annotations.list(project_id=project.id, item_ids=[item_ids[1]]))
        assert set(only) == {str(item_ids[1])}
        assert _by_item(backend.annotations.list(project_id=project.id, item_ids=[])) == {}

    @needs(Capability.ANNOTATIONS)
    @needs(Capability.JOBS)
    def test_list_by_job_gives_the_jobs_items(self, backend, project, item_ids, project_job, annotation_for, author):
        backend.annotations.write(project.id, [annotation_for(i, author) for i in item_ids])
        names = {str(i.id) for i in backend.items.list(job_id=project_job.id)}
        assert set(_by_item(backend.annotations.list(job_id=project_job.id))) == names

    @needs(Capability.ANNOTATIONS)
    def test_a_schema_violation_is_refused_before_any_write(self, backend, project, item_ids, annotation_for, author):
        good = annotation_for(item_ids[0], author, 0)
        bad = ItemAnnotation(item=item_ids[1], width=good.width, height=good.height, author=author, objects=(
            ObjectAnnotation(class_name="banana", shape=Rectangle(x=1, y=1, width=2, height=2)),))
        with pytest.raises(ValidationError, match="banana"):
            backend.annotations.write(project.id, [good, bad])
        assert holding(backend.annotations.get(item_ids[0])) == []
        with pytest.raises(ValidationError, match="item"):
            backend.annotations.write(project.id, [good.model_copy(update={"item": None})])
        with pytest.raises(ValidationError, match="mode"):
            backend.annotations.write(project.id, [good], mode="merge")
        assert holding(backend.annotations.get(item_ids[0])) == []

    @needs(Capability.ANNOTATIONS)
    def test_delete_removes_the_annotations_and_keeps_the_items(self, backend, project, item_ids, annotation_for,
                                                                author):
        backend.annotations.write(project.id, [annotation_for(i, author) for i in item_ids[:2]])
        backend.annotations.delete([item_ids[0]])
        assert holding(backend.annotations.get(item_ids[0])) == []
        assert holding(backend.annotations.get(item_ids[1])) != []
        assert {str(i.id) for i in backend.items.list(project_id=project.id)} == {str(i) for i in item_ids}

    @lacks(Capability.ANNOTATIONS)
    def test_without_annotations_reading_them_is_unsupported(self, backend):
        assert_unsupported(backend, Capability.ANNOTATIONS, lambda: backend.annotations.get(1))


class PredictionTests(ConformanceBase):
    """Model output through `backend.predictions`: written in bulk, listed, turned into annotations, removed."""

    @staticmethod
    def _predictions(annotation_for, item_ids, version="v1"):
        return [Prediction(annotation=annotation_for(i, None, n), model_version=version, score=0.5)
                for n, i in enumerate(item_ids)]

    @needs(Capability.PREDICTIONS)
    def test_write_then_list_by_project_and_by_items(self, backend, project, item_ids, annotation_for):
        written = self._predictions(annotation_for, item_ids[:2])
        report = backend.predictions.write(project.id, written)
        assert isinstance(report, FidelityReport) and report.lossless, str(report)
        listed = list(backend.predictions.list(project_id=project.id))
        assert sorted(str(p.annotation.item) for p in listed) == sorted(str(i) for i in item_ids[:2])
        assert {(p.model_version, p.score) for p in listed} == {("v1", 0.5)}
        for p in listed:
            wanted = next(w for w in written if str(w.annotation.item) == str(p.annotation.item))
            assert objects_of([p.annotation]) == objects_of([wanted.annotation])
        only = list(backend.predictions.list(project_id=project.id, item_ids=[item_ids[1]]))
        assert [str(p.annotation.item) for p in only] == [str(item_ids[1])]

    @needs(Capability.PREDICTIONS)
    @needs(Capability.JOBS)
    def test_list_by_job_gives_the_jobs_items(self, backend, project, item_ids, project_job, annotation_for):
        backend.predictions.write(project.id, self._predictions(annotation_for, item_ids))
        held = {str(i.id) for i in backend.items.list(job_id=project_job.id)}
        assert {str(p.annotation.item) for p in backend.predictions.list(job_id=project_job.id)} == held

    @needs(Capability.PREDICTIONS)
    @needs(Capability.ANNOTATIONS)
    def test_to_annotations_turns_the_chosen_versions(self, backend, project, item_ids, annotation_for):
        backend.predictions.write(project.id, self._predictions(annotation_for, item_ids[:1], "v1"))
        backend.predictions.write(project.id, self._predictions(annotation_for, item_ids[1:2], "v2"))
        assert backend.predictions.to_annotations(project.id, model_versions=["no-such-version"]) == 0
        assert backend.predictions.to_annotations(project.id, model_versions=["v1"]) == 1
        assert objects_of(backend.annotations.get(item_ids[0])) == objects_of([annotation_for(item_ids[0], None, 0)])
        assert holding(backend.annotations.get(item_ids[1])) == []

    @needs(Capability.PREDICTIONS)
    def test_a_schema_violation_is_refused_before_any_write(self, backend, project, item_ids, annotation_for):
        good = self._predictions(annotation_for, item_ids[:1])[0]
        bad = Prediction(annotation=ItemAnnotation(item=item_ids[1], width=good.annotation.width,
                                                   height=good.annotation.height, objects=(
            ObjectAnnotation(class_name="banana", shape=Rectangle(x=1, y=1, width=2, height=2)),)))
        with pytest.raises(ValidationError, match="banana"):
            backend.predictions.write(project.id, [good, bad])
        assert list(backend.predictions.list(project_id=project.id)) == []

    @needs(Capability.PREDICTIONS)
    def test_delete_removes_the_items_predictions(self, backend, project, item_ids, annotation_for):
        backend.predictions.write(project.id, self._predictions(annotation_for, item_ids[:2]))
        backend.predictions.delete([item_ids[0]])
        assert [str(p.annotation.item) for p in backend.predictions.list(project_id=project.id)] == [str(item_ids[1])]

    @lacks(Capability.PREDICTIONS)
    def test_without_predictions_writing_them_is_unsupported(self, backend, project, item_ids, annotation_for):
        predictions = self._predictions(annotation_for, item_ids[:1])
        assert_unsupported(backend, Capability.PREDICTIONS, lambda: backend.predictions.write(project.id, predictions))
