"""Label Studio annotation results -> the neutral ItemAnnotation (the reading half of regions.py).

Percentages become exact pixels; whatever annobridge cannot hold (relations, scores, flags,
unlabeled regions) is counted, and anything that names an unknown control, class or tag is a
ValidationError naming the item and the region.

Which results make one object. A region is the results sharing one `id` (a region and its per-region
attributes; a tool result and the <Labels> result of the same region). Results without an `id`, as Label
Studio's ML backends write predictions (and as validate_prediction accepts), are each an object of their own;
a tool result without an id is paired with the id-less <Labels> result holding the same geometry, and an
id-less per-region attribute, which names no region, is counted as dropped. Keypoints: the editor writes every
keypoint as a region of its own (its own id, no parentID), and so does an ML backend without ids, so each is
its own object; only `parentID` groups them. Nodes whose parentID is a node of the same graph control form one
graph with it (how annobridge writes a graph); nodes whose parentID is another region (the YOLO backend hangs a
person's keypoints from its hidden box) form one graph per parent, the link itself counted as dropped. A node
name already in its graph starts a graph of its own, counted.

Keeping for the way back (regions_keep.py): whatever of the annotation annobridge would not write back as it was
(relations, scores, flags, the ids it would make up, the control a region was drawn with...) is the item's
residue, kept in ItemAnnotation.kept and counted as kept, not dropped; a stash the task's meta holds for this
content (`stashes`) gives back what the item held before it came to Label Studio.
"""

from __future__ import annotations

from typing import Any

from annobridge import keep
from annobridge.annotations import ItemAnnotation, Keypoint, Keypoints, ObjectOrigin, Tag, shape_kind
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, NEUTRAL, FidelityReport
from annobridge.models import Id
from annobridge.schema import LabelSchema, TagValueType

from .region_config import GEOMETRY, ORIGINS, TAG_TYPES, RegionConfig, px, region_config
from .region_shapes import RegionContext, shape_from_value
from .regions_keep import idless, native
from .regions_write import write_result

__all__ = ["from_labelstudio", "read_result"]


def from_labelstudio(
    annotation: dict[str, Any] | list[dict[str, Any]],
    *,
    label_config: str,
    schema: LabelSchema,
    item: Id | None = None,
    width: int | None = None,
    height: int | None = None,
    stashes: list[dict[str, Any]] | None = None,
) -> tuple[ItemAnnotation, FidelityReport]:
    """The neutral ItemAnnotation of a Label Studio annotation (or its bare result list).

    The image size comes from the regions' original_width / original_height, else from
    `width` / `height` (the item's). Unknown controls, classes and tags raise ValidationError
    naming the item and the region. What annobridge has no field for is kept in the item's `kept` (the
    report says kept); `stashes` are those the task's meta holds (regions_keep.task_stashes).

    >>> config = '<View><Image name="img" value="$image"/><KeyPointLabels name="kp" toName="img"><Label value="kiwi"/></KeyPointLabels></View>'
    >>> from annobridge.schema import ObjectClass
    >>> schema = LabelSchema(classes=[ObjectClass(name="kiwi", shape="point")])
    >>> result = [{"id": "a1", "type": "keypointlabels", "from_name": "kp", "to_name": "img", "original_width": 200,
    ...            "original_height": 100, "value": {"x": 25.0, "y": 50.0, "keypointlabels": ["kiwi"]}}]
    >>> neutral, report = from_labelstudio(result, label_config=config, schema=schema, item=7)
    >>> neutral.objects[0].shape.x, neutral.objects[0].id
    (Fraction(50, 1), 'a1')
    """
    data = annotation if isinstance(annotation, dict) else {"result": annotation}
    config = region_config(label_config, schema)
    neutral, report = read_result(data, config, item, width, height)
    written = native(write_result(neutral, config, FidelityReport()))
    kept = keep.with_native_residue(neutral, LABEL_STUDIO, written, native(data), idless(written))
    if kept is not neutral:
        neutral, report = kept, keep.as_kept(report)
    return keep.restored(neutral, stashes, report, LABEL_STUDIO), report


def read_result(
    data: dict[str, Any], config: RegionConfig, item: Id | None, width: int | None, height: int | None
) -> tuple[ItemAnnotation, FidelityReport]:
    """The neutral ItemAnnotation of a Label Studio annotation and what it could not hold, counted as dropped:
    the conversion alone, without the residue or a stash."""
    schema = config.schema
    where = f"item {item!r}" if item is not None else "item"
    results = data.get("result") or []
    if not isinstance(results, list) or not all(
        isinstance(r, dict) and isinstance(r.get("value", {}), dict) for r in results
    ):
        raise ValidationError(f"{where}: result must be a list of regions (JSON objects, each value an object)")
    width, height = _size(results, width, height, where)
    report = FidelityReport()
    joined = _join_split_regions(results)
    _annotation_flags(data, report, item)
    reading = _Reading(config, joined, RegionContext(width, height, report, item))
    item_tags: list[Tag] = []
    attributes: list[tuple[int, dict[str, Any]]] = []
    for index, (result, tool_control) in enumerate(joined):
        name = f"{where}, region #{index} (id {result.get('id')!r})"
        try:
            kind = result.get("type", "")
            if kind == "relation":
                report.dropped("relation", NEUTRAL, "annobridge has no relations between objects", item=item)
                continue
            control = config.controls.get(result.get("from_name"))
            if control is None:
                raise ValidationError(
                    f"unknown control {result.get('from_name')!r}; the config has {sorted(config.controls)}"
                )
            if config.dynamic(control):
                report.dropped(
                    f"{kind or 'untyped'} region", NEUTRAL, "its labels come from the task's data, not the config",
                    item=item,
                )
                continue
            if control.tag.lower() in TAG_TYPES:
                if control.attr.get("perRegion") == "true":
                    attributes.append((index, result))
                else:
                    item_tags.extend(_tags_from_result(config, control, result))
                continue
            if kind in GEOMETRY:
                report.dropped("unlabeled region", NEUTRAL, f"a {kind} without a label", item=item)
                continue
            if kind.removesuffix("labels") not in GEOMETRY or not kind.endswith("labels"):
                report.dropped(f"{kind or 'untyped'} region", NEUTRAL, "no such shape in annobridge", item=item)
                continue
            reading.region(control, result, index, tool_control)
        except ValidationError as exc:
            raise ValidationError(f"{name}: {exc}") from None
    for index, result in attributes:
        if result.get("id") is None:
            report.dropped("region attribute without an id", NEUTRAL, "it names no region", item=item)
            continue
        key = reading.owner.get(result["id"])
        if key is None:
            report.dropped("attribute of an unlabeled region", NEUTRAL, item=item)
            continue
        try:
            tags = _tags_from_result(config, config.controls[result["from_name"]], result)
        except ValidationError as exc:
            raise ValidationError(f"{where}, region #{index} (id {result.get('id')!r}): {exc}") from None
        reading.objects[key]["tags"].extend(tags)
    built = []
    for parts in reading.objects.values():
        if parts.pop("nodes", None) is not None:
            parts["shape"] = Keypoints(points=parts.pop("points"))
        report.carried("object tag", NEUTRAL, len(parts["tags"]))
        built.append(parts)
    report.carried("item tag", NEUTRAL, len(item_tags))
    neutral = ItemAnnotation(
        item=item, width=width, height=height, objects=built, tags=item_tags, author=_author(data.get("completed_by"))
    )
    neutral.validate_against(schema)
    return neutral, report


def _join_split_regions(results: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str | None]]:
    """Each result with the tool control it was drawn with where that is a separate result: a tool result (type
    "rectangle", from a <Rectangle>) and the "labels" result of the same region, as the editor writes regions drawn
    with a generic <Labels>, become one "rectanglelabels" result. Results with an id pair by id; without one, a tool
    result pairs with the first unpaired id-less labels result on the same object holding the same geometry."""
    by_id = {r["id"]: n for n, r in enumerate(results) if r.get("type") == "labels" and r.get("id") is not None}
    anonymous = [n for n, r in enumerate(results) if r.get("type") == "labels" and r.get("id") is None]
    partner: dict[int, int] = {}  # tool result index -> labels result index
    for n, result in enumerate(results):
        if result.get("type") not in GEOMETRY:
            continue
        if result.get("id") is not None:
            if result["id"] in by_id:
                partner[n] = by_id.pop(result["id"])
            continue
        for m in anonymous:
            labels = results[m]
            geometry = {k: v for k, v in (labels.get("value") or {}).items() if k != "labels"}
            if labels.get("to_name") == result.get("to_name") and geometry == (result.get("value") or {}):
                partner[n] = m
                anonymous.remove(m)
                break
    folded = set(partner.values())
    joined: list[tuple[dict[str, Any], str | None]] = []
    for n, result in enumerate(results):
        if n in folded:
            continue  # folded into its tool result
        if n in partner:
            kind, labels = result["type"], results[partner[n]]
            value = {**(result.get("value") or {}), f"{kind}labels": (labels.get("value") or {}).get("labels") or []}
            joined.append(
                ({**result, "type": f"{kind}labels", "from_name": labels.get("from_name"), "value": value},
                 result.get("from_name"))
            )
        else:
            joined.append((result, None))
    return joined


def _size(results: list[dict[str, Any]], width: int | None, height: int | None, where: str) -> tuple[int, int]:
    sizes = {
        (_dimension(r["original_width"], where), _dimension(r["original_height"], where))
        for r in results
        if r.get("original_width") is not None and r.get("original_height") is not None
    }
    if len(sizes) > 1:
        raise ValidationError(f"{where}: regions disagree on the image size: {sorted(sizes)}")
    if sizes:
        found = sizes.pop()
        if (width, height) != (None, None) and (width, height) != found:
            raise ValidationError(
                f"{where}: regions say the image is {found[0]}x{found[1]}, the item says {width}x{height}"
            )
        return found
    if not width or not height:
        raise ValidationError(f"{where}: no region gives the image size; pass width and height from the item")
    return width, height


def _dimension(value: Any, where: str) -> int | float:
    """A region's original_width/original_height, which must be a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValidationError(f"{where}: original_width/original_height must be positive numbers, not {value!r}")
    return value


def _annotation_flags(data: dict[str, Any], report: FidelityReport, item) -> None:
    for key, what in (("was_cancelled", "skipped (cancelled) annotation flag"), ("ground_truth", "ground truth flag")):
        if data.get(key):
            report.dropped(what, NEUTRAL, item=item)
    if data.get("lead_time"):
        report.dropped("lead time", NEUTRAL, item=item)


def _author(completed_by: Any) -> Id | None:
    if isinstance(completed_by, dict):
        return completed_by.get("email") or completed_by.get("id")
    return completed_by


class _Reading:
    """The objects of one annotation as its region results are read: region (or graph) key -> what is known."""

    def __init__(self, config: RegionConfig, joined, at: RegionContext) -> None:
        self.config, self.at = config, at
        self.width, self.height, self.report, self.item = at.width, at.height, at.report, at.item
        self.objects: dict[Any, dict[str, Any]] = {}
        self.owner: dict[str, Any] = {}  # region id -> object key (graph nodes share their graph's)
        self.nodes: dict[str, dict[str, Any]] = {}  # graph control -> its node ids -> their parentID
        for result, _ in joined:
            if result.get("from_name") in config.graphs and result.get("id") is not None:
                self.nodes.setdefault(result["from_name"], {})[result["id"]] = result.get("parentID")

    def region(self, control, result: dict[str, Any], index: int, tool_control: str | None) -> None:
        value, kind, report, item = result.get("value") or {}, result["type"], self.report, self.item
        labels = value.get(kind) or value.get("labels") or []
        if not labels:
            report.dropped("unlabeled region", NEUTRAL, item=item)
            return
        if len(labels) > 1:
            report.dropped("extra label on a region", NEUTRAL, f"kept {labels[0]!r}", len(labels) - 1, item=item)
        region_id = result.get("id")
        if region_id is None:
            report.approximated("region without an id", NEUTRAL, "given one on the way back", item=item)
        key = region_id if region_id is not None else ("result", index)
        graph = self.config.graphs.get(control.name)
        if graph is not None:
            self._node(control, result, key, graph, labels[0])
            return
        class_name = labels[0]
        cls = next((c for c in self.config.schema.classes if c.name == class_name), None)
        if cls is None:
            raise ValidationError(
                f"unknown class {class_name!r}; the schema has {sorted(c.name for c in self.config.schema.classes)}"
            )
        if result.get("parentID"):
            report.dropped("region parent link", NEUTRAL, item=item)
        shape = shape_from_value(kind, value, cls.shape, self.at, region_id)
        if key in self.objects:  # a second region under one id: an object of its own all the same
            report.approximated("repeated region id", NEUTRAL, "read as another object", item=item)
            key = ("repeated", len(self.objects))
        self.objects[key] = {**_common(result, class_name, report, item, region_id), "shape": shape}
        if region_id is not None:
            self.owner.setdefault(region_id, key)
        report.carried(shape.kind, NEUTRAL)
        back = self.config.tool_for(class_name, shape_kind(shape))
        if back is None or back.type != kind or (back.from_name, back.split) == (control.name, tool_control):
            return
        if back.from_name == control.name:  # a <Labels> region in one result, as validate_prediction also takes
            report.approximated("one-result region of a <Labels>", NEUTRAL, "written back as the editor splits it",
                                item=item)
        else:
            through = f"{back.from_name!r}" + (f" with {back.split!r}" if back.split else "")
            report.approximated("region of a class several controls hold", NEUTRAL, f"written back through {through}",
                                item=item)

    def _node(self, control, result: dict[str, Any], key, graph: str, label: str) -> None:
        """One node of a keypoint graph, added to the graph its parentID names (see the module docstring)."""
        value, report, item, region_id = result.get("value") or {}, self.report, self.item, result.get("id")
        nodes = self.nodes.get(control.name, {})
        parent = result.get("parentID")
        if parent is not None and parent in nodes:
            seen = {key}
            while nodes.get(parent) in nodes and parent not in seen:  # up a chain of nodes to the graph's root
                seen.add(parent)
                parent = nodes[parent]
            key = parent
        elif parent is not None:
            key = ("under", control.name, parent)
            report.dropped("keypoint parent link", NEUTRAL, f"the graph hung from region {parent!r}", item=item)
        parts = self.objects.get(key)
        if parts is not None and any(p.name == label for p in parts["points"]):
            report.approximated("keypoint node repeated in a graph", NEUTRAL, "as a graph of its own", item=item)
            key, parts = ("repeated", len(self.objects)), None
        common = _common(result, graph, report, item, key if isinstance(key, str) else region_id)
        if parts is None:
            parts = self.objects[key] = {**common, "nodes": True, "points": []}
            report.carried("keypoints", NEUTRAL)
        elif common["description"] != parts["description"] or common["origin"] != parts["origin"]:
            report.dropped("keypoint node note or origin", NEUTRAL, "a graph keeps its first node's", item=item)
        parts["points"].append(
            Keypoint(name=label, x=px(value.get("x"), self.width, "x"), y=px(value.get("y"), self.height, "y"))
        )
        if region_id is not None:
            self.owner[region_id] = key
        if "width" in value:
            report.dropped("keypoint marker size", NEUTRAL, item=item)


def _common(result, class_name, report, item, key) -> dict[str, Any]:
    origin = result.get("origin", "manual")
    if origin not in ORIGINS:
        report.approximated("region origin", NEUTRAL, f"{origin!r} as manual", item=item)
    meta = result.get("meta") or {}
    texts = meta.get("text") or []
    if isinstance(texts, str):
        texts = [texts]
    if len(texts) > 1:
        report.approximated("region note", NEUTRAL, "lines joined into one description", item=item)
    if set(meta) - {"text"}:
        report.dropped("region meta", NEUTRAL, ", ".join(sorted(set(meta) - {"text"})), item=item)
    for flag, what in (
        ("score", "region score"),
        ("readonly", "read-only flag"),
        ("hidden", "hidden flag"),
        ("item_index", "image index"),
    ):
        if result.get(flag):
            report.dropped(what, NEUTRAL, item=item)
    if result.get("image_rotation"):
        report.approximated("image rotation", NEUTRAL, "as if the image were upright", item=item)
    return {
        "id": key,
        "class_name": class_name,
        "tags": [],
        "description": "\n".join(texts),
        "origin": ORIGINS.get(origin, ObjectOrigin.MANUAL),
    }


def _tags_from_result(config: RegionConfig, control, result: dict[str, Any]) -> list[Tag]:
    tag_name = config.tag_of.get(control.name)
    if tag_name is None:
        raise ValidationError(f"unknown tag {control.name!r}: control {control.name!r} holds no tag of the schema")
    spec = config.schema.tag(tag_name)
    value = (result.get("value") or {}).get(TAG_TYPES[control.tag.lower()])
    values = value if isinstance(value, list) else [] if value is None else [value]
    if spec.value_type is TagValueType.NONE:
        return [Tag(name=tag_name)] if values else []
    if spec.value_type is TagValueType.ANY_NUMBER and control.tag.lower() != "number":
        raise ValidationError(f"control {control.name!r} ({control.tag}) cannot hold number tag {tag_name!r}")
    return [Tag(name=tag_name, value=v) for v in values]
