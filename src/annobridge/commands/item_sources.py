"""What `items add` adds: image files and directories scanned into paths, or item payloads read from JSON Lines;
all checked (readable, images by their extension, names unique, payloads objects) before connecting."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})


def entries_to_add(
    files: list[Path], from_jsonl: Optional[str], recursive: bool
) -> tuple[list[Any], list[str], list[str]]:
    """What to add (paths as strings, or payload dicts), how to show each, and where each came from (for errors);
    ValidationError before connecting."""
    from ..errors import ValidationError

    if files and from_jsonl is not None:
        raise ValidationError("give image files or --from-jsonl, not both")
    if from_jsonl is not None:
        payloads, lines = _read_jsonl(from_jsonl)
        where = "stdin" if from_jsonl == "-" else from_jsonl
        return payloads, [_payload_words(p) for p in payloads], [f"--from-jsonl {where}, line {n}" for n in lines]
    if not files:
        raise ValidationError("nothing to add: give image files or directories, or --from-jsonl FILE")
    paths: list[Path] = []
    for given in files:
        if given.is_dir():
            pattern = "**/*" if recursive else "*"
            found = sorted(p for p in given.glob(pattern) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if not found:
                kinds = ", ".join(sorted(IMAGE_SUFFIXES))
                raise ValidationError(f"{str(given)!r}: a directory without images ({kinds})")
            paths += found
        elif given.is_file():
            if given.suffix.lower() not in IMAGE_SUFFIXES:
                raise ValidationError(
                    f"{str(given)!r}: not an image file (by its extension); add payloads with --from-jsonl"
                )
            paths.append(given)
        elif given.exists():
            raise ValidationError(f"{str(given)!r}: neither a file nor a directory")
        else:
            raise ValidationError(f"{str(given)!r}: no such file or directory")
    unreadable = [str(p) for p in paths if not _readable(p)]
    if unreadable:
        raise ValidationError(f"{unreadable[:5]}: cannot be read")
    by_name: dict[str, list[str]] = {}
    for p in paths:
        by_name.setdefault(p.name, []).append(str(p))
    twice = {n: ps for n, ps in by_name.items() if len(ps) > 1}
    if twice:
        name, where = next(iter(twice.items()))
        raise ValidationError(
            f"{len(twice)} file name(s) given more than once, e.g. {name!r} ({', '.join(where[:3])}): "
            "an item is named after its file, and names in a dataset are unique"
        )
    return [str(p) for p in paths], [str(p) for p in paths], [repr(str(p)) for p in paths]


def _readable(path: Path) -> bool:
    import os

    return os.access(path, os.R_OK)


def _read_jsonl(source: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The payloads of a JSON Lines file (or stdin), one JSON object a line (blank lines skipped), and their lines."""
    from ..errors import ValidationError
    from .args import jsonl_where, read_jsonl

    where = jsonl_where(source)
    payloads, numbers = [], []
    for number, payload in read_jsonl(source):
        if not isinstance(payload, dict):
            raise ValidationError(
                f"{where}, line {number}: a JSON object is needed, got {type(payload).__name__}"
            )
        path = payload.get("path")
        if path is not None and not (isinstance(path, str) and Path(path).is_file()):
            raise ValidationError(f"{where}, line {number}: path {path!r} is not a file")
        payloads.append(payload)
        numbers.append(number)
    if not payloads:
        raise ValidationError(f"{where}: no payloads in it")
    return payloads, numbers


def _payload_words(payload: dict[str, Any]) -> str:
    import json

    text = json.dumps(payload, ensure_ascii=False)
    return text if len(text) <= 100 else text[:97] + "..."
