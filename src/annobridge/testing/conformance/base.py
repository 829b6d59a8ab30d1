"""What every conformance suite shares: the capability markers, the sample schema and images, and the fixtures."""

from __future__ import annotations

import contextlib
import struct
import uuid
import zlib
from typing import Any, Callable, Iterable

import pytest

from ...annotations import ItemAnnotation, ObjectAnnotation, Polygon, Rectangle, Tag
from ...capabilities import Capability
from ...errors import NotFound, Unsupported
from ...models import Id, Job, JobScope, JobSpec, Project
from ...provider import Provider
from ...schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType

__all__ = [
    "IMAGE_SIZE",
    "SAMPLE_SCHEMA",
    "ConformanceBase",
    "assert_unsupported",
    "authors_of",
    "holding",
    "lacks",
    "needs",
    "objects_of",
    "sample_annotation",
    "skip_unless",
    "tiny_png",
    "unique",
]


def needs(capability: Capability) -> pytest.MarkDecorator:
    """Mark a test as needing `capability`: skipped, in a sentence naming the backend, without it.

    >>> needs(Capability.REVIEWS).args
    (<Capability.REVIEWS: 'reviews'>,)
    """
    return pytest.mark.annobridge_capability(capability)


def lacks(capability: Capability) -> pytest.MarkDecorator:
    """Mark a test as checking how a backend without `capability` refuses it: skipped where the backend has it.

    >>> lacks(Capability.STORAGES).kwargs
    {'absent': True}
    """
    return pytest.mark.annobridge_capability(capability, absent=True)


def skip_unless(backend: Provider, capability: Capability) -> None:
    """Skip the running test, in a sentence naming the backend and why, if it lacks `capability`.

    Example (against a live backend)::

        skip_unless(ls, Capability.JOB_ARCHIVE)
        # -> SKIPPED: labelstudio (labelstudio+http://127.0.0.1:8080) lacks job_archive: Label Studio archives ...
    """
    if not backend.supports(capability):
        pytest.skip(f"{backend.describe()} lacks {capability.value}: {backend.unsupported_reason(capability)}")


def skip_if(backend: Provider, capability: Capability) -> None:
    """Skip the running test (about refusing `capability`) where the backend has it."""
    if backend.supports(capability):
        pytest.skip(f"{backend.describe()} has {capability.value}; there is no refusal to check")


def assert_unsupported(backend: Provider, capability: Capability, call: Callable[[], Any]) -> None:
    """`call()` raises Unsupported naming `capability`, the backend and its declared reason."""
    with pytest.raises(Unsupported) as caught:
        call()
    assert caught.value.capability is capability
    assert caught.value.backend == backend.describe()
    reason = backend.unsupported_reason(capability)
    assert reason and str(caught.value).endswith(reason), f"{caught.value} does not give the reason {reason!r}"


def unique(prefix: str) -> str:
    """`prefix` with a short random suffix: names that no other test run holds."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def tiny_png(width: int, height: int, rgb: tuple[int, int, int] = (255, 215, 0)) -> bytes:
    """A real PNG of one colour (no imaging library needed): the media of the sample items.

    >>> tiny_png(2, 1)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


SAMPLE_SCHEMA = LabelSchema(
    classes=(
        ObjectClass(name="lemon", shape=ShapeKind.RECTANGLE, color="#FFD700"),
        ObjectClass(name="kiwi", shape=ShapeKind.POLYGON, color="#8B4513"),
    ),
    tags=(
        TagSpec(name="size", value_type=TagValueType.ONEOF_STRING, values=("small", "large"),
                applies_to=TagTarget.ITEMS_ONLY),
    ),
)

IMAGE_SIZE = (64, 48)
"""The sample items' images are this size: coordinates below are exact in pixels and in percent of it."""


def sample_annotation(item: Id, author: str | None, variant: int = 0) -> ItemAnnotation:
    """An annotation of a sample item fitting SAMPLE_SCHEMA: variant 0 a lemon box, 1 a kiwi polygon.

    >>> sample_annotation(5, "anna").objects[0].class_name
    'lemon'
    """
    width, height = IMAGE_SIZE
    if variant % 2 == 0:
        obj = ObjectAnnotation(class_name="lemon", shape=Rectangle(x=4, y=12, width=20, height=12), author=author)
        size = "small"
    else:
        obj = ObjectAnnotation(class_name="kiwi", shape=Polygon(exterior=((32, 12), (48, 12), (40, 36))), author=author)
        size = "large"
    return ItemAnnotation(item=item, width=width, height=height, objects=(obj,), tags=(Tag(name="size", value=size),),
                          author=author)


def objects_of(annotations: Iterable[ItemAnnotation]) -> list[tuple[str, str]]:
    """Every object across these annotations as (class, shape), sorted: what an item holds, however it is split
    into annotations (one per annotator on Label Studio, one per image on Supervisely)."""
    return sorted((o.class_name, o.shape.model_dump_json()) for a in annotations for o in a.objects)


def holding(annotations: Iterable[ItemAnnotation]) -> list[ItemAnnotation]:
    """The annotations that hold an object or a tag: Supervisely keeps one annotation per image, empty until
    something is drawn, where Label Studio keeps none."""
    return [a for a in annotations if a.objects or a.tags]


def authors_of(annotations: Iterable[ItemAnnotation]) -> set[str]:
    """Every author named on these annotations, their objects or their tags."""
    found = set()
    for ann in annotations:
        named = [ann.author, *(t.author for t in ann.tags), *(o.author for o in ann.objects)]
        found.update(str(a) for a in named if a is not None)
    return found


class ConformanceBase:
    """Fixtures every suite shares. A provider supplies `backend` and `job_spec`; the payload fixtures where a suite
    needs items of its own; the rest have defaults it may override."""

    @pytest.fixture
    def backend(self) -> Provider:
        raise NotImplementedError("a provider's conformance tests must define the `backend` fixture")

    @pytest.fixture
    def job_spec(self, backend: Provider) -> JobSpec:
        raise NotImplementedError("a provider's conformance tests must define the `job_spec` fixture")

    @pytest.fixture
    def item_payloads(self) -> list[dict[str, Any]]:
        """Items to add to a new job after it is made; empty where the job's items come from its project."""
        return []

    @pytest.fixture
    def project_item_payloads(self) -> list[Any]:
        """Four items for `items.add` into a new project, in the backend's own form: images of IMAGE_SIZE
        (see `tiny_png`) with distinct names, none a part of another's, and no annotations. The project is
        made with the first three; a test adds the fourth."""
        raise NotImplementedError("a provider's conformance tests must define `project_item_payloads`")

    @pytest.fixture
    def annotation_for(self) -> Callable[..., ItemAnnotation]:
        """annotation_for(item_id, author, variant) -> an ItemAnnotation of a sample item fitting SAMPLE_SCHEMA."""
        return sample_annotation

    @pytest.fixture
    def author(self, backend: Provider) -> str:
        """The login annotations are written under: the token's own user."""
        login = backend.users.me().login
        assert login, f"{backend.describe()}: users.me() gives no login"
        return login

    @pytest.fixture(autouse=True)
    def _skip_without_capability(self, request: pytest.FixtureRequest) -> None:
        marks = list(request.node.iter_markers("annobridge_capability"))
        if not marks:
            return
        backend: Provider = request.getfixturevalue("backend")
        for mark in marks:
            (skip_if if mark.kwargs.get("absent") else skip_unless)(backend, mark.args[0])

    @pytest.fixture
    def jobs(self, backend: Provider, job_spec: JobSpec, item_payloads: list[dict[str, Any]]):
        """The jobs created from `job_spec` under a unique name, with `item_payloads` added; removed after."""
        created = backend.jobs.create(job_spec.model_copy(update={"name": unique(job_spec.name)}))
        if item_payloads:
            backend.items.add(created[0].id, item_payloads)
        yield created
        for job in created:
            with contextlib.suppress(NotFound):
                backend.jobs.delete(job.id)

    @pytest.fixture
    def job(self, jobs: list[Job]) -> Job:
        return jobs[0]

    @pytest.fixture
    def project(self, backend: Provider, project_item_payloads: list[Any]):
        """A new project with SAMPLE_SCHEMA and the first three `project_item_payloads` as its items; removed after."""
        assert len(project_item_payloads) >= 4, "project_item_payloads: the suites need four sample items"
        made = backend.projects.create(unique("conformance"), schema=SAMPLE_SCHEMA)
        try:
            assert len(backend.items.add(made.id, project_item_payloads[:3])) == 3
            yield made
        finally:
            with contextlib.suppress(NotFound):
                backend.projects.delete(made.id)

    @pytest.fixture
    def item_ids(self, backend: Provider, project: Project) -> list[Id]:
        """The ids of the project's items, in id order."""
        return sorted((i.id for i in backend.items.list(project_id=project.id)), key=_order)

    @pytest.fixture
    def project_job(self, backend: Provider, project: Project, item_ids: list[Id], job_spec: JobSpec):
        """A job over the project's items: the project itself where a job is a project, else a new job over its
        first two items for the spec's first annotator (removed after)."""
        if backend.job_scope is JobScope.PROJECT:
            yield backend.jobs.get(project.id)
            return
        spec = JobSpec(name=unique("conformance-job"), project_id=project.id, annotators=job_spec.annotators[:1],
                       item_ids=item_ids[:2])
        made = backend.jobs.create(spec)
        yield made[0]
        for job in made:
            with contextlib.suppress(NotFound):
                backend.jobs.delete(job.id)


def _order(value: Id) -> tuple[int, Any]:
    return (0, int(value)) if str(value).isdigit() else (1, str(value))
