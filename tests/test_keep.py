"""keep.py: stashes and native residues bring back exactly what left, and only onto the content they were made for."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge import keep
from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Polygon, Rectangle, Tag
from annobridge.fidelity import FidelityReport, Outcome

PLAIN = "plain"  # a toy backend: boxes and outlines without holes, no descriptions, no timestamps, a "score"


def plain_write(ann: ItemAnnotation) -> dict:
    """What a lossy backend holds of an item: class, outer ring or box, tag values; nothing else."""
    objects = []
    for obj in ann.objects:
        if isinstance(obj.shape, Polygon):
            geometry = {"ring": [[str(x), str(y)] for x, y in obj.shape.exterior]}
        else:
            s = obj.shape
            geometry = {"box": [str(s.x), str(s.y), str(s.width), str(s.height)]}
        objects.append({"class": obj.class_name, **geometry, "tags": [[t.name, t.value] for t in obj.tags]})
    return {"size": [ann.width, ann.height], "objects": objects}


def plain_read(data: dict, item=None) -> ItemAnnotation:
    objects = []
    for obj in data["objects"]:
        if "ring" in obj:
            shape = Polygon(exterior=[(x, y) for x, y in obj["ring"]])
        else:
            x, y, w, h = obj["box"]
            shape = Rectangle(x=x, y=y, width=w, height=h)
        tags = [Tag(name=n, value=v) for n, v in obj["tags"]]
        objects.append(ObjectAnnotation(class_name=obj["class"], shape=shape, tags=tags))
    width, height = data["size"]
    return ItemAnnotation(item=item, width=width, height=height, objects=objects)


OTHER = {"v": 1, "digest": "0" * 16, "patch": [{"op": "add", "path": "/x", "value": 1}]}  # another backend's residue
coordinate = st.fractions(min_value=0, max_value=500, max_denominator=1000)
ring = st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=6)
moment = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(timezone.utc))
tags = st.lists(
    st.builds(
        Tag,
        name=st.sampled_from(["ripe", "size"]),
        value=st.one_of(st.none(), st.integers(0, 9), st.text(max_size=5)),
        created_at=st.none() | moment,
    ),
    max_size=2,
)
shapes = st.one_of(
    st.builds(Polygon, exterior=ring, interiors=st.lists(ring, max_size=2)),
    st.builds(Rectangle, x=coordinate, y=coordinate, width=coordinate, height=coordinate),
)
objects = st.builds(
    ObjectAnnotation,
    class_name=st.sampled_from(["lemon", "kiwi"]),
    shape=shapes,
    tags=tags,
    id=st.none() | st.integers(1, 10**6),
    description=st.text(max_size=8),
    created_at=st.none() | moment,
)
items = st.builds(
    ItemAnnotation,
    item=st.integers(1, 99),
    width=st.integers(1, 600),
    height=st.integers(1, 600),
    objects=st.lists(objects, max_size=4),
    description=st.text(max_size=8),
    kept=st.just({}) | st.just({"other": OTHER}),
)


def through_plain(ann: ItemAnnotation) -> tuple[dict, dict | None]:
    """What the toy backend stores: its JSON, and the stash beside it."""
    written = plain_write(ann)
    return written, keep.stash(ann, plain_read(written), PLAIN)


@settings(max_examples=150, deadline=None)
@given(items)
def test_a_stash_brings_back_exactly_what_the_target_could_not_hold(ann):
    written, stashed = through_plain(ann)
    report = FidelityReport()
    back = keep.restored(plain_read(written, item=ann.item), stashed, report, PLAIN)
    assert back == ann
    assert report.count(outcome=Outcome.DROPPED) == 0


@settings(max_examples=60, deadline=None)
@given(items, st.integers(0, 3))
def test_an_item_edited_on_the_target_is_read_as_the_target_shows_it(ann, which):
    written, stashed = through_plain(ann)
    written["objects"].append({"class": "kiwi", "box": ["1", "1", "2", "2"], "tags": []})  # a person adds a box
    report = FidelityReport()
    read = plain_read(written, item=ann.item)
    back = keep.restored(read, stashed, report, PLAIN)
    assert back == read
    if stashed is not None:
        assert "edited in plain since" in str(report)


def test_server_owned_fields_do_not_count_as_edits_and_keep_the_servers_values():
    moment = datetime(2024, 5, 1, tzinfo=timezone.utc)
    ann = ItemAnnotation(
        item=1, width=9, height=9, description="ripe",
        objects=[ObjectAnnotation(class_name="kiwi", id=4, shape=Rectangle(x=1, y=1, width=2, height=2))],
    )
    written, stashed = through_plain(ann)
    server = plain_read(written, item=1)
    box = server.objects[0].model_copy(update={"id": 77, "updated_at": moment})
    server = server.model_copy(update={"objects": (box,)})
    back = keep.restored(server, stashed, FidelityReport(), PLAIN)
    assert back.description == "ripe"
    assert back.objects[0].id == 4  # the read back had no id, the original 4: the stash restores it
    assert back.objects[0].updated_at == moment  # neither had a time: the server's stays


def test_a_stash_from_another_format_is_counted_not_applied():
    ann = ItemAnnotation(item=1, width=2, height=2, description="ripe")
    written, stashed = through_plain(ann)
    report = FidelityReport()
    read = plain_read(written, item=1)
    assert keep.restored(read, {**stashed, "v": 99}, report, PLAIN) == read
    assert "written by another annobridge (format 99)" in str(report)


def test_a_native_residue_gives_the_backends_json_back_exactly_and_only_for_the_same_content():
    original = {"size": [9, 9], "objects": [{"class": "kiwi", "box": ["1", "1", "2", "2"], "tags": [], "score": 0.9}],
                "lead_time": 12.5}
    neutral = plain_read(original, item=1)
    neutral = keep.with_native_residue(neutral, PLAIN, plain_write(neutral), original)
    assert sorted(neutral.kept[PLAIN]["patch"], key=lambda op: op["path"]) == [
        {"op": "add", "path": "/lead_time", "value": 12.5},
        {"op": "add", "path": "/objects/0/score", "value": 0.9},
    ]
    report = FidelityReport()
    assert keep.native_restored(neutral, PLAIN, plain_write(neutral), report) == original
    moved = neutral.model_copy(update={"objects": (neutral.objects[0].model_copy(update={"class_name": "lemon"}),)})
    report = FidelityReport()
    assert keep.native_restored(moved, PLAIN, plain_write(moved), report) == plain_write(moved)
    assert "plain data kept for the way back -> dropped (plain, the item was edited since)" in str(report)


def test_what_a_stash_holds_is_reported_as_kept_not_lost():
    report = FidelityReport()
    report.dropped("polygon hole", "label studio", count=2, item=7)
    report.approximated("rotation", "supervisely", "as bounding rectangle")
    report.carried("polygon", "label studio")
    kept = keep.as_kept(report)
    assert kept.count(outcome=Outcome.KEPT) == 3 and kept.count("polygon", Outcome.CARRIED) == 1
    assert kept.lossless and not kept.exact
    assert "polygon hole -> kept for the way back (label studio): 2  [7]" in kept.losses()


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-2, 2, allow_nan=False).map(lambda f: f + 0.0)  # -0.0 is 0.0 in JSON
    | st.text("ab~/", max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text("ab~/", max_size=3), inner, max_size=4),
    max_leaves=12,
)


@given(_json_values, _json_values)
def test_the_patch_turns_one_json_into_the_other(source, target):
    import copy
    import json

    import jsonpatch

    from annobridge.keep import _patch

    back = jsonpatch.apply_patch(copy.deepcopy(source), _patch(source, target))
    assert json.dumps(back, sort_keys=True) == json.dumps(target, sort_keys=True)  # 1, 1.0 and true told apart
    assert _patch(source, copy.deepcopy(source)) == []
