"""User mapping for migrations: source login -> target login, from a dict, a JSON/CSV file, or by login and email."""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from .errors import ValidationError
from .models import User
from .transfer import Record

if TYPE_CHECKING:
    from .annotations import ItemAnnotation
    from .migration_report import ReportPart

__all__ = ["UserMap", "load_user_map"]


def load_user_map(value: Mapping[str, Any] | str | Path | None) -> dict[str, str | None] | None:
    """A mapping source login -> target login (None: leave unmapped) from a dict or a .json / .csv file.

    A CSV has two columns, source and target (a header row "source,target" is skipped).

    >>> load_user_map({"anna": "anna@example.com"})
    {'anna': 'anna@example.com'}
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        data: Any = dict(value)
        where = "user_map"
    else:
        path = Path(value)
        where = f"user_map {str(path)!r}"
        if not path.is_file():
            raise ValidationError(f"{where}: no such file")
        if path.suffix.lower() == ".csv":
            with path.open(newline="") as handle:
                rows = [r for r in csv.reader(handle) if r and any(c.strip() for c in r)]
            if rows and [c.strip().lower() for c in rows[0][:2]] == ["source", "target"]:
                rows = rows[1:]
            bad = [n for n, r in enumerate(rows, 1) if len(r) != 2]
            if bad:
                raise ValidationError(f"{where}: rows {bad[:5]} do not have exactly two columns (source, target)")
            data = {r[0].strip(): r[1].strip() or None for r in rows}
        elif path.suffix.lower() == ".json":
            try:
                data = json.loads(path.read_text())
            except ValueError as exc:
                raise ValidationError(f"{where}: not valid JSON ({exc})") from None
        else:
            raise ValidationError(f"{where}: expected a .json or .csv file")
    if not isinstance(data, dict):
        raise ValidationError(f"{where}: expected an object of source login -> target login")
    bad = [k for k, v in data.items() if not isinstance(k, str) or not (v is None or isinstance(v, str))]
    if bad:
        raise ValidationError(f"{where}: entries {bad[:5]} must map a login to a login (or null)")
    return {k: (v or None) for k, v in data.items()}


class UserMap:
    """Source authors -> target logins: an explicit map when given, else the target user with the same login or email.

    >>> m = UserMap([User(id=1, login="anna", email="a@x.org")], [User(id=9, login="a@x.org", email="a@x.org")])
    >>> m.target("anna"), m.unmapped
    ('a@x.org', [])
    """

    def __init__(
        self, source_users: list[User], target_users: list[User], explicit: dict[str, str | None] | None = None
    ):
        self.explicit = explicit
        self._source = {u.login: u for u in source_users if u.login}
        self._by_login = {u.login: u for u in target_users if u.login}
        self._by_email = {u.email.lower(): u for u in target_users if u.email}
        self._missing: set[str] = set()
        self._mapped: set[str] = set()

    def check_complete(self) -> None:
        """With an explicit map, every source user must have an entry (null to leave one unmapped); before any write."""
        if self.explicit is None:
            return
        missing = sorted(set(self._source) - set(self.explicit))
        if missing:
            raise ValidationError(
                f"user_map: no entry for source users {missing}; add them (map to null to leave one unmapped)"
            )
        unknown = sorted(
            {t for t in self.explicit.values() if t and t not in self._by_login and t.lower() not in self._by_email}
        )
        if unknown:
            raise ValidationError(f"user_map: target users {unknown} do not exist on the target")

    def target(self, login: Any) -> str | None:
        """The target login for a source author, or None (and remembered as unmapped)."""
        if login is None:
            return None
        login = str(login)
        if self.explicit is not None:
            wanted = self.explicit.get(login)
            user = self._by_login.get(wanted) or (self._by_email.get(wanted.lower()) if wanted else None)
        else:
            source = self._source.get(login)
            email = (source.email if source else None) or (login if "@" in login else None)
            user = self._by_login.get(login) or (self._by_email.get(email.lower()) if email else None)
        if user is None:
            self._missing.add(login)
            return None
        self._mapped.add(login)
        return user.login

    @property
    def unmapped(self) -> list[str]:
        """Source authors met so far that have no target user."""
        return sorted(self._missing)

    @property
    def mapped(self) -> list[str]:
        """Source authors met so far that were matched to a target user."""
        return sorted(self._mapped)

    @contextmanager
    def recording(self, part: ReportPart) -> Iterator[None]:
        """Record in `part` the source authors first met inside the block, mapped or not."""
        mapped, unmapped = set(self._mapped), set(self._missing)
        yield
        part.users_mapped = sorted(self._mapped - mapped)
        part.users_unmapped = sorted(self._missing - unmapped)

    def apply(self, record: Record) -> None:
        """Rewrite the authors of a record's annotations, objects and tags as target logins."""
        record.annotations = [self._annotation(a) for a in record.annotations]

    def _annotation(self, ann: ItemAnnotation) -> ItemAnnotation:
        def tags(items):
            return tuple(t.model_copy(update={"author": self.target(t.author)}) for t in items)

        objects = tuple(
            o.model_copy(update={"author": self.target(o.author), "tags": tags(o.tags)}) for o in ann.objects
        )
        return ann.model_copy(update={"author": self.target(ann.author), "objects": objects, "tags": tags(ann.tags)})
