"""Every image template the installed label_studio package ships: it parses, rebuilds to an equivalent config (or the
report names each difference), and example results for it round-trip.

Which templates: every ``annotation_templates/**/config.yml`` of the label_studio package in the server's virtual
environment, read at test time (nothing is copied here). An image template is one whose config has an <Image>
object; the others (text, audio, video, time series, chat, PDF, tables) label no image and are left out by that
rule, not by a list.

Equivalent, as compared here straight from LabelInterface: the same classes, each drawn with the same kinds of tool
through the same style of control (a <Tool>Labels, or a <Labels> beside tools), by one control per tool, one label a
region; the same tag controls with the same values, choice mode, region scope and kind of object; the same images
(how many, multi-page or not). Not compared, because a built config uses annobridge's own: control and object
names, the task data key, layout and styling (View, Header, Style), hints and validation attributes (placeholder,
rows, required, hotkeys, maxSubmissions), and colour spellings ("green" and "#008000" are one colour).
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from annobridge_labelstudio import rle
from annobridge_labelstudio.label_config import build_label_config
from annobridge_labelstudio.label_config_parse import parse_label_config
from annobridge_labelstudio.regions import from_labelstudio, to_labelstudio
from annobridge_labelstudio.server import find_venv
from label_studio_sdk.label_interface import LabelInterface

from annobridge.fidelity import Outcome

TOOLS = {"rectangle", "polygon", "vector", "keypoint", "brush"}  # tools annobridge has a neutral shape for
W, H = 40, 30  # small: a brush region covers the whole image


def _templates() -> dict[str, str]:
    roots = sorted(find_venv().glob("lib/python*/site-packages/label_studio/annotation_templates"))
    assert roots, f"no label_studio annotation templates under {find_venv()}"
    found = {}
    for path in sorted(roots[0].glob("**/config.yml")):
        config = yaml.safe_load(path.read_text())["config"]
        if any(o.tag == "Image" for o in LabelInterface(config).objects):
            found[str(path.parent.relative_to(roots[0]))] = config
    return found


TEMPLATES = _templates()


def test_the_package_ships_image_templates_of_every_kind_annobridge_reads():
    tags = {c.tag for config in TEMPLATES.values() for c in LabelInterface(config).controls}
    assert len(TEMPLATES) >= 10
    assert {"RectangleLabels", "PolygonLabels", "KeyPointLabels", "BrushLabels", "Labels", "Choices"} <= tags


# ---------------------------------------------------------------- the comparison, straight from LabelInterface


def _signature(config: str) -> dict[str, tuple]:
    """Subject (class, control or image name) -> what a labeler can do with it, as the module docstring defines."""
    interface = LabelInterface(config)
    kinds = {o.name: o.tag.lower() for o in interface.objects}
    images = [o for o in interface.objects if o.tag == "Image"]
    found: dict[str, tuple] = {"(first image)": ("image", "valueList" in images[0].attr)}
    found.update({o.name: ("image", "valueList" in o.attr) for o in images[1:]})
    tools_on: dict[str, set[str]] = {}
    for control in interface.controls:
        if control.tag.lower() in TOOLS:
            for obj in control.to_name:
                tools_on.setdefault(obj, set()).add(control.tag.lower())
    classes: dict[str, dict] = {}
    for control in interface.controls:
        tag = control.tag.lower()
        if tag in TOOLS:
            continue  # a tool draws the classes of the <Labels> beside it
        if str(control.attr.get("value", "")).startswith("$"):
            found[control.name] = ("labels from task data", tag)
            continue
        if tag.endswith("labels"):
            drawn = set().union(*(tools_on.get(o, set()) for o in control.to_name)) if tag == "labels" else (
                {tag.removesuffix("labels")} & TOOLS)
            if not drawn:
                found[control.name] = ("labels no tool draws", tag)
                continue
            for label in control.labels:
                entry = classes.setdefault(label, {"tools": {}, "split": False, "several": False})
                for tool in drawn:
                    entry["tools"][tool] = entry["tools"].get(tool, 0) + 1
                entry["split"] |= tag == "labels"
                entry["several"] |= control.attr.get("choice") == "multiple"
        elif tag in ("choices", "textarea", "number"):
            on = frozenset(kinds[o] for o in control.to_name)
            several = control.attr.get("choice") == "multiple"
            per_region = control.attr.get("perRegion") == "true"
            found[control.name] = (tag, tuple(control.labels or ()), several, per_region, on)
        else:
            found[control.name] = ("control", tag)
    for label, entry in classes.items():
        found[label] = (frozenset(entry["tools"]), max(entry["tools"].values()), entry["split"], entry["several"])
    return found


def _differing(original: str, rebuilt: str) -> set[str]:
    """The subjects whose signatures differ, the first image named as in `original`."""
    before, after = _signature(original), _signature(rebuilt)
    first = next(o.name for o in LabelInterface(original).objects if o.tag == "Image")
    found = {subject for subject in before.keys() | after.keys() if before.get(subject) != after.get(subject)}
    return {first if subject == "(first image)" else subject for subject in found}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_template_rebuilds_to_an_equivalent_config_or_the_report_names_each_difference(name):
    parsed = parse_label_config(TEMPLATES[name])
    rebuilt = build_label_config(parsed.schema)
    assert parse_label_config(rebuilt).schema == parsed.schema
    LabelInterface(rebuilt).validate()
    named = {d.subject for d in parsed.differences} | {s.split("'")[1] for s in parsed.skipped}
    assert _differing(TEMPLATES[name], rebuilt) == named
    report = parsed.report
    counted = report.count(outcome=Outcome.APPROXIMATED) + report.count(outcome=Outcome.DROPPED)
    assert counted == len(parsed.differences) + len(parsed.skipped)


def test_the_corpus_shows_both_equivalent_and_differing_rebuilds():
    differing = {n for n, c in TEMPLATES.items() if parse_label_config(c).report.losses()}
    assert "computer-vision/optical-character-recognition" in differing
    assert "computer-vision/object-detection-with-bounding-boxes" not in differing
    assert 0 < len(differing) < len(TEMPLATES)


# ---------------------------------------------------------------- example results, generated from the controls

_GEOMETRY = {
    "rectangle": {"x": 12.5, "y": 10.0, "width": 25.0, "height": 50.0, "rotation": 0.0},
    "polygon": {"points": [[10.0, 10.0], [50.0, 20.0], [20.0, 60.0]], "closed": True},
    "keypoint": {"x": 37.5, "y": 40.0},
}


def _geometry(tool: str, rid: str) -> dict:
    if tool == "vector":
        points = [(5.0, 5.0), (50.0, 40.0), (95.0, 5.0)]
        vertices = [{"id": f"{rid}-{n}", "x": x, "y": y, "isBezier": False} for n, (x, y) in enumerate(points)]
        for n in range(1, len(vertices)):
            vertices[n]["prevPointId"] = f"{rid}-{n - 1}"
        return {"vertices": vertices, "closed": False}
    if tool == "brush":
        mask = np.zeros((H, W), bool)
        mask[3:9, 4:20] = True
        return {"format": "rle", "rle": rle.mask_to_rle(mask)}
    return dict(_GEOMETRY[tool])


def example_results(config: str) -> tuple[list[dict], list[dict]]:
    """Results for every control of `config`, in the form the editor writes them: one region per label and tool,
    each tag control answered (per-region ones on the first region, right after it); and those of them that
    have no neutral form."""
    interface = LabelInterface(config)
    tools_on: dict[str, list] = {}
    for control in interface.controls:
        if control.tag.lower() in TOOLS:
            for obj in control.to_name:
                tools_on.setdefault(obj, []).append(control)
    size = {"original_width": W, "original_height": H, "image_rotation": 0, "origin": "manual"}
    results, regions, foreign = [], [], []
    for control in interface.controls:
        tag, on = control.tag.lower(), control.to_name[0]
        dynamic = str(control.attr.get("value", "")).startswith("$")
        if tag in TOOLS or not (tag.endswith("labels") or dynamic):
            continue
        if dynamic or (tag != "labels" and tag.removesuffix("labels") not in TOOLS) or (
                tag == "labels" and not tools_on.get(on)):
            value = {"start": 0, "end": 4, "text": "word"} if tag == "labels" else _geometry("rectangle", "x")
            foreign.append({"id": f"f{len(results)}", "type": tag, "from_name": control.name, "to_name": on,
                            **size, "value": {**value, tag: [control.labels[0] if control.labels else "from-data"]}})
            results.append(foreign[-1])
            continue
        for label in control.labels:
            for tool in tools_on[on] if tag == "labels" else [control]:
                kind = tool.tag.lower().removesuffix("labels")
                rid = f"r{len(results)}"
                geometry = _geometry(kind, rid)
                if tag == "labels":
                    results.append({"id": rid, "type": kind, "from_name": tool.name, "to_name": on, **size,
                                    "value": geometry})
                    results.append({"id": rid, "type": "labels", "from_name": control.name, "to_name": on, **size,
                                    "value": {**geometry, "labels": [label]}})
                else:
                    results.append({"id": rid, "type": tag, "from_name": control.name, "to_name": on, **size,
                                    "value": {**geometry, tag: [label]}})
                regions.append((rid, geometry))
    for control in interface.controls:
        tag, on = control.tag.lower(), control.to_name[0]
        if tag == "choices":
            several = control.attr.get("choice") == "multiple" and len(control.labels) > 1
            key, payload = "choices", list(control.labels[:2] if several else control.labels[:1])
        elif tag == "textarea":
            key, payload = "text", ["first line", "second line"]
        elif tag == "number":
            key, payload = "number", 7
        elif tag == "rating":
            foreign.append({"id": f"{control.name}-item", "type": tag, "from_name": control.name, "to_name": on,
                            "origin": "manual", "value": {"rating": 3}})
            results.append(foreign[-1])
            continue
        else:
            continue
        if control.attr.get("perRegion") == "true":
            if regions:
                rid, geometry = regions[0]
                after = max(n for n, r in enumerate(results) if r["id"] == rid) + 1
                results.insert(after, {"id": rid, "type": tag, "from_name": control.name, "to_name": on, **size,
                                       "value": {**geometry, key: payload}})
        else:
            results.append({"id": f"{control.name}-item", "type": tag, "from_name": control.name, "to_name": on,
                            "origin": "manual", "value": {key: payload}})
    return results, foreign


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_example_results_of_a_template_round_trip(name):
    config = TEMPLATES[name]
    schema = parse_label_config(config).schema
    results, foreign = example_results(config)
    neutral, report = from_labelstudio(results, label_config=config, schema=schema, item=name, width=W, height=H)
    assert report.count(outcome=Outcome.KEPT) == len(foreign) and report.lossless, str(report)
    assert bool(neutral.kept) == bool(foreign)  # what has no neutral form is kept for the way back
    back, back_report = to_labelstudio(neutral, label_config=config, schema=schema)
    assert back["result"] == results and back_report.exact, str(back_report)
    # through the config built from the schema: the same neutral annotation comes back (the residue was for
    # the template's own config, so it is left out here)
    plain = neutral.model_copy(update={"kept": {}})
    rebuilt = build_label_config(schema)
    there, there_report = to_labelstudio(plain, label_config=rebuilt, schema=schema)
    assert there_report.exact and LabelInterface(rebuilt).validate_annotation(there)
    again, again_report = from_labelstudio(there, label_config=rebuilt, schema=schema, item=name, width=W, height=H)
    assert again == plain and again_report.exact
