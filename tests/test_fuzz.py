"""Fuzzing with hypothesis: JobSpec, StorageSpec and backend URLs (the providers' payloads: integration/).

Whatever goes in, only annobridge's own errors or pydantic's validation errors come out, never a
raw KeyError/TypeError/AttributeError traceback.
"""

from __future__ import annotations

from hypothesis import given

from annobridge.models import JobSpec, StorageSpec
from annobridge.testing.fuzz import FUZZ, mapping_over, only_allowed, url_text
from annobridge.urls import BackendURL


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


@FUZZ
@given(url_text)
def test_backend_urls_parse_or_raise_invalid_url(url):
    result = only_allowed(lambda: BackendURL.parse(url))
    if isinstance(result, BackendURL):
        assert BackendURL.parse(str(result)) == result  # what parses, prints back to itself
