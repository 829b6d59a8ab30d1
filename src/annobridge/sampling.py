"""Sampling-based assignment: a pure, seeded, balanced plan of who labels or reviews which items."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import Any

from .errors import ValidationError
from .ids import neutral_ids
from .models import Assignment, Id, Role

__all__ = ["as_role", "pick_count", "plan_assignments", "plan_summary"]


def pick_count(fraction: float, n: int) -> int:
    """How many of ``n`` items ``fraction`` picks: the decimal value of fraction x n, rounded half up.

    The fraction is read as the decimal it prints as (0.15 is 3/20, not the binary float just
    below it), so 0.15 of 10 items is 1.5, which rounds up to 2; Python's round() would give 1
    or 2 depending on float error and banker's rounding.

    >>> pick_count(0.5, 3), pick_count(0.15, 10), pick_count(0.29, 100), pick_count(0.04, 10)
    (2, 2, 29, 0)
    """
    return int(Fraction(str(fraction)) * n + Fraction(1, 2))  # floor(x + 1/2), x >= 0


def plan_assignments(
    items: Iterable[Any],
    users: Iterable[Any],
    *,
    role: Role | str = Role.ANNOTATOR,
    fraction: float = 1.0,
    overlap: int = 1,
    seed: int | str | bytes | None = None,
) -> list[Assignment]:
    """Pick round(fraction x len(items)) items at random and give each to ``overlap`` distinct users.

    ``items`` and ``users`` are ids (int or str) or objects with an ``.id`` (Item, User, ...).
    Rounding is half up on the decimal value of fraction x len(items) (see pick_count), so 0.5 of
    3 items picks 2. Every picked item gets exactly ``overlap`` distinct users, and every user in
    ``users`` ends with a load (number of assignments) within one of every other user's, zero
    included. The same inputs and the same ``seed`` give the same plan; ``seed=None`` draws a
    fresh one. The global ``random`` state is never touched.

    The plan is ordered as ``items`` are given, and within an item as ``users`` are given.

    Raises ValidationError, naming the parameter and value, for: fraction outside (0, 1],
    overlap < 1 or > len(users), no users, a duplicate user or item, an id that is not an int
    or str, an unknown role. No items gives an empty plan.

    >>> users = ["ann", "bob", "cat"]
    >>> plan = plan_assignments([1, 2, 3, 4], users, overlap=2, seed=7)
    >>> [(a.item_id, a.user_id) for a in plan]
    [(1, 'bob'), (1, 'cat'), (2, 'ann'), (2, 'bob'), (3, 'ann'), (3, 'cat'), (4, 'bob'), (4, 'cat')]
    >>> plan_summary(plan, users)["loads"]
    {'ann': 2, 'bob': 3, 'cat': 3}
    """
    item_ids = neutral_ids("items", items)
    user_ids = neutral_ids("users", users)
    role = as_role(role)
    _check_fraction(fraction)
    if not user_ids:
        raise ValidationError("users: no users to assign to (got an empty list)")
    _check_overlap(overlap, len(user_ids))
    rng = _rng(seed)

    picked = rng.sample(range(len(item_ids)), pick_count(fraction, len(item_ids)))
    # Keep users in two load levels, `low` (load m) and `high` (load m + 1): that every user is
    # in one of them *is* the within-one balance. Each item takes its users from `low` first.
    low, high = list(range(len(user_ids))), []
    chosen: list[tuple[int, int]] = []
    for item in picked:
        if overlap <= len(low):
            taken = _take(rng, low, overlap)
            high += taken
            if not low:
                low, high = high, []
        else:  # all of `low` moves up a level; the rest come from `high` and move up two
            taken_high = _take(rng, high, overlap - len(low))
            taken = low + taken_high
            low, high = high + low, taken_high
        chosen += [(item, user) for user in taken]
    chosen.sort()
    return [Assignment(item_id=item_ids[i], user_id=user_ids[u], role=role) for i, u in chosen]


def plan_summary(plan: Iterable[Assignment], users: Iterable[Any] | None = None) -> dict[str, Any]:
    """Count a plan: items, assignments, load per user, users per item, the min and max load.

    Pass ``users`` to count users who got nothing (load 0) too; loads follow their order.

    >>> plan = [Assignment(item_id=1, user_id=7), Assignment(item_id=2, user_id=7)]
    >>> plan_summary(plan, users=[7, 8])
    {'items': 2, 'assignments': 2, 'loads': {7: 2, 8: 0}, 'users_per_item': {1: 1, 2: 1}, 'min_load': 0, 'max_load': 2}
    """
    plan = list(plan)
    loads: Counter[Id] = Counter()
    if users is not None:
        loads.update({user: 0 for user in neutral_ids("users", users)})
    loads.update(a.user_id for a in plan)
    per_item = Counter(a.item_id for a in plan)
    return {
        "items": len(per_item),
        "assignments": len(plan),
        "loads": dict(loads),
        "users_per_item": dict(per_item),
        "min_load": min(loads.values(), default=0),
        "max_load": max(loads.values(), default=0),
    }


def _take(rng: random.Random, pool: list[int], k: int) -> list[int]:
    """Remove k random members of pool (swap with the last, pop) and return them."""
    taken = []
    for _ in range(k):
        i = rng.randrange(len(pool))
        pool[i], pool[-1] = pool[-1], pool[i]
        taken.append(pool.pop())
    return taken


def as_role(role: Role | str, field: str = "role") -> Role:
    """`role` as a Role; ValidationError naming `field` and the roles otherwise.

    >>> as_role("reviewer").value
    'reviewer'
    """
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(f"{field}: {role!r} is not one of {[r.value for r in Role]}") from None


def _check_fraction(fraction: object) -> None:
    try:  # NaN fails the comparison (float) or raises (Decimal)
        ok = isinstance(fraction, (Real, Decimal)) and not isinstance(fraction, bool) and 0 < fraction <= 1
    except ArithmeticError:
        ok = False
    if not ok:
        raise ValidationError(f"fraction: must be a number in (0, 1], got {fraction!r}")


def _check_overlap(overlap: object, n_users: int) -> None:
    if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 1:
        raise ValidationError(f"overlap: must be an integer >= 1, got {overlap!r}")
    if overlap > n_users:
        raise ValidationError(
            f"overlap: {overlap} distinct users per item, but only {n_users} users were given"
        )


def _rng(seed: object) -> random.Random:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, str, bytes))):
        raise ValidationError(f"seed: must be an int, str, bytes or None, got {seed!r}")
    return random.Random(seed)
