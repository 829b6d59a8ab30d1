"""`annobridge sandbox supervisely`: serve the sandbox, or play labeler/reviewer against a running one."""

from __future__ import annotations

from typing import Optional

import typer

from .defaults import DEFAULT_TOKEN

_SERVER = typer.Option("http://127.0.0.1:8000", "--server", help="Address of a running sandbox.")
_TOKEN = typer.Option(DEFAULT_TOKEN, "--token", help="API token of the sandbox.", show_default=False)


def register(sandbox_app: typer.Typer) -> None:
    """Add the `supervisely` command group to `annobridge sandbox`.

    Example: `annobridge sandbox supervisely --port 8000 --data ~/sandbox.sqlite`
    """
    group = typer.Typer(help="The offline Supervisely sandbox (Supervisely's /public/api/v3 on SQLite).")

    @group.callback(invoke_without_command=True)
    def supervisely(
        ctx: typer.Context,
        port: int = typer.Option(8000, "--port", help="Port to listen on (0 picks a free one)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind; keep 127.0.0.1 unless you mean it."),
        token: str = typer.Option(DEFAULT_TOKEN, "--token", help="API token to accept.", show_default=False),
        data: Optional[str] = typer.Option(None, "--data", help="SQLite file to keep state in (memory if unset)."),
    ) -> None:
        """Serve the sandbox; prints SERVER_ADDRESS= and API_TOKEN= lines for ~/supervisely.env."""
        if ctx.invoked_subcommand is None:
            from .server import serve

            serve(host=host, port=port, token=token, db_path=data)

    def _call(server: str, token: str, method: str, body: dict) -> None:
        import httpx

        response = httpx.post(f"{server.rstrip('/')}/public/api/v3/{method}", json=body, headers={"x-api-key": token})
        if response.status_code != 200:
            try:
                reason = response.json().get("error", response.text)
            except ValueError:
                reason = response.text
            typer.echo(f"{method}: {response.status_code} {reason}", err=True)
            raise typer.Exit(2)
        typer.echo(f"{method}: ok")

    @group.command()
    def start(job_id: int, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The labeler opens job JOB_ID (pending -> in_progress)."""
        _call(server, token, "sandbox.jobs.start", {"id": job_id})

    @group.command()
    def submit(job_id: int, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The labeler submits job JOB_ID for review (-> on_review)."""
        _call(server, token, "sandbox.jobs.submit", {"id": job_id})

    @group.command()
    def review(job_id: int, image_id: int, status: str, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The reviewer marks IMAGE_ID of JOB_ID accepted or rejected."""
        _call(server, token, "sandbox.jobs.review", {"id": job_id, "entityId": image_id, "status": status})

    @group.command()
    def complete(job_id: int, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The reviewer completes job JOB_ID (-> completed)."""
        _call(server, token, "sandbox.jobs.complete", {"id": job_id})

    sandbox_app.add_typer(group, name="supervisely")
