"""The one argument order (subapi.keyword_ids): where a job id and a project id could be confused, both are keywords;
the old positional form still works for one release and warns, on every provider's override."""

from __future__ import annotations

import warnings

import pytest

import annobridge
from annobridge import JobSpec, LabelSchema, ObjectClass
from annobridge.subapi import SubAPI, keyword_ids

EITHER = [("items", "list"), ("items", "select"), ("items", "download"), ("annotations", "list"),
          ("predictions", "list"), ("videos", "list"), ("videos", "annotations")]


@pytest.fixture
def made(memory_plugin, tmp_path):
    backend = annobridge.connect("memory://order")
    project = backend.projects.create("order", LabelSchema(classes=[ObjectClass(name="box", shape="rectangle")]))
    ids = backend.items.add(project.id, [{"name": n, "bytes": b"x", "width": 4, "height": 3} for n in ("a.jpg", "b.jpg")])
    job, = backend.jobs.create(JobSpec(name="j", project_id=project.id))
    return backend, project, job, ids


@pytest.mark.parametrize(("area", "method"), EITHER)
def test_the_base_declares_job_and_project_as_keywords_only(area, method):
    import inspect

    from annobridge import provider

    base = {"items": provider.ItemsAPI, "annotations": provider.AnnotationsAPI, "predictions": provider.PredictionsAPI,
            "videos": provider.VideosAPI}[area]
    parameters = inspect.signature(getattr(base, method)).parameters
    assert parameters["job_id"].kind is parameters["project_id"].kind is inspect.Parameter.KEYWORD_ONLY


def test_keywords_read_without_a_warning(made):
    backend, project, job, ids = made
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [i.id for i in backend.items.list(job_id=job.id)] == ids
        assert [i.id for i in backend.items.list(project_id=project.id)] == ids
        assert list(backend.annotations.list(project_id=project.id)) == []


def test_the_old_positional_form_still_reads_a_job_id_and_warns_naming_the_keyword(made):
    backend, _, job, ids = made
    with pytest.warns(DeprecationWarning, match=rf"^list\({job.id!r}\): pass job_id={job.id!r}; a positional id is"):
        listed = [i.id for i in backend.items.list(job.id)]
    assert listed == ids
    with pytest.warns(DeprecationWarning, match="pass job_id=") as caught:
        list(backend.items.select(job.id))
    assert caught[0].filename == __file__  # points at the caller's line, through the provider's override


def test_two_positional_ids_or_one_twice_are_refused(made):
    backend, project, job, _ = made
    with pytest.raises(TypeError, match=r"takes its ids as keywords \(job_id=...\)"):
        backend.items.list(job.id, project.id)
    with pytest.raises(TypeError, match="takes its ids as keywords"):
        backend.items.list(job.id, job_id=job.id)


def test_an_override_in_a_subclass_keeps_the_shim():
    class Base(SubAPI):
        @keyword_ids("job_id")
        def list(self, *, job_id=None, project_id=None):
            return job_id, project_id

    class Mine(Base):
        def list(self, *, job_id=None, project_id=None):
            return "mine", job_id, project_id

    with pytest.warns(DeprecationWarning, match="pass job_id=5"):
        assert Mine(None).list(5) == ("mine", 5, None)
    assert Mine(None).list(project_id=3) == ("mine", None, 3)
