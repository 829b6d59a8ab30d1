"""The annotation converters' throughput in regions a second: Supervisely JSON -> neutral -> Label Studio, and back.

    .venv/bin/python benchmarks/converters.py [--images 400] [--quick]

Each image (1024x768) holds a realistic mix of 12 objects, each with an object tag: 4 rectangles (one of them
turned), 2 polygons (one with a hole), a polyline, 2 points, a 5-node keypoint graph and 2 bitmap masks. The
Supervisely annotation JSON is made once by annobridge's own writer (it parses with the SDK), then timed, all in
this process and with no server:

1. Supervisely JSON -> neutral (`figures.from_supervisely`, against the project meta);
2. neutral -> Label Studio results (`regions.to_labelstudio`, against the label config);
3. Label Studio results -> neutral (`regions.from_labelstudio`);
4. neutral -> Supervisely JSON (`figures.to_supervisely`).

Then the same per shape kind (images of one kind only), both ways. The best of --repeats runs is kept. A round
trip is checked to give back every object. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Callable

import numpy as np

WIDTH, HEIGHT = 1024, 768
KINDS = ("rectangle", "polygon", "polyline", "point", "keypoints", "mask")
NODES = ("head", "left", "right", "tail", "center")


def schema():
    from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, TagSpec

    classes = [
        ObjectClass(name="car", shape="rectangle", color="#E6194B"),
        ObjectClass(name="leaf", shape="polygon", color="#3CB44B"),
        ObjectClass(name="lane", shape="polyline", color="#4363D8"),
        ObjectClass(name="pin", shape="point", color="#F58231"),
        ObjectClass(name="fish", shape="keypoints", color="#911EB4", nodes=[KeypointNode(name=n) for n in NODES],
                    edges=[("head", "center"), ("center", "tail"), ("left", "center"), ("center", "right")]),
        ObjectClass(name="stain", shape="mask", color="#42D4F4"),
    ]
    return LabelSchema(classes=classes, tags=[TagSpec(name="quality", value_type="oneof_string",
                                                      values=["good", "bad"], applies_to="objects_only")])


def _objects(rng: np.random.Generator, kinds: tuple[str, ...]) -> list:
    from annobridge.annotations import Keypoint, Keypoints, Mask, ObjectAnnotation, Point, Polygon, Polyline
    from annobridge.annotations import Rectangle, Tag

    def xy() -> tuple[int, int]:
        return int(rng.integers(40, WIDTH - 140)), int(rng.integers(40, HEIGHT - 140))

    out = []

    def add(name: str, shape) -> None:
        tag = Tag(name="quality", value=str(rng.choice(["good", "bad"])))
        out.append(ObjectAnnotation(class_name=name, shape=shape, tags=[tag]))

    for kind in kinds:
        x, y = xy()
        if kind == "rectangle":
            add("car", Rectangle(x=x, y=y, width=int(rng.integers(20, 120)), height=int(rng.integers(20, 90))))
        elif kind == "rotated":
            add("car", Rectangle(x=x, y=y, width=80, height=40, rotation=30))
        elif kind == "polygon":
            ring = [(x + 60 + 50 * np.cos(a), y + 60 + 45 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 12,
                                                                                          endpoint=False)]
            add("leaf", Polygon(exterior=[(int(px), int(py)) for px, py in ring]))
        elif kind == "holed":
            add("leaf", Polygon(exterior=[(x, y), (x + 100, y), (x + 100, y + 100), (x, y + 100)],
                                interiors=[[(x + 30, y + 30), (x + 70, y + 30), (x + 50, y + 70)]]))
        elif kind == "polyline":
            add("lane", Polyline(points=[(x + 20 * k, y + int(rng.integers(0, 30))) for k in range(6)]))
        elif kind == "point":
            add("pin", Point(x=x, y=y))
        elif kind == "keypoints":
            add("fish", Keypoints(points=[Keypoint(name=n, x=x + 15 * k, y=y + 10 * (k % 2))
                                          for k, n in enumerate(NODES)]))
        else:
            rows, cols = np.ogrid[:60, :80]
            blob = (rows - 30) ** 2 / 900 + (cols - 40) ** 2 / 1600 <= 1
            add("stain", Mask(data=blob, origin=(x, y)))
    return out


MIX = ("rectangle", "rectangle", "rectangle", "rotated", "polygon", "holed", "polyline", "point", "point",
       "keypoints", "mask", "mask")


def annotations(images: int, kinds: tuple[str, ...], seed: int = 0) -> list:
    from annobridge.annotations import ItemAnnotation

    rng = np.random.default_rng(seed)
    return [ItemAnnotation(item=n, width=WIDTH, height=HEIGHT, objects=_objects(rng, kinds)) for n in range(images)]


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


class Converters:
    """The four steps, set up once: the Supervisely meta and the Label Studio config of the schema."""

    def __init__(self) -> None:
        from annobridge_labelstudio.label_config import build_label_config
        from annobridge_supervisely.meta import schema_to_meta

        self.schema = schema()
        self.meta = schema_to_meta(self.schema)[0]
        self.config = build_label_config(self.schema)

    def to_sv(self, neutral: list) -> list[dict]:
        from annobridge_supervisely.figures import to_supervisely

        return [to_supervisely(a, self.meta)[0] for a in neutral]

    def from_sv(self, documents: list[dict]) -> list:
        from annobridge_supervisely.figures import from_supervisely

        return [from_supervisely(d, self.meta, item=n, width=WIDTH, height=HEIGHT)[0] for n, d in enumerate(documents)]

    def to_ls(self, neutral: list) -> list[dict]:
        from annobridge_labelstudio.regions import to_labelstudio

        return [to_labelstudio(a, label_config=self.config, schema=self.schema)[0] for a in neutral]

    def from_ls(self, results: list[dict]) -> list:
        from annobridge_labelstudio.regions import from_labelstudio

        return [from_labelstudio(r, label_config=self.config, schema=self.schema, item=n, width=WIDTH,
                                 height=HEIGHT)[0] for n, r in enumerate(results)]


def measure(conv: Converters, neutral: list, repeats: int) -> dict[str, float]:
    """Seconds of each step (best of `repeats`), the inputs of each made by the step before it."""
    documents = conv.to_sv(neutral)
    seconds = {}
    seconds["sv->neutral"], read = best_of(repeats, lambda: conv.from_sv(documents))
    seconds["neutral->ls"], results = best_of(repeats, lambda: conv.to_ls(read))
    seconds["ls->neutral"], back = best_of(repeats, lambda: conv.from_ls(results))
    seconds["neutral->sv"], again = best_of(repeats, lambda: conv.to_sv(back))
    objects = sum(len(a.objects) for a in neutral)
    carried = sum(len(a.objects) for a in conv.from_sv(again))
    if carried != objects:
        raise SystemExit(f"a round trip gave {carried} objects for {objects}")
    return seconds


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=400, help="images of the mixed set (400)")
    parser.add_argument("--kind-images", type=int, default=200, help="images of each one-kind set (200)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 mixed images, 40 of each kind, one run each")
    args = parser.parse_args(argv)
    if args.quick:
        args.images, args.kind_images, args.repeats = 100, 40, 1
    import label_studio_sdk.label_interface  # noqa: F401  both SDKs loaded before any clock starts
    import supervisely  # noqa: F401

    conv = Converters()
    mixed = annotations(args.images, MIX)
    regions = sum(len(a.objects) for a in mixed)
    print(f"measuring {args.images} mixed images ({regions} regions)", file=sys.stderr, flush=True)
    seconds = measure(conv, mixed, args.repeats)
    lines = [
        f"{args.images:,} images of {WIDTH}x{HEIGHT}, {regions:,} regions ({len(MIX)} an image: 4 rectangles, "
        "one turned; "
        "2 polygons, one with a hole; a polyline; 2 points; a 5-node keypoint graph; 2 bitmap masks; each with an "
        f"object tag); best of {args.repeats}",
        "",
        "| step | seconds | regions/s | images/s |",
        "|---|---:|---:|---:|",
    ]
    steps = [("Supervisely JSON -> neutral", "sv->neutral"), ("neutral -> Label Studio results", "neutral->ls"),
             ("Label Studio results -> neutral", "ls->neutral"), ("neutral -> Supervisely JSON", "neutral->sv")]
    for title, key in steps:
        lines.append(f"| {title} | {seconds[key]:.2f} | {_rate(regions, seconds[key])} |"
                     f" {_rate(args.images, seconds[key])} |")
    there = seconds["sv->neutral"] + seconds["neutral->ls"]
    back = seconds["ls->neutral"] + seconds["neutral->sv"]
    lines.append(f"| **Supervisely -> Label Studio** | {there:.2f} | **{_rate(regions, there)}** |"
                 f" {_rate(args.images, there)} |")
    lines.append(f"| **Label Studio -> Supervisely** | {back:.2f} | **{_rate(regions, back)}** |"
                 f" {_rate(args.images, back)} |")
    lines += ["", f"By shape kind: {args.kind_images} images of 12 regions of one kind each, regions/s", "",
              "| kind | SV -> neutral | neutral -> LS | LS -> neutral | neutral -> SV | SV -> LS | LS -> SV |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for kind in KINDS:
        print(f"measuring {kind}", file=sys.stderr, flush=True)
        one = annotations(args.kind_images, (kind,) * 12, seed=1)
        count = sum(len(a.objects) for a in one)
        s = measure(conv, one, args.repeats)
        cells = [_rate(count, s[k]) for _, k in steps]
        cells += [_rate(count, s["sv->neutral"] + s["neutral->ls"]), _rate(count, s["ls->neutral"] + s["neutral->sv"])]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += ["", "One process, no server, both SDKs imported before the clock starts; each step's input is the "
              "previous step's output, and a whole round trip gives back every object."]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
