"""Supervisely ProjectMeta <-> LabelSchema: exact for what both hold, every other thing counted."""

from __future__ import annotations

import pytest
import supervisely as sly
from hypothesis import given, settings
from hypothesis import strategies as st
from supervisely.geometry.graph import KeypointsTemplate
from supervisely.geometry.oriented_bbox import OrientedBBox

from annobridge.errors import ValidationError
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType
from annobridge_supervisely.meta import meta_to_schema, schema_to_meta

names = st.text("abcdefghij_-", min_size=1, max_size=8)
colors = st.one_of(st.none(), st.from_regex(r"#[0-9A-F]{6}", fullmatch=True))


@st.composite
def schemas(draw):
    class_names = draw(st.lists(names, max_size=6, unique=True))
    classes = []
    for name in class_names:
        shape = draw(st.sampled_from(list(ShapeKind)))
        nodes, edges = (), ()
        if shape is ShapeKind.KEYPOINTS:
            node_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
            nodes = tuple(KeypointNode(name=n, color=draw(colors)) for n in node_names)
            edges = tuple(
                draw(st.lists(st.tuples(st.sampled_from(node_names), st.sampled_from(node_names)), max_size=3))
            )
        classes.append(ObjectClass(name=name, shape=shape, color=draw(colors) or "#123456", nodes=nodes, edges=edges))
    tags = []
    for name in draw(st.lists(names, max_size=5, unique=True)):
        value_type = draw(st.sampled_from(list(TagValueType)))
        values = (
            tuple(draw(st.lists(names, min_size=1, max_size=3, unique=True)))
            if value_type is TagValueType.ONEOF_STRING
            else ()
        )
        restricted = tuple(draw(st.lists(st.sampled_from(class_names), unique=True, max_size=2))) if class_names else ()
        tags.append(
            TagSpec(
                name=name,
                value_type=value_type,
                values=values,
                applies_to=draw(st.sampled_from(list(TagTarget))),
                classes=restricted,
                color=draw(colors) or "#654321",
            )
        )
    return LabelSchema(classes=classes, tags=tags)


def _without_node_colors(schema: LabelSchema) -> LabelSchema:
    classes = [
        c.model_copy(update={"nodes": tuple(KeypointNode(name=n.name) for n in c.nodes)}) for c in schema.classes
    ]
    return schema.model_copy(update={"classes": tuple(classes)})


@given(schemas())
@settings(max_examples=80, deadline=None)
def test_schema_to_supervisely_and_back_is_exact(schema):
    meta, report = schema_to_meta(schema)
    assert report.lossless
    sly.ProjectMeta.from_json(meta)  # the SDK takes it
    back, back_report = meta_to_schema(meta)
    # Node colours default to the SDK's blue when the schema has none; everything else is exact.
    assert _without_node_colors(back) == _without_node_colors(schema)
    assert [n.color or "#0000FF" for c in schema.classes for n in c.nodes] == [
        n.color for c in back.classes for n in c.nodes
    ]
    graphs = [c for c in schema.classes if c.shape is ShapeKind.KEYPOINTS]
    assert back_report.count("keypoint template layout", "dropped") == len(graphs)
    assert back_report.count("keypoint edge colour", "dropped") == sum(bool(c.edges) for c in graphs)
    assert back_report.count(outcome="dropped") == back_report.count(
        kind="keypoint template layout"
    ) + back_report.count(kind="keypoint edge colour")
    assert back_report.count(outcome="approximated") == 0


def _template():
    template = KeypointsTemplate()
    template.add_point("nose", row=10, col=20)
    template.add_point("eye", row=5, col=25)
    template.add_edge("nose", "eye")
    return template


def test_supervisely_meta_to_schema_and_back_is_exact_for_what_both_hold():
    meta = sly.ProjectMeta(
        obj_classes=[
            sly.ObjClass("kiwi", sly.Bitmap, color=[0, 255, 0]),
            sly.ObjClass("box", sly.Rectangle, color=[255, 0, 0]),
            sly.ObjClass("leaf", sly.Polygon, color=[1, 2, 3]),
            sly.ObjClass("road", sly.Polyline, color=[4, 5, 6]),
            sly.ObjClass("pin", sly.Point, color=[7, 8, 9]),
            sly.ObjClass("thing", sly.AnyGeometry, color=[9, 9, 9]),
        ],
        tag_metas=[
            sly.TagMeta(
                "size",
                sly.TagValueType.ONEOF_STRING,
                possible_values=["small", "large"],
                color=[1, 1, 1],
                applicable_to="objectsOnly",
                applicable_classes=["kiwi"],
            ),
            sly.TagMeta("origin", sly.TagValueType.ANY_STRING, color=[2, 2, 2], applicable_to="imagesOnly"),
            sly.TagMeta("weight", sly.TagValueType.ANY_NUMBER, color=[3, 3, 3]),
            sly.TagMeta("flag", sly.TagValueType.NONE, color=[4, 4, 4]),
        ],
    ).to_json()
    schema, report = meta_to_schema(meta)
    assert report.lossless
    assert [(c.name, c.shape.value) for c in schema.classes] == [
        ("kiwi", "mask"),
        ("box", "rectangle"),
        ("leaf", "polygon"),
        ("road", "polyline"),
        ("pin", "point"),
        ("thing", "any"),
    ]
    assert schema.tag("size").classes == ("kiwi",) and schema.tag("origin").applies_to is TagTarget.ITEMS_ONLY
    again, _ = schema_to_meta(schema)
    assert again == meta


def test_graph_classes_keep_nodes_and_edges_and_report_the_template_drawing():
    meta = sly.ProjectMeta(obj_classes=[sly.ObjClass("person", sly.GraphNodes, geometry_config=_template())]).to_json()
    meta["classes"][0]["geometry_config"]["nodes"] = {
        "n1": {**meta["classes"][0]["geometry_config"]["nodes"]["nose"]},
        "n2": {**meta["classes"][0]["geometry_config"]["nodes"]["eye"]},
    }
    meta["classes"][0]["geometry_config"]["edges"] = [{"src": "n1", "dst": "n2", "color": "#00FF00"}]
    schema, report = meta_to_schema(meta)
    person = schema.object_class("person")
    assert [n.name for n in person.nodes] == ["nose", "eye"] and person.edges == (("nose", "eye"),)
    assert report.count("keypoint node id", "approximated") == 1
    assert report.count("keypoint template layout", "dropped") == 1


def test_what_the_schema_cannot_hold_is_counted():
    meta = sly.ProjectMeta(
        obj_classes=[
            sly.ObjClass("cube", sly.Cuboid2d),
            sly.ObjClass("tilted", OrientedBBox),
            sly.ObjClass("box", sly.Rectangle, hotkey="b", description="a box"),
        ],
        tag_metas=[
            sly.TagMeta("when", sly.TagValueType.DATE),
            sly.TagMeta("kind", sly.TagValueType.ANY_STRING, hotkey="k", applicable_classes=["cube"]),
        ],
    ).to_json()
    schema, report = meta_to_schema(meta)
    assert [c.name for c in schema.classes] == ["tilted", "box"]
    assert schema.object_class("tilted").shape is ShapeKind.RECTANGLE
    assert schema.tag("when").value_type is TagValueType.ANY_STRING and schema.tag("kind").classes == ()
    for kind, outcome in [
        ("cuboid_2d class", "dropped"),
        ("oriented_bbox class", "approximated"),
        ("class hotkey", "dropped"),
        ("class description", "dropped"),
        ("date tag", "approximated"),
        ("tag hotkey", "dropped"),
        ("tag class restriction", "dropped"),
    ]:
        assert report.count(kind, outcome) == 1, kind


def test_a_meta_the_sdk_refuses_is_a_validation_error():
    with pytest.raises(ValidationError, match="does not parse"):
        meta_to_schema(
            {"classes": [{"title": "x", "shape": "graph", "color": "#000000", "geometry_config": {"nodes": 5}}]}
        )
    with pytest.raises(ValidationError, match="does not parse"):
        meta_to_schema({"tags": []})


def test_classes_without_colour_get_the_same_palette_colour_every_time():
    schema = LabelSchema(classes=[ObjectClass(name="a", shape="point"), ObjectClass(name="b", shape="mask")])
    first, _ = schema_to_meta(schema)
    second, _ = schema_to_meta(schema)
    assert [c["color"] for c in first["classes"]] == [c["color"] for c in second["classes"]]
    assert len({c["color"] for c in first["classes"]}) == 2
