"""Fuzzing with hypothesis: JobSpec, StorageSpec and backend URLs (the providers' payloads: integration/).

Whatever goes in, only annobridge's own errors or pydantic's validation errors come out, never a
raw KeyError/TypeError/AttributeError traceback.
"""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from annobridge.models import JobSpec, StorageSpec
from annobridge.urls import BackendURL
from annobridge.testing.fuzz import FUZZ, mapping_over, only_allowed

@FUZZ
@given(mapping_over(list(JobSpec.model_fields)))
def test_jobspec_from_any_mapping_is_a_spec_or_a_validation_error(data):
    only_allowed(lambda: JobSpec.model_validate(data))


@FUZZ
@given(mapping_over(list(StorageSpec.model_fields)))
def test_storagespec_from_any_mapping_is_a_spec_or_a_validation_error(data):
    result = only_allowed(lambda: StorageSpec.model_validate(data))
    if isinstance(result, StorageSpec):
        assert "SecretStr" in repr(result.credentials) or not result.credentials  # secrets stay masked


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


@FUZZ
@given(url_text)
def test_backend_urls_parse_or_raise_invalid_url(url):
    result = only_allowed(lambda: BackendURL.parse(url))
    if isinstance(result, BackendURL):
        assert BackendURL.parse(str(result)) == result  # what parses, prints back to itself
