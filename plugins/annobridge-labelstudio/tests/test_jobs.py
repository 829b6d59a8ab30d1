"""Jobs as Label Studio projects: create with settings, derived status, list without cap, update, delete, derived jobs."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import annobridge
from annobridge import ItemFilter, JobSpec, JobStatus, JobUpdate, NotFound, Unsupported, ValidationError
from annobridge.models import ProviderOptions
from annobridge.testing.conformance import SAMPLE_SCHEMA
from annobridge_labelstudio import LabelStudioJobOptions
from annobridge_labelstudio.projects import iter_projects


def _name(prefix: str = "job") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_create_sets_every_project_setting_and_the_job_reports_them(backend):
    options = LabelStudioJobOptions(sampling="uniform", show_skip_button=False, maximum_annotations=2, model_version="v7",
                                    color="#FF0000", show_instruction=True, skip_queue="ignore_skipped",
                                    task_data_login="reader", task_data_password="secret")
    spec = JobSpec(name=_name(), label_schema=SAMPLE_SCHEMA, readme="<b>draw boxes</b>", description="lemons",
                   options=options)
    job, = backend.jobs.create(spec)
    try:
        params = backend.jobs.params(job.id)
        assert (job.name, job.readme, job.description, job.status) == (spec.name, spec.readme, "lemons", JobStatus.PENDING)
        assert params["sampling"] == "Uniform sampling" and params["show_skip_button"] is False
        assert (params["maximum_annotations"], params["model_version"], params["color"]) == (2, "v7", "#FF0000")
        assert params["show_instruction"] is True and params["expert_instruction"] == spec.readme
        assert (params["skip_queue"], params["task_data_login"]) == ("IGNORE_SKIPPED", "reader")
        assert backend.projects.get_schema(job.id) == SAMPLE_SCHEMA
        reported = job.options
        assert isinstance(reported, LabelStudioJobOptions) and reported.task_data_password is None
        assert (reported.sampling, reported.skip_queue, reported.maximum_annotations) == ("uniform", "ignore_skipped", 2)
        assert (reported.show_skip_button, reported.color, reported.workspace) == (False, "#FF0000", None)
    finally:
        backend.jobs.delete(job.id)


def test_bad_specs_are_refused_before_any_request(backend, counted):
    backend.edition  # noqa: B018 - known before counting, as after any earlier call
    with counted(backend) as c:
        with pytest.raises(ValidationError, match="3 to 50 characters, got 'ab'"):
            backend.jobs.create(JobSpec(name="ab", label_schema=SAMPLE_SCHEMA))
        with pytest.raises(Unsupported, match="annotators: task assignment needs Label Studio Enterprise"):
            backend.jobs.create(JobSpec(name="with annotators", label_schema=SAMPLE_SCHEMA, annotators=[1]))
    assert c.count == 0


class OtherVendor(ProviderOptions):
    provider = "supervisely"


REFUSED = [  # (what the spec sets, the error, the words naming the setting and the backend)
    (dict(custom_data={"batch": 3}), Unsupported, r"job_custom_data is not supported by labelstudio .*custom_data: "
                                                  "a Label Studio project has no custom data field"),
    (dict(objects_limit_per_item=5), Unsupported, r"job_limits is not supported by labelstudio .*"
                                                  "objects_limit_per_item: Label Studio sets no limit of objects"),
    (dict(tags_limit_per_item=2), Unsupported, r"job_limits is not supported by labelstudio .*tags_limit_per_item: "),
    (dict(include_items_with_tags=["ripe"]), Unsupported, r"job_limits is not supported .*include_items_with_tags: "
                                                          ".*no tags to choose them by"),
    (dict(exclude_items_with_tags=["ripe"]), Unsupported, r"job_limits is not supported .*exclude_items_with_tags: "),
    (dict(annotators=[1]), Unsupported, r"assignments is not supported by labelstudio .*annotators: task assignment "
                                        "needs Label Studio Enterprise; this server is Community"),
    (dict(reviewer=1), Unsupported, r"assignments is not supported by labelstudio .*reviewer: task assignment "
                                    "needs Label Studio Enterprise; this server is Community"),
    (dict(options=LabelStudioJobOptions(workspace=2)), Unsupported,
     r"options.workspace is not supported by labelstudio .*workspaces need Label Studio Enterprise"),
    (dict(options=OtherVendor()), ValidationError, r"options: OtherVendor is for supervisely; labelstudio .* takes "
                                                   "LabelStudioJobOptions"),
    (dict(item_range=(0, 2)), ValidationError, r"item_range: \(0, 2\) counts the tasks of project_id"),
]


@pytest.mark.parametrize(("fields", "error", "words"), REFUSED, ids=[next(iter(f)) for f, _, _ in REFUSED])
def test_a_setting_label_studio_cannot_honour_is_refused_before_any_request(backend, counted, fields, error, words):
    backend.edition  # noqa: B018 - known before counting
    before = len(backend.jobs.list())
    with counted(backend) as c, pytest.raises(error, match=words):
        backend.jobs.create(JobSpec(name=_name(), label_schema=SAMPLE_SCHEMA, **fields))
    assert c.count == 0 and len(backend.jobs.list()) == before


def test_item_range_and_item_ids_together_are_refused(backend, job, images, counted):
    ids = backend.items.add(job.id, images(3))
    with counted(backend) as c, pytest.raises(ValidationError, match="item_range and item_ids: give one of them"):
        backend.jobs.create(JobSpec(name=_name(), project_id=job.id, item_ids=ids[:1], item_range=(0, 2)))
    assert c.count == 0


def test_the_neutral_settings_label_studio_honours(backend, job, images):
    """readme, description, classes_to_label, tags_to_label, item_ids and item_range all reach the new project."""
    ids = backend.items.add(job.id, images(4))
    made, = backend.jobs.create(JobSpec(name=_name(), project_id=job.id, readme="look", description="d",
                                        classes_to_label=["lemon"], tags_to_label=["size"], item_ids=ids[2:]))
    try:
        params = backend.jobs.params(made.id)
        assert (params["expert_instruction"], params["description"]) == ("look", "d")
        schema = backend.projects.get_schema(made.id)
        assert [c.name for c in schema.classes] == ["lemon"] and [t.name for t in schema.tags] == ["size"]
        assert [i.data["n"] for i in backend.items.list(job_id=made.id)] == [2, 3]
        assert (made.classes_to_label, made.tags_to_label) == (["lemon"], ["size"])
    finally:
        backend.jobs.delete(made.id)


def test_status_follows_the_documented_rule(backend, job, images, choice):
    ids = backend.items.add(job.id, images(2))
    assert backend.jobs.status(job.id) is JobStatus.PENDING
    backend.annotations.create_json(ids[0], result=choice())
    got = backend.jobs.get(job.id)
    assert (got.status, got.items_count, got.finished_items_count) == (JobStatus.IN_PROGRESS, 2, 1)
    backend.annotations.create_json(ids[1], result=choice("large"))
    assert backend.jobs.wait(job.id, "completed", timeout=5, poll_interval=0.1).status is JobStatus.COMPLETED


def test_list_has_every_project_and_pages_without_a_request_past_the_end(backend, counted):
    made = [backend.projects.create(_name("page")) for _ in range(5)]
    try:
        total = len(backend.jobs.list())
        assert {p.id for p in made} <= {j.id for j in backend.jobs.list()}
        for size in (2, total, total + 3):
            with counted(backend) as c:
                listed = list(iter_projects(backend.projects, page_size=size))
            assert len(listed) == total
            assert c.count == -(-total // size)  # one request a page, none for a page past the end
    finally:
        backend.jobs.delete_many([p.id for p in made])


def test_update_changes_settings_and_schema(backend, job):
    narrower = SAMPLE_SCHEMA.model_copy(update={"tags": ()})
    options = LabelStudioJobOptions(sampling="sequential", enable_empty_annotation=False)
    updated = backend.jobs.update(job.id, JobUpdate(name="renamed job", readme="new", label_schema=narrower,
                                                    options=options))
    assert (updated.name, updated.readme) == ("renamed job", "new")
    params = backend.jobs.params(job.id)
    assert params["sampling"] == "Sequential sampling" and params["enable_empty_annotation"] is False
    assert backend.projects.get_schema(job.id) == narrower
    assert (updated.options.sampling, updated.options.enable_empty_annotation) == ("sequential", False)


def test_update_refuses_what_community_cannot_honour_before_any_request(backend, job, counted):
    backend.edition  # noqa: B018 - known before counting
    with counted(backend) as c:
        with pytest.raises(Unsupported, match="reviewer: task assignment needs Label Studio Enterprise"):
            backend.jobs.update(job.id, JobUpdate(name="renamed", reviewer=1))
        with pytest.raises(Unsupported, match="options.workspace is not supported"):
            backend.jobs.update(job.id, JobUpdate(name="renamed", options=LabelStudioJobOptions(workspace=1)))
        with pytest.raises(ValidationError, match="takes LabelStudioJobOptions"):
            backend.jobs.update(job.id, JobUpdate(name="renamed", options=OtherVendor()))
    assert c.count == 0
    assert backend.jobs.get(job.id).name == job.name


def test_delete_and_unknown_jobs(backend, counted):
    job, = backend.jobs.create(JobSpec(name=_name(), label_schema=SAMPLE_SCHEMA))
    backend.jobs.delete(job.id)
    with pytest.raises(NotFound, match=f"reading project {job.id}"):
        backend.jobs.get(job.id)
    with counted(backend) as c:
        backend.jobs.delete_many([])
    assert c.count == 0


def test_deletes_from_many_threads_never_overlap_and_the_server_keeps_counting(server, backend, images, choice):
    """Label Studio unhooks every signal of the server while it deletes a project; two deletes at once leave
    them unhooked (task counters stop), so the provider sends one delete at a time (projects.delete)."""
    in_flight, most, guard = [0], [0], threading.Lock()

    def sent(request):
        if request.method == "DELETE":
            with guard:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])

    def answered(response):
        if response.request.method == "DELETE":
            with guard:
                in_flight[0] -= 1

    client = httpx.Client(timeout=120, event_hooks={"request": [sent], "response": [answered]})
    with client, annobridge.connect(server.backend_url, token=server.token, httpx_client=client) as watched:
        doomed = [watched.jobs.create(JobSpec(name=_name(), label_schema=SAMPLE_SCHEMA))[0].id for _ in range(6)]
        for pid in doomed:
            watched.items.add(pid, images(20))  # so that each delete takes a moment
        with ThreadPoolExecutor(len(doomed)) as pool:
            list(pool.map(watched.projects.delete, doomed))
    assert most[0] == 1 and in_flight[0] == 0
    kept, = backend.jobs.create(JobSpec(name=_name(), label_schema=SAMPLE_SCHEMA))
    ids = backend.items.add(kept.id, images(3))
    backend.annotations.create_json(ids[1], result=choice())
    assert [i.id for i in backend.items.select(job_id=kept.id, where=ItemFilter(annotated=True))] == [ids[1]]
    backend.jobs.delete(kept.id)


def test_job_from_a_project_copies_its_config_cut_down_and_the_chosen_tasks(backend, job, images):
    ids = backend.items.add(job.id, images(6))
    derived, = backend.jobs.create(JobSpec(name=_name("derived"), project_id=job.id, classes_to_label=["lemon"],
                                           tags_to_label=["size"], item_ids=ids[1:3]))
    ranged, = backend.jobs.create(JobSpec(name=_name("ranged"), project_id=job.id, item_range=(2, 5)))
    try:
        assert derived.project_id == job.id and derived.classes_to_label == ["lemon"]
        assert [c.name for c in backend.projects.get_schema(derived.id).classes] == ["lemon"]
        assert [i.data["n"] for i in backend.items.list(job_id=derived.id)] == [1, 2]
        assert [i.data["n"] for i in backend.items.list(job_id=ranged.id)] == [2, 3, 4]
        assert backend.projects.get_schema(ranged.id) == SAMPLE_SCHEMA
        assert {j.id for j in backend.jobs.list(project_id=job.id)} == {job.id, derived.id, ranged.id}
    finally:
        backend.jobs.delete_many([derived.id, ranged.id])


def test_unknown_item_ids_of_a_derived_job_write_nothing(backend, job, images):
    backend.items.add(job.id, images(1))
    before = len(backend.jobs.list())
    with pytest.raises(ValidationError, match=r"item_ids: \[999999\] are not tasks of project"):
        backend.jobs.create(JobSpec(name=_name(), project_id=job.id, item_ids=[999999]))
    assert len(backend.jobs.list()) == before


def test_model_versions_and_prediction_coverage(backend, job, images):
    ids = backend.items.add(job.id, images(4))
    backend.predictions.create_json(ids[0], "small", model_version="m1")
    backend.predictions.create_json(ids[1], "small", model_version="m1")
    assert backend.projects.model_versions(job.id) == {"m1": 2}
    assert backend.projects.predictions_coverage(job.id) == {"m1": 0.5}
