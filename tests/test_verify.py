"""`annobridge verify` and annobridge.verify on memory servers: matching, items on one side only, explained and
unexplained differences, the HTML page, and memory that stays flat as the project grows.

A second in-memory provider, "lossy", stands for a target that cannot hold everything: its own form has no
room for object descriptions, so migrating into it drops them and says so in its conversion report.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import annobridge
from annobridge import plugins
from annobridge.annotation_apis import each_checked
from annobridge.annotations import ItemAnnotation, Keypoint, Keypoints, Mask, ObjectAnnotation, Point, Polygon, Polyline
from annobridge.annotations import Rectangle, Tag
from annobridge.fidelity import FidelityReport
from annobridge.hookspecs import hookimpl
from annobridge.schema import LabelSchema, ObjectClass, TagSpec
from annobridge.transfer import Written
from annobridge import verify
from annobridge.testing.cli import Local
from annobridge.verify_compare import compare, view

from . import memory_provider as mp
from . import migrate_memory as mm
from .memory_labels import MemoryAnnotations

LOSSY = "lossy://beta"


def _plain(annotation: ItemAnnotation) -> ItemAnnotation:
    """What the lossy server keeps of an annotation: everything but its objects' descriptions."""
    return annotation.model_copy(update={"objects": tuple(o.model_copy(update={"description": ""})
                                                         for o in annotation.objects)})


def _losses(annotations) -> FidelityReport:
    report = FidelityReport()
    for ann in annotations:
        described = sum(1 for o in ann.objects if o.description)
        report.dropped("object description", "lossy", count=described, item=ann.item)
    return report


class LossyAnnotations(MemoryAnnotations):
    """The memory server's annotations, with a native form that has no object descriptions."""

    def to_native(self, project_id, annotations):
        return ({"item": a.item, "annotation": _plain(a).model_dump(mode="json")} for a in each_checked(annotations))

    def from_native(self, project_id, documents):
        return (ItemAnnotation.model_validate({**d["annotation"], "item": d["item"]}) for d in documents)


class LossyTransfer(mp.MemoryProvider.transfer_api):
    """Migrations into the lossy server drop object descriptions, and its conversion report says so."""

    def preview(self, records, *, schema):
        return Written(ids={}, annotations=sum(len(r.annotations) for r in records),
                       report=_losses([a.model_copy(update={"item": r.name}) for r in records for a in r.annotations]))

    def write(self, project_id, records, *, schema, media="copy", existing=None):
        report = self.preview(records, schema=schema).report
        for record in records:
            record.annotations = [_plain(a) for a in record.annotations]
        written = super().write(project_id, records, schema=schema, media=media, existing=existing)
        written.report = report
        return written


class LossyProvider(mp.MemoryProvider):
    name = "lossy"
    schemes = ("lossy",)
    annotations_api = LossyAnnotations
    transfer_api = LossyTransfer


class _LossyPlugin:
    @hookimpl
    def register_providers(self, register):
        register(LossyProvider)


@pytest.fixture
def servers(monkeypatch):
    """The memory and lossy providers installed; alpha and beta seeded (migrate_memory), lossy empty."""
    pm = plugins.make_plugin_manager([mp, _LossyPlugin()])
    registry = plugins.build_registry(pm)
    monkeypatch.setattr(plugins, "plugin_manager", lambda: pm)
    monkeypatch.setattr(plugins, "registry", lambda: registry)
    mm.seed()
    yield
    mp.reset()


def _migrated(tmp_path, target=mm.BETA, project="Fruit", name="Fruit copy") -> int:
    report = annobridge.migrate(mm.ALPHA, target, project=project, target_project=name, ledger=tmp_path / f"{name}.l")
    return int(report.target_project)


def _describe_objects(project: str = "Fruit") -> None:
    """Give every object of the source project a description (what the lossy target cannot hold)."""
    state = mp.server(mm.ALPHA)
    pid = next(p.id for p in state.projects.values() if p.name == project)
    for item in state.project_items(pid):
        item.annotations = [a.model_copy(update={"objects": tuple(
            o.model_copy(update={"description": f"lemon {n}"}) for n, o in enumerate(a.objects))})
            for a in item.annotations]


def _edit_first_object(url: str, project_id: int) -> tuple[int, str]:
    """Move the first object of the first annotated target item 3 px right, as a person on the target would."""
    backend = annobridge.connect(url)
    item = next(i for i in backend.items.list(project_id=project_id) if i.annotations_count)
    first, *rest = backend.annotations.get(item.id)
    obj = first.objects[0]
    moved = obj.model_copy(update={"shape": obj.shape.model_copy(update={"x": obj.shape.x + 3})})
    edited = first.model_copy(update={"objects": (moved, *first.objects[1:])})
    backend.annotations.write(project_id, [edited, *rest], mode="replace")
    return item.id, item.meta["annobridge_source"]


# ---------------------------------------------------------------------------------------------- matching


def test_a_faithful_migration_matches_item_by_item(servers, tmp_path):
    target = _migrated(tmp_path)
    report = verify(mm.ALPHA, mm.BETA, "Fruit", target)
    assert report.ok and report.exit_code == 0
    counts = report.items
    assert (counts.source, counts.target, counts.matched, counts.identical) == (4, 4, 4, 4)
    assert (counts.only_in_source, counts.only_in_target, counts.unexplained) == (0, 0, 0)
    # items 1 and 3 have two annotations each (anna's and bob's), with n % 3 + 1 boxes and bob's one
    assert report.annotations == {"source": 6, "target": 6} and report.objects == {"source": 9, "target": 9}
    assert report.differences == [] and report.differences_explained == report.differences_unexplained == 0
    assert json.loads(report.to_json())["items"]["matched"] == 4


def test_items_on_one_side_only_are_unexplained(servers, tmp_path):
    target = _migrated(tmp_path)
    beta, alpha = annobridge.connect(mm.BETA), annobridge.connect(mm.ALPHA)
    gone = next(iter(beta.items.list(project_id=target)))
    beta.items.delete([gone.id])
    source = alpha.projects.find("Fruit").id
    extra = mp.server(mm.BETA).add_item(target, "stranger.jpg", key="no-such-source-item")
    mp.server(mm.BETA).add_item(target, "unkeyed.jpg")  # carried by no migration: counted, not compared
    report = verify(mm.ALPHA, mm.BETA, source, target)
    counts = report.items
    assert (counts.matched, counts.only_in_source, counts.only_in_target, counts.target_without_key) == (3, 1, 1, 1)
    assert report.only_in_source == [gone.meta["annobridge_source"]]
    assert report.only_in_target == ["no-such-source-item"]
    assert not report.ok and report.differences_unexplained == 2
    missing = {(d.source_key, d.target_item, d.where, d.explained) for d in report.differences}
    assert missing == {(gone.meta["annobridge_source"], None, "item", False),
                       ("no-such-source-item", str(extra.id), "item", False)}


def test_a_missing_project_is_not_found_and_bad_arguments_are_refused(servers, tmp_path):
    with pytest.raises(annobridge.NotFound, match="target_project: no project 'Nowhere' on"):
        verify(mm.ALPHA, mm.BETA, "Fruit", "Nowhere")
    with pytest.raises(annobridge.ValidationError, match="batch_size: expected an integer of at least 1, got 0"):
        verify(mm.ALPHA, mm.BETA, "Fruit", "Existing", batch_size=0)
    with pytest.raises(annobridge.ValidationError, match="html: .* is not a file in an existing folder"):
        verify(mm.ALPHA, mm.BETA, "Fruit", "Existing", html=tmp_path / "no" / "page.html")


# ---------------------------------------------------------------------------------------------- explained or not


def test_what_the_target_cannot_hold_is_explained_and_an_edit_is_not(servers, tmp_path):
    _describe_objects()
    target = _migrated(tmp_path, LOSSY)
    report = verify(mm.ALPHA, LOSSY, "Fruit", target)
    assert report.ok, report.differences
    assert (report.items.matched, report.items.explained, report.items.identical) == (4, 4, 0)
    assert report.differences_explained == 9 and report.differences_unexplained == 0  # one description an object
    first = report.differences[0]
    assert first.where == "object #0 (class 'lemon') description"
    assert (first.source, first.target, first.expected, first.explained) == ('"lemon 0"', '""', '""', True)
    assert any(line.startswith("object description -> dropped (lossy)") for line in first.report)
    assert report.losses().count("object description", "dropped") == 9  # the loss table: the conversion report

    item, key = _edit_first_object(LOSSY, target)
    report = verify(mm.ALPHA, LOSSY, "Fruit", target)
    assert not report.ok and report.exit_code == 1
    assert (report.items.explained, report.items.unexplained) == (3, 1)
    (moved,) = [d for d in report.differences if not d.explained]
    assert (moved.source_key, moved.target_item) == (key, str(item))
    assert moved.where == "object #0 (class 'lemon') shape.x"
    assert int(moved.target) == int(moved.source) + 3 and moved.expected == moved.source
    assert report.differences[0] is not None and not report.differences[0].explained  # unexplained listed first


def test_a_target_without_a_form_of_its_own_explains_nothing(servers, tmp_path):
    target = _migrated(tmp_path)
    _edit_first_object(mm.BETA, target)
    report = verify(mm.ALPHA, mm.BETA, "Fruit", target)
    assert report.differences_unexplained == 1 and report.items.unexplained == 1
    assert any("has no annotation form of its own (to_native)" in n for n in report.notes)


def test_authors_are_compared_through_the_user_map(servers, tmp_path):
    state = mp.server(mm.BETA)
    state.users.append(annobridge.User(id=mp.new_id(), login="anne"))
    mapping = {"anna": "anne", "bob": "bob"}
    report = annobridge.migrate(mm.ALPHA, mm.BETA, project="Fruit", target_project="Mapped", user_map=mapping,
                                ledger=tmp_path / "m.l")
    target = int(report.target_project)
    assert verify(mm.ALPHA, mm.BETA, "Fruit", target, user_map=mapping).ok
    plain = verify(mm.ALPHA, mm.BETA, "Fruit", target)  # by login: anna's objects are anne's on the target
    assert not plain.ok
    assert {d.where.split(") ", 1)[1] for d in plain.differences} == {"author"}
    assert {(d.source, d.target) for d in plain.differences} == {('"anna"', '"anne"')}


def test_differences_are_capped_and_all_counted(servers, tmp_path):
    _describe_objects()
    target = _migrated(tmp_path, LOSSY)
    report = verify(mm.ALPHA, LOSSY, "Fruit", target, max_differences=2)
    assert len(report.differences) == 2 and report.differences_explained == 9


# ---------------------------------------------------------------------------------------------- the comparison

points = st.lists(
    st.builds(lambda c, x, y, a: ObjectAnnotation(class_name=c, shape=Point(x=x, y=y), author=a),
              st.sampled_from(["kiwi", "lemon"]), st.integers(0, 50), st.integers(0, 50),
              st.sampled_from(["anna", "bob"])),
    max_size=8,
)


@given(points, st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_splitting_by_author_and_reordering_is_no_difference(objects, rng):
    """One annotation per image (Supervisely) or one per author (Label Studio), in any order: the same labels."""
    whole = [ItemAnnotation(width=64, height=48, objects=objects)]
    split = []
    for author in ("anna", "bob"):
        mine = [o.model_copy(update={"author": None}) for o in objects if o.author == author]
        rng.shuffle(mine)
        if mine:
            split.append(ItemAnnotation(width=64, height=48, author=author, objects=mine))
    assert compare(view(whole), view(split)) == []


@given(points.filter(bool), st.data())
@settings(max_examples=150, deadline=None)
def test_one_moved_object_is_one_difference_naming_it(objects, data):
    index = data.draw(st.integers(0, len(objects) - 1))
    moved = objects[index].model_copy(update={"shape": Point(x=objects[index].shape.x + 3, y=objects[index].shape.y)})
    before = view([ItemAnnotation(width=64, height=48, objects=objects)])
    after = view([ItemAnnotation(width=64, height=48, objects=[*objects[:index], moved, *objects[index + 1:]])])
    (found,) = compare(before, after)
    assert found.where.endswith(f"(class {objects[index].class_name!r}) shape.x")
    assert int(found.target) - int(found.source) == 3
    (again,) = compare(before, after, expected=after)  # the target's conversion makes the same: explained
    assert again.explained and not compare(before, after, expected=before)[0].explained


def test_an_object_given_another_class_is_one_difference():
    lemon = ObjectAnnotation(class_name="lemon", shape=Rectangle(x=1, y=2, width=3, height=4))
    before = view([ItemAnnotation(width=64, height=48, objects=[lemon])])
    after = view([ItemAnnotation(width=64, height=48, objects=[lemon.model_copy(update={"class_name": "kiwi"})])])
    (found,) = compare(before, after)
    assert (found.where, found.source, found.target) == ("object #0 (class 'lemon') class_name", '"lemon"', '"kiwi"')


# ---------------------------------------------------------------------------------------------- the page


SHAPES = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle", color="#FF0000"),
        ObjectClass(name="leaf", shape="polygon", color="#00AA00"),
        ObjectClass(name="stem", shape="polyline", color="#0000FF"),
        ObjectClass(name="seed", shape="point", color="#FFAA00"),
        ObjectClass(name="face", shape="keypoints", color="#AA00AA",
                    nodes=[{"name": "eye"}, {"name": "nose"}], edges=[("eye", "nose")]),
        ObjectClass(name="spot", shape="mask", color="#00AAAA"),
    ],
    tags=[TagSpec(name="note", value_type="any_string")],
)


def _every_shape() -> ItemAnnotation:
    import numpy as np

    blob = np.zeros((10, 12), dtype=bool)
    blob[2:8, 3:10] = True
    objects = [
        ObjectAnnotation(class_name="box", shape=Rectangle(x=5, y=5, width=20, height=10, rotation=30)),
        ObjectAnnotation(class_name="leaf", shape=Polygon(exterior=[(30, 5), (60, 5), (60, 35), (30, 35)],
                                                          interiors=[[(40, 15), (50, 15), (50, 25)]])),
        ObjectAnnotation(class_name="stem", shape=Polyline(points=[(5, 40), (20, 45), (35, 42)])),
        ObjectAnnotation(class_name="seed", shape=Point(x=10.5, y=30.25)),
        ObjectAnnotation(class_name="face", shape=Keypoints(points=[Keypoint(name="eye", x=45, y=40),
                                                                     Keypoint(name="nose", x=50, y=44,
                                                                              visible=False)])),
        ObjectAnnotation(class_name="spot", shape=Mask(data=blob, origin=(2, 30))),
    ]
    return ItemAnnotation(width=64, height=48, author="anna", objects=objects, tags=[Tag(name="note", value="x")])


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def test_the_page_holds_the_summary_the_loss_table_and_every_shape_drawn(servers, tmp_path):
    from PIL import Image

    alpha = mp.server(mm.ALPHA)
    project = alpha.add_project("Shapes", SHAPES)
    for n in range(3):
        alpha.add_item(project.id, f"shape-{n}.png", annotations=[_every_shape()], media=_png(64, 48) if n else None)
    _describe_objects("Shapes")
    target = _migrated(tmp_path, LOSSY, project="Shapes", name="Shapes copy")
    item, _ = _edit_first_object(LOSSY, target)
    page = tmp_path / "verify.html"
    report = verify(mm.ALPHA, LOSSY, "Shapes", target, html=page, sample=2)
    text = page.read_text()
    assert "<h2>Summary</h2>" in text and "differences unexplained" in text
    assert "<h2>Conversion report</h2>" in text and "object description" in text and "dropped" in text
    assert not re.search(r"(?:src|href)=\"(?!data:)", text) and "<script" not in text and "<link" not in text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 4  # two sampled items, source and target side by side
    pictures = [Image.open(io.BytesIO(base64.b64decode(i))).convert("RGB") for i in images]
    assert all(p.size == (480, 360) for p in pictures)  # 64 x 48 drawn 7.5 times as large
    # the unexplained item is sampled first: drawn on its image where the source holds a real one
    assert [s.status for s in report.samples] == ["unexplained", "explained"]
    assert report.samples[0].target_item == str(item)
    def at(picture, x, y):  # the pixel at image coordinates (x, y)
        return picture.getpixel((round(x * 7.5), round(y * 7.5)))

    for picture in pictures:
        background = at(picture, 63, 0.5)
        assert at(picture, 56, 31) != background and at(picture, 47, 17) == background  # a polygon, a hole in it
        assert at(picture, 8, 35) != background  # the mask
        assert at(picture, 10.5, 30.25) != background  # the point
    assert {at(p, 63, 0.5) for p in pictures} == {(236, 236, 236), (20, 120, 40)}  # blank canvas, the real image


def test_a_sample_is_deterministic(servers, tmp_path):
    target = _migrated(tmp_path)
    first = verify(mm.ALPHA, mm.BETA, "Fruit", target, sample=2).samples
    again = verify(mm.ALPHA, mm.BETA, "Fruit", target, sample=2).samples
    assert [s.source_key for s in first] == [s.source_key for s in again] and len(first) == 2
    assert verify(mm.ALPHA, mm.BETA, "Fruit", target, sample=0).samples == []


# ---------------------------------------------------------------------------------------------- memory


def _seed_migrated(items: int) -> tuple[int, int]:
    """A source project of `items` annotated items and a target holding each under its source key, as a migration
    leaves it; written straight into the servers' state (a migration of 20,000 items is not what is measured)."""
    mp.reset()
    alpha, beta = mp.server(mm.ALPHA), mp.server(mm.BETA)
    schema = LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle"), ObjectClass(name="leaf",
                                                                                             shape="polygon")])
    source, target = alpha.add_project("Big", schema), beta.add_project("Big copy", schema)
    leaves = tuple(ObjectAnnotation(class_name="leaf", shape=Polygon(exterior=[(k, 1), (k + 9, 2), (k + 5, 9), (k, 8)]),
                                    author="anna") for k in range(6))
    kinds = [  # annotations are frozen: items share them, as many items of a real project look alike
        [ItemAnnotation(width=64, height=48, author="anna", objects=leaves + (ObjectAnnotation(
            class_name="lemon", shape=Rectangle(x=k, y=3, width=7, height=4), author="bob"),))]
        for k in range(50)
    ]
    for n in range(items):
        made = alpha.add_item(source.id, f"img-{n:06d}.jpg", annotations=kinds[n % 50])
        beta.add_item(target.id, made.name, annotations=kinds[n % 50], key=str(made.id))
    return source.id, target.id


def _peak(items: int) -> int:
    source, target = _seed_migrated(items)
    tracemalloc.start()
    try:
        report = verify(mm.ALPHA, mm.BETA, source, target, batch_size=250)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok and report.items.matched == items and report.items.identical == items
    return peak


def test_memory_stays_flat_as_the_project_grows(servers):
    small, large = _peak(2_000), _peak(20_000)
    # ten times the items: what grows is only the target's source keys -> ids (a few bytes an item)
    assert large < 3 * small, (small, large)


# ---------------------------------------------------------------------------------------------- command line


@pytest.fixture
def cli(servers, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("ANNOBRIDGE_BACKEND",)}
    return Local(mm.ALPHA, "", {**env, "ANNOBRIDGE_CONFIG_DIR": str(tmp_path / "config"), "COLUMNS": "200"})


def test_the_command_exits_0_when_explained_and_1_naming_an_unexplained_difference(cli, tmp_path):
    _describe_objects()
    target = _migrated(tmp_path, LOSSY)
    done = cli.run("verify", mm.ALPHA, LOSSY, "--project", "Fruit", "--target-project", str(target), backend=False)
    assert done.returncode == 0, done.stderr
    assert "differences explained" in done.stdout and "object description" in done.stdout
    item, key = _edit_first_object(LOSSY, target)
    page = tmp_path / "v.html"
    done = cli.run("verify", mm.ALPHA, LOSSY, "--project", "Fruit", "--target-project", "Fruit copy", "--json",
                   "--html", str(page), "--sample", "1", backend=False)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    (moved,) = [d for d in report["differences"] if not d["explained"]]
    assert (moved["source_key"], moved["target_item"], moved["where"]) == (key, str(item),
                                                                         "object #0 (class 'lemon') shape.x")
    assert report["samples"][0]["status"] == "unexplained" and "source_annotations" not in report["samples"][0]
    assert page.read_text().count("data:image/png;base64,") == 2 and f"page written to {page}" in done.stderr


def test_the_command_refuses_bad_input_in_one_line(cli, tmp_path):
    done = cli.run("verify", mm.ALPHA, mm.BETA, "--target-project", "Existing", backend=False)
    assert done.returncode == 2 and done.stderr.strip() == "annobridge: error: verify: --project is needed"
    done = cli.run("verify", mm.ALPHA, mm.BETA, "--project", "Fruit", "--target-project", "Nowhere", backend=False)
    assert done.returncode == 3 and "no project 'Nowhere'" in done.stderr and "Traceback" not in done.stderr
    done = cli.run("verify", mm.ALPHA, mm.BETA, "--project", "Fruit", "--target-project", "Existing",
                   "--user-map", str(tmp_path / "none.json"), backend=False)
    assert done.returncode == 2 and "user_map" in done.stderr
