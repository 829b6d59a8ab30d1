"""`annobridge items add|list|download` on both real backends: in this process (Local), and the ids `items add`
prints through the console entry point (a fresh process)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

import annobridge

from .cli_fixtures import Local, Shell, cli, ls_cli, ls_shell, sv_cli, sv_shell  # noqa: F401 - fixtures

NOWHERE = "supervisely+http://127.0.0.1:9"  # nothing listens: a command that connects fails with 7, not 2
COLOURS = ("red", "green", "blue")


def offline(cli: Local, *args: str, stdin: str | None = None):
    """Run against a backend nobody serves: bad input must be refused before connecting (exit 2, not 7)."""
    return cli.run(*args, "--backend", NOWHERE, "--token", "unused", backend=False, stdin=stdin)


def is_supervisely(cli: Local) -> bool:
    return cli.url.startswith("supervisely")


def image(path: Path, colour: str, size: tuple[int, int] = (12, 8)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


@pytest.fixture(scope="module")
def pictures(tmp_path_factory) -> Path:
    """A directory of three small PNGs (and a text file that is not an image)."""
    folder = tmp_path_factory.mktemp("pictures")
    for n, colour in enumerate(COLOURS):
        image(folder / f"pic{n}.png", colour, (10 + n, 8))
    (folder / "notes.txt").write_text("not an image")
    return folder


@pytest.fixture(scope="module")
def project(cli):
    """A fresh empty project of this module (made and deleted through the CLI): (id, name)."""
    name = f"cli-items-{uuid.uuid4().hex[:8]}"
    made = cli.run("projects", "create", name)
    assert made.returncode == 0, made.stderr
    yield int(made.stdout), name
    cli.run("projects", "delete", made.stdout.strip(), "--yes")


@pytest.fixture(scope="module")
def added(cli, project, pictures):
    """`items add PROJECT DIR` in a fresh process: the ids it printed, one a line, for the directory's three images."""
    done = Shell.like(cli).run("items", "add", project[1], str(pictures))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(line.strip().isdigit() for line in lines), done.stdout  # ids alone: $(...) and xargs work
    return [int(line) for line in lines]


@pytest.fixture(scope="module")
def job(cli, project, added):
    """A job over the added items: on Label Studio the project is the job; on Supervisely one made with the API."""
    if not is_supervisely(cli):
        return project[0]
    with annobridge.connect(cli.url, token=cli.token) as backend:
        spec = annobridge.JobSpec(name=f"cli-job-{uuid.uuid4().hex[:6]}", project_id=project[0],
                                  annotators=[backend.users.me().id], item_ids=added[:2])
        (made,) = backend.jobs.create(spec)
    return made.id


def listed(cli: Local, *args: str) -> list[dict]:
    rows = cli.json("items", "list", *args)
    assert isinstance(rows, list)
    return rows


# ---------------------------------------------------------------- add


def test_add_a_directory_adds_its_images_and_prints_their_ids(cli, project, added):
    assert len(added) == 3 and len(set(added)) == 3
    rows = listed(cli, "--project", str(project[0]))
    assert sorted(r["id"] for r in rows) == sorted(added)
    names = sorted(r["name"] for r in rows)
    assert all(any(n.endswith(f"pic{k}.png") for n in names) for k in range(3)), names  # never notes.txt


def test_add_files_json_is_a_list_of_the_new_ids(cli, project, tmp_path):
    one, two = image(tmp_path / "solo1.png", "yellow"), image(tmp_path / "solo2.jpg", "white")
    made = cli.json("items", "add", str(project[0]), str(one), str(two))
    assert isinstance(made, list) and len(made) == 2 and all(isinstance(i, int) for i in made)
    assert set(made) <= {r["id"] for r in listed(cli, "--project", str(project[0]))}


def test_dry_run_says_what_would_be_added_and_adds_nothing(cli, project, pictures):
    before = len(listed(cli, "--project", str(project[0])))
    done = cli.run("items", "add", project[1], str(pictures), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would add 3 items" in done.stdout and "pic1.png" in done.stdout and project[1] in done.stdout
    as_json = cli.json("items", "add", project[1], str(pictures / "pic0.png"), "--dry-run")
    assert as_json["count"] == 1 and as_json["project_id"] == project[0] and as_json["items"][0].endswith("pic0.png")
    assert len(listed(cli, "--project", str(project[0]))) == before


def test_add_from_jsonl_takes_the_backends_payloads(cli, tmp_path):
    if is_supervisely(cli):
        payloads = [{"path": str(image(tmp_path / "j.png", "black")), "name": "from-jsonl.png", "meta": {"k": 1}}]
    else:
        payloads = [{"data": {"image": "https://example.com/from-jsonl-1.png"}},
                    {"data": {"image": "https://example.com/from-jsonl-2.png"}, "meta": {"k": 1}}]
    lines = tmp_path / "items.jsonl"
    lines.write_text("\n".join(json.dumps(p) for p in payloads) + "\n\n", encoding="utf-8")
    name = f"cli-jsonl-{uuid.uuid4().hex[:8]}"  # a project of its own: its media are not all fetchable
    made = cli.run("projects", "create", name)
    assert made.returncode == 0, made.stderr
    try:
        done = cli.run("items", "add", name, "--from-jsonl", str(lines))
        assert done.returncode == 0, done.stderr
        ids = [int(x) for x in done.stdout.split()]
        assert len(ids) == len(payloads)
        rows = listed(cli, "--project", name, "--filter", "name=from-jsonl")
        assert sorted(r["id"] for r in rows) == sorted(ids)
        assert any('"k": 1' in json.dumps(r["meta"]) for r in rows)  # where the backend keeps it
        piped = cli.run("items", "add", name, "--from-jsonl", "-", "--dry-run", stdin=lines.read_text())
        assert piped.returncode == 0 and f"would add {len(payloads)} items" in piped.stdout
    finally:
        cli.run("projects", "delete", made.stdout.strip(), "--yes")


def test_a_payload_that_cannot_be_added_names_its_line_and_adds_nothing(cli, project, tmp_path):
    wrong = {"data": {"image": "https://example.com/x.png"}} if is_supervisely(cli) else ["not", "a", "task"]
    lines = tmp_path / "wrong.jsonl"
    lines.write_text("\n" + json.dumps(wrong) + "\n", encoding="utf-8")
    before = len(listed(cli, "--project", str(project[0])))
    done = cli.run("items", "add", project[1], "--from-jsonl", str(lines))
    assert done.returncode == 2, done.stderr
    assert "line 2" in done.stderr
    assert len(listed(cli, "--project", str(project[0]))) == before


@pytest.mark.parametrize(
    "how, words",
    [
        ("missing", "no such file or directory"),
        ("not-image", "not an image file"),
        ("empty-dir", "a directory without images"),
        ("both", "not both"),
        ("nothing", "nothing to add"),
        ("same-name", "more than once"),
        ("jsonl-not-json", "line 2: not JSON"),
        ("jsonl-not-object", "line 1: a JSON object is needed"),
        ("jsonl-missing-path", "is not a file"),
        ("jsonl-empty", "no payloads"),
        ("jsonl-missing", "cannot be read"),
    ],
)
def test_bad_input_to_add_is_exit_2_before_connecting(cli, pictures, tmp_path, how, words):
    (tmp_path / "empty").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    image(tmp_path / "a" / "same.png", "red")
    image(tmp_path / "b" / "same.png", "blue")
    (tmp_path / "bad.jsonl").write_text('{"data": {}}\n{oops\n')
    (tmp_path / "list.jsonl").write_text("[1, 2]\n")
    (tmp_path / "path.jsonl").write_text(json.dumps({"path": str(tmp_path / "gone.png")}) + "\n")
    (tmp_path / "empty.jsonl").write_text("\n\n")
    args = {
        "missing": [str(tmp_path / "gone.png")],
        "not-image": [str(pictures / "notes.txt")],
        "empty-dir": [str(tmp_path / "empty")],
        "both": [str(pictures), "--from-jsonl", str(tmp_path / "bad.jsonl")],
        "nothing": [],
        "same-name": [str(tmp_path / "a"), str(tmp_path / "b")],
        "jsonl-not-json": ["--from-jsonl", str(tmp_path / "bad.jsonl")],
        "jsonl-not-object": ["--from-jsonl", str(tmp_path / "list.jsonl")],
        "jsonl-missing-path": ["--from-jsonl", str(tmp_path / "path.jsonl")],
        "jsonl-empty": ["--from-jsonl", str(tmp_path / "empty.jsonl")],
        "jsonl-missing": ["--from-jsonl", str(tmp_path / "nowhere.jsonl")],
    }[how]
    done = offline(cli, "items", "add", "1", *args)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr


def test_add_to_a_project_that_does_not_exist_is_exit_3(cli, pictures):
    done = cli.run("items", "add", f"no-such-{uuid.uuid4().hex[:6]}", str(pictures))
    assert done.returncode == 3, done.stderr


def test_dataset_goes_to_that_dataset_where_there_are_datasets(cli, project, added, tmp_path):
    pic = image(tmp_path / "in-dataset.png", "purple")
    if not is_supervisely(cli):  # Label Studio has no datasets: refused, nothing added
        before = len(listed(cli, "--project", str(project[0])))
        done = cli.run("items", "add", str(project[0]), str(pic), "--dataset", "1")
        assert done.returncode == 2 and "dataset" in done.stderr
        assert len(listed(cli, "--project", str(project[0]))) == before
        return
    dataset = next(r["dataset_id"] for r in listed(cli, "--project", str(project[0])) if r["id"] == added[0])
    (made,) = cli.json("items", "add", str(project[0]), str(pic), "--dataset", str(dataset))
    assert {r["id"]: r["dataset_id"] for r in listed(cli, "--project", str(project[0]))}[made] == dataset
    wrong = cli.run("items", "add", str(project[0]), str(pic), "--dataset", "99999999")
    assert wrong.returncode == 2, wrong.stderr


# ---------------------------------------------------------------- list


def test_list_is_a_table_json_and_json_lines(cli, project, added):
    table = cli.run("items", "list", "--project", project[1])
    assert table.returncode == 0, table.stderr
    assert "pic1.png" in table.stdout and "review" in table.stdout and "ReviewStatus" not in table.stdout
    rows = listed(cli, "--project", project[1])
    assert {"id", "name", "project_id", "review_status"} <= set(rows[0])
    assert {r["project_id"] for r in rows} == {project[0]}
    jsonl = cli.run("items", "list", "--project", str(project[0]), "--jsonl")
    assert jsonl.returncode == 0
    assert [json.loads(line) for line in jsonl.stdout.splitlines()] == rows


def test_list_filter(cli, project, added):
    named = listed(cli, "--project", str(project[0]), "--filter", "name=pic1")
    assert len(named) == 1 and named[0]["name"].endswith("pic1.png")
    fresh = listed(cli, "--project", str(project[0]), "--filter", "annotated=false, name=pic")
    assert sorted(r["id"] for r in fresh) == sorted(added)
    assert listed(cli, "--project", str(project[0]), "--filter", "annotated=true") == []
    assert listed(cli, "--project", str(project[0]), "--filter", "review=rejected,annotated=false") == []


def test_list_by_job(cli, job, added):
    rows = listed(cli, "--job", str(job))
    expected = added[:2] if is_supervisely(cli) else added
    assert set(expected) <= {r["id"] for r in rows}
    assert all(r["review_status"] == "none" for r in rows)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--project", "1", "--filter", "colour=red"], "unknown key 'colour'"),
        (["--project", "1", "--filter", "annotated=maybe"], "annotated='maybe'"),
        (["--project", "1", "--filter", "review=great"], "review='great'"),
        (["--project", "1", "--filter", "annotated"], "needs a value"),
        (["--project", "1", "--filter", "name=a,name=b"], "given twice"),
        ([], "exactly one of --job or --project"),
        (["--project", "1", "--job", "1"], "exactly one of --job or --project"),
    ],
)
def test_bad_input_to_list_is_exit_2_before_connecting(cli, args, words):
    done = offline(cli, "items", "list", *args)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr


def test_list_of_a_job_or_project_that_does_not_exist_is_exit_3(cli):
    assert cli.run("items", "list", "--project", f"nothing-{uuid.uuid4().hex[:6]}").returncode == 3
    assert cli.run("items", "list", "--job", "98765432").returncode == 3


# ---------------------------------------------------------------- download


def test_download_writes_every_item_and_prints_the_paths(cli, project, added, tmp_path):
    folder = tmp_path / "media"
    done = cli.run("items", "download", "--project", project[1], "--to", str(folder))
    assert done.returncode == 0, done.stderr
    paths = [Path(line) for line in done.stdout.splitlines()]
    assert len(paths) == len(listed(cli, "--project", str(project[0]))) >= len(added)
    assert all(p.parent == folder and p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)  # no scratch left behind


def test_download_only_some_items_as_json(cli, project, added, tmp_path):
    folder = tmp_path / "some"
    paths = cli.json("items", "download", "--project", str(project[0]), "--to", str(folder),
                       "--items", f"{added[0]},{added[2]}")
    assert isinstance(paths, list) and len(paths) == 2
    assert sorted(Path(p).name for p in paths) == ["pic0.png", "pic2.png"]
    assert (folder / "pic0.png").read_bytes() == (Path(paths[0]).read_bytes())


def test_download_by_job(cli, job, added, tmp_path):
    folder = tmp_path / "job"
    done = cli.run("items", "download", "--job", str(job), "--to", str(folder), "--items", str(added[1]))
    assert done.returncode == 0, done.stderr
    assert [Path(p).name for p in done.stdout.splitlines()] == ["pic1.png"]


def test_an_item_not_in_the_project_is_exit_2_and_nothing_is_written(cli, project, added, tmp_path):
    folder = tmp_path / "never"
    done = cli.run("items", "download", "--project", str(project[0]), "--to", str(folder),
                     "--items", f"{added[0]},987654321")
    assert done.returncode == 2 and "987654321" in done.stderr
    assert not folder.exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--project", "1", "--to", "{file}"], "--to"),
        (["--project", "1", "--to", "{file}/below"], "--to"),
        (["--project", "1", "--to", "{dir}", "--items", "1,,2"], "comma-separated"),
        (["--project", "1", "--to", "{dir}", "--items", "1,2,1"], "1 given twice"),
        (["--to", "{dir}"], "exactly one of --job or --project"),
    ],
)
def test_bad_input_to_download_is_exit_2_before_connecting(cli, tmp_path, args, words):
    (tmp_path / "a-file").write_text("x")
    args = [a.format(file=tmp_path / "a-file", dir=tmp_path / "out") for a in args]
    done = offline(cli, "items", "download", *args)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr
    assert not (tmp_path / "out").exists()


def test_download_in_batches_never_overwrites_a_file_of_the_same_name(cli, project, added, pictures, tmp_path):
    """Last in the module: it adds a second "pic0.png" where the backend allows two items of one name."""
    if is_supervisely(cli):  # names in a dataset are unique there: batches alone
        folder = tmp_path / "batched"
        paths = cli.json("items", "download", "--project", str(project[0]), "--to", str(folder), "--batch-size", "1")
        assert len(paths) == len(set(paths)) == len(listed(cli, "--project", str(project[0])))
        return
    again = cli.run("items", "add", str(project[0]), str(pictures / "pic0.png"))
    assert again.returncode == 0, again.stderr
    for size in ("1", "100"):
        folder = tmp_path / f"batch-{size}"
        paths = cli.json("items", "download", "--project", str(project[0]), "--to", str(folder), "--batch-size", size)
        assert len(paths) == len(set(paths)) == len(listed(cli, "--project", str(project[0])))
        assert sorted(p.name for p in folder.iterdir()) == sorted(Path(p).name for p in paths)
        copies = [p for p in paths if "pic0" in Path(p).name]
        assert len(copies) == 2 and all(Path(p).read_bytes() == (pictures / "pic0.png").read_bytes() for p in copies)
