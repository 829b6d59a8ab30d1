"""The neutral ItemAnnotation -> Label Studio annotation results (the writing half of regions.py).

Exact pixels become percentages (pulled back to 100 where past the image edge, counted); what a
config cannot hold (polygon holes, hidden keypoints, per-object authors) is counted as dropped or
approximated, and the result is checked with LabelInterface.validate_prediction before it is returned.

Keeping for the way back (regions_keep.py): what Label Studio held of an item read from it (relations, scores,
flags, the control a region was drawn with...) comes back from the item's residue; with keep=True what Label
Studio cannot hold of the item (holes, timestamps, another backend's data) is handed out as a stash for the
task's meta, and counted as kept instead of lost.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any

from annobridge import keep as keeping
from annobridge.annotations import ItemAnnotation, Keypoints, Mask, Point, Polygon, Rectangle, Tag
from annobridge.fidelity import LABEL_STUDIO, FidelityReport
from annobridge.models import Id, ReviewStatus
from annobridge.schema import LabelSchema, TagSpec, TagValueType

from . import rle
from .region_config import LS_ORIGIN, TAG_TYPES, RegionConfig, Tool, pct, px, region_config
from .regions_keep import STASH, idless, native

__all__ = ["to_labelstudio", "write_result"]


def to_labelstudio(
    annotation: ItemAnnotation, *, label_config: str, schema: LabelSchema, keep: bool = False
) -> tuple[dict[str, Any], FidelityReport]:
    """A Label Studio annotation {"result": [...]} for a neutral ItemAnnotation, valid for `label_config`.

    The result passes LabelInterface.validate_prediction; anything that does not fit the schema
    or the config raises ValidationError naming the item and the object. An item read from Label Studio
    comes back as it was there (its residue: relations, scores, ground_truth, lead_time... in the dict too).
    With `keep`, what the result cannot hold is in the dict under regions_keep.STASH (None when nothing is
    missing) for the caller to pop and store in the task's meta, and the report counts it as kept.

    >>> config = '<View><Image name="img" value="$image"/><PolygonLabels name="p" toName="img"><Label value="leaf"/></PolygonLabels></View>'
    >>> from annobridge.annotations import ObjectAnnotation
    >>> from annobridge.schema import ObjectClass
    >>> schema = LabelSchema(classes=[ObjectClass(name="leaf", shape="polygon")])
    >>> leaf = Polygon(exterior=[(0, 0), (50, 0), (0, 50)], interiors=[[(1, 1), (9, 1), (1, 9)]])
    >>> ann = ItemAnnotation(width=100, height=200, objects=[ObjectAnnotation(class_name="leaf", shape=leaf)])
    >>> data, report = to_labelstudio(ann, label_config=config, schema=schema)
    >>> data["result"][0]["value"]["points"], report.losses()
    ([[0.0, 0.0], [50.0, 0.0], [0.0, 25.0]], ['polygon hole -> dropped (label studio): 1'])
    """
    annotation.validate_against(schema)
    config = region_config(label_config, schema)
    report = FidelityReport()
    data = write_result(annotation, config, report)
    errors = config.interface.validate_prediction({"result": data["result"]}, return_errors=True)
    if errors:
        raise annotation.fail("Label Studio would refuse the result: " + "; ".join(errors))
    author = data.pop("completed_by", None)
    residue = FidelityReport()  # what became of the item's own residue: the stash cannot hold it
    written = native(data)
    data = keeping.native_restored(annotation, LABEL_STUDIO, written, residue, idless(written))
    if author is not None:
        data["completed_by"] = author
    others = sorted(set(annotation.kept) - {LABEL_STUDIO})
    if keep:
        differs = others or not report.exact or _folded(annotation)
        data[STASH] = _stash(annotation, data, config, report) if differs else None
        if data[STASH] is not None:
            report = keeping.as_kept(report)
    elif others:
        report.dropped("data kept for the way back", LABEL_STUDIO, f"of {', '.join(others)}: this write keeps no "
                       "stash", item=annotation.item)
    return data, report.merge(residue)


def _folded(annotation: ItemAnnotation) -> bool:
    """Whether the item has what Label Studio writes in another form, no loss but not read back the same: ids it
    makes up for objects that have none, ids that are not text, authors (one per annotation in Label Studio)."""
    things = [*annotation.objects, *annotation.tags, *(t for o in annotation.objects for t in o.tags)]
    return any(not isinstance(o.id, str) for o in annotation.objects) or any(t.author is not None for t in things)


def _stash(annotation: ItemAnnotation, data: dict[str, Any], config: RegionConfig, report: FidelityReport):
    """What reading `data` back would lack of `annotation` (None when nothing)."""
    from .regions_read import read_result

    read_back, _ = read_result(data, config, annotation.item, annotation.width, annotation.height)
    return keeping.stash(annotation, read_back, LABEL_STUDIO)


def write_result(annotation: ItemAnnotation, config: RegionConfig, report: FidelityReport) -> dict[str, Any]:
    """{"result": [...], "completed_by"?} for a neutral item that fits the config's schema, not checked by the SDK
    and without its residue: what annobridge writes for it, which the reader compares with what Label Studio held."""
    item = annotation.item
    author = _annotation_author(annotation)
    used = {str(obj.id) for obj in annotation.objects if obj.id is not None}
    written: set[str] = set()
    results: list[dict[str, Any]] = []
    for index, obj in enumerate(annotation.objects):
        region_id = str(obj.id) if obj.id is not None else _fresh(f"obj-{index}", used)
        if region_id in written:  # one id, two objects: Label Studio would take them for one region
            region_id = _fresh(f"{region_id}-{index}", used)
            report.approximated("repeated object id", LABEL_STUDIO, "given a fresh one", item=item)
        written.add(region_id)
        tool = config.tool(obj)
        if tool is None:
            raise annotation.fail(
                f"the label config has no control for {obj.shape.kind} class {obj.class_name!r}", index
            )
        regions = _regions_of(obj, tool, region_id, annotation, report)
        if not regions:
            continue
        for region in regions:
            region["origin"] = LS_ORIGIN[obj.origin]
            if obj.description:
                region["meta"] = {"text": [obj.description]}
        results.extend(regions)
        results.extend(_tag_results(config, obj.tags, region=regions[0], per_region=True, item=annotation,
                                    report=report, index=index, author=author))
        if obj.author is not None and obj.author != author:
            report.dropped("object author", LABEL_STUDIO, "Label Studio keeps one author per annotation", item=item)
        if obj.created_at or obj.updated_at:
            report.dropped("object timestamps", LABEL_STUDIO, item=item)
    results.extend(_tag_results(config, annotation.tags, region=None, per_region=False, item=annotation, report=report,
                                index=None, author=author))
    if annotation.description:
        report.dropped("item description", LABEL_STUDIO, item=item)
    if annotation.review_status is not ReviewStatus.NONE:
        report.dropped("review status", LABEL_STUDIO, "not in annotation JSON; set it with the reviews API", item=item)
    data: dict[str, Any] = {"result": results}
    if author is not None:
        data["completed_by"] = author
    return data


def _annotation_author(annotation: ItemAnnotation) -> Id | None:
    """The annotation's author, else the one its objects and tags name most (Supervisely keeps them there)."""
    if annotation.author is not None:
        return annotation.author
    named = [o.author for o in annotation.objects] + [t.author for o in annotation.objects for t in o.tags]
    named = Counter(a for a in named + [t.author for t in annotation.tags] if a is not None)
    return named.most_common(1)[0][0] if named else None


def _fresh(base: str, used: set[str]) -> str:
    candidate, n = base, 1
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _regions_of(obj, tool: Tool, region_id, item: ItemAnnotation, report: FidelityReport) -> list[dict[str, Any]]:
    w, h, shape = item.width, item.height, obj.shape
    clamp = _Clamp(w, h)

    def region(rid: str, value: dict[str, Any], label: str) -> dict[str, Any]:
        return {
            "id": rid,
            "type": tool.type,
            "from_name": tool.from_name,
            "to_name": tool.to_name,
            "original_width": w,
            "original_height": h,
            "image_rotation": 0,
            "value": {**value, tool.type: [label]},
        }

    out: list[dict[str, Any]] = []
    if isinstance(shape, Keypoints):
        shown = [p for p in shape.points if p.visible]
        report.dropped(
            "hidden keypoint",
            LABEL_STUDIO,
            "Label Studio has no invisible nodes",
            len(shape.points) - len(shown),
            item=item.item,
        )
        for n, point in enumerate(shown):
            node = region(region_id if n == 0 else f"{region_id}-{point.name}", clamp.xy(point.x, point.y), point.name)
            if n:
                node["parentID"] = region_id
            out.append(node)
        if shown:
            report.carried("keypoints", LABEL_STUDIO)
        else:
            report.dropped("keypoints", LABEL_STUDIO, "no visible node", item=item.item)
    elif isinstance(shape, Rectangle):
        rotation = shape.rotation % 360 if not 0 <= shape.rotation <= 360 else shape.rotation
        value = {**clamp.xy(shape.x, shape.y), "width": clamp.pct(shape.width, w), "height": clamp.pct(shape.height, h)}
        value["rotation"] = float(rotation)
        if Fraction(value["rotation"]) != rotation:  # e.g. Supervisely radians: no float degree holds them
            report.approximated("rotation", LABEL_STUDIO, "to the nearest float degree", item=item.item)
        out.append(region(region_id, value, obj.class_name))
    elif isinstance(shape, Point):
        out.append(region(region_id, clamp.xy(shape.x, shape.y), obj.class_name))
    elif isinstance(shape, Mask):
        out.append(region(region_id, {"format": "rle", "rle": _mask_rle(shape, w, h)}, obj.class_name))
    else:
        points = shape.exterior if isinstance(shape, Polygon) else shape.points
        if isinstance(shape, Polygon) and shape.interiors:
            report.dropped("polygon hole", LABEL_STUDIO, count=len(shape.interiors), item=item.item)
        closed = isinstance(shape, Polygon)
        if tool.type == "polygonlabels":
            if not closed:
                if len(points) < 3:
                    report.dropped("polyline", LABEL_STUDIO, "two points make no polygon", item=item.item)
                    return []
                report.approximated("polyline", LABEL_STUDIO, "as polygon", item=item.item)
            value = {"points": [[v["x"], v["y"]] for v in (clamp.xy(x, y) for x, y in points)], "closed": True}
        else:
            vertices = []
            for n, (x, y) in enumerate(points):
                vertex = {"id": f"{region_id}-{n}", **clamp.xy(x, y), "isBezier": False}
                if n:
                    vertex["prevPointId"] = f"{region_id}-{n - 1}"
                vertices.append(vertex)
            value = {"vertices": vertices, "closed": closed}
        out.append(region(region_id, value, obj.class_name))
    if out and not isinstance(shape, Keypoints):
        report.carried(shape.kind, LABEL_STUDIO)
    if tool.split:
        out = [part for region in out for part in _split(region, tool.split)]
    if clamp.moved:
        report.approximated("coordinates past the image edge", LABEL_STUDIO, "pulled back to 100%", item=item.item)
    if clamp.rounded:
        report.approximated("coordinates", LABEL_STUDIO, "to the nearest float percentage", item=item.item)
    return out


def _split(region: dict[str, Any], tool_control: str) -> list[dict[str, Any]]:
    """A "rectanglelabels" region of a generic <Labels> as the editor writes it: a "rectangle" result from
    the tool control, then a "labels" result of the same id holding the label."""
    kind = region["type"].removesuffix("labels")
    geometry = {k: v for k, v in region["value"].items() if k != region["type"]}
    shape = {**region, "type": kind, "from_name": tool_control, "value": geometry}
    return [shape, {**region, "type": "labels", "value": {**geometry, "labels": region["value"][region["type"]]}}]


def _mask_rle(mask: Mask, width: int, height: int) -> list[int]:
    if mask.rle is not None:
        try:
            rle.decode(mask.rle, expected=width * height * 4)
            return list(mask.rle)
        except rle.RLEError:
            pass  # read for another image size: encode the pixels afresh
    return rle.mask_to_rle(mask.to_image(width, height))


class _Clamp:
    """Turns exact pixels into percentages, pulling down any Label Studio would refuse (above 100), and notes
    a value no float percentage gives back (a third of a pixel, say; whole pixels always come back)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height, self.moved, self.rounded = width, height, False, False

    def pct(self, value: Fraction, size: int) -> float:
        percent = pct(value, size)
        if percent > 100:
            self.moved = True
            return 100.0
        if not self.rounded and px(percent, size, "coordinate") != value:
            self.rounded = True
        return percent

    def xy(self, x: Fraction, y: Fraction) -> dict[str, float]:
        return {"x": self.pct(x, self.width), "y": self.pct(y, self.height)}


def _tag_results(
    config, tags, *, region, per_region: bool, item: ItemAnnotation, report, index, author
) -> list[dict[str, Any]]:
    grouped: dict[str, list[Tag]] = {}
    for tag in tags:
        grouped.setdefault(tag.name, []).append(tag)
    out = []
    for name, group in grouped.items():
        control = config.control_of.get((name, per_region))
        if control is None:
            what = "object" if per_region else "item"
            raise item.fail(f"the label config has no {what} control for tag {name!r}", index)
        spec: TagSpec = config.schema.tag(name)
        kind = control.tag.lower()
        key = TAG_TYPES[kind]
        values = [t.value for t in group]
        if spec.value_type is TagValueType.NONE:
            payload: Any = list(control.labels[:1])
            values = values[:1]
        elif kind == "number" or (kind == "choices" and control.attr.get("choice") not in ("multiple",)):
            payload = values[0] if kind == "number" else values[:1]
            values = values[:1]
        else:
            payload = values
        what = "object tag" if per_region else "item tag"
        report.carried(what, LABEL_STUDIO, len(values))
        report.dropped(
            f"repeated {what}",
            LABEL_STUDIO,
            f"control {control.name!r} holds one value",
            len(group) - len(values),
            item=item.item,
        )
        for tag in group:
            if tag.author not in (None, author):
                report.dropped(
                    "tag author", LABEL_STUDIO, "Label Studio keeps one author per annotation", item=item.item
                )
            if tag.created_at or tag.updated_at:
                report.dropped("tag timestamps", LABEL_STUDIO, item=item.item)
        result = {"type": kind, "from_name": control.name, "to_name": control.to_name[0], "origin": "manual"}
        if region is not None:
            geometry = {k: v for k, v in region["value"].items() if k != region["type"]}
            extra = {
                k: region[k]
                for k in ("original_width", "original_height", "image_rotation", "origin", "meta")
                if k in region
            }
            result = {"id": region["id"], **result, **extra, "value": {**geometry, key: payload}}
        else:
            result = {"id": f"{control.name}-item", **result, "value": {key: payload}}
        out.append(result)
    return out
