"""What a backend cannot hold, kept for the way back: small, versioned JSON Patches matched by a content digest.

Both image annotations (ItemAnnotation) and video annotations (VideoAnnotation) are kept alike.
Two things are kept, both as RFC 6902 patches (`jsonpatch`) with the digest of what they apply to:

- the *native residue* (`ItemAnnotation.kept[backend]`): what a backend's own JSON held that annobridge has no
  field for (Label Studio relations, scores, lead time; Supervisely custom data...). A reader records it as the
  patch from what annobridge would write for the neutral item to what the backend held, so writing the item back
  to the same kind of backend gives its JSON back exactly (`with_native_residue`, `native_restored`). It applies
  while annobridge would still write the same JSON for the item (a digest of that JSON says so).
- the *stash*: what the target cannot hold of a neutral item (holes, timestamps, the native residues of other
  backends...). A writer records it as the patch from what reading its own output back gives to the neutral item,
  and stores it where the target keeps data its users do not trip over (Label Studio task meta, Supervisely
  annotation custom data) under the key `KEY`; reading the item back applies it (`stash`, `restored`).

A stash applies only to the content it was made for: its digest covers what a person can change on the target
(classes, shapes, tags and their values, descriptions, review status) and leaves out what servers set on their
own (ids, authors, timestamps) and the target's own residue. An item edited since is read as the target shows
it, and the report counts the kept data as dropped.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import jsonpatch

from .fidelity import FidelityReport, Outcome

if TYPE_CHECKING:
    from .annotations import ItemAnnotation

__all__ = ["KEY", "VERSION", "as_kept", "digest", "native_restored", "restored", "stash", "with_native_residue"]

KEY = "annobridge"
"""The key a backend stores the stash under (Label Studio task meta, Supervisely customBigData)."""
VERSION = 1
_SERVER_OWNED = ("id", "author", "created_at", "updated_at")


def digest(annotation: ItemAnnotation) -> str:
    """A short digest of what a person can change in `annotation` (not ids, authors, timestamps or kept data).

    >>> from annobridge.annotations import ItemAnnotation
    >>> digest(ItemAnnotation(item=1, width=2, height=2)) == digest(ItemAnnotation(item=9, width=2, height=2))
    True
    """
    return _hash(_editable(_json(annotation)))


def _editable(content: dict[str, Any]) -> dict[str, Any]:
    for key in ("item", "kept", *_SERVER_OWNED):
        content.pop(key, None)
    for tag in content["tags"]:
        _drop_server_owned(tag)
    for obj in content["objects"]:
        _drop_server_owned(obj)
        for shape in [obj["shape"]] if "shape" in obj else [f["shape"] for f in obj["frames"]]:  # a video track's
            shape.pop("rle", None)  # a cache of the brush RLE: equality ignores it
        for tag in obj["tags"]:
            _drop_server_owned(tag)
    return content


def stash(original: ItemAnnotation, read_back: ItemAnnotation, backend: str) -> dict[str, Any] | None:
    """What `backend` must keep so that reading `read_back` gives `original`; None when nothing is missing.

    `read_back` is what the target's reader makes of what its writer wrote for `original`. The target's own
    residue (kept[backend]) is left out: its reader makes it afresh from what the target holds.

    >>> from annobridge.annotations import ItemAnnotation
    >>> a, b = ItemAnnotation(width=2, height=2, description="ripe"), ItemAnnotation(width=2, height=2)
    >>> stash(a, b, "label studio")["patch"]
    [{'op': 'replace', 'path': '/description', 'value': 'ripe'}]
    >>> stash(a, a, "label studio") is None
    True
    """
    ops = _patch(_json(read_back, item=False, without=backend), _json(original, item=False, without=backend))
    return {"v": VERSION, "digest": digest(read_back), "patch": ops} if ops else None


def restored(
    read: ItemAnnotation, stashes: list[dict[str, Any]] | dict[str, Any] | None, report: FidelityReport, backend: str
) -> ItemAnnotation:
    """`read` with the stash made for it applied (the first of `stashes` whose digest matches); else `read` itself.

    A stash for another content (the item was edited on the target since) or from a newer annobridge is counted in
    `report` as dropped.
    """
    candidates = [stashes] if isinstance(stashes, dict) else list(stashes or ())
    if not candidates:
        return read
    found = digest(read)
    for entry in candidates:
        if not isinstance(entry, dict) or entry.get("digest") != found:
            continue
        if entry.get("v") != VERSION:
            why = f"written by another annobridge (format {entry.get('v')!r})"
            report.dropped("kept for the way back", backend, why, item=read.item)
            return read
        try:
            data = jsonpatch.apply_patch(_json(read, item=False, without=backend), entry.get("patch") or [])
            own = {backend: read.kept[backend]} if backend in read.kept else {}
            back = type(read).model_validate({**data, "item": read.item, "kept": {**data.get("kept", {}), **own}})
        except Exception as exc:  # a patch that does not apply is data we cannot use, never a crash
            report.dropped("kept for the way back", backend, f"could not be applied: {exc}", item=read.item)
            return read
        report.carried("kept for the way back (restored)", backend)
        return back
    report.dropped("kept for the way back", backend, f"the item was edited in {backend} since", item=read.item)
    return read


def with_native_residue(
    annotation: ItemAnnotation,
    backend: str,
    written: dict[str, Any],
    original: dict[str, Any],
    digest_of: Any = None,
) -> ItemAnnotation:
    """`annotation` holding, under kept[backend], the patch from `written` (what annobridge writes for it) to
    `original` (what the backend held); unchanged when they are equal. The residue applies while annobridge
    writes the same `written`, or, given `digest_of`, the same `digest_of` (`written` without what a trip
    through another backend may change on its own, such as ids its server assigns)."""
    ops = _patch(written, original)
    if not ops:
        return annotation
    entry = {"v": VERSION, "digest": _hash(written if digest_of is None else digest_of), "patch": ops}
    return annotation.model_copy(update={"kept": {**annotation.kept, backend: entry}})


def native_restored(
    annotation: ItemAnnotation,
    backend: str,
    written: dict[str, Any],
    report: FidelityReport,
    digest_of: Any = None,
) -> dict[str, Any]:
    """`written` (a backend's JSON for `annotation`) with the residue `annotation` kept for `backend` applied, if any
    and if the item is still what it was when read (`digest_of` as given to with_native_residue); otherwise
    `written`, the residue counted as dropped."""
    entry = annotation.kept.get(backend)
    if entry is None:
        return written
    if not isinstance(entry, dict) or entry.get("v") != VERSION:
        report.dropped(f"{backend} data kept for the way back", backend, "written by another annobridge")
        return written
    if entry.get("digest") != _hash(written if digest_of is None else digest_of):
        report.dropped(
            f"{backend} data kept for the way back", backend, "the item was edited since", item=annotation.item
        )
        return written
    try:
        back = jsonpatch.apply_patch(written, entry.get("patch") or [])
    except Exception as exc:
        report.dropped(f"{backend} data kept for the way back", backend, f"could not be applied: {exc}")
        return written
    report.carried(f"{backend} data kept for the way back (restored)", backend)
    return back


def as_kept(report: FidelityReport) -> FidelityReport:
    """`report` with what was approximated or dropped counted as kept for the way back (a stash holds it all).

    >>> r = FidelityReport(); r.dropped("polygon hole", "label studio"); r.approximated("rotation", "x", "as box")
    >>> for line in as_kept(r).losses(): print(line)
    polygon hole -> kept for the way back (label studio): 1
    rotation -> kept for the way back (x, shown as box): 1
    """
    data = report.to_json()
    for entry in data["entries"]:
        outcome, how = Outcome(entry["outcome"]), entry["how"]
        if outcome is Outcome.APPROXIMATED:
            entry["outcome"], entry["how"] = Outcome.KEPT.value, f"shown {how}" if how else "shown approximated"
        elif outcome is Outcome.DROPPED:
            entry["outcome"], entry["how"] = Outcome.KEPT.value, ""
    return FidelityReport.from_json(data)


def _json(annotation: ItemAnnotation, *, item: bool = True, without: str | None = None) -> dict[str, Any]:
    data = annotation.model_dump(mode="json")
    if not item:
        data.pop("item", None)
    data["kept"].pop(without, None)
    return data


def _hash(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _drop_server_owned(data: dict[str, Any]) -> None:
    for key in _SERVER_OWNED:
        data.pop(key, None)


def _patch(source: Any, target: Any) -> list[dict[str, Any]]:
    """RFC 6902 operations that turn the JSON `source` into `target`: key by key, index by index, a list that changed
    length patched at its tail. Linear, where jsonpatch.make_patch looks for moves (quadratic on long lists).

    >>> _patch({"a": [1, 2, 3], "b": 1}, {"a": [1, 5], "c/d": True})
    [{'op': 'remove', 'path': '/b'}, {'op': 'replace', 'path': '/a/1', 'value': 5}, \
{'op': 'remove', 'path': '/a/2'}, {'op': 'add', 'path': '/c~1d', 'value': True}]
    """
    ops: list[dict[str, Any]] = []
    _diff(source, target, "", ops)
    return ops


def _diff(source: Any, target: Any, path: str, ops: list[dict[str, Any]]) -> None:
    if isinstance(source, dict) and isinstance(target, dict):
        ops.extend({"op": "remove", "path": f"{path}/{_pointer(k)}"} for k in source if k not in target)
        for key, value in target.items():
            if key in source:
                _diff(source[key], value, f"{path}/{_pointer(key)}", ops)
            else:
                ops.append({"op": "add", "path": f"{path}/{_pointer(key)}", "value": value})
    elif isinstance(source, list) and isinstance(target, list):
        for index, (old, new) in enumerate(zip(source, target)):
            _diff(old, new, f"{path}/{index}", ops)
        ops.extend({"op": "remove", "path": f"{path}/{i}"} for i in range(len(source) - 1, len(target) - 1, -1))
        ops.extend({"op": "add", "path": f"{path}/{i}", "value": target[i]} for i in range(len(source), len(target)))
    elif type(source) is not type(target) or source != target:  # 1 and 1.0, 1 and True differ in JSON
        ops.append({"op": "replace", "path": path, "value": target})


def _pointer(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
