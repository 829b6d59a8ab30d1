"""The sandbox's front door: token check, error bodies and codes the SDK reacts to, unknown methods."""

from __future__ import annotations

import pytest
import requests


def test_wrong_token_gets_401_and_the_sdk_raises_at_once(sandbox, make_api):
    api = make_api(sandbox, token="x" * 128)
    before = sandbox.calls["users.me"]
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        api.user.get_my_info()
    response = caught.value.response
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"
    assert "x" * 128 not in response.text  # the token is never echoed
    assert sandbox.calls["users.me"] - before == 1  # 401 is not retried


def test_missing_token_is_refused(sandbox):
    response = requests.post(f"{sandbox.server_address}/public/api/v3/users.me", json={})
    assert response.status_code == 401
    assert set(response.json()) == {"error", "details"}


def test_right_token_reaches_the_admin(api):
    me = api.user.get_my_info()
    assert (me.login, me.role, me.role_id) == ("admin", "admin", 1)


def test_unknown_method_is_a_404_naming_it(api):
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        api.post("jobs.no-such-method", {})
    assert caught.value.response.status_code == 404
    assert "jobs.no-such-method" in caught.value.response.json()["error"]


def test_a_bad_field_is_a_400_naming_the_field(api, sandbox):
    before = sandbox.calls["jobs.info"]
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        api.post("jobs.info", {"id": "seven"})
    body = caught.value.response.json()
    assert caught.value.response.status_code == 400
    assert body["details"]["field"] == "id" and "'id'" in body["error"]
    assert sandbox.calls["jobs.info"] - before == 1


def test_a_missing_entity_is_a_404_and_the_sdk_gives_none(api):
    assert api.labeling_job.get_info_by_id(999999) is None
    assert api.project.get_info_by_id(999999) is None
    assert api.user.get_info_by_id(999999) is None


def test_instance_version_answers_for_the_sdk_check(api):
    assert api.post("instance.version", {}).json() == {"version": "6.14.4"}
    assert api.is_version_supported("6.0.0") is True


def test_handle_repr_hides_the_token(sandbox):
    assert sandbox.token not in repr(sandbox)
