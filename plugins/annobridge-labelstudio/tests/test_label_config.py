"""LabelSchema <-> label config: exact round trips (property-tested), configs annobridge did not write, the server's word."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge.errors import ValidationError
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType
from annobridge.testing.conformance import SAMPLE_SCHEMA
from annobridge_labelstudio.label_config import (
    build_label_config,
    looks_scalar,
    read_extras,
    restrict_schema,
    write_extras,
)
from annobridge_labelstudio.label_config_parse import parse_label_config

names = st.text(string.ascii_letters + string.digits + " -_", min_size=1, max_size=12).filter(
    lambda s: s.strip() and not looks_scalar(s)
)
colors = st.none() | st.from_regex(r"#[0-9A-F]{6}", fullmatch=True)


@st.composite
def schemas(draw):
    class_names = draw(st.lists(names, max_size=5, unique=True))
    tag_names = draw(st.lists(names.filter(lambda n: n not in class_names), max_size=4, unique=True))
    classes = []
    for name in class_names:
        shape = draw(st.sampled_from(list(ShapeKind)))
        if shape is ShapeKind.KEYPOINTS:
            nodes = draw(st.lists(names, min_size=1, max_size=3, unique=True))
            edges = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=2))
            classes.append(ObjectClass(name=name, shape=shape, color=draw(colors),
                                       nodes=[KeypointNode(name=n, color=draw(colors)) for n in nodes], edges=edges))
        else:
            classes.append(ObjectClass(name=name, shape=shape, color=draw(colors)))
    graphs = {c.name for c in classes if c.shape is ShapeKind.KEYPOINTS}
    tags = []
    for name in tag_names:
        kind = draw(st.sampled_from(list(TagValueType)))
        values = tuple(draw(st.lists(names, min_size=1, max_size=3, unique=True))) if kind is TagValueType.ONEOF_STRING else ()
        target = draw(st.sampled_from(list(TagTarget)))
        if target is TagTarget.ALL and name + "_object" in graphs:
            target = TagTarget.ITEMS_ONLY
        on = tuple(draw(st.lists(st.sampled_from(class_names), unique=True, max_size=2))) if class_names else ()
        several = kind is TagValueType.ONEOF_STRING and draw(st.booleans())
        tags.append(TagSpec(name=name, value_type=kind, values=values, applies_to=target, classes=on, multiple=several))
    return LabelSchema(classes=classes, tags=tags)


@settings(max_examples=60, deadline=None)
@given(schemas())
def test_every_schema_round_trips_exactly(schema):
    assert parse_label_config(build_label_config(schema)).schema == schema


def test_sample_schema_needs_no_extras_comment():
    config = build_label_config(SAMPLE_SCHEMA)
    assert "annobridge" not in config
    assert parse_label_config(config).schema == SAMPLE_SCHEMA


def test_a_foreign_config_is_parsed_and_what_has_no_neutral_form_is_listed():
    config = """<View>
      <Image name="img" value="$url"/>
      <Rectangle name="box_tool" toName="img"/>
      <Polygon name="poly_tool" toName="img"/>
      <Labels name="label" toName="img"><Label value="car" background="red"/><Label value="bus" background="#00ff00"/></Labels>
      <RectangleLabels name="r" toName="img"><Label value="sign"/></RectangleLabels>
      <PolygonLabels name="p" toName="img"><Label value="sign"/></PolygonLabels>
      <EllipseLabels name="e" toName="img"><Label value="wheel"/></EllipseLabels>
      <Choices name="weather" toName="img"><Choice value="sunny"/><Choice value="rain"/></Choices>
      <TextArea name="comment" toName="img" perRegion="true"/>
      <Rating name="quality" toName="img"/>
    </View>"""
    parsed = parse_label_config(config)
    shapes = {c.name: (c.shape, c.color) for c in parsed.schema.classes}
    assert shapes == {"car": (ShapeKind.ANY, "#FF0000"), "bus": (ShapeKind.ANY, "#00FF00"), "sign": (ShapeKind.ANY, None)}
    tags = {t.name: (t.value_type, t.values, t.applies_to) for t in parsed.schema.tags}
    assert tags == {
        "weather": (TagValueType.ONEOF_STRING, ("sunny", "rain"), TagTarget.ITEMS_ONLY),
        "comment": (TagValueType.ANY_STRING, (), TagTarget.OBJECTS_ONLY),
    }
    assert any("EllipseLabels 'e'" in s for s in parsed.skipped) and any("Rating 'quality'" in s for s in parsed.skipped)


def test_a_tag_on_items_and_objects_reads_back_as_one_tag():
    config = """<View><Image name="image" value="$image"/>
      <Choices name="flag" toName="image" choice="multiple"><Choice value="flag"/></Choices>
      <Choices name="flag_object" toName="image" perRegion="true" choice="multiple"><Choice value="flag"/></Choices>
    </View>"""
    assert parse_label_config(config).schema.tags == (TagSpec(name="flag", applies_to=TagTarget.ALL),)


def test_bad_configs_and_schemas_are_refused_naming_the_problem():
    with pytest.raises(ValidationError, match="does not parse"):
        parse_label_config("<View><Image")
    clash = LabelSchema(classes=[ObjectClass(name="size", shape="keypoints", nodes=[KeypointNode(name="a")])],
                        tags=[TagSpec(name="size")])
    with pytest.raises(ValidationError, match="differ from every tag name"):
        build_label_config(clash)
    with pytest.raises(ValidationError, match="'1e3': Label Studio cannot name a control like a number"):
        build_label_config(LabelSchema(tags=[TagSpec(name="1e3")]))


def test_extras_survive_rewriting_and_never_hold_a_double_dash():
    config = write_extras("<View>\n  <Image name=\"image\" value=\"$image\"/>\n</View>", {"note": "a--b", "n": 3})
    assert "a--b" not in config.split("<!--", 1)[1].split("-->", 1)[0]
    assert read_extras(config) == {"note": "a--b", "n": 3}
    assert read_extras(write_extras(config, {"n": 4})) == {"n": 4}
    assert "annobridge" not in write_extras(config, {})


def test_restrict_keeps_named_classes_and_tags_and_refuses_unknown_ones():
    cut = restrict_schema(SAMPLE_SCHEMA, classes=["kiwi"], tags=[])
    assert [c.name for c in cut.classes] == ["kiwi"] and [t.name for t in cut.tags] == ["size"]
    with pytest.raises(ValidationError, match=r"classes_to_label: \['pear'\]"):
        restrict_schema(SAMPLE_SCHEMA, classes=["pear"])


def test_the_server_accepts_every_kind_the_builder_writes(backend):
    everything = LabelSchema(
        classes=[ObjectClass(name=s.value, shape=s, nodes=[KeypointNode(name="n1"), KeypointNode(name="n2")]
                             if s is ShapeKind.KEYPOINTS else ()) for s in ShapeKind],
        tags=[TagSpec(name=f"t-{k.value}", value_type=k, values=("a", "b") if k is TagValueType.ONEOF_STRING else (),
                      applies_to=TagTarget.ALL) for k in TagValueType],
    )
    project = backend.projects.create("every kind", schema=everything)
    try:
        assert backend.projects.get_schema(project.id) == everything
        assert backend.projects.get(project.id).schema_ == everything  # .schema is pydantic's method
    finally:
        backend.projects.delete(project.id)


def test_a_single_choice_named_like_its_tag_stays_oneof_string():
    schema = LabelSchema(tags=[TagSpec(name="A", value_type="oneof_string", values=("A",)), TagSpec(name="B")])
    assert parse_label_config(build_label_config(schema)).schema == schema


def test_what_a_foreign_config_cannot_give_is_counted_by_kind():
    config = """<View><Image name="img" value="$url"/>
      <RectangleLabels name="r" toName="img"><Label value="car"/><Label value="bus"/></RectangleLabels>
      <EllipseLabels name="e" toName="img"><Label value="wheel"/></EllipseLabels>
      <PolygonLabels name="shelf" toName="img" value="$products"/>
      <Choices name="weather" toName="img"><Choice value="sunny"/></Choices>
      <Rating name="quality" toName="img"/></View>"""
    report = parse_label_config(config).report
    assert report.count("rectangle class", "carried") == 2 and report.count("oneof_string tag", "carried") == 1
    assert report.losses() == [
        "EllipseLabels control -> dropped (annobridge, no neutral shape for its labels): 1  [e]",
        "PolygonLabels control -> dropped (annobridge, its labels come from each task's $products, not the config): 1"
        "  [shelf]",
        "Rating control -> dropped (annobridge, no neutral tag type for it): 1  [quality]",
    ]
