"""`annobridge users list|create|add-member`: users, and their membership of the team or organization.

    annobridge users create labeler_1 --password-env LABELER_PASSWORD --email l1@example.com   # prints the id
    printf '%s\\n' "$PASSWORD" | annobridge users create labeler_2 --password-stdin
    annobridge users add-member labeler_1 --role reviewer

A password is never an option's value (it would show in `ps` and in the shell's history): it comes
from an environment variable, from stdin, or from a prompt on a terminal.
"""

from __future__ import annotations

from typing import Optional

import typer

from .args import is_number
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, connected, emit, emit_one, group

app = group("Users, and their membership of the team or organization.")

COLUMNS = {
    "id": lambda u: u.id,
    "login": lambda u: u.login,
    "email": lambda u: u.email,
    "name": lambda u: u.name,
    "role": lambda u: u.role,
    "disabled": lambda u: "yes" if u.disabled else "",
}
ROLES = ("annotator", "reviewer")


@app.command("list")
def list_(
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Every user the token can see (Supervisely: the team's members, with their role)."""
    with connected(backend, token, token_env) as b:
        emit(b.users.list(), COLUMNS, as_json=as_json, jsonl=jsonl, title=f"users on {b.describe()}")


@app.command("create")
def create(
    login: str = typer.Argument(..., help="The new user's login (Label Studio: username, or an email)."),
    password_env: Optional[str] = typer.Option(
        None, "--password-env", help="Environment variable holding the password."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin's first line."),
    email: Optional[str] = typer.Option(None, "--email", help="The user's email (Label Studio needs one)."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Create a user; prints its id. The password comes from --password-env, --password-stdin or a prompt."""
    from ..errors import ValidationError

    if not login.strip() or any(ord(c) < 32 for c in login):
        raise ValidationError(f"login: a non-blank login without control characters is needed, got {login!r}")
    if email is not None and "@" not in email:
        raise ValidationError(f"--email: {email!r} is not an email address")
    password = _password(password_env, password_stdin)
    with connected(backend, token, token_env) as b:
        made = b.users.create(login.strip(), password=password, email=email)
    if as_json:
        emit_one(made, as_json=True)
    else:
        typer.echo(made.id)


@app.command("add-member")
def add_member(
    user: str = typer.Argument(..., help="User id or login."),
    role: str = typer.Option("annotator", "--role", help="annotator or reviewer."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Make the user a member of the team (Supervisely) or give them a role in the organization (LS Enterprise)."""
    from ..capabilities import Capability
    from ..errors import ValidationError
    from ..models import Role

    if role.lower() not in ROLES:
        raise ValidationError(f"--role: {role!r}; give one of {', '.join(ROLES)}")
    if not user.strip():
        raise ValidationError("USER: a user id or login is needed")
    with connected(backend, token, token_env) as b:
        b.require(Capability.MEMBERS)  # before looking the user up: Unsupported says why
        ref = user.strip()
        found = b.users.get(ref) if not is_number(ref) else None
        user_id = int(ref) if found is None else found.id
        b.users.add_member(user_id, Role(role.lower()))
        held = b.users.member_role(user_id)
    login = found.login if found is not None else None
    if as_json:
        import json

        body = {"user_id": user_id, "login": login, "role": held}
        typer.echo(json.dumps({k: v for k, v in body.items() if v is not None}, indent=2))
    else:
        named = f"{user_id} ({login})" if login else str(user_id)
        typer.echo(f"user {named} is a member with role {held or role.lower()}")


def _password(env: Optional[str], stdin: bool) -> Optional[str]:
    """The password from the environment variable, stdin, or a prompt on a terminal; None without any."""
    import os
    import re
    import sys

    from ..errors import ValidationError

    if env is not None and stdin:
        raise ValidationError("give --password-env or --password-stdin, not both")
    if env is not None:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", env):
            raise ValidationError(f"--password-env: {env!r} is not an environment variable name")
        value = os.environ.get(env)
        if not value:
            raise ValidationError(f"--password-env: the environment variable {env} is not set (or empty)")
        return value
    if stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise ValidationError("--password-stdin: stdin gave no password")
        return value
    if sys.stdin.isatty():
        value = typer.prompt("Password (empty for none)", default="", hide_input=True,
                             confirmation_prompt=True, show_default=False, err=True)
        return value or None
    return None
