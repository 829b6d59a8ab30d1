"""The neutral annotation model: exact coordinates, shapes, validation that names the item and object."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annobridge.annotations import (
    ItemAnnotation,
    Keypoint,
    Keypoints,
    Mask,
    ObjectAnnotation,
    Point,
    Polygon,
    Polyline,
    Rectangle,
    Tag,
    shape_kind,
)
from annobridge.errors import ValidationError
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, TagSpec

finite = st.floats(allow_nan=False, allow_infinity=False)

SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle"),
        ObjectClass(name="kiwi", shape="mask"),
        ObjectClass(name="anything", shape="any"),
        ObjectClass(name="person", shape="keypoints", nodes=[KeypointNode(name="nose"), KeypointNode(name="eye")]),
    ],
    tags=[
        TagSpec(name="size", value_type="oneof_string", values=("small", "large"), applies_to="objects_only"),
        TagSpec(name="note", value_type="any_string", applies_to="items_only"),
        TagSpec(name="weight", value_type="any_number"),
        TagSpec(name="flag"),
        TagSpec(name="ripe", classes=("kiwi",)),
    ],
)


@given(finite, finite)
def test_float_coordinates_are_kept_bit_for_bit(x, y):
    point = Point(x=x, y=y)
    assert float(point.x) == x and float(point.y) == y
    assert Point.model_validate_json(point.model_dump_json()) == point


def test_json_writes_numbers_where_floats_are_exact_and_fractions_elsewhere():
    point = Point(x=Fraction(1, 3), y=2.5)
    assert point.model_dump(mode="json") == {"kind": "point", "x": "1/3", "y": 2.5}
    assert Point.model_validate_json(point.model_dump_json()).x == Fraction(1, 3)


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), True, "left", None])
def test_coordinates_must_be_finite_numbers(bad):
    with pytest.raises(ValidationError, match="coordinate"):
        Point(x=bad, y=0)


def test_polygons_need_three_points_and_so_do_their_holes():
    with pytest.raises(ValidationError, match="a polygon needs at least 3 points, got 2"):
        Polygon(exterior=[(0, 0), (1, 1)])
    with pytest.raises(ValidationError, match="hole #0 needs at least 3 points"):
        Polygon(exterior=[(0, 0), (9, 0), (0, 9)], interiors=[[(1, 1), (2, 2)]])
    with pytest.raises(ValidationError, match="a polyline needs at least 2 points"):
        Polyline(points=[(0, 0)])


def test_rectangles_turn_about_their_top_left_corner():
    upright = Rectangle(x=10, y=20, width=30, height=40)
    assert upright.bounds() == (10, 20, 40, 60)
    quarter = Rectangle(x=10, y=20, width=30, height=40, rotation=90)
    assert quarter.corners() == [(10, 20), (10, 50), (-30, 50), (-30, 20)]  # exact at multiples of 90
    turned = Rectangle(x=0, y=0, width=10, height=10, rotation=45).bounds()
    assert [round(float(v), 9) for v in turned] == [-7.071067812, 0, 7.071067812, 14.142135624]
    with pytest.raises(ValidationError, match="must not be negative"):
        Rectangle(x=0, y=0, width=-1, height=1)


def test_keypoint_names_are_unique():
    with pytest.raises(ValidationError, match=r"repeated: \['nose'\]"):
        Keypoints(points=[Keypoint(name="nose", x=0, y=0), Keypoint(name="nose", x=1, y=1)])


def test_masks_crop_to_their_pixels_and_compare_by_pixels():
    data = np.zeros((6, 6), bool)
    data[2:4, 3:5] = True
    mask = Mask(data=data, origin=(10, 20))
    assert mask.origin == (13, 22) and mask.data.shape == (2, 2)
    assert mask == Mask(data=np.ones((2, 2)), origin=(13, 22))
    assert mask != Mask(data=np.ones((2, 2)), origin=(13, 23))
    assert not mask.data.flags.writeable
    assert Mask.model_validate_json(mask.model_dump_json()) == mask
    assert mask.to_image(20, 30)[22:24, 13:15].all() and mask.to_image(20, 30).sum() == 4
    with pytest.raises(ValidationError, match="at least one set pixel"):
        Mask(data=np.zeros((2, 2), bool))
    with pytest.raises(ValidationError, match="boolean"):
        Mask(data=[[0, 2]])


def test_item_size_must_be_positive_and_errors_name_the_item():
    with pytest.raises(ValidationError, match=r"item 'img-7': width: Input should be greater than 0"):
        ItemAnnotation(item="img-7", width=-4, height=3)
    with pytest.raises(ValidationError, match="height"):
        ItemAnnotation(item="img-7", width=4, height=0)


def test_a_mask_outside_the_image_names_the_item_and_object():
    inside = ObjectAnnotation(class_name="kiwi", id=1, shape=Mask(data=np.ones((2, 2)), origin=(0, 0)))
    outside = ObjectAnnotation(class_name="kiwi", id=2, shape=Mask(data=np.ones((2, 2)), origin=(9, 3)))
    with pytest.raises(ValidationError, match=r"item 'img-7': object #1 \(class 'kiwi', id 2\): mask spans x 9\.\.11"):
        ItemAnnotation(item="img-7", width=10, height=10, objects=[inside, outside])


def test_a_bad_shape_given_as_data_names_the_object():
    with pytest.raises(ValidationError, match=r"item 3, object #0 \(class 'box'\).*at least 3 points"):
        ItemAnnotation(
            item=3,
            width=10,
            height=10,
            objects=[{"class_name": "box", "shape": {"kind": "polygon", "exterior": [[0, 0], [1, 1]]}}],
        )


def _item(*objects, tags=()):
    return ItemAnnotation(item="img-1", width=100, height=100, objects=objects, tags=tags)


def test_what_fits_the_schema_passes():
    _item(
        ObjectAnnotation(
            class_name="box", shape=Rectangle(x=1, y=1, width=2, height=2), tags=[Tag(name="size", value="small")]
        ),
        ObjectAnnotation(class_name="anything", shape=Point(x=1, y=1), tags=[Tag(name="weight", value=2.5)]),
        ObjectAnnotation(class_name="kiwi", shape=Mask(data=[[1]]), tags=[Tag(name="ripe")]),
        ObjectAnnotation(class_name="person", shape=Keypoints(points=[Keypoint(name="eye", x=3, y=3)])),
        tags=[Tag(name="note", value="blurry"), Tag(name="flag"), Tag(name="weight", value=3)],
    ).validate_against(SCHEMA)


@pytest.mark.parametrize(
    "annotation, message",
    [
        (
            _item(ObjectAnnotation(class_name="lemon", id=9, shape=Point(x=1, y=1))),
            r"object #0 \(class 'lemon', id 9\): unknown class 'lemon'",
        ),
        (
            _item(ObjectAnnotation(class_name="box", shape=Point(x=1, y=1))),
            "a point cannot belong to rectangle class 'box'",
        ),
        (_item(tags=[Tag(name="colour", value="red")]), r"item 'img-1': unknown tag 'colour'"),
        (_item(tags=[Tag(name="size", value="small")]), "tag 'size' is for objects only"),
        (
            _item(
                ObjectAnnotation(
                    class_name="box", shape=Rectangle(x=0, y=0, width=1, height=1), tags=[Tag(name="note", value="x")]
                )
            ),
            "tag 'note' is for items only",
        ),
        (
            _item(
                ObjectAnnotation(
                    class_name="box", shape=Rectangle(x=0, y=0, width=1, height=1), tags=[Tag(name="ripe")]
                )
            ),
            r"tag 'ripe' applies to classes \['kiwi'\], not 'box'",
        ),
        (
            _item(
                ObjectAnnotation(
                    class_name="box",
                    shape=Rectangle(x=0, y=0, width=1, height=1),
                    tags=[Tag(name="size", value="huge")],
                )
            ),
            r"takes one of \['small', 'large'\], got 'huge'",
        ),
        (_item(tags=[Tag(name="weight", value="heavy")]), "tag 'weight' takes a number"),
        (_item(tags=[Tag(name="note", value=3)]), "tag 'note' takes text"),
        (_item(tags=[Tag(name="flag", value="yes")]), "tag 'flag' takes no value"),
        (
            _item(ObjectAnnotation(class_name="person", shape=Keypoints(points=[Keypoint(name="tail", x=0, y=0)]))),
            r"keypoints \['tail'\] are not nodes of class 'person'",
        ),
    ],
)
def test_what_does_not_fit_the_schema_is_named(annotation, message):
    with pytest.raises(ValidationError, match=message):
        annotation.validate_against(SCHEMA)


def test_shape_kind_follows_the_shape():
    assert [shape_kind(s).value for s in (Point(x=0, y=0), Polyline(points=[(0, 0), (1, 1)]))] == ["point", "polyline"]


def test_tag_values_keep_their_type():
    assert type(Tag(name="n", value=5).value) is int
    assert type(Tag(name="n", value=5.0).value) is float
    with pytest.raises(ValidationError):
        Tag(name="n", value=True)


def test_models_are_frozen():
    point = Point(x=1, y=2)
    with pytest.raises(Exception):
        point.x = 3
