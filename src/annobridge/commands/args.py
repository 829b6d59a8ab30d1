"""What the command groups read from their arguments: ids, id lists, names, item filters, JSON Lines files, and
the job, user or project an id or name stands for. Only the standard library at the top, so `--help` stays light.

Ids on the command line are ints where they are ASCII digits, else strings; a job, user or project may be given
by name (login). Every check raises annobridge's ValidationError (exit 2) naming the option, before connecting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional, Union

FILTER_KEYS = {  # --filter key -> ItemFilter field
    "annotated": "annotated",
    "review": "review_status",
    "review_status": "review_status",
    "name": "name_contains",
    "name_contains": "name_contains",
}
TRUTH = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


# ---------------------------------------------------------------------------------------------- ids and names


def is_number(text: str) -> bool:
    """Whether `text` is an id number: ASCII digits only ("²" is a digit to str.isdigit, not to int).

    >>> is_number("12"), is_number("²"), is_number("a1")
    (True, False, False)
    """
    return text.isascii() and text.isdigit()


def as_id(text: str, option: Optional[str] = None) -> Any:
    """An id as typed: an int where it is digits, else the string; with `option`, a blank one is refused.

    >>> as_id(" 12 "), as_id("abc-1")
    (12, 'abc-1')
    """
    text = text.strip()
    if option is not None and not text:
        from ..errors import ValidationError

        raise ValidationError(f"{option}: an id is needed")
    return int(text) if is_number(text) else text


def id_list(text: Optional[str], option: str) -> Optional[list]:
    """"1,2,5" as [1, 2, 5] (ints where digits); None for None; ValidationError for an empty part or a repeat.

    >>> id_list("101, 102,a7", "--items")
    [101, 102, 'a7']
    """
    from ..errors import ValidationError

    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValidationError(f"{option} {text!r}: a comma-separated list of ids is needed (e.g. 101,102)")
    ids = [as_id(p) for p in parts]
    twice = sorted({str(i) for i in ids if ids.count(i) > 1})
    if twice:
        raise ValidationError(f"{option}: {', '.join(twice)} given twice")
    return ids


def name_list(text: Optional[str], option: str) -> list[str]:
    """"a,b" as ["a", "b"] ([] for None); ValidationError for an empty name.

    >>> name_list("lemon, kiwi", "--classes")
    ['lemon', 'kiwi']
    """
    from ..errors import ValidationError

    if text is None:
        return []
    parts = [p.strip() for p in text.split(",")]
    if any(not p for p in parts):
        raise ValidationError(f"{option} {text!r}: a comma-separated list of names is needed (e.g. lemon,kiwi)")
    return parts


def distinct_refs(refs: Iterable[str], option: str) -> list[str]:
    """User references as given, checked for blanks and repeats before connecting."""
    from ..errors import ValidationError

    refs = [r.strip() for r in refs]
    if any(not r for r in refs):
        raise ValidationError(f"{option}: a user id or login is needed, got an empty one")
    twice = sorted({r for r in refs if refs.count(r) > 1})
    if twice:
        raise ValidationError(f"{option}: {', '.join(twice)} given twice")
    return refs


def check_refs(refs: Iterable[str], what: str = "JOB") -> list[str]:
    """Job references as given, at least one and none blank (before connecting)."""
    from ..errors import ValidationError

    refs = [r.strip() for r in refs]
    if not refs or any(not r for r in refs):
        raise ValidationError(f"{what}: a job id or name is needed")
    return refs


# ---------------------------------------------------------------------------------------------- lookups


def user_id(backend, ref: str) -> Any:
    """The id of the user `ref` names: an id (digits) as it is, else the user with that login (users.get)."""
    return int(ref) if is_number(ref) else backend.users.get(ref).id


def user_ids(backend, refs: Iterable[str]) -> list:
    """The ids of the users `refs` name (see user_id)."""
    return [user_id(backend, r) for r in refs]


def find_job(backend, ref: str):
    """The job `ref` names: an id (digits), else a job name (NotFound naming it; Conflict if several have it)."""
    from ..errors import NotFound

    ref = ref.strip()
    if is_number(ref):
        return backend.jobs.get(int(ref))
    found = backend.jobs.find(ref)
    if found is None:
        raise NotFound(f"no job named {ref!r} on {backend.describe()}")
    return found


def job_id(backend, ref: str) -> Any:
    """The id of the job `ref` names, without reading the job when `ref` is an id."""
    ref = ref.strip()
    return int(ref) if is_number(ref) else find_job(backend, ref).id


def find_project(backend, ref: str):
    """The project `ref` names: an id (digits) or a name; NotFound naming it otherwise."""
    from ..errors import NotFound

    if is_number(ref):
        return backend.projects.get(int(ref))
    found = backend.projects.find(ref)
    if found is None:
        raise NotFound(f"no project named {ref!r} on {backend.describe()}")
    return found


def one_of(job: Optional[str], project: Optional[str]) -> None:
    """ValidationError unless exactly one of --job and --project is given."""
    from ..errors import ValidationError

    if (job is None) == (project is None):
        raise ValidationError("give exactly one of --job or --project")


def job_or_project(backend, job: Optional[str], project: Optional[str]):
    """(job id, project id, words for it) for --job / --project (a name looked up)."""
    if job is not None:
        found = job_id(backend, job)
        return found, None, f"job {found}"
    made = find_project(backend, project)  # type: ignore[arg-type]
    return None, made.id, f"project {made.name!r}"


def directory_option(path: Path) -> Path:
    """--to as a directory download can write into (checked before connecting), errors naming --to."""
    from ..errors import ValidationError
    from ..export_apis import ExportsAPI

    try:
        return ExportsAPI.check_directory(path)
    except ValidationError as exc:
        raise ValidationError(str(exc).replace("export directory", "--to", 1)) from None


def require(backend, capability: str) -> None:
    """Exit 6 (Unsupported, with the reason) before any lookup when the backend lacks `capability` (its value)."""
    from ..capabilities import Capability

    backend.require(Capability(capability))


# ---------------------------------------------------------------------------------------------- item filters


def item_filter(texts: Union[str, Iterable[str], None], option: str = "--filter"):
    """An ItemFilter from "annotated=false,review=rejected,name=IMG" (one text or several, all of which hold);
    None when no condition is given; ValidationError naming a bad key or value.

    >>> item_filter(["annotated=no", "name=IMG_4"]).model_dump(exclude_none=True)
    {'annotated': False, 'name_contains': 'IMG_4'}
    >>> item_filter("") is None
    True
    """
    from ..errors import ValidationError
    from ..models import ItemFilter, ReviewStatus

    usage = "KEY=VALUE with KEY one of annotated, review, name (e.g. annotated=false)"
    fields: dict[str, Any] = {}
    for text in [texts] if isinstance(texts, str) else list(texts or []):
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            key, eq, value = (s.strip() for s in part.partition("="))
            key = key.lower()
            if key not in FILTER_KEYS:
                raise ValidationError(f"{option} {part!r}: unknown key {key!r}; {usage}")
            if not eq:
                raise ValidationError(f"{option} {part!r}: {key!r} needs a value; {usage}")
            field = FILTER_KEYS[key]
            if field in fields:
                raise ValidationError(f"{option}: {key!r} is given twice")
            if field == "annotated":
                if value.lower() not in TRUTH:
                    raise ValidationError(f"{option}: annotated={value!r}; give true or false")
                fields[field] = TRUTH[value.lower()]
            elif field == "review_status":
                known = [s.value for s in ReviewStatus]
                if value.lower() not in known:
                    choices = ", ".join(known[:-1]) + " or " + known[-1]
                    raise ValidationError(f"{option}: review={value!r}; give one of {choices}")
                fields[field] = ReviewStatus(value.lower())
            else:
                if not value:
                    raise ValidationError(f"{option}: name= needs the text to look for in the item names")
                fields[field] = value
    return ItemFilter(**fields) if fields else None


# ---------------------------------------------------------------------------------------------- JSON Lines


def jsonl_where(source: Union[str, Path], option: Optional[str] = "--from-jsonl") -> str:
    """How errors name a JSON Lines source: "--from-jsonl tasks.jsonl", "--from-jsonl stdin", "FILE" if no option.

    >>> jsonl_where("-"), jsonl_where("a.jsonl", None)
    ('--from-jsonl stdin', 'a.jsonl')
    """
    shown = "stdin" if str(source) == "-" else str(source)
    return f"{option} {shown}" if option else shown


def read_jsonl(source: Union[str, Path], option: Optional[str] = "--from-jsonl") -> list[tuple[int, Any]]:
    """(line number, parsed JSON) of every non-blank line of a file ("-": stdin); ValidationError naming the source
    (and `option`) when it cannot be read, or the first line that is not JSON ("... line 2: not JSON (...)")."""
    import json
    import sys

    from ..errors import ValidationError

    where = jsonl_where(source, option)
    if str(source) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = (exc.strerror if isinstance(exc, OSError) else None) or "not UTF-8 text"
            raise ValidationError(f"{where}: cannot be read ({why})") from None
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{where}, line {number}: not JSON ({exc.msg} at column {exc.colno})") from None
    return rows
