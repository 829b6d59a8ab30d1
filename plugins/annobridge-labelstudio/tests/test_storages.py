"""Storages against the real server: local files (real images), S3 on moto's server at 127.0.0.1, and refusals."""

from __future__ import annotations

import io
import json
import uuid

import httpx
import pytest

from annobridge import BackendError, StorageSpec, Unsupported, ValidationError
from annobridge.models import ProviderOptions
from annobridge_labelstudio import LabelStudioStorageOptions
from annobridge_labelstudio.storages import payload


def _png(seed: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4 + seed, 3), (seed * 40 % 256, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


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
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    yield endpoint, client
    server.stop()


KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def test_local_files_import_real_images_and_serves_them(backend, job, server):
    folder = server.files_root / f"frames-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    for n in range(3):
        (folder / f"frame{n}.png").write_bytes(_png(n))
    (folder / "notes.txt").write_text("not an image")
    spec = StorageSpec(kind="localfiles", path=str(folder), regex_filter=r".*\.png", title="frames")
    storage = backend.storages.connect(job.id, spec)
    assert storage.spec.path == str(folder) and storage.spec.title == "frames"
    synced = backend.storages.sync(storage)
    assert (synced.status, synced.last_sync_count) == ("completed", 3)
    items = sorted(backend.items.list(job_id=job.id), key=lambda i: i.data["image"])
    assert [i.data["image"].rsplit("/", 1)[-1] for i in items] == ["frame0.png", "frame1.png", "frame2.png"]
    served = httpx.get(server.url + items[1].data["image"], headers={"Authorization": f"Token {server.token}"})
    assert served.status_code == 200 and served.content == (folder / "frame1.png").read_bytes()
    assert storage.id in {s.id for s in backend.storages.list(job.id) if s.spec.kind == "localfiles"}


def test_local_files_export_writes_annotations(backend, job, server, images, choice):
    folder = server.files_root / f"out-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    tid, = backend.items.add(job.id, images(1))
    backend.annotations.create_json(tid, result=choice())
    storage = backend.storages.connect(job.id, StorageSpec(kind="localfiles", direction="export", path=str(folder)))
    assert backend.storages.sync(storage).status == "completed"
    written = [json.loads(p.read_text()) for p in folder.iterdir()]
    assert [w["result"] for w in written] == [choice()]
    backend.storages.delete(storage)
    assert storage.id not in {s.id for s in backend.storages.list(job.id) if s.spec.direction == "export"}


def test_s3_import_from_moto_on_loopback(backend, job, s3):
    endpoint, client = s3
    bucket = f"frames-{uuid.uuid4().hex[:6]}"
    client.create_bucket(Bucket=bucket)
    for n in range(3):
        client.put_object(Bucket=bucket, Key=f"2024/frame{n}.png", Body=_png(n))
    client.put_object(Bucket=bucket, Key="2024/readme.txt", Body=b"skip me")
    client.put_object(Bucket=bucket, Key="2023/old.png", Body=_png(9))
    spec = StorageSpec(kind="s3", bucket=bucket, prefix="2024/", regex_filter=r".*\.png", endpoint_url=endpoint,
                       region="us-east-1", credentials=KEYS, options=LabelStudioStorageOptions(presign_ttl_minutes=5))
    storage = backend.storages.connect(job.id, spec)
    assert (storage.spec.endpoint_url, storage.spec.credentials) == (endpoint, {})
    assert (storage.spec.options.presign_ttl_minutes, storage.spec.options.use_blob_urls) == (5, True)
    synced = backend.storages.sync(storage)
    assert (synced.status, synced.last_sync_count) == ("completed", 3)
    assert sorted(i.data["image"] for i in backend.items.list(job_id=job.id)) == [
        f"s3://{bucket}/2024/frame{n}.png" for n in range(3)]


@pytest.mark.parametrize("presign", [True, False], ids=["presigned", "proxied"])
def test_items_from_s3_download_through_the_server(backend, job, s3, tmp_path, presign):
    endpoint, client = s3
    bucket = f"media-{uuid.uuid4().hex[:6]}"
    client.create_bucket(Bucket=bucket)
    for n in range(2):
        client.put_object(Bucket=bucket, Key=f"cam/frame{n}.png", Body=_png(n))
    spec = StorageSpec(kind="s3", bucket=bucket, prefix="cam/", endpoint_url=endpoint, region="us-east-1",
                       credentials=KEYS, options=LabelStudioStorageOptions(presign=presign))
    backend.storages.sync(backend.storages.connect(job.id, spec))
    paths = backend.items.download(job_id=job.id, directory=tmp_path / "frames")
    assert sorted((p.name, p.read_bytes()) for p in paths) == [(f"frame{n}.png", _png(n)) for n in range(2)]


def test_s3_export_to_moto_writes_one_object_per_task(backend, job, s3, images, choice):
    endpoint, client = s3
    bucket = f"labels-{uuid.uuid4().hex[:6]}"
    client.create_bucket(Bucket=bucket)
    ids = backend.items.add(job.id, images(2))
    for tid in ids:
        backend.annotations.create_json(tid, result=choice())
    storage = backend.storages.connect(job.id, StorageSpec(kind="s3", direction="export", bucket=bucket,
                                                            prefix="out", endpoint_url=endpoint, credentials=KEYS))
    assert backend.storages.sync(storage).status == "completed"
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert len(keys) == 2 and all(k.startswith("out") for k in keys)
    body = json.loads(client.get_object(Bucket=bucket, Key=keys[0])["Body"].read())
    assert body["result"] == choice()


def test_unreachable_storages_are_refused_with_the_servers_reason(backend, job):
    with pytest.raises(BackendError, match="Can't connect to Redis server"):
        backend.storages.connect(job.id, StorageSpec(kind="redis", options=LabelStudioStorageOptions(
            host="127.0.0.1", port=1, db=1)))
    with pytest.raises(BackendError, match="credentials were not found"):
        backend.storages.connect(job.id, StorageSpec(kind="gcs", bucket="nowhere"))
    assert backend.storages.list(job.id) == []


def test_payloads_for_the_kinds_this_machine_cannot_reach(tmp_path):
    key = tmp_path / "key.json"
    key.write_text('{"type": "service_account"}')
    gcs = payload(StorageSpec(kind="gcs", bucket="b", prefix="p", credentials={"google_application_credentials": str(key)}))
    assert gcs["google_application_credentials"] == '{"type": "service_account"}' and gcs["bucket"] == "b"
    azure = payload(StorageSpec(kind="azure", direction="export", bucket="box", credentials={"account_name": "n", "account_key": "k"}))
    assert (azure["container"], azure["account_name"], "presign" in azure) == ("box", "n", False)
    redis = payload(StorageSpec(kind="redis", path="tasks:", credentials={"password": "pw"},
                                options=LabelStudioStorageOptions(host="h", port=6380, db=2)))
    assert (redis["host"], redis["port"], redis["db"], redis["path"], redis["password"]) == ("h", "6380", 2, "tasks:", "pw")
    s3s = payload(StorageSpec(kind="s3s", bucket="b", options=LabelStudioStorageOptions(
        role_arn="arn:aws:iam::1:role/ls", external_id="x", presign=False)))
    assert (s3s["role_arn"], s3s["external_id"], s3s["presign"], s3s["use_blob_urls"]) == ("arn:aws:iam::1:role/ls", "x", False, True)


class OtherVendor(ProviderOptions):
    provider = "supervisely"


STORAGE_REFUSALS = [  # a spec with something its kind or direction has no place for, and the words of the refusal
    (dict(kind="s3", bucket="b", credentials={"account_key": "k"}), r"\['account_key'\] are not s3 credentials"),
    (dict(kind="localfiles", path="/x", prefix="p"), "prefix: a Label Studio localfiles storage has no place for it"),
    (dict(kind="gcs", bucket="b", endpoint_url="http://x"), "endpoint_url: a Label Studio gcs storage has no place"),
    (dict(kind="azure", bucket="b", region="eu"), "region: a Label Studio azure storage has no place for it"),
    (dict(kind="redis", path="a", prefix="b"), "path and prefix: a redis storage takes one key prefix"),
    (dict(kind="s3", bucket="b", options=LabelStudioStorageOptions(host="h")), "options.host: a Label Studio s3 storage takes no host"),
    (dict(kind="s3", bucket="b", options=LabelStudioStorageOptions(role_arn="r")), "options.role_arn: a Label Studio s3 storage"),
    (dict(kind="localfiles", path="/x", options=LabelStudioStorageOptions(presign=True)), "options.presign: a Label Studio localfiles"),
    (dict(kind="s3", direction="export", bucket="b", options=LabelStudioStorageOptions(presign_ttl_minutes=3)),
     "presign_ttl_minutes: only import storages take it"),
    (dict(kind="s3", direction="export", bucket="b", recursive_scan=True), "recursive_scan: only import storages take it"),
    (dict(kind="s3", bucket="b", options=LabelStudioStorageOptions(can_delete_objects=True)),
     "options.can_delete_objects: only export storages delete objects"),
    (dict(kind="s3s", bucket="b"), "options.role_arn: an s3s storage reads the bucket through an IAM role"),
    (dict(kind="s3", bucket="b", options=OtherVendor()), "options: OtherVendor is for supervisely; .* takes LabelStudioStorageOptions"),
]


@pytest.mark.parametrize(("fields", "words"), STORAGE_REFUSALS, ids=[w.split(":")[0] for _, w in STORAGE_REFUSALS])
def test_what_a_storage_has_no_place_for_is_refused_before_any_request(backend, job, counted, fields, words):
    with counted(backend) as c, pytest.raises(ValidationError, match=words):
        backend.storages.connect(job.id, StorageSpec(**fields))
    assert c.count == 0


def test_s3s_needs_enterprise(backend, job):
    spec = StorageSpec(kind="s3s", bucket="b", options=LabelStudioStorageOptions(role_arn="arn:aws:iam::1:role/ls"))
    with pytest.raises(Unsupported, match="s3s storages .* need Label Studio Enterprise; this server is Community"):
        backend.storages.connect(job.id, spec)
    assert backend.storages.list(job.id) == []


def test_s3s_storages_on_enterprise(ee_backend, standin):
    from annobridge import JobSpec
    from annobridge.testing.conformance import SAMPLE_SCHEMA

    job, = ee_backend.jobs.create(JobSpec(name=f"s3s-{uuid.uuid4().hex[:6]}", label_schema=SAMPLE_SCHEMA))
    try:
        options = LabelStudioStorageOptions(role_arn="arn:aws:iam::1:role/ls", external_id="ext", presign_ttl_minutes=7)
        spec = StorageSpec(kind="s3s", bucket="frames", prefix="2024/", region="us-east-1", options=options,
                           credentials={"aws_access_key_id": "id", "aws_secret_access_key": "never-echoed"})
        storage = ee_backend.storages.connect(job.id, spec)
        assert (storage.spec.kind, storage.spec.bucket, storage.spec.prefix, storage.spec.credentials) == (
            "s3s", "frames", "2024/", {})
        assert (storage.spec.options.role_arn, storage.spec.options.external_id) == ("arn:aws:iam::1:role/ls", "ext")
        assert storage.spec.options.presign_ttl_minutes == 7
        assert [s.id for s in ee_backend.storages.list(job.id) if s.spec.kind == "s3s"] == [storage.id]
        assert standin.local("/api/storages/s3s")
        ee_backend.storages.delete(storage)
        assert ee_backend.storages.list(job.id) == []
    finally:
        ee_backend.jobs.delete(job.id)


def test_a_sync_that_fails_says_why(backend, job, server):
    import shutil

    folder = server.files_root / f"gone-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    (folder / "a.png").write_bytes(_png(1))
    storage = backend.storages.connect(job.id, StorageSpec(kind="localfiles", path=str(folder)))
    shutil.rmtree(folder)
    with pytest.raises(BackendError, match="does not exist"):
        backend.storages.sync(storage)
