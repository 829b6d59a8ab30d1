"""`annobridge projects list|get|create|delete|schema` on both real backends: in this process (Local); the id
`projects create` prints, and a wrong token, through the console entry point (a fresh process)."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
import yaml

from .cli_fixtures import Local, Shell, cli, ls_cli, ls_shell, sv_cli, sv_shell  # noqa: F401 - fixtures

NOWHERE = "supervisely+http://127.0.0.1:9"  # nothing listens: a command that connects fails with 7, not 2

SCHEMA = {
    "classes": [
        {"name": "lemon", "shape": "rectangle", "color": "#50E3C2"},
        {"name": "kiwi", "shape": "polygon", "color": "#D0021B"},
    ],
}


def offline(cli: Local, *args: str):
    """Run against a backend nobody serves: bad input must be refused before connecting (exit 2, not 7)."""
    return cli.run(*args, "--backend", NOWHERE, "--token", "unused", backend=False)


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "lemons.yaml"
    path.write_text(yaml.safe_dump(SCHEMA), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project(cli, schema_file):
    """A project made by `projects create --schema FILE` in a fresh process (its id alone on stdout), deleted with
    --yes at the end."""
    name = f"cli-projects-{uuid.uuid4().hex[:8]}"
    done = Shell.like(cli).run("projects", "create", name, "--schema", str(schema_file), "--description",
                               "made by the CLI tests")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit(), done.stdout  # the id alone, so $(...) works
    yield int(done.stdout), name
    cli.run("projects", "delete", done.stdout.strip(), "--yes")


def test_list_is_a_table_for_people_and_a_json_list_with_the_neutral_fields(cli, project):
    pid, name = project
    table = cli.run("projects", "list")
    assert table.returncode == 0, table.stderr
    assert name in table.stdout and "workspace" in table.stdout  # a header, and the project
    rows = cli.json("projects", "list")
    assert isinstance(rows, list)
    mine = [r for r in rows if r["id"] == pid]
    assert len(mine) == 1 and mine[0]["name"] == name
    assert all({"id", "name"} <= set(r) for r in rows)


def test_list_jsonl_is_one_object_a_line(cli, project):
    done = cli.run("projects", "list", "--jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert project[0] in [r["id"] for r in rows]


def test_get_by_id_and_by_name_give_the_same_project(cli, project):
    pid, name = project
    by_id = cli.json("projects", "get", str(pid))
    by_name = cli.json("projects", "get", name)
    assert by_id["id"] == by_name["id"] == pid
    assert by_id["name"] == name and by_id["description"] == "made by the CLI tests"
    table = cli.run("projects", "get", name)
    assert table.returncode == 0 and name in table.stdout and "field" in table.stdout


def test_a_project_that_does_not_exist_is_exit_3(cli):
    for ref in ("no-such-project-" + uuid.uuid4().hex[:6], "987654321"):
        done = cli.run("projects", "get", ref)
        assert done.returncode == 3, (ref, done.stderr)
        assert done.stderr.startswith("annobridge: error:") and "Traceback" not in done.stderr


def test_create_json_is_the_project_object(cli):
    name = f"cli-json-{uuid.uuid4().hex[:8]}"
    made = cli.json("projects", "create", name)
    try:
        assert made["name"] == name and isinstance(made["id"], int)
    finally:
        assert cli.run("projects", "delete", str(made["id"]), "--yes").returncode == 0


def test_schema_is_json_by_default_and_yaml_on_asking(cli, project):
    pid, _ = project
    as_json = cli.run("projects", "schema", str(pid))
    as_yaml = cli.run("projects", "schema", str(pid), "--yaml")
    assert as_json.returncode == 0 and as_yaml.returncode == 0, as_json.stderr + as_yaml.stderr
    assert json.loads(as_json.stdout) == yaml.safe_load(as_yaml.stdout)
    held = json.loads(as_json.stdout)
    assert {(c["name"], c["shape"]) for c in held["classes"]} == {("lemon", "rectangle"), ("kiwi", "polygon")}


def test_schema_yaml_out_then_set_back_is_a_round_trip(cli, project, tmp_path):
    pid, name = project
    first = cli.run("projects", "schema", name, "--yaml")
    assert first.returncode == 0, first.stderr
    saved = tmp_path / "schema.yaml"
    saved.write_text(first.stdout, encoding="utf-8")
    again = cli.run("projects", "schema", str(pid), "--set", str(saved), "--yaml")
    assert again.returncode == 0, again.stderr
    assert yaml.safe_load(again.stdout) == yaml.safe_load(first.stdout)
    assert yaml.safe_load(cli.run("projects", "schema", str(pid), "--yaml").stdout) == yaml.safe_load(first.stdout)


def test_schema_set_changes_the_schema(cli, tmp_path):
    name = f"cli-set-{uuid.uuid4().hex[:8]}"
    made = cli.run("projects", "create", name)
    assert made.returncode == 0, made.stderr
    try:
        wider = tmp_path / "wider.json"
        wider.write_text(json.dumps({"classes": [*SCHEMA["classes"], {"name": "orange", "shape": "rectangle"}]}))
        done = cli.run("projects", "schema", name, "--set", str(wider))
        assert done.returncode == 0, done.stderr
        assert "orange" in {c["name"] for c in json.loads(done.stdout)["classes"]}
    finally:
        cli.run("projects", "delete", made.stdout.strip(), "--yes")


def test_a_bad_schema_file_is_exit_2_before_connecting_and_names_the_file(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("classes: [{name: a, shape: hexagon}]\n", encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("classes: [\n", encoding="utf-8")
    for args in (
        ("projects", "create", "never-made", "--schema", str(bad)),
        ("projects", "create", "never-made", "--schema", str(broken)),
        ("projects", "create", "never-made", "--schema", str(tmp_path / "missing.json")),
        ("projects", "schema", "1", "--set", str(bad)),
    ):
        done = offline(cli, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert str(tmp_path) in done.stderr and "Traceback" not in done.stderr


def test_a_bad_schema_file_creates_nothing(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    name = f"cli-never-{uuid.uuid4().hex[:8]}"
    assert cli.run("projects", "create", name, "--schema", str(bad)).returncode == 2
    assert name not in [p["name"] for p in cli.json("projects", "list")]


def test_a_blank_name_is_exit_2_and_creates_nothing(cli):
    before = len(cli.json("projects", "list"))
    done = cli.run("projects", "create", "   ")
    assert done.returncode == 2, done.stderr
    assert len(cli.json("projects", "list")) == before


def test_delete_without_yes_and_without_a_terminal_is_refused_and_deletes_nothing(cli, project):
    pid, name = project
    done = cli.run("projects", "delete", str(pid), stdin="y\n")  # stdin is a pipe, not a terminal
    assert done.returncode == 2, done.stderr
    assert "--yes" in done.stderr
    assert cli.json("projects", "get", str(pid))["name"] == name


def test_delete_with_yes_deletes(cli):
    name = f"cli-delete-{uuid.uuid4().hex[:8]}"
    made = cli.run("projects", "create", name)
    assert made.returncode == 0, made.stderr
    done = cli.run("projects", "delete", name, "--yes")
    assert done.returncode == 0, done.stderr
    assert made.stdout.strip() in done.stdout
    assert cli.run("projects", "get", made.stdout.strip()).returncode == 3


def test_no_backend_is_exit_2_naming_the_option(cli):
    env = {k: v for k, v in cli.env.items() if k != "ANNOBRIDGE_BACKEND"}
    done = dataclasses.replace(cli, env=env).run("projects", "list", backend=False)
    assert done.returncode == 2 and "--backend" in done.stderr


def test_a_wrong_token_is_exit_4_and_the_token_is_never_printed(cli):
    """In a fresh process: nothing it prints, at exit either, shows a token."""
    shell = Shell.like(cli)
    done = shell.run("projects", "list", "--backend", cli.url, "--token", "wrong" + uuid.uuid4().hex, backend=False)
    assert done.returncode == 4, done.stderr
    assert "wrong" not in done.stderr + done.stdout
    ok = shell.run("projects", "list", "--json")
    assert cli.token not in ok.stdout + ok.stderr
