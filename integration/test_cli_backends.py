"""`annobridge backends add|list|remove` and `--backend NAME` on both real backends, in this process (Local) and a named
backend's first use through the console entry point (a fresh process); and `--help` of the CLI and of every group
loading no vendor SDK, no provider, no pydantic-model module (fresh processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from annobridge.cli import GROUPS, app

from .cli_fixtures import Local, Shell, ls_shell, shell, sv_shell  # noqa: F401 - fixtures


def local(tmp_path, **extra: str) -> Local:
    """A user with their own named-backends file (in tmp_path) and no backend of their own, in this process."""
    env = {k: v for k, v in os.environ.items() if k not in ("ANNOBRIDGE_BACKEND", "LABEL_STUDIO_API_KEY", "API_TOKEN")}
    return Local("", "", {**env, "ANNOBRIDGE_CONFIG_DIR": str(tmp_path / "config"), "COLUMNS": "200", **extra})


def config_text(me: Local) -> str:
    path = os.path.join(me.env["ANNOBRIDGE_CONFIG_DIR"], "backends.json")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


# ---------------------------------------------------------------- the file, offline


def test_add_list_remove(tmp_path):
    me = local(tmp_path)
    done = me.run("backends", "add", "prod-ls", "labelstudio+http://127.0.0.1:8080", "--token-env", "PROD_LS", backend=False)
    assert done.returncode == 0, done.stderr
    assert "prod-ls" in done.stdout and str(tmp_path) in done.stdout  # says where the file is
    me.run("backends", "add", "sv", "supervisely+https://app.supervisely.com", backend=False)
    listed = me.run("backends", "list", backend=False)
    assert listed.returncode == 0
    for word in ("prod-ls", "env PROD_LS", "sv", "vendor environment"):
        assert word in listed.stdout
    rows = json.loads(me.run("backends", "list", "--json", backend=False).stdout)
    assert rows == [
        {"name": "prod-ls", "url": "labelstudio+http://127.0.0.1:8080", "token_env": "PROD_LS"},
        {"name": "sv", "url": "supervisely+https://app.supervisely.com"},
    ]
    gone = me.run("backends", "remove", "prod-ls", backend=False)
    assert gone.returncode == 0 and "prod-ls" in gone.stdout
    assert [r["name"] for r in json.loads(me.run("backends", "list", "--json", backend=False).stdout)] == ["sv"]


def test_no_file_lists_nothing(tmp_path):
    done = local(tmp_path).run("backends", "list", "--json", backend=False)
    assert done.returncode == 0 and json.loads(done.stdout) == []


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["1bad", "labelstudio+http://h"], 2, "backend name '1bad'"),
        (["has space", "labelstudio+http://h"], 2, "backend name"),
        (["ok", "not a url"], 2, "not a backend URL"),
        (["ok", "labelstudio+ftp://h"], 2, "transport"),
        (["ok", "labelstudio+http://user:secret@h"], 2, "credentials"),
        (["ok", "labelstudio+http://h", "--token-env", "NOT-A-NAME"], 2, "environment variable name"),
        (["ok", "labelstudio+http://h", "--token-env", "A", "--token-command", "echo x"], 2, "not both"),
    ],
)
def test_bad_input_is_exit_2_and_writes_no_file(tmp_path, args, code, words):
    me = local(tmp_path)
    done = me.run("backends", "add", *args, backend=False)
    assert done.returncode == code, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    assert "secret" not in done.stderr
    assert not os.path.exists(os.path.join(me.env["ANNOBRIDGE_CONFIG_DIR"], "backends.json"))


def test_a_scheme_no_provider_claims_is_refused_when_added(tmp_path):
    done = local(tmp_path).run("backends", "add", "plain", "http://127.0.0.1:8080", backend=False)
    assert done.returncode == 2, done.stdout
    assert "unknown scheme 'http'" in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_name_taken_is_exit_5_unless_replace(tmp_path):
    me = local(tmp_path)
    assert me.run("backends", "add", "a", "labelstudio+http://one", backend=False).returncode == 0
    again = me.run("backends", "add", "a", "labelstudio+http://two", backend=False)
    assert again.returncode == 5 and "--replace" in again.stderr
    assert "one" in config_text(me) and "two" not in config_text(me)
    assert me.run("backends", "add", "a", "labelstudio+http://two", "--replace", backend=False).returncode == 0
    assert "two" in config_text(me) and "one" not in config_text(me)


def test_removing_an_unknown_name_is_exit_3_naming_the_known(tmp_path):
    me = local(tmp_path)
    me.run("backends", "add", "known", "labelstudio+http://h", backend=False)
    done = me.run("backends", "remove", "unknown", backend=False)
    assert done.returncode == 3 and "known" in done.stderr


def test_an_unknown_name_for_backend_is_exit_2_naming_the_known(tmp_path):
    me = local(tmp_path)
    me.run("backends", "add", "known", "labelstudio+http://h", backend=False)
    done = me.run("projects", "list", "--backend", "unknown", backend=False)
    assert done.returncode == 2 and "known" in done.stderr and "unknown" in done.stderr


def test_a_broken_file_is_exit_2_naming_it(tmp_path):
    me = local(tmp_path)
    os.makedirs(me.env["ANNOBRIDGE_CONFIG_DIR"])
    with open(os.path.join(me.env["ANNOBRIDGE_CONFIG_DIR"], "backends.json"), "w") as handle:
        handle.write("{not json")
    done = me.run("backends", "list", backend=False)
    assert done.returncode == 2 and "backends.json" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- named backends end to end, on both servers


def test_a_named_backend_end_to_end_never_stores_the_token(shell, tmp_path):
    """add (token from an env var) -> use by name (no token on the command line) -> list -> remove."""
    me = local(tmp_path, MY_TOKEN=shell.token)
    name = f"b-{uuid.uuid4().hex[:6]}"
    added = me.run("backends", "add", name, shell.url, "--token-env", "MY_TOKEN", backend=False)
    assert added.returncode == 0, added.stderr
    assert shell.token not in config_text(me) and "MY_TOKEN" in config_text(me)

    used = Shell.like(me).run("projects", "list", "--json", "--backend", name, backend=False)  # a fresh process
    assert used.returncode == 0, used.stderr
    assert isinstance(json.loads(used.stdout), list)
    assert shell.token not in used.stdout + used.stderr

    by_env = me.run("projects", "list", "--json", backend=False)  # ANNOBRIDGE_BACKEND=NAME
    assert by_env.returncode == 2  # no backend given at all
    me.env["ANNOBRIDGE_BACKEND"] = name
    by_env = me.run("projects", "list", "--json", backend=False)
    assert by_env.returncode == 0, by_env.stderr

    listed = json.loads(me.run("backends", "list", "--json", backend=False).stdout)
    assert listed == [{"name": name, "url": shell.url, "token_env": "MY_TOKEN"}]
    assert me.run("backends", "remove", name, backend=False).returncode == 0
    assert me.run("projects", "list", "--backend", name, backend=False).returncode == 2
    assert shell.token not in config_text(me)


def test_token_env_on_the_command_line_wins_over_the_named_source(shell, tmp_path):
    me = local(tmp_path, RIGHT=shell.token)
    name = "wrong-source"
    me.run("backends", "add", name, shell.url, "--token-env", "UNSET_VARIABLE_FOR_THIS_TEST", backend=False)
    unset = me.run("projects", "list", "--backend", name, backend=False)
    assert unset.returncode == 2 and "UNSET_VARIABLE_FOR_THIS_TEST" in unset.stderr
    done = me.run("projects", "list", "--json", "--backend", name, "--token-env", "RIGHT", backend=False)
    assert done.returncode == 0, done.stderr


def test_a_token_command_is_run_and_neither_it_nor_its_output_is_kept(shell, tmp_path):
    me = local(tmp_path, SECRET_SOURCE=shell.token)
    command = f"{sys.executable} -c \"import os; print(os.environ['SECRET_SOURCE'])\""
    assert me.run("backends", "add", "cmd", shell.url, "--token-command", command, backend=False).returncode == 0
    assert shell.token not in config_text(me)
    done = me.run("projects", "list", "--json", "--backend", "cmd", backend=False)
    assert done.returncode == 0, done.stderr
    me.run("backends", "add", "failing", shell.url, "--token-command", f"{sys.executable} -c 'exit(3)'", backend=False)
    failed = me.run("projects", "list", "--backend", "failing", backend=False)
    assert failed.returncode == 2 and "exited with 3" in failed.stderr


# ---------------------------------------------------------------- --help stays light


HEAVY = (
    # vendor SDKs and what only a connection needs
    "supervisely", "label_studio_sdk", "numpy", "starlette", "PIL", "httpx", "pydantic_settings", "platformdirs",
    "yaml",
    # the providers and their pydantic models
    "annobridge_supervisely.provider", "annobridge_labelstudio.provider", "annobridge_supervisely.options",
    "annobridge_labelstudio.options", "annobridge_supervisely.settings", "annobridge_labelstudio.settings",
    # annobridge's own modules that build pydantic models (or load those that do)
    "annobridge.models", "annobridge.schema", "annobridge.shapes", "annobridge.annotations", "annobridge._neutral",
    "annobridge.migration_report", "annobridge.commands.named", "annobridge.provider", "annobridge.subapis", "annobridge.subapi", "annobridge.job_apis",
    "annobridge.export_apis",
    "annobridge.connection", "annobridge.retry", "annobridge.migration",
)


def loaded_by_help(*argvs: list[str]) -> list[str]:
    """The HEAVY modules loaded after running `annobridge ARGV` for each argv, in one fresh process."""
    code = (
        "import sys\nfrom annobridge import cli\n"
        f"for argv in {list(argvs)!r}:\n"
        "    assert cli.main(argv) == 0, argv\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))


def test_root_help_loads_nothing_heavy():
    assert loaded_by_help(["--help"]) == []


@pytest.mark.parametrize("group", GROUPS)
def test_each_group_help_and_its_commands_help_load_nothing_heavy(group):
    typer_group = next(g.typer_instance for g in app.registered_groups if g.name == group)
    commands = [c.name or c.callback.__name__ for c in typer_group.registered_commands]
    assert loaded_by_help([group, "--help"], *([group, c, "--help"] for c in commands)) == []
