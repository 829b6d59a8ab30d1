"""Fuzzing the providers with hypothesis: connect(), label configs, Label Studio and Supervisely annotation payloads.

Whatever goes in, only annobridge's own errors or pydantic's validation errors come out, never a
raw KeyError/TypeError/AttributeError traceback; and a refused job spec sends no request at all
(nothing half-written), counted on a provider whose server is not even there.
"""

from __future__ import annotations

import socket

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import annobridge
from annobridge.models import JobSpec
from annobridge.schema import LabelSchema, ObjectClass, TagSpec
from annobridge.testing.fuzz import FUZZ, json_values, mapping_over, only_allowed, url_text


@FUZZ
@given(url_text, st.one_of(st.none(), st.text(max_size=20)))
def test_connect_with_any_url_or_token_raises_only_annobridge_errors(url, token):
    backend = only_allowed(lambda: annobridge.connect(url, token=token, team_id=1))
    if isinstance(backend, annobridge.Provider):
        backend.close()


tag_names = st.sampled_from(
    [
        "View",
        "Image",
        "RectangleLabels",
        "PolygonLabels",
        "BrushLabels",
        "KeyPointLabels",
        "Labels",
        "Label",
        "Choices",
        "Choice",
        "TextArea",
        "Number",
        "Rating",
        "Header",
        "Text",
        "Ellipse",
        "Relations",
    ]
)
attrs = st.dictionaries(
    st.sampled_from(["name", "toName", "value", "background", "perRegion", "choice", "min", "max", "required"]),
    st.one_of(st.sampled_from(["img", "$image", "1", "true", "#ff0000", "label", ""]), st.text(max_size=6)),
    max_size=4,
)


def _xml(tag: str, attributes: dict, children: list[str]) -> str:
    from xml.sax.saxutils import quoteattr

    rendered = "".join(f" {k}={quoteattr(v)}" for k, v in attributes.items())
    return f"<{tag}{rendered}>{''.join(children)}</{tag}>"


elements = st.recursive(
    st.builds(_xml, tag_names, attrs, st.just([])),
    lambda inner: st.builds(_xml, tag_names, attrs, st.lists(inner, max_size=4)),
    max_leaves=10,
)
label_configs = st.one_of(
    st.text(max_size=80),
    st.builds(lambda body: f"<View>{body}</View>", elements),
    st.builds(lambda body: f'<View><Image name="img" value="$image"/>{body}</View>', elements),
)


@FUZZ
@given(label_configs)
def test_label_configs_parse_or_raise_validation_error(config):
    from annobridge_labelstudio.label_config_parse import parse_label_config

    only_allowed(lambda: parse_label_config(config))


CONFIG = (
    '<View><Image name="img" value="$image"/>'
    '<RectangleLabels name="box" toName="img"><Label value="lemon"/></RectangleLabels>'
    '<PolygonLabels name="poly" toName="img"><Label value="leaf"/></PolygonLabels>'
    '<KeyPointLabels name="kp" toName="img"><Label value="kiwi"/></KeyPointLabels>'
    '<Choices name="size" toName="img"><Choice value="small"/><Choice value="big"/></Choices></View>'
)
SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="lemon", shape="rectangle"),
        ObjectClass(name="leaf", shape="polygon"),
        ObjectClass(name="kiwi", shape="point"),
    ],
    tags=[TagSpec(name="size", value_type="oneof_string", values=["small", "big"])],
)
region = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=5), st.integers()),
        "type": st.sampled_from(["rectanglelabels", "polygonlabels", "keypointlabels", "choices", "textarea", "x"]),
        "from_name": st.sampled_from(["box", "poly", "kp", "size", "nope"]),
        "to_name": st.sampled_from(["img", "other"]),
        "original_width": st.one_of(st.integers(-5, 5000), st.floats(), st.text(max_size=3), st.none()),
        "original_height": st.one_of(st.integers(-5, 5000), st.floats(), st.text(max_size=3), st.none()),
        "value": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "x": st.one_of(st.floats(), st.integers(), st.text(max_size=3)),
                    "y": st.one_of(st.floats(), st.integers(), st.text(max_size=3)),
                    "width": st.one_of(st.floats(), st.integers()),
                    "height": st.one_of(st.floats(), st.integers()),
                    "rotation": st.one_of(st.floats(), st.integers()),
                    "points": st.lists(st.lists(st.one_of(st.floats(), st.integers()), max_size=3), max_size=5),
                    "rectanglelabels": st.lists(st.sampled_from(["lemon", "kiwi", "?"]), max_size=2),
                    "polygonlabels": st.lists(st.sampled_from(["leaf", "?"]), max_size=2),
                    "keypointlabels": st.lists(st.sampled_from(["kiwi", "?"]), max_size=2),
                    "choices": st.lists(st.sampled_from(["small", "big", "huge"]), max_size=2),
                },
            ),
        ),
        "parentID": st.text(max_size=3),
    },
)


@FUZZ
@given(
    st.one_of(
        st.lists(region, max_size=4),
        st.dictionaries(st.sampled_from(["result", "id", "was_cancelled", "ground_truth"]), json_values),
    )
)
def test_label_studio_annotations_convert_or_raise_validation_error(payload):
    from annobridge_labelstudio.regions import from_labelstudio

    only_allowed(lambda: from_labelstudio(payload, label_config=CONFIG, schema=SCHEMA, item=1, width=64, height=48))


META = {
    "classes": [
        {"title": "lemon", "shape": "rectangle", "color": "#FF0000"},
        {"title": "leaf", "shape": "polygon", "color": "#00FF00"},
        {"title": "kiwi", "shape": "point", "color": "#0000FF"},
        {"title": "spot", "shape": "bitmap", "color": "#00FFFF"},
    ],
    "tags": [{"name": "size", "value_type": "oneof_string", "values": ["small", "big"], "color": "#FF00FF"}],
}
points = st.lists(st.lists(st.one_of(st.integers(-5, 100), st.floats(), st.text(max_size=2)), max_size=3), max_size=5)
sv_object = st.fixed_dictionaries(
    {},
    optional={
        "classTitle": st.sampled_from(["lemon", "leaf", "kiwi", "spot", "nope"]),
        "geometryType": st.sampled_from(["rectangle", "polygon", "point", "bitmap", "line", "graph", "x"]),
        "tags": st.one_of(
            json_values,
            st.lists(st.fixed_dictionaries({"name": st.sampled_from(["size", "x"]), "value": json_values}), max_size=2),
        ),
        "points": st.one_of(
            json_values, st.fixed_dictionaries({"exterior": points, "interior": st.lists(points, max_size=2)})
        ),
        "bitmap": st.one_of(
            json_values,
            st.fixed_dictionaries({"origin": st.lists(st.integers(-3, 10), max_size=3), "data": st.text(max_size=12)}),
        ),
    },
)
sv_annotation = st.fixed_dictionaries(
    {},
    optional={
        "size": st.one_of(
            json_values, st.fixed_dictionaries({"height": st.integers(-2, 64), "width": st.integers(-2, 64)})
        ),
        "tags": st.one_of(
            json_values,
            st.lists(st.fixed_dictionaries({"name": st.sampled_from(["size", "x"]), "value": json_values}), max_size=2),
        ),
        "objects": st.one_of(json_values, st.lists(sv_object, max_size=4)),
    },
)


@pytest.fixture(scope="module")
def from_supervisely():
    """The converter, imported (with the supervisely SDK) once, outside hypothesis' examples."""
    import supervisely  # noqa: F401 - its import walks sys.modules, which must not hold hypothesis' temporaries
    from annobridge_supervisely.figures import from_supervisely

    return from_supervisely


@FUZZ
@given(payload=sv_annotation)
def test_supervisely_annotations_convert_or_raise_validation_error(from_supervisely, payload):
    only_allowed(lambda: from_supervisely(payload, META, item="a.png", width=32, height=32))


@pytest.fixture(scope="module")
def nowhere():
    """A Label Studio provider for a port nothing listens on: any request it sent would fail as Unavailable."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = annobridge.connect(f"labelstudio+http://127.0.0.1:{port}", token="t" * 40, retries=0)
    yield backend
    backend.close()


@FUZZ
@given(mapping_over(list(JobSpec.model_fields)))
def test_a_refused_job_spec_sends_no_request(nowhere, data):
    spec = only_allowed(lambda: JobSpec.model_validate(data))
    if not isinstance(spec, JobSpec):
        return
    before = nowhere.connection.requests
    outcome = only_allowed(lambda: nowhere.jobs.create(spec))
    if isinstance(outcome, (annobridge.ValidationError, pydantic.ValidationError)):
        assert nowhere.connection.requests == before, f"{outcome} was raised after a request was sent"
