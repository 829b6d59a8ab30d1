"""The one id parser: a backend id is a positive int, given as an int or its digits; anything else names the field."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annobridge.errors import ConfigurationError, ValidationError
from annobridge.ids import backend_id, backend_ids, id_if_numeric, neutral_ids, optional_backend_id

REFUSED = [True, False, 0, -1, "0", "-1", 1.0, 2.5, "1.0", "", " ", "01", "+1", "1_000", "\u0661", b"1", None, [1]]


@given(st.integers(min_value=1))
def test_a_positive_int_and_its_digits_parse_to_it(number):
    assert backend_id(number, "job_id", "Label Studio") == number
    assert backend_id(str(number), "job_id", "Label Studio") == number
    assert backend_id(f" {number}\n", "job_id", "Label Studio") == number
    assert id_if_numeric(number) == id_if_numeric(str(number)) == number


@given(
    st.one_of(
        st.booleans(),
        st.integers(max_value=0),
        st.integers(max_value=0).map(str),
        st.floats(),
        st.integers(min_value=1).map(lambda n: f"{n}.0"),
        st.integers(min_value=0).map(lambda n: f"0{n}"),
        st.integers(min_value=0).map(lambda n: f"+{n}"),
        st.text(st.characters(whitelist_categories=("Zs",))),
        st.sampled_from(REFUSED),
    )
)
def test_anything_else_is_refused_naming_the_field_and_the_backend(value):
    with pytest.raises(ValidationError, match=r"^item_ids: .* is not a Supervisely id \(a positive integer\)$"):
        backend_id(value, "item_ids", "Supervisely")
    assert id_if_numeric(value) is None


def test_an_optional_id_lets_none_through_and_can_raise_another_error():
    assert optional_backend_id(None, "team_id", "Supervisely") is None
    assert optional_backend_id("8", "team_id", "Supervisely") == 8
    with pytest.raises(ConfigurationError, match="^team_id: 'eight' is not a Supervisely id"):
        optional_backend_id("eight", "team_id", "Supervisely", error=ConfigurationError)


@pytest.mark.parametrize("values", ["12", b"12", 12, None])
def test_a_list_of_ids_is_not_a_bare_id(values):
    with pytest.raises(ValidationError, match="^user_ids: expected a list of Label Studio ids"):
        backend_ids(values, "user_ids", "Label Studio")


def test_a_list_of_ids_checks_every_one():
    assert backend_ids(("1", 2, " 3"), "user_ids", "Label Studio") == [1, 2, 3]
    with pytest.raises(ValidationError, match="^user_ids: 0 is not a Label Studio id"):
        backend_ids([1, 0], "user_ids", "Label Studio")


def test_neutral_ids_keep_what_they_are_given_and_refuse_duplicates_and_non_ids():
    assert neutral_ids("users", [3, "ann", SimpleNamespace(id=9)]) == [3, "ann", 9]
    with pytest.raises(ValidationError, match="^users: duplicate ids \\['ann'\\]"):
        neutral_ids("users", ["ann", SimpleNamespace(id="ann")])
    with pytest.raises(ValidationError, match="^users: True is not an id"):
        neutral_ids("users", [True])
    with pytest.raises(ValidationError, match="^users: expected a list of ids"):
        neutral_ids("users", "ann")
