"""Every request the provider sends to an Enterprise endpoint, checked against the label-studio-sdk's own requests."""

from __future__ import annotations

import ast
import functools
import json
import re
import typing
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

import annobridge
from annobridge import Assignment, JobSpec, JobUpdate, ReviewStatus, Role, StorageSpec
from annobridge.testing.conformance import SAMPLE_SCHEMA

# ---------------------------------------------------------------- the SDK's endpoints, read from its source


@dataclass(frozen=True)
class Endpoint:
    """One SDK method's request: HTTP method, path template, json body keys (None: a typed body), query keys."""

    source: str  # "label_studio_sdk.projects.assignments.raw_client:RawAssignmentsClient.bulk_assign"
    method: str
    template: str  # "api/projects/{id}/tasks/assignees"
    body: frozenset[str] | None
    required: frozenset[str]
    query: frozenset[str]
    pattern: re.Pattern = field(compare=False)
    arguments: tuple[tuple[str, str], ...] = ()  # json key -> the method's parameter it is sent from

    @property
    def name(self) -> str:
        """The SDK call it is, as a client spells it: "projects.assignments.bulk_assign"."""
        module, rest = self.source.split(":")
        return module.removeprefix("label_studio_sdk.").removesuffix(".raw_client") + "." + rest.split(".")[1]

    def types(self) -> dict[str, Any]:
        """json key -> the type the SDK method declares for it (read from the method's annotations)."""
        import importlib

        module, rest = self.source.split(":")
        cls, name = rest.split(".")
        method = getattr(getattr(importlib.import_module(module), cls), name)
        hints = typing.get_type_hints(method, include_extras=True)
        return {key: _closed(hints[arg]) for key, arg in self.arguments if arg in hints}


def _closed(hint: Any) -> Any:
    """Fern's open enums, Union[Literal[...], Any], without the Any a reader needs and a writer must not use."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Union and typing.Any in args:
        rest = tuple(a for a in args if a is not typing.Any)
        if rest and all(typing.get_origin(a) is typing.Literal for a in rest):
            return typing.Union[rest]  # noqa: UP007 - a Union built at run time
    return hint


def _argument_defaults(fn: ast.FunctionDef) -> dict[str, bool]:
    """parameter name -> whether it has a default."""
    positional = fn.args.posonlyargs + fn.args.args
    has = {a.arg: i >= len(positional) - len(fn.args.defaults) for i, a in enumerate(positional)}
    has.update({a.arg: d is not None for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults)})
    return has


def _keys(node: ast.expr | None, defaults: dict[str, bool]) -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    """The string keys of a dict literal, those fed only by parameters without a default, and key -> parameter."""
    if not isinstance(node, ast.Dict):
        return frozenset(), frozenset(), {}
    keys, required, arguments = set(), set(), {}
    for key, value in zip(node.keys, node.values):
        if not isinstance(key, ast.Constant):
            continue
        keys.add(key.value)
        fed = {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and n.id in defaults}
        if fed and not any(defaults[name] for name in fed):
            required.add(key.value)
        if len(fed) == 1:
            arguments[key.value] = fed.pop()
    return frozenset(keys), frozenset(required), arguments


def _template(node: ast.expr) -> str:
    """f"api/projects/{encode_path_param(id)}/x" -> "api/projects/{id}/x"."""
    if isinstance(node, ast.Constant):
        return node.value
    parts = []
    for part in node.values:  # an ast.JoinedStr
        if isinstance(part, ast.Constant):
            parts.append(part.value)
        else:
            inner = part.value
            arg = inner.args[0] if isinstance(inner, ast.Call) and inner.args else inner
            parts.append("{" + ast.unparse(arg) + "}")
    return "".join(parts)


@functools.cache
def sdk_endpoints() -> tuple[Endpoint, ...]:
    """Every request the SDK's sync raw clients send, read with ast from label_studio_sdk/**/raw_client.py."""
    import pathlib

    import label_studio_sdk

    root = pathlib.Path(label_studio_sdk.__file__).parent
    found = []
    for path in sorted(root.rglob("raw_client.py")):
        for cls in ast.parse(path.read_text()).body:
            if not isinstance(cls, ast.ClassDef) or cls.name.startswith("Async"):
                continue
            for fn in (f for f in cls.body if isinstance(f, ast.FunctionDef)):
                defaults = _argument_defaults(fn)
                for call in ast.walk(fn):
                    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and call.func.attr == "request" and ast.unparse(call.func.value).endswith("httpx_client")):
                        continue
                    kw = {k.arg: k.value for k in call.keywords}
                    template = _template(call.args[0] if call.args else kw["path"])
                    body, required, arguments = _keys(kw.get("json"), defaults)
                    query, _, _ = _keys(kw.get("params"), defaults)
                    typed = "json" in kw and not isinstance(kw["json"], ast.Dict)  # a model's dump (task imports)
                    regex = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template.lstrip("/")))
                    module = ".".join(("label_studio_sdk", *path.relative_to(root).with_suffix("").parts))
                    found.append(Endpoint(f"{module}:{cls.name}.{fn.name}", ast.literal_eval(kw["method"]),
                                          template, None if typed else body, required, query,
                                          re.compile(f"^/{regex}$"), tuple(sorted(arguments.items()))))
    return tuple(found)


def test_the_sdk_table_is_read_from_the_sdk():
    table = {(e.name, e.method, e.template): e for e in sdk_endpoints()}
    bulk = table["projects.assignments.bulk_assign", "POST", "api/projects/{id}/tasks/assignees"]
    assert bulk.body == {"filters", "selectedItems", "type", "users"}
    assert bulk.required == {"selectedItems", "type", "users"}
    assert bulk.types()["type"] == typing.Literal["AN", "RE"]
    assert bulk.pattern.match("/api/projects/7/tasks/assignees")
    assert not any(bulk.pattern.match(p) for p in ("/api/projects/7/tasks", "/api/projects/7/tasks/assignees/"))
    actions = next(e for e in sdk_endpoints() if e.name == "actions.create")
    assert {"id", "project"} <= actions.query and "selectedItems" in actions.body
    assert len(table) > 300


# ---------------------------------------------------------------- the provider's requests, captured


@dataclass
class Sent:
    """One request the provider sent, and how the stand-in took it ("local" or "forwarded")."""

    method: str
    path: str
    query: frozenset[str]
    body: Any
    how: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class Recorder:
    """httpx event hooks on the provider's client: each request, with the stand-in's log entry for it."""

    def __init__(self, standin) -> None:
        self.standin = standin
        self.sent: list[Sent] = []
        self._mark = 0

    def request(self, request: httpx.Request) -> None:
        self._mark = len(self.standin.log)

    def response(self, response: httpx.Response) -> None:
        request = response.request
        new = self.standin.log[self._mark:]
        # the client sends one request at a time, so the one new log entry is this request's
        assert [(m, p) for m, p, _ in new] == [(request.method, request.url.path)], new
        body = _body(request)
        self.sent.append(Sent(request.method, request.url.path, frozenset(request.url.params.keys()), body, new[0][2]))

    def local(self, since: int = 0) -> list[Sent]:
        return [s for s in self.sent[since:] if s.how == "local"]


def _body(request: httpx.Request) -> Any:
    """The request's JSON body; bytes for any other body ("stream" for a multipart upload), None for none."""
    try:
        content = request.content
    except httpx.RequestNotRead:
        return "stream"
    if content and "json" in request.headers.get("content-type", ""):
        return json.loads(content)
    return content or None


@pytest.fixture(scope="module")
def recorder(standin):
    return Recorder(standin)


@pytest.fixture(scope="module")
def ee(standin, server, recorder):
    """A backend on the stand-in whose httpx client records every request it sends."""
    # as the provider's own client does; a redirect would show as a request the stand-in did not log
    client = httpx.Client(timeout=120, follow_redirects=True,
                          event_hooks={"request": [recorder.request], "response": [recorder.response]})
    with client, annobridge.connect("labelstudio+" + standin.url, token=server.token, httpx_client=client) as backend:
        yield backend


@pytest.fixture(scope="module")
def people(backend):
    made = []
    for name in ("ann", "rev", "third"):
        login = f"rq-{name}-{uuid.uuid4().hex[:6]}"
        made.append(backend.users.create(login, password="pw-12345678", email=f"{login}@example.com").id)
    return made


@pytest.fixture
def ee_job(ee):
    created, = ee.jobs.create(JobSpec(name=f"rq-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
    yield created
    ee.jobs.delete(created.id)


def mismatches(sent: Sent) -> tuple[list[str], str]:
    """What is wrong with one request by the SDK's methods for its path and method (empty: nothing), and
    the SDK call it matched ("projects.assignments.bulk_assign")."""
    candidates = [e for e in sdk_endpoints() if e.method == sent.method and e.pattern.match(sent.path)]
    if not candidates:
        templates = sorted({f"{e.method} /{e.template}" for e in sdk_endpoints() if e.pattern.match(sent.path)})
        return [f"{sent}: no label-studio-sdk method sends this (same path: {templates or 'none'})"], ""
    problems: list[str] = []
    for endpoint in candidates:  # the request is fine if one of the SDK's methods for it would send it so
        problems = _against(sent, endpoint)
        if not problems:
            return [], endpoint.name
    return problems, ""


def _against(sent: Sent, endpoint: Endpoint) -> list[str]:
    """What in `sent` the SDK's `endpoint` would not send: query keys, body keys, body values by the SDK's types."""
    import pydantic

    where, problems = f"{sent} (SDK {endpoint.name})", []
    if sent.query - endpoint.query:
        problems.append(f"{where}: query {sorted(sent.query - endpoint.query)} not among {sorted(endpoint.query)}")
    if endpoint.body is None:  # a typed body (task imports): the stand-in serves none of these
        return problems
    if sent.body is not None and not isinstance(sent.body, dict):
        return [*problems, f"{where}: a {type(sent.body).__name__} body; the SDK sends an object"]
    body = sent.body or {}
    if set(body) - endpoint.body:
        problems.append(f"{where}: body {sorted(set(body) - endpoint.body)} not among {sorted(endpoint.body)}")
    if endpoint.required - set(body):
        problems.append(f"{where}: body lacks {sorted(endpoint.required - set(body))}")
    types = endpoint.types()
    for key, value in body.items():
        if key in types and value is not None:
            try:
                pydantic.TypeAdapter(types[key]).validate_python(value)
            except pydantic.ValidationError:
                problems.append(f"{where}: body {key}={value!r} is not a {types[key]}")
    return problems


@pytest.mark.parametrize(("method", "path", "query", "body", "words"), [
    ("POST", "/api/projects/3/tasks/assignes", (), {}, "no label-studio-sdk method sends this"),
    ("PUT", "/api/projects/3/tasks/assignees", (), {}, "same path: ['POST /api/projects/{id}/tasks/assignees']"),
    ("POST", "/api/projects/3/tasks/assignees", (), {"selectedItems": {"all": False, "included": [1]}, "users": [2]},
     "body lacks ['type']"),
    ("POST", "/api/projects/3/tasks/assignees", (),
     {"selectedItems": {"all": False, "included": [1]}, "users": [2], "type": "AN", "user": 2}, "body ['user'] not"),
    ("POST", "/api/projects/3/tasks/assignees", (), {"selectedItems": {"all": False, "included": [1]}, "users": [2],
                                                      "type": "annotator"}, "body type='annotator' is not"),
    ("POST", "/api/projects/3/tasks/assignees", (), {"selectedItems": [1], "users": [2], "type": "AN"},
     "body selectedItems=[1] is not"),
    ("GET", "/api/projects/3/members/7/pauses/", ("active",), None, "query ['active'] not among"),
])
def test_a_request_the_sdk_would_not_send_is_named(method, path, query, body, words):
    problems, matched = mismatches(Sent(method, path, frozenset(query), body, "local"))
    assert matched == "" and words in " ".join(problems)
    assert mismatches(Sent("GET", "/api/projects/3/members/7/pauses/", frozenset({"include_deleted"}), None, "local")) \
        == ([], "projects.pauses.list")


def check(recorder: Recorder, since: int) -> set[str]:
    """Assert every local request since `since` matches the SDK; returns the SDK methods they matched."""
    sent = recorder.local(since)
    report = [mismatches(s) for s in sent]
    assert [p for problems, _ in report for p in problems] == []
    return {source for _, source in report}


# ---------------------------------------------------------------- the provider's Enterprise operations


def test_every_stand_in_answer_went_through_the_recorded_client(ee, ee_job, standin, recorder, images):
    before, log_before = len(recorder.sent), len(standin.log)
    ee.items.add(ee_job.id, images(2))
    ee.assignments.list(ee_job.id)
    assert len(recorder.sent) - before == len(standin.log) - log_before > 0
    assert check(recorder, before) >= {"projects.import_tasks", "tasks.create_many_status"}  # imported, polled


def test_assignment_requests(ee, ee_job, recorder, people, images):
    ann, rev, third = people
    ids = ee.items.add(ee_job.id, images(5))
    since = len(recorder.sent)
    ee.assignments.assign(ee_job.id, [Assignment(item_id=t, user_id=ann) for t in ids]
                          + [Assignment(item_id=ids[0], user_id=rev, role=Role.REVIEWER)])
    ee.assignments.assign_users(ee_job.id, [third], ids[:2], Role.REVIEWER)
    ee.assignments.assign_by_sampling(ee_job.id, [ann, third], overlap=1, seed=1)
    ee.assignments.list(ee_job.id)
    ee.assignments.unassign(ee_job.id, ids[:2], Role.ANNOTATOR)
    ee.assignments.unassign(ee_job.id, ids, Role.REVIEWER)
    assert check(recorder, since) >= {"projects.assignments.bulk_assign", "projects.assignments.list", "actions.create",
                                      "projects.members.add", "projects.members.paginated.list", "projects.get",
                                      "projects.update"}  # members first, then the switch to Manual


def test_review_requests(ee, ee_job, recorder, images, choice):
    ids = ee.items.add(ee_job.id, images(4))
    for tid in ids:
        ee.annotations.create_json(tid, result=choice("small"))
    since = len(recorder.sent)
    ee.reviews.set(ee_job.id, ids[0], ReviewStatus.ACCEPTED)
    ee.reviews.set_many(ee_job.id, {ids[1]: ReviewStatus.REJECTED, ids[2]: ReviewStatus.ACCEPTED})
    ee.reviews.set(ee_job.id, ids[2], ReviewStatus.NONE)
    ee.reviews.reject(ee_job.id, only_unmarked=True)
    ee.reviews.list(ee_job.id)
    annotation = ee.annotations.list_json(ids[3])[0]["id"]
    ee.reviews.review(annotation, accepted=True, comment="fine")
    ee.reviews.of_annotation(annotation)
    ee.jobs.get(ee_job.id)
    assert check(recorder, since) >= {f"annotation_reviews.{m}" for m in ("list", "create", "delete")}


def test_member_and_role_requests(ee, ee_job, recorder, people):
    ann, rev, _ = people
    since = len(recorder.sent)
    ee.users.member_role(rev)
    ee.users.add_member(rev, Role.REVIEWER)
    ee.users.add_member(rev, Role.REVIEWER)
    ee.users.add_project_member(ee_job.id, ann)
    ee.users.project_members(ee_job.id)
    ee.jobs.list(assigned_to=ann)
    ee.users.remove_project_member(ee_job.id, ann)
    seen = check(recorder, since)
    assert seen >= {"organizations.members.update", "projects.members.add", "projects.members.remove",
                    "projects.members.paginated.list"}
    assert seen & {"organizations.members.get", "organizations.members.list"}  # the role read, one way or the other


def test_pause_requests(ee, ee_job, recorder, people):
    ann = people[0]
    since = len(recorder.sent)
    ee.pauses.pause(ee_job.id, ann, message="too fast")
    ee.pauses.pause(ee_job.id, ann)
    ee.pauses.is_paused(ee_job.id, ann)
    ee.pauses.resume(ee_job.id, ann)
    ee.pauses.list(ee_job.id, ann)
    assert check(recorder, since) >= {f"projects.pauses.{m}" for m in ("create", "list", "delete")}


def test_staffed_jobs_restart_clone_and_activity_requests(ee, ee_job, recorder, people, images, choice):
    ann, rev, third = people
    ids = ee.items.add(ee_job.id, images(3))
    for tid, size in zip(ids, ("small", "large", "small")):
        ee.annotations.create_json(tid, result=choice(size))
    since = len(recorder.sent)
    made = []
    try:
        made += ee.jobs.create(JobSpec(name=f"rq-staffed-{uuid.uuid4().hex[:6]}", project_id=ee_job.id,
                                       item_ids=ids[:2], annotators=[ann], reviewer=rev))
        ee.jobs.update(ee_job.id, JobUpdate(reviewer=third))
        ee.reviews.set(ee_job.id, ids[1], ReviewStatus.REJECTED)
        made += ee.jobs.restart(ee_job.id)
        made += ee.jobs.restart(ee_job.id, assignees=[ann, third], reviewer=rev, only_rejected=False)
        made += ee.jobs.clone(ee_job.id, assignees=[ann], reviewer=rev)
        ee.jobs.stats(ee_job.id)
        ee.jobs.activity(ee_job.id)
    finally:
        for job in made:
            ee.jobs.delete(job.id)
    assert check(recorder, since) >= {"projects.assignments.bulk_assign",
                                      "projects.members.add",
                                      "annotation_history.list_for_project"}


def test_s3s_storage_requests(ee, ee_job, recorder):
    from annobridge_labelstudio.options import LabelStudioStorageOptions

    since = len(recorder.sent)
    options = LabelStudioStorageOptions(role_arn="arn:aws:iam::1:role/ls", external_id="ext")
    for direction in ("import", "export"):
        storage = ee.storages.connect(ee_job.id, StorageSpec(kind="s3s", direction=direction, bucket="frames",
                                                             prefix="2024/", options=options))
        ee.storages.get(storage)
        ee.storages.list(ee_job.id)
        ee.storages.delete(storage)
    assert check(recorder, since) >= {f"{family}.s3s.{m}" for family in ("import_storage", "export_storage")
                                      for m in ("create", "get", "list", "delete")}

