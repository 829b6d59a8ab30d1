"""`annobridge users list|create|add-member` on both real backends: in this process (Local), and `users create`
with a password through the console entry point (a fresh process) once."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest

from .cli_fixtures import Local, Shell, cli, ls_cli, ls_shell, sv_cli, sv_shell  # noqa: F401 - fixtures

NOWHERE = "supervisely+http://127.0.0.1:9"  # nothing listens: a command that connects fails with 7, not 2
PASSWORD = "Pw-" + uuid.uuid4().hex[:12]


def offline(cli: Local, *args: str, stdin: str | None = None):
    """Run against a backend nobody serves: bad input must be refused before connecting (exit 2, not 7)."""
    return cli.run(*args, "--backend", NOWHERE, "--token", "unused", backend=False, stdin=stdin)


def is_supervisely(cli: Local) -> bool:
    return cli.url.startswith("supervisely")


def fresh_login() -> str:
    return f"cli{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def labeler(cli):
    """A user made by `users create LOGIN --password-env NAME --email E` in a fresh process (its id alone on stdout,
    the password nowhere in what it prints): (id, login)."""
    login = fresh_login()
    env = Shell(cli.url, cli.token, {**cli.env, "LABELER_PASSWORD": PASSWORD})
    done = env.run("users", "create", login, "--password-env", "LABELER_PASSWORD", "--email", f"{login}@example.com")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit(), done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    return int(done.stdout), login


def test_list_is_a_table_and_a_json_list_of_users(cli):
    table = cli.run("users", "list")
    assert table.returncode == 0, table.stderr
    assert "login" in table.stdout and "email" in table.stdout
    rows = cli.json("users", "list")
    assert isinstance(rows, list) and rows
    assert all({"id", "login"} <= set(r) for r in rows)
    jsonl = cli.run("users", "list", "--jsonl")
    assert [json.loads(line) for line in jsonl.stdout.splitlines()] == rows


def test_create_makes_a_user_the_list_then_shows(cli, labeler):
    user_id, login = labeler
    ids = {r["id"]: r for r in cli.json("users", "list")}
    if is_supervisely(cli):  # the list is the team's members: the new user is not one yet
        assert user_id not in ids
    else:
        assert ids[user_id]["login"] == login and ids[user_id]["email"] == f"{login}@example.com"


def test_create_json_is_the_user_object(cli):
    login = fresh_login()
    done = cli.run("users", "create", login, "--password-stdin", "--email", f"{login}@example.com", "--json",
                     stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["login"] == login and isinstance(made["id"], int)


def test_a_password_is_never_an_option_value(cli):
    """`--password VALUE` would show in ps and the shell's history: there is no such option."""
    done = offline(cli, "users", "create", fresh_login(), "--password", "visible-in-ps")
    assert done.returncode == 2 and "No such option" in done.stderr
    helped = cli.run("users", "create", "--help", backend=False)
    assert "--password-env" in helped.stdout and "--password-stdin" in helped.stdout
    assert "--password " not in helped.stdout


@pytest.mark.parametrize(
    "args, stdin, words",
    [
        (["--password-env", "UNSET_PASSWORD_VARIABLE_FOR_TESTS"], None, "UNSET_PASSWORD_VARIABLE_FOR_TESTS is not set"),
        (["--password-env", "NOT-A-NAME"], None, "not an environment variable name"),
        (["--password-stdin"], "", "stdin gave no password"),
        (["--password-stdin", "--password-env", "HOME"], "x\n", "not both"),
        (["--email", "not-an-email"], None, "not an email address"),
    ],
)
def test_bad_input_to_create_is_exit_2_before_connecting(cli, args, stdin, words):
    done = offline(cli, "users", "create", fresh_login(), *args, stdin=stdin)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr


def test_a_blank_login_is_exit_2_before_connecting(cli):
    done = offline(cli, "users", "create", "  ")
    assert done.returncode == 2 and "login" in done.stderr


def test_what_the_backend_needs_is_exit_2_and_creates_nobody(cli):
    """Supervisely needs a password, Label Studio an email; without a terminal there is no prompt."""
    login = fresh_login()
    done = cli.run("users", "create", login, *([] if is_supervisely(cli) else ["--password-stdin"]),
                     stdin=PASSWORD + "\n")
    assert done.returncode == 2, done.stderr
    assert ("password" if is_supervisely(cli) else "email") in done.stderr
    assert login not in [r["login"] for r in cli.json("users", "list")]


def test_a_login_taken_is_exit_5(cli, labeler):
    env = dataclasses.replace(cli, env={**cli.env, "LABELER_PASSWORD": PASSWORD})
    done = env.run("users", "create", labeler[1], "--password-env", "LABELER_PASSWORD",
                   "--email", f"{labeler[1]}@example.com")
    assert done.returncode == 5, done.stderr
    assert labeler[1] in done.stderr


def test_add_member_by_login_and_by_id(cli, labeler):
    """Supervisely: the user joins the team. Label Studio Community has no membership: exit 6 with the reason,
    before the user is looked up."""
    user_id, login = labeler
    if not is_supervisely(cli):
        for user in (login, str(user_id)):
            done = cli.run("users", "add-member", user)
            assert done.returncode == 6, done.stderr
            assert "Enterprise" in done.stderr and "Traceback" not in done.stderr
        return
    done = cli.run("users", "add-member", login, "--role", "reviewer")
    assert done.returncode == 0, done.stderr
    assert str(user_id) in done.stdout and login in done.stdout
    again = cli.json("users", "add-member", str(user_id))  # a member already: nothing changes
    assert again["user_id"] == user_id and again["role"]
    members = {r["id"]: r for r in cli.json("users", "list")}
    assert members[user_id]["login"] == login and members[user_id]["role"] == again["role"]


def test_add_member_of_nobody_is_exit_3_where_there_is_membership_else_6(cli):
    done = cli.run("users", "add-member", "nobody-" + uuid.uuid4().hex[:6])
    assert done.returncode == (3 if is_supervisely(cli) else 6), done.stderr


@pytest.mark.parametrize("args, words", [(["someone", "--role", "boss"], "--role"), (["  "], "USER")])
def test_bad_input_to_add_member_is_exit_2_before_connecting(cli, args, words):
    done = offline(cli, "users", "add-member", *args)
    assert done.returncode == 2 and words in done.stderr
