"""Auth (legacy tokens, personal access tokens, wrong or missing tokens), edition detection, the server fixture."""

from __future__ import annotations

import socket

import httpx
import pytest

import annobridge
from annobridge import AuthenticationError, Capability, Unavailable, Unsupported
from annobridge.errors import Conflict, Forbidden, NotFound, RateLimited, RequestRefused
from annobridge_labelstudio.provider import COMMUNITY, ENTERPRISE_ONLY, LabelStudioProvider


def test_server_runs_on_loopback_with_health(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{server.url}/health").json() == {"status": "UP"}
    assert server.files_root.is_dir()


def test_legacy_token_connects_and_names_the_edition(backend):
    backend.check()
    assert backend.users.me().email == backend.connection.authenticate().email
    assert backend.edition.name == "Community" and backend.edition.release == "1.23.2"
    assert backend.describe().endswith("Community 1.23.2)")


def test_personal_access_token_is_exchanged_at_token_refresh(server):
    seen = []
    client = httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]})
    with annobridge.connect(server.backend_url, token=server.personal_token, httpx_client=client) as pat:
        assert pat.users.me().login == server.username
        assert pat.projects.list() is not None
    assert seen[0] == "/api/token/refresh/"
    assert seen.count("/api/token/refresh/") == 1  # the access token is cached, not refreshed per request


@pytest.mark.parametrize("token", ["not-a-token", "0" * 40])
def test_wrong_token_is_an_authentication_error_naming_the_server_not_the_token(server, token):
    with pytest.raises(AuthenticationError) as caught:
        annobridge.connect(server.backend_url, token=token, check=True)
    lazy = annobridge.connect(server.backend_url, token=token)  # no request yet; the first call finds out
    with pytest.raises(AuthenticationError, match="rejected the token while listing projects"):
        lazy.projects.list()
    message = str(caught.value)
    assert server.url.split("//")[1] in message and "rejected the token" in message
    assert token not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_forged_personal_access_token_is_refused_at_refresh(server):
    import time

    import jwt

    forged = jwt.encode({"token_type": "refresh", "exp": int(time.time()) + 600, "user_id": "1"}, "x" * 32, "HS256")
    with pytest.raises(AuthenticationError) as caught:
        annobridge.connect(server.backend_url, token=forged, check=True)
    assert forged not in str(caught.value)


def test_missing_token_says_where_a_token_comes_from(server, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(AuthenticationError, match="LABEL_STUDIO_API_KEY"):
        annobridge.connect(server.backend_url).projects.list()


def test_token_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", server.token)
    with annobridge.connect(server.backend_url) as connected:
        assert connected.users.me().login == server.username


def test_unreachable_server_is_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Unavailable, match=f"cannot reach labelstudio .*127.0.0.1:{port}"):
        annobridge.connect(f"labelstudio+http://127.0.0.1:{port}", token="whatever", max_retries=0, check=True)


def test_community_capabilities_and_the_class_matrix(backend):
    assert backend.capabilities == COMMUNITY
    assert LabelStudioProvider.capabilities == COMMUNITY | ENTERPRISE_ONLY


def test_every_capability_is_declared_with_its_reason_or_condition():
    for capability in Capability:
        declared = LabelStudioProvider.declared(capability)
        assert capability in LabelStudioProvider.support, capability
        assert declared.kind == "yes" or declared.text, capability  # a reason for a no, a condition for a when
        if declared.kind == "when":
            assert declared.text == "Label Studio Enterprise" and declared.what, capability
    assert LabelStudioProvider.declared(Capability.JOB_ACTIVITY).kind == "when"
    assert LabelStudioProvider.declared(Capability.JOB_CLONE).kind == "yes"
    assert "s3s" in LabelStudioProvider.declared(Capability.STORAGES).text


def test_the_sub_apis_are_the_provider_s_classes(backend):
    from annobridge.provider import AnnotationsAPI, PausesAPI, PredictionsAPI

    from annobridge_labelstudio.annotations_api import LabelStudioAnnotations
    from annobridge_labelstudio.enterprise import LabelStudioPauses
    from annobridge_labelstudio.predictions_api import LabelStudioPredictions

    assert (LabelStudioProvider.annotations_api, LabelStudioProvider.predictions_api, LabelStudioProvider.pauses_api) == (
        LabelStudioAnnotations, LabelStudioPredictions, LabelStudioPauses)
    assert isinstance(backend.annotations, AnnotationsAPI) and isinstance(backend.predictions, PredictionsAPI)
    assert isinstance(backend.pauses, PausesAPI)


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda b: b.assignments.list(1), "task assignment needs Label Studio Enterprise; this server is Community 1.23.2"),
        (lambda b: b.reviews.list(1), "annotation review needs Label Studio Enterprise; this server is Community 1.23.2"),
        (lambda b: b.users.add_member(1), "membership needs Label Studio Enterprise; this server is Community 1.23.2"),
        (lambda b: b.users.project_members(1), "membership needs Label Studio Enterprise"),
        (lambda b: b.pauses.pause(1, 1), "pausing annotators needs Label Studio Enterprise; this server is Community 1.23.2"),
        (lambda b: b.pauses.resume(1, 1), "pausing annotators needs Label Studio Enterprise"),
        (lambda b: b.jobs.activity(1), r"activity \(the annotation history\) needs Label Studio Enterprise"),
        (lambda b: b.jobs.restart(1), "rejected tasks .* needs Label Studio Enterprise"),
    ],
)
def test_enterprise_calls_on_community_are_unsupported_before_any_request(backend, counted, call, sentence):
    with counted(backend) as c, pytest.raises(Unsupported, match=sentence):
        call(backend)
    assert c.count == 0


def test_enterprise_edition_is_detected_through_the_stand_in(ee_backend):
    assert ee_backend.edition.enterprise
    assert ee_backend.supports(Capability.ASSIGNMENTS) and ee_backend.supports(Capability.PAUSE_ANNOTATORS)
    assert "Enterprise 1.23.2" in ee_backend.describe()


def test_never_offered_capabilities_explain_why(backend):
    with pytest.raises(Unsupported, match="derived from its tasks"):
        backend.jobs.stop(1)


def test_the_local_server_never_phones_home_and_keeps_its_secrets(server):
    env = server.environment()
    assert (env["LATEST_VERSION_CHECK"], env["COLLECT_ANALYTICS"], env["SENTRY_DSN"]) == ("false", "false", "")
    assert env["LABEL_STUDIO_USER_TOKEN"] == server.token and str(server.data_dir) in env["LABEL_STUDIO_BASE_DATA_DIR"]
    assert server.token not in server.log_tail(10_000)


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "text"),
    [
        (401, {"detail": "Invalid token."}, {}, AuthenticationError, "rejected the token while x (HTTP 401): Invalid token."),
        (403, {"detail": "URL resolves to a reserved network address (block: 127.0.0.0/8)"}, {}, Forbidden,
         "forbade x (HTTP 403): URL resolves to a reserved network address"),
        (404, {"detail": "Not found."}, {}, NotFound, "not found on srv while x"),
        (409, {"detail": "You already have a valid token."}, {}, Conflict, "conflict while x"),
        (429, "", {"retry-after": "7"}, RateLimited, "slow down"),
        (400, {"detail": "Validation error", "validation_errors": {"title": ["too short"]}}, {}, RequestRefused,
         "refused x (HTTP 400): Validation error; {'title': ['too short']}"),
        (502, "<html><body>Bad gateway</body></html>", {}, Unavailable, "failed while x (HTTP 502)"),
    ],
)
def test_http_failures_become_annobridge_errors(status, body, headers, kind, text):
    from annobridge_labelstudio.client import translate

    error = translate(status, body, headers, "x", "srv")
    assert type(error) is kind and text in str(error)
    assert "<html>" not in str(error)
    if status == 429:
        assert error.retry_after == 7.0
    if status == 400:
        assert isinstance(error, annobridge.ValidationError) and isinstance(error, annobridge.BackendError)
