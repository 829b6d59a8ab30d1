"""HTTP statuses as annobridge errors (errors.from_status): the class each means, the message kept, the exit code."""

from __future__ import annotations

import pytest

from annobridge.errors import (
    AuthenticationError,
    BackendError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    RequestRefused,
    Unavailable,
    ValidationError,
    exit_code,
    from_status,
)


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (401, AuthenticationError, 4),
        (403, Forbidden, 7),
        (404, NotFound, 3),
        (409, Conflict, 5),
        (429, RateLimited, 7),
        (400, RequestRefused, 7),
        (405, RequestRefused, 7),
        (422, RequestRefused, 7),
        (499, RequestRefused, 7),
        (500, Unavailable, 7),
        (502, Unavailable, 7),
        (599, Unavailable, 7),
        (None, Unavailable, 7),
        (302, BackendError, 7),
    ],
)
def test_each_status_is_its_class_with_the_message_kept_and_its_exit_code(status, kind, code):
    error = from_status(status, f"srv said no (HTTP {status})")
    assert type(error) is kind and str(error) == f"srv said no (HTTP {status})"
    assert exit_code(error) == code


def test_a_refused_request_is_both_a_backend_error_and_bad_input():
    error = from_status(400, "refused")
    assert isinstance(error, BackendError) and isinstance(error, ValidationError)
    assert not isinstance(from_status(403, "forbidden"), (ValidationError, AuthenticationError))


def test_a_429_carries_its_retry_after_and_other_statuses_ignore_it():
    assert from_status(429, "slow down", retry_after=12.5).retry_after == 12.5
    assert from_status(429, "slow down").retry_after is None
    assert not hasattr(from_status(503, "down", retry_after=3.0), "retry_after")


def test_per_class_texts_use_the_nearest_class_and_fall_back_to_backend_error():
    texts = {NotFound: "gone", RequestRefused: "refused", Unavailable: "down", BackendError: "no"}
    said = {status: str(from_status(status, texts)) for status in (404, 400, 503, None, 401, 403, 409, 429)}
    assert said == {404: "gone", 400: "refused", 503: "down", None: "down", 401: "no", 403: "no", 409: "no", 429: "no"}
    with pytest.raises(KeyError, match="RequestRefused"):
        from_status(400, {NotFound: "gone"})
