"""Kept for the way back, Supervisely's side, at converter level: round trips over every kind are the identity.

Supervisely -> neutral -> Supervisely and Supervisely -> neutral -> Label Studio -> neutral -> Supervisely give back
the annotation JSON a server answers, restricted to what it keeps (figures_native.writable); neutral ->
Supervisely -> neutral gives back the neutral item. The Label Studio stash is stored as the Label Studio writers
store it (task meta, regions_keep). What was edited since is read as it is shown, and the kept data is counted lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import numpy as np
from annobridge_supervisely.figures import from_supervisely, to_supervisely
from annobridge_supervisely.figures_native import KEY, split_stash
from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge.annotations import (
    ItemAnnotation,
    Keypoint,
    Keypoints,
    Mask,
    ObjectAnnotation,
    ObjectOrigin,
    Point,
    Polygon,
    Polyline,
    Rectangle,
    Tag,
)
from annobridge.fidelity import LABEL_STUDIO, SUPERVISELY
from annobridge.models import ReviewStatus

from .keep_support import META, META_JSON, as_server_keeps, label_studio_trip, make_meta, sly_annotations


@given(sly_annotations())
@settings(max_examples=80, deadline=None)
def test_supervisely_to_neutral_to_supervisely_gives_back_what_the_server_keeps(annotation):
    neutral, report = from_supervisely(annotation, META_JSON, item="img-1")
    assert report.lossless and report.count(outcome="dropped") == 0, str(report)
    back, back_report = to_supervisely(neutral, META_JSON)
    assert as_server_keeps(back) == as_server_keeps(annotation)
    assert split_stash(back)[1] is None  # Supervisely holds all of it: nothing to stash
    assert back_report.lossless, str(back_report)


@given(sly_annotations(extras=False, lacking=False))
@settings(max_examples=60, deadline=None)
def test_what_a_server_answers_for_kinds_annobridge_has_leaves_no_residue(annotation):
    neutral, _ = from_supervisely(annotation, META_JSON, item="img-1")
    assert neutral.kept == {}  # ids, class ids, authors, times, flags: all written as they were


@given(sly_annotations())
@settings(max_examples=80, deadline=None)
def test_supervisely_to_label_studio_to_supervisely_is_the_identity(annotation):
    neutral, _ = from_supervisely(annotation, META_JSON, item="img-1")
    again, _, there, home = label_studio_trip(neutral)
    assert there.lossless and home.lossless, f"{there}\n{home}"
    assert again == neutral  # holes, hidden nodes, timestamps, authors, ids, descriptions, Supervisely's residue
    back, report = to_supervisely(again, META_JSON)
    assert report.lossless, str(report)
    assert as_server_keeps(back) == as_server_keeps(annotation)
    assert split_stash(back)[1] is None


# -- neutral items from elsewhere: what Supervisely cannot hold rides in customBigData --------------------------

W, H = 64, 48
STAMPS = st.one_of(
    st.none(),
    st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1)).map(lambda d: d.replace(tzinfo=timezone.utc)),
)
COORD_X = st.one_of(st.integers(0, W), st.floats(0, W, allow_nan=False).map(Fraction))
COORD_Y = st.one_of(st.integers(0, H), st.floats(0, H, allow_nan=False).map(Fraction))
AUTHORS = st.one_of(st.none(), st.sampled_from(["anna", "bob"]), st.integers(1, 50))
IDS = st.one_of(st.none(), st.integers(1, 10**6), st.text("abcdef0123456789", min_size=4, max_size=10))


@st.composite
def _shapes(draw, class_name: str):
    if class_name in ("box", "thing"):
        x, y = draw(COORD_X), draw(COORD_Y)
        width, height = draw(st.integers(1, W)), draw(st.integers(1, H))
        rotation = draw(st.sampled_from([0, 0, 30, Fraction(45, 2), 90]))
        return Rectangle(x=x, y=y, width=width, height=height, rotation=rotation)
    if class_name == "leaf":
        ring = st.lists(st.tuples(COORD_X, COORD_Y), min_size=3, max_size=6)
        return Polygon(exterior=draw(ring), interiors=draw(st.lists(ring, max_size=2)))
    if class_name == "road":
        return Polyline(points=draw(st.lists(st.tuples(COORD_X, COORD_Y), min_size=2, max_size=5)))
    if class_name == "pin":
        return Point(x=draw(COORD_X), y=draw(COORD_Y))
    if class_name == "person":
        names = draw(st.lists(st.sampled_from(["nose", "eye", "ear"]), min_size=1, max_size=3, unique=True))
        return Keypoints(
            points=[Keypoint(name=n, x=draw(COORD_X), y=draw(COORD_Y), visible=draw(st.booleans())) for n in names]
        )
    mask = np.random.default_rng(draw(st.integers(0, 2**16))).random((draw(st.integers(1, 6)), 5)) > 0.5
    mask[0, 0] = True
    return Mask(data=mask, origin=(draw(st.integers(0, W - 5)), draw(st.integers(0, H - 6))))


@st.composite
def _tags(draw, names: list[str]):
    values = {"size": st.sampled_from(["small", "large"]), "note": st.text(max_size=5), "ripe": st.none(),
              "weight": st.one_of(st.integers(-9, 9), st.floats(-1e3, 1e3, allow_nan=False)), "flag": st.none()}
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    return tuple(
        Tag(name=n, value=draw(values[n]), author=draw(AUTHORS), created_at=draw(STAMPS), updated_at=draw(STAMPS))
        for n in chosen
    )


@st.composite
def neutral_items(draw):
    """Neutral items as another tool gives them: text ids, user ids as authors, subpixel and turned shapes, hidden
    keypoints, holes, times to the microsecond, a review status, another backend's residue."""
    objects = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(st.sampled_from(["box", "leaf", "road", "pin", "person", "kiwi", "thing"]))
        tags = ["note", "weight", "ripe"] + (["size"] if name in ("box", "kiwi") else [])
        objects.append(
            ObjectAnnotation(
                class_name=name,
                shape=draw(_shapes(name)),
                tags=draw(_tags(tags)),
                id=draw(IDS),
                author=draw(AUTHORS),
                description=draw(st.text(max_size=5)),
                origin=draw(st.sampled_from(list(ObjectOrigin))),
                created_at=draw(STAMPS),
                updated_at=draw(STAMPS),
            )
        )
    elsewhere = {"v": 1, "digest": "0123456789abcdef", "patch": [{"op": "add", "path": "/lead_time", "value": 2.5}]}
    return ItemAnnotation(
        item=draw(st.integers(1, 99)),
        width=W,
        height=H,
        objects=objects,
        tags=draw(_tags(["note", "weight", "flag"])),
        author=draw(AUTHORS),
        description=draw(st.text(max_size=6)),
        review_status=draw(st.sampled_from(list(ReviewStatus))),
        kept={LABEL_STUDIO: elsewhere} if draw(st.booleans()) else {},
    )


@given(neutral_items())
@settings(max_examples=100, deadline=None)
def test_neutral_to_supervisely_to_neutral_is_exact(neutral):
    native, report = to_supervisely(neutral, META_JSON)
    assert report.lossless, str(report)  # what Supervisely cannot show is kept, not lost
    back, read_report = from_supervisely(native, META_JSON, item=neutral.item)
    assert back == neutral
    assert read_report.count(outcome="dropped") == 0, str(read_report)


def test_what_supervisely_cannot_show_is_stashed_in_custom_data_and_counted_as_kept():
    leaf = Polygon(exterior=[(0, 0), (Fraction(21, 2), 0), (0, 10)])
    item = ItemAnnotation(item=3, width=W, height=H, author=7, review_status=ReviewStatus.ACCEPTED,
                          objects=[ObjectAnnotation(class_name="leaf", shape=leaf, id="region-a")])
    native, report = to_supervisely(item, META_JSON)
    plain, stash = split_stash(native)
    assert plain["objects"][0]["points"]["exterior"] == [[0, 0], [10, 0], [0, 10]]  # what Supervisely shows
    assert stash["v"] == 1 and set(stash) == {"v", "digest", "patch"} and native["customBigData"][KEY] == stash
    assert {e["path"] for e in stash["patch"]} == {
        "/author", "/review_status", "/objects/0/id", "/objects/0/shape/exterior/1/0"
    }
    assert [report.count(kind, "kept") for kind in ("subpixel coordinates", "review status")] == [1, 1]
    assert to_supervisely(item, META_JSON, stash=False)[1].count("subpixel coordinates", "approximated") == 1


def test_an_item_edited_in_supervisely_is_read_as_shown_and_its_stash_counted_as_lost():
    leaf = Polygon(exterior=[(0, 0), (Fraction(21, 2), 0), (0, 10)])
    item = ItemAnnotation(item=3, width=W, height=H, objects=[ObjectAnnotation(class_name="leaf", shape=leaf)])
    native, _ = to_supervisely(item, META_JSON)
    native["objects"][0]["points"]["exterior"][2] = [0, 20]  # a person moves a vertex
    read, report = from_supervisely(native, META_JSON, item=3)
    assert read.objects[0].shape.exterior[1] == (10, 0) and read.objects[0].shape.exterior[2] == (0, 20)
    assert report.losses() == ["kept for the way back -> dropped (supervisely, the item was edited in supervisely "
                               "since): 1  [3]"]


def test_an_item_edited_since_it_was_read_gets_no_residue_and_says_so():
    annotation = {"size": {"height": 10, "width": 10}, "tags": [], "customBigData": {"batch": 7}, "objects": [
        {"classTitle": "pin", "tags": [], "smartToolInput": {"positive": [[1, 1]]},
         "points": {"exterior": [[1, 1]], "interior": []}}]}
    neutral, _ = from_supervisely(annotation, META_JSON, item=4)
    moved = neutral.model_copy(update={"objects": (neutral.objects[0].model_copy(update={"shape": Point(x=5, y=5)}),)})
    native, report = to_supervisely(moved, META_JSON)
    assert "smartToolInput" not in native["objects"][0] and native["customBigData"] == {}
    assert report.count("supervisely data kept for the way back", "dropped") == 1
    back, again = to_supervisely(neutral, META_JSON)
    assert as_server_keeps(back) == as_server_keeps(annotation)
    assert again.count("supervisely data kept for the way back (restored)", "carried") == 1


def test_a_residue_the_target_meta_cannot_hold_is_counted_as_lost_not_written():
    glow = {"classTitle": "glow", "tags": [], "bitmap": {"origin": [0, 0], "data": _alpha_mask()}}
    annotation = {"size": {"height": 10, "width": 10}, "tags": [], "objects": [glow]}
    neutral, report = from_supervisely(annotation, META_JSON, item=5)
    assert neutral.objects == () and report.count("alpha_mask object", "kept") == 1
    without_glow = make_meta(lacking=False).to_json()  # a project made from the neutral schema has no such class
    native, written = to_supervisely(neutral, without_glow)
    assert native["objects"] == [] and written.count("supervisely data kept for the way back", "dropped") == 1


def _alpha_mask() -> str:
    import supervisely as sly

    mask = sly.AlphaMask(np.full((2, 2), 200, np.uint8))
    return mask.to_json()["bitmap"]["data"]


def test_times_keep_their_microseconds_and_zone():
    when = datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=3)))
    item = ItemAnnotation(width=W, height=H, objects=[
        ObjectAnnotation(class_name="pin", shape=Point(x=1, y=1), created_at=when, updated_at=when, author="anna")])
    native, _ = to_supervisely(item, META_JSON)
    back, _ = from_supervisely(native, META_JSON)
    assert back.objects[0].created_at == when and back.objects[0].created_at.utcoffset() == when.utcoffset()
    assert META.get_obj_class("pin") is not None and SUPERVISELY == "supervisely"
