"""`annobridge storages connect|list|sync|delete` on the real Label Studio server (local files, S3 on moto) and the
sandbox (which has no storages: exit 6); in this process (Local), and connecting with credentials from the environment
through the console entry point (a fresh process)."""

from __future__ import annotations

import io
import json
import uuid

import pytest

import annobridge
from annobridge import LabelSchema, ObjectClass

from .cli_fixtures import ls_cli, ls_shell, sv_cli, sv_shell  # noqa: F401 - fixtures

SECRET = "moto-secret-" + uuid.uuid4().hex[:8]


def _png(seed: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4 + seed, 3), (seed * 40 % 256, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def job(ls_cli):
    """A fresh Label Studio job (a project) with no tasks."""
    with annobridge.connect(ls_cli.url, token=ls_cli.token) as b:
        made = b.projects.create(f"cli storages {uuid.uuid4().hex[:6]}",
                                 LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle")]))
    yield str(made.id)
    with annobridge.connect(ls_cli.url, token=ls_cli.token) as b:
        b.projects.delete(made.id)


@pytest.fixture(scope="module")
def s3():
    """moto's S3 server on 127.0.0.1, and a boto3 client for it."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key=SECRET)
    yield endpoint, client
    server.stop()


def _listed(shell, job) -> list[dict]:
    return shell.json("storages", "list", job)


def _tasks(shell, job) -> int:
    with annobridge.connect(shell.url, token=shell.token) as b:
        return len(list(b.items.list(job_id=job)))


def test_local_files_connect_list_sync(ls_cli, labelstudio_server, job):
    folder = labelstudio_server.files_root / f"frames-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    for n in range(2):
        (folder / f"frame{n}.png").write_bytes(_png(n))
    (folder / "notes.txt").write_text("not an image")

    made = ls_cli.run("storages", "connect", job, "--kind", "localfiles", "--path", str(folder),
                        "--regex-filter", r".*\.png", "--title", "frames")
    assert made.returncode == 0, made.stderr
    sid = made.stdout.strip()
    assert sid.isdigit()

    mine = [s for s in _listed(ls_cli, job) if str(s["id"]) == sid and s["spec"]["kind"] == "localfiles"]
    assert len(mine) == 1
    assert (mine[0]["spec"]["path"], mine[0]["spec"]["direction"], mine[0]["spec"]["title"]) == (
        str(folder), "import", "frames")
    table = ls_cli.run("storages", "list", job)
    assert table.returncode == 0 and "localfiles" in table.stdout and str(folder) in table.stdout

    synced = ls_cli.run("storages", "sync", job, sid, "--kind", "localfiles", "--direction", "import")
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.strip() == f"synced localfiles import storage {sid}: completed, 2 files"
    assert _tasks(ls_cli, job) == 2
    again = ls_cli.json("storages", "sync", job, sid, "--kind", "localfiles", "--direction", "import")
    assert (again["status"], again["spec"]["kind"], str(again["id"])) == ("completed", "localfiles", sid)


def test_s3_credentials_come_from_the_environment_and_never_show(ls_shell, ls_cli, job, s3):
    """The secret is read from the environment of a fresh process and shows nowhere in what it prints."""
    endpoint, client = s3
    bucket = f"frames-{uuid.uuid4().hex[:6]}"
    client.create_bucket(Bucket=bucket)
    for n in range(2):
        client.put_object(Bucket=bucket, Key=f"cam/frame{n}.png", Body=_png(n))
    ls_shell.env["CLI_TEST_S3_SECRET"] = SECRET  # ls_cli has the same environment
    made = ls_shell.run("storages", "connect", job, "--kind", "s3", "--bucket", bucket, "--prefix", "cam/",
                        "--endpoint-url", endpoint, "--region", "us-east-1", "--option", "presign_ttl_minutes=5",
                        "--credentials-env", "aws_access_key_id=CLI_TEST_S3_SECRET",
                        "--credentials-env", "aws_secret_access_key=CLI_TEST_S3_SECRET", "--json")
    assert made.returncode == 0, made.stderr
    assert SECRET not in made.stdout + made.stderr
    storage = json.loads(made.stdout)
    assert (storage["spec"]["bucket"], storage["spec"]["options"]["presign_ttl_minutes"]) == (bucket, 5)
    assert storage["spec"].get("credentials", {}) == {}
    listed = ls_cli.run("storages", "list", job, "--json")
    assert SECRET not in listed.stdout
    synced = ls_cli.json("storages", "sync", job, str(storage["id"]), "--kind", "s3")
    assert (synced["status"], synced["last_sync_count"]) == ("completed", 2)


def test_export_storage_and_delete_asks_first(ls_cli, labelstudio_server, job):
    folder = labelstudio_server.files_root / f"out-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    made = ls_cli.run("storages", "connect", job, "--kind", "localfiles", "--path", str(folder),
                        "--direction", "export")
    assert made.returncode == 0, made.stderr
    sid = made.stdout.strip()

    refused = ls_cli.run("storages", "delete", job, sid, "--direction", "export")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert any(str(s["id"]) == sid and s["spec"]["direction"] == "export" for s in _listed(ls_cli, job))

    done = ls_cli.run("storages", "delete", job, sid, "--direction", "export", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"deleted storage {sid}"
    assert not any(str(s["id"]) == sid and s["spec"]["direction"] == "export" for s in _listed(ls_cli, job))


def test_settings_the_storage_cannot_take_are_refused_before_any_write(ls_cli, labelstudio_server, job):
    before = _listed(ls_cli, job)
    path = str(labelstudio_server.files_root)
    said = ""
    for args, message in [
        (["--kind", "localfiles", "--path", path, "--option", "presign=true"], "presign"),
        (["--kind", "localfiles", "--path", path, "--option", "colour=red"], "--option: colour"),
        (["--kind", "localfiles", "--path", path, "--option", "presign"], "--option: KEY=VALUE"),
        (["--kind", "s3", "--bucket", "b", "--credentials-env", "aws_access_key_id=CLI_TEST_UNSET_VAR"],
         "the environment variable named for aws_access_key_id is not set"),
        (["--kind", "s3", "--bucket", "b", "--credentials-env", "AKIAEXAMPLE"], "--credentials-env: KEY=VALUE"),
    ]:
        done = ls_cli.run("storages", "connect", job, *args)
        assert (done.returncode, message in done.stderr) == (2, True), (args, done.stderr)
        said += done.stdout + done.stderr
    assert "AKIAEXAMPLE" not in said and "CLI_TEST_UNSET_VAR" not in said
    assert _listed(ls_cli, job) == before


def test_bad_input_is_refused_before_connecting(ls_cli, tmp_path):
    for args, message in [
        (["connect", "1", "--kind", "nfs", "--path", "/x"], "--kind"),
        (["connect", "1", "--kind", "localfiles"], "a localfiles storage needs path"),
        (["connect", "1", "--kind", "s3", "--bucket", "b", "--direction", "sideways"], "--direction"),
        (["sync", "1", "2", "--kind", "nfs"], "--kind"),
        (["delete", "1", "2", "--direction", "up", "--yes"], "--direction"),
    ]:
        done = ls_cli.run("storages", *args, "--backend", "labelstudio+http://127.0.0.1:9", backend=False)
        assert (done.returncode, message in done.stderr) == (2, True), (args, done.stderr)


def test_a_missing_storage_is_not_found(ls_cli, job):
    done = ls_cli.run("storages", "sync", job, "987654")
    assert done.returncode == 3 and "no storage 987654" in done.stderr


def test_supervisely_has_no_storages_exit_6_with_the_reason(sv_cli):
    for args in (["connect", "1", "--kind", "localfiles", "--path", "/tmp"], ["list", "1"], ["sync", "1", "2"],
                 ["delete", "1", "2", "--yes"]):
        done = sv_cli.run("storages", *args)
        assert done.returncode == 6, (args, done.stderr)
        assert "storages is not supported by supervisely" in done.stderr and "Team Files" in done.stderr
