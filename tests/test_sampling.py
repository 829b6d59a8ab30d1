"""annobridge.sampling: every invariant of DESIGN section 4, by example and over thousands of random cases."""

from __future__ import annotations

import doctest
import math
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annobridge import sampling
from annobridge.errors import AnnobridgeError, ValidationError
from annobridge.models import Assignment, Item, Role, User
from annobridge.sampling import pick_count, plan_assignments, plan_summary

USERS = ["ann", "bob", "cat"]


def expected_count(fraction: float, n: int) -> int:
    """The rounding rule, written independently: the printed decimal times n, rounded half up."""
    return int((Decimal(str(fraction)) * n).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_invariants(plan, items, users, *, role=Role.ANNOTATOR, fraction=1.0, overlap=1):
    """Assert every invariant of a plan; items and users are the ids given to the planner."""
    assert all(isinstance(a, Assignment) and a.role == Role(role) for a in plan)
    per_item: dict = {}
    for a in plan:
        per_item.setdefault(a.item_id, []).append(a.user_id)
    # exactly round-half-up(fraction x len(items)) items, all of them from `items`
    assert len(per_item) == expected_count(fraction, len(items))
    assert set(per_item) <= set(items)
    # each picked item: exactly `overlap` distinct users, all from `users`
    for item_users in per_item.values():
        assert len(item_users) == overlap
        assert len(set(item_users)) == overlap
        assert set(item_users) <= set(users)
    # balanced over ALL users, the ones with nothing included
    loads = Counter(a.user_id for a in plan)
    loads.update({u: 0 for u in users})  # users with nothing count, with load 0
    assert len(loads) == len(users)
    assert max(loads.values()) - min(loads.values()) <= 1
    assert sum(loads.values()) == len(per_item) * overlap
    # documented order: as items are given, then as users are given
    item_pos = {item: i for i, item in enumerate(items)}
    user_pos = {user: i for i, user in enumerate(users)}
    keys = [(item_pos[a.item_id], user_pos[a.user_id]) for a in plan]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


# --- (1) every error names its parameter and value --------------------------------------------

ERRORS = [
    # (kwargs, parameter named, value shown)
    (dict(fraction=0), "fraction", "0"),
    (dict(fraction=0.0), "fraction", "0.0"),
    (dict(fraction=-0.25), "fraction", "-0.25"),
    (dict(fraction=1.5), "fraction", "1.5"),
    (dict(fraction=1.0000001), "fraction", "1.0000001"),
    (dict(fraction=math.nan), "fraction", "nan"),
    (dict(fraction=math.inf), "fraction", "inf"),
    (dict(fraction=Decimal("NaN")), "fraction", "Decimal('NaN')"),
    (dict(fraction=Decimal("sNaN")), "fraction", "Decimal('sNaN')"),
    (dict(fraction="0.5"), "fraction", "'0.5'"),
    (dict(fraction=None), "fraction", "None"),
    (dict(fraction=True), "fraction", "True"),
    (dict(overlap=0), "overlap", "0"),
    (dict(overlap=-1), "overlap", "-1"),
    (dict(overlap=1.5), "overlap", "1.5"),
    (dict(overlap=2.0), "overlap", "2.0"),
    (dict(overlap="2"), "overlap", "'2'"),
    (dict(overlap=True), "overlap", "True"),
    (dict(overlap=4), "overlap", "4"),  # 3 users
    (dict(users=[]), "users", "no users"),
    (dict(users=["ann", "bob", "ann"]), "users", "['ann']"),
    (dict(users=[User(id=7), User(id=8), User(id=7)]), "users", "[7]"),
    (dict(users=["ann", SimpleNamespace(id="ann")]), "users", "['ann']"),
    (dict(users="ann"), "users", "'ann'"),
    (dict(users=None), "users", "None"),
    (dict(users=[1, 2.5]), "users", "2.5"),
    (dict(users=[1, None]), "users", "None"),
    (dict(users=[1, True]), "users", "True"),
    (dict(users=[1, SimpleNamespace(id=None)]), "users", "id=None"),
    (dict(items=[1, 2, 1, 3, 3]), "items", "[1, 3]"),
    (dict(items=[Item(id=5), Item(id=5)]), "items", "[5]"),
    (dict(items=[1, object()]), "items", "object"),
    (dict(items=42), "items", "42"),
    (dict(role="boss"), "role", "'boss'"),
    (dict(seed=[1]), "seed", "[1]"),
    (dict(seed=1.5), "seed", "1.5"),
]


@pytest.mark.parametrize(("kwargs", "field", "shown"), ERRORS, ids=[f"{f}={v}" for _, f, v in ERRORS])
def test_bad_input_is_a_validation_error_naming_the_parameter_and_value(kwargs, field, shown):
    call = dict(items=[1, 2, 3, 4], users=USERS, seed=1) | kwargs
    with pytest.raises(ValidationError) as caught:
        plan_assignments(call.pop("items"), call.pop("users"), **call)
    message = str(caught.value)
    assert message.startswith(f"{field}:"), message
    assert shown in message, message
    assert isinstance(caught.value, (AnnobridgeError, ValueError))


def test_overlap_beyond_the_users_says_how_many_users_there_are():
    with pytest.raises(ValidationError, match=r"overlap: 4 distinct users per item, but only 3 users"):
        plan_assignments([1], USERS, overlap=4)


@pytest.mark.parametrize("kwargs", [dict(users=[]), dict(overlap=4), dict(fraction=2), dict(users=[1, 1])])
def test_bad_input_is_refused_even_with_no_items(kwargs):
    call = dict(users=USERS) | kwargs
    with pytest.raises(ValidationError):
        plan_assignments([], call.pop("users"), **call)


# --- examples --------------------------------------------------------------------------------


def test_no_items_is_an_empty_plan():
    assert plan_assignments([], USERS, overlap=3, fraction=0.5, seed=1) == []


@pytest.mark.parametrize(
    ("fraction", "n", "count"),
    [
        (0.5, 1, 1),  # half up: round(0.5) is 0 in Python
        (0.5, 3, 2),  # 1.5 -> 2
        (0.5, 5, 3),  # 2.5 -> 3; round(2.5) is 2
        (0.25, 2, 1),  # 0.5 -> 1
        (0.15, 10, 2),  # float 0.15 * 10 is 1.4999999999999998; the decimal 1.5 rounds up
        (0.29, 100, 29),  # float product 28.999999999999996; int() would say 28
        (0.57, 100, 57),
        (0.04, 10, 0),  # 0.4 -> 0: a fraction can pick no items
        (0.05, 10, 1),  # 0.5 -> 1
        (0.3333, 3, 1),
        (Fraction(1, 3), 3, 1),
        (Fraction(1, 6), 3, 1),  # exactly 1/2 -> 1
        (Decimal("0.125"), 4, 1),  # 0.5 -> 1
        (1, 7, 7),
        (1.0, 0, 0),
    ],
)
def test_rounding_is_half_up_on_the_decimal_value(fraction, n, count):
    assert pick_count(fraction, n) == count
    plan = plan_assignments(range(n), USERS, fraction=fraction, seed=0)
    assert len({a.item_id for a in plan}) == count


def test_ids_and_objects_with_an_id_give_the_same_plan():
    by_id = plan_assignments(range(10), [7, 8, 9], overlap=2, fraction=0.7, seed="s")
    by_object = plan_assignments(
        [Item(id=i) for i in range(10)], [User(id=u, login=f"u{u}") for u in (7, 8, 9)], overlap=2, fraction=0.7, seed="s"
    )
    assert by_id == by_object
    check_invariants(by_id, list(range(10)), [7, 8, 9], fraction=0.7, overlap=2)


def test_any_iterable_is_accepted_and_read_once():
    assert plan_assignments(iter([1, 2, 3]), (u for u in USERS), seed=3) == plan_assignments([1, 2, 3], USERS, seed=3)


def test_role_is_set_on_every_assignment_and_may_be_a_string():
    plan = plan_assignments([1, 2], USERS, role="reviewer", seed=1)
    assert {a.role for a in plan} == {Role.REVIEWER}
    assert plan == plan_assignments([1, 2], USERS, role=Role.REVIEWER, seed=1)


def test_int_and_str_ids_are_different_users():
    plan = plan_assignments([1], [1, "1"], overlap=2, seed=0)
    assert [a.user_id for a in plan] == [1, "1"]


def test_same_seed_same_plan_other_seed_other_plan():
    plan = plan_assignments(range(50), range(7), fraction=0.6, overlap=3, seed=42)
    assert plan == plan_assignments(range(50), range(7), fraction=0.6, overlap=3, seed=42)
    assert plan != plan_assignments(range(50), range(7), fraction=0.6, overlap=3, seed=43)


def test_seed_none_is_random_and_leaves_the_global_random_state_alone():
    state = random.getstate()
    plans = {tuple(plan_assignments(range(40), range(5), fraction=0.5, overlap=2)) for _ in range(5)}
    assert len(plans) > 1
    for plan in plans:
        check_invariants(list(plan), list(range(40)), list(range(5)), fraction=0.5, overlap=2)
    plan_assignments(range(40), range(5), seed=1)
    assert random.getstate() == state


def test_fewer_slots_than_users_leaves_some_users_idle_but_within_one():
    plan = plan_assignments(range(2), range(10), overlap=3, seed=5)  # 6 assignments, 10 users
    summary = plan_summary(plan, users=range(10))
    assert sorted(summary["loads"].values()) == [0] * 4 + [1] * 6
    assert (summary["min_load"], summary["max_load"]) == (0, 1)


def test_overlap_equal_to_the_number_of_users_gives_every_user_every_picked_item():
    plan = plan_assignments(range(6), USERS, overlap=3, fraction=0.5, seed=2)
    assert plan_summary(plan, USERS)["loads"] == {"ann": 3, "bob": 3, "cat": 3}


def test_plan_summary_counts_loads_and_users_per_item():
    plan = plan_assignments(range(7), USERS, overlap=2, seed=9)
    summary = plan_summary(plan, USERS)
    assert summary["items"] == 7 and summary["assignments"] == 14
    assert sorted(summary["loads"].values()) == [4, 5, 5]
    assert set(summary["users_per_item"].values()) == {2}
    assert plan_summary([]) == {
        "items": 0, "assignments": 0, "loads": {}, "users_per_item": {}, "min_load": 0, "max_load": 0
    }


def test_a_large_plan_is_quick_and_balanced():
    items, users = range(10_000), range(10)
    plan = plan_assignments(items, users, overlap=2, seed=1)
    check_invariants(plan, list(items), list(users), overlap=2)
    assert set(plan_summary(plan, users)["loads"].values()) == {2000}


def test_docstring_examples():
    assert doctest.testmod(sampling, raise_on_error=False).failed == 0


# --- (2) properties over thousands of random cases ------------------------------------------

ids = st.one_of(st.integers(-(10**9), 10**9), st.text(max_size=6))
fractions = st.one_of(
    st.floats(min_value=0, max_value=1, exclude_min=True),
    st.sampled_from([0.05, 0.1, 0.15, 0.25, 0.29, 0.3, 0.5, 0.57, 0.7, 0.75, 0.9, 1.0]),
    st.integers(1, 1000).map(lambda k: k / 1000),
)


@st.composite
def cases(draw):
    items = draw(st.lists(ids, unique=True, max_size=60))
    users = draw(st.lists(ids, unique=True, min_size=1, max_size=15))
    return dict(
        items=items,
        users=users,
        role=draw(st.sampled_from(list(Role))),
        fraction=draw(fractions),
        overlap=draw(st.integers(1, len(users))),
        seed=draw(st.one_of(st.integers(), st.text(max_size=4))),
    )


# 1500 cases (half what this once ran, at half the time): every role, overlaps of 1 to 15 users, 0 to 60 items and
# both kinds of seed still come up hundreds of times each.
@settings(max_examples=1500, deadline=None)
@given(cases())
def test_every_invariant_holds(case):
    plan = plan_assignments(**case)
    invariants = {k: case[k] for k in ("role", "fraction", "overlap")}
    check_invariants(plan, case["items"], case["users"], **invariants)
    assert plan_assignments(**case) == plan  # same inputs, same seed: same plan
    objects = dict(case, items=[SimpleNamespace(id=i) for i in case["items"]], users=[User(id=u) for u in case["users"]])
    assert plan_assignments(**objects) == plan
    summary = plan_summary(plan, case["users"])
    assert summary["max_load"] - summary["min_load"] <= 1
    assert summary["items"] == pick_count(case["fraction"], len(case["items"]))


# A refusal is one check of one field: three kinds of bad value, each drawn some eighty times in 250 cases.
@settings(max_examples=250, deadline=None)
@given(cases(), st.data())
def test_bad_fraction_or_overlap_is_always_refused(case, data):
    bad = data.draw(
        st.one_of(
            st.fixed_dictionaries({"fraction": st.one_of(st.floats(max_value=0), st.floats(min_value=1, exclude_min=True))}),
            st.fixed_dictionaries({"overlap": st.integers(max_value=0)}),
            st.fixed_dictionaries({"overlap": st.integers(min_value=len(case["users"]) + 1)}),
        )
    )
    (field,) = bad
    with pytest.raises(ValidationError, match=f"^{field}: "):
        plan_assignments(**(case | bad))


# Two fields (items, users), the duplicate at any place: 250 cases put it first, last and between many times over.
@settings(max_examples=250, deadline=None)
@given(cases(), st.data())
def test_a_duplicate_is_always_refused_never_dropped(case, data):
    field = data.draw(st.sampled_from(["items", "users"] if case["items"] else ["users"]))
    values = case[field]
    twice = data.draw(st.sampled_from(values))
    at = data.draw(st.integers(0, len(values)))
    with pytest.raises(ValidationError, match=f"^{field}: duplicate ids"):
        plan_assignments(**(case | {field: values[:at] + [twice] + values[at:]}))


def test_plan_assignments_is_part_of_the_public_api():
    import annobridge
    from annobridge import sampling

    assert annobridge.plan_assignments is sampling.plan_assignments
    assert "plan_assignments" in annobridge.__all__ and annobridge.__all__ == sorted(annobridge.__all__)
