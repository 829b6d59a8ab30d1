"""Security: tokens in no log, error, report or ledger; TLS verified by default; safe export file names;
label configs without entity expansion; the Supervisely sandbox on 127.0.0.1 refusing bad tokens.

The token checks run real work (the real Label Studio server, the Supervisely sandbox through the
real SDK, a migration between them) with every logger at DEBUG, httpx and httpcore included, and
look for the tokens in everything captured: log records, stdout/stderr (file descriptors), error
messages, the migration report and the ledger file's bytes.
"""

from __future__ import annotations

import logging
import socket
import ssl
import uuid

import pytest

import annobridge
from annobridge import JobSpec
from annobridge.errors import AnnobridgeError, AuthenticationError, ValidationError
from annobridge.testing.conformance import SAMPLE_SCHEMA

SV_TOKEN = "svtok" + uuid.uuid4().hex + uuid.uuid4().hex
LOGGERS = ("", "httpx", "httpcore", "urllib3", "label_studio_sdk", "supervisely", "annobridge", "uvicorn", "asyncio")


@pytest.fixture(scope="module")
def sandbox():
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox(token=SV_TOKEN) as handle:
        yield handle


@pytest.fixture
def everything(caplog, capfd):
    """Every logger at DEBUG; yields a function returning all text captured so far."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)

    def captured() -> str:
        out, err = capfd.readouterr()
        records = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
        return "\n".join([out, err, records, caplog.text])

    return captured


def _errors(calls) -> list[str]:
    texts = []
    for call in calls:
        try:
            call()
        except AnnobridgeError as exc:
            texts.append(f"{type(exc).__name__}: {exc} {exc.args!r} {exc.__cause__!r} {exc.__context__!r}")
    return texts


def test_no_token_in_logs_errors_reports_or_the_ledger(everything, sandbox, labelstudio_server, tmp_path):
    ls_token = labelstudio_server.token
    ls_url, sv_url = labelstudio_server.backend_url, "supervisely+" + sandbox.server_address
    with annobridge.connect(ls_url, token=ls_token, check=True) as ls, annobridge.connect(sv_url, token=SV_TOKEN) as sv:
        (job,) = ls.jobs.create(JobSpec(name=f"sec-{uuid.uuid4().hex[:6]}", label_schema=SAMPLE_SCHEMA))
        ls.items.add(job.id, [{"image": "http://example.invalid/a.jpg"}])
        list(ls.items.list(job_id=job.id))
        list(sv.items.list(project_id=5555))
        sv.jobs.list()
        errors = _errors(
            [
                lambda: ls.jobs.get(10**9),
                lambda: sv.jobs.get(10**9),
                lambda: annobridge.connect(ls_url, token=ls_token[::-1], check=True),
                lambda: annobridge.connect(sv_url, token=SV_TOKEN[::-1]).jobs.list(),
                lambda: annobridge.connect("labelstudio+http://127.0.0.1:9", token=ls_token, retries=0, check=True),
                lambda: annobridge.connect(f"labelstudio+http://x:{ls_token}@127.0.0.1:9", token=ls_token),
            ]
        )
        report = annobridge.migrate(
            sv,
            ls,
            project=5555,
            target_project=f"sec-{uuid.uuid4().hex[:6]}",
            ledger=tmp_path / "ledger.sqlite",
            batch_size=3,
        )
        ls.jobs.delete(job.id)
    assert len(errors) == 6
    texts = {
        "logs and output": everything(),
        "errors": "\n".join(errors),
        "report": f"{report!r}\n{report}\n{report.to_json()}",
        "ledger": "\n".join(p.read_bytes().decode("latin-1") for p in tmp_path.iterdir()),
    }
    assert "DEBUG" in texts["logs and output"] or len(texts["logs and output"]) > 1000, "logging really was on"
    for where, text in texts.items():
        for token in (ls_token, SV_TOKEN, SV_TOKEN[::-1], ls_token[::-1]):
            assert token not in text, f"a token leaked into the {where}"


def test_tls_is_verified_by_default_and_off_only_when_asked():
    with annobridge.connect("labelstudio://ls.example.com", token="t" * 40) as ls:
        client = ls.connection.sdk._client_wrapper.httpx_client.httpx_client
        context = ls.connection.transport._inner._pool._ssl_context
        assert ls.connection.verify is True and context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert client._transport is ls.connection.transport
    with annobridge.connect("labelstudio://ls.example.com", token="t" * 40, verify=False) as ls:
        ls.connection.sdk  # noqa: B018 - build the client
        assert ls.connection.transport._inner._pool._ssl_context.verify_mode == ssl.CERT_NONE
    with annobridge.connect("supervisely://sv.example.com", token="t" * 128, team_id=1) as sv:
        assert sv.api._annobridge_session.verify is True
        assert sv.api.server_address == "https://sv.example.com"
    with annobridge.connect("supervisely://sv.example.com", token="t" * 128, team_id=1, verify=False) as sv:
        assert sv.api._annobridge_session.verify is False


@pytest.mark.parametrize(
    "name",
    [
        "../x.json",
        "../../etc/passwd",
        "/etc/passwd",
        "a/../../b.json",
        "..\\..\\x.json",
        "C:\\x.json",
        "",
        "  ",
        ".",
        "..",
        "a/..",
        "x\x00.json",
    ],
)
def test_export_file_names_that_leave_the_directory_are_refused(tmp_path, name):
    from annobridge_labelstudio.exports import safe_target

    with pytest.raises(ValidationError, match="outside"):
        safe_target(tmp_path, name)
    assert list(tmp_path.iterdir()) == []


def test_export_file_names_inside_the_directory_are_kept(tmp_path):
    from annobridge_labelstudio.exports import safe_target

    assert safe_target(tmp_path, "project-1-at-2024.json") == tmp_path.resolve() / "project-1-at-2024.json"
    assert safe_target(tmp_path, "sub/a.json") == tmp_path.resolve() / "sub" / "a.json"


def _billion_laughs() -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><View><Image name="img" value="$url"/>'
        '<Choices name="c" toName="img"><Choice value="&lol9;"/></Choices></View>'
    )


@pytest.mark.parametrize(
    "config",
    [
        _billion_laughs(),
        '<!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]><View><Image name="i" value="$u"/>'
        '<Choices name="c" toName="i"><Choice value="&x;"/></Choices></View>',
        '<!DOCTYPE v SYSTEM "http://127.0.0.1:9/evil.dtd"><View><Image name="i" value="$u"/></View>',
        '<?xml version="1.0"?>\n<!doctype View><View/>',
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "doctype"],
)
def test_label_configs_with_a_dtd_are_refused_before_any_parser_expands_them(config):
    from annobridge_labelstudio.label_config_parse import parse_label_config

    with pytest.raises(ValidationError, match="DOCTYPE or entity declaration is not allowed"):
        parse_label_config(config)


def test_the_sandbox_binds_loopback_and_refuses_bad_tokens(sandbox):
    import requests

    assert sandbox.server_address.startswith("http://127.0.0.1:")
    port = int(sandbox.server_address.rsplit(":", 1)[1])
    for interface in _other_interfaces():
        with socket.socket() as probe:
            probe.settimeout(1)
            assert probe.connect_ex((interface, port)) != 0, f"the sandbox answers on {interface}"
    url = sandbox.server_address + "/public/api/v3/users.me"
    for headers in ({}, {"x-api-key": SV_TOKEN[:-1] + "x"}, {"x-api-key": ""}, {"x-api-key": SV_TOKEN.upper()}):
        answer = requests.post(url, json={}, headers=headers, timeout=10)
        assert answer.status_code == 401 and SV_TOKEN not in answer.text
    assert requests.post(url, json={}, headers={"x-api-key": SV_TOKEN}, timeout=10).status_code == 200
    with pytest.raises(AuthenticationError):
        annobridge.connect("supervisely+" + sandbox.server_address, token="nope" * 32).users.me()


def test_the_sandbox_command_defaults_to_loopback():
    import inspect

    from annobridge_sandbox_supervisely import server

    assert inspect.signature(server.serve).parameters["host"].default == "127.0.0.1"


def _other_interfaces() -> list[str]:
    """This machine's non-loopback IPv4 addresses (none in a bare container)."""
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks the outgoing interface
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if not a.startswith("127."))
