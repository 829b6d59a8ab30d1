"""Hypothesis strategies and checks the fuzz tests share: any JSON, dicts over a model's fields, backend URLs,
allowed errors."""

from __future__ import annotations

import string
from typing import Any, Callable

import pydantic
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ..errors import AnnobridgeError

__all__ = ["ALLOWED", "FUZZ", "json_values", "mapping_over", "only_allowed", "scalars", "url_text"]

ALLOWED = (AnnobridgeError, pydantic.ValidationError)  # what bad input may raise: never a bare KeyError or TypeError
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True), st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)

# backend URLs: any text, and scheme://anything over the schemes annobridge knows, their near misses and none
url_text = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda scheme, rest: f"{scheme}://{rest}",
        st.sampled_from(
            [
                "labelstudio",
                "labelstudio+http",
                "labelstudio+https",
                "supervisely",
                "supervisely+http",
                "supervisely+ftp",
                "http",
                "LabelStudio+HTTP",
                "x+y+z",
                "",
            ]
        ),
        st.text(alphabet=string.printable, max_size=30),
    ),
)


def mapping_over(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts whose keys are mostly the model's own fields, with any JSON values."""
    keys = st.one_of(st.sampled_from(fields), st.text(max_size=10))
    return st.dictionaries(keys, json_values, max_size=8)


def only_allowed(call: Callable[[], Any]) -> Any:
    """What `call` returns, or the allowed error it raised; any other error propagates (and fails the test)."""
    try:
        return call()
    except ALLOWED as exc:
        return exc
