"""`annobridge sandbox supervisely`: serve the sandbox, or play labeler/reviewer against a running one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer

from .defaults import DEFAULT_TOKEN

# SERVER_ADDRESS and API_TOKEN are the lines `serve` prints for ~/supervisely.env
_SERVER = typer.Option(
    "http://127.0.0.1:8000", "--server", envvar="SERVER_ADDRESS", help="Address of a running sandbox."
)
_TOKEN = typer.Option(
    DEFAULT_TOKEN, "--token", envvar="API_TOKEN", help="API token of the sandbox.", show_default=False
)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _annotation_json(path: Path) -> dict:
    """The file's Supervisely annotation JSON (pixel coordinates, as the SDK saves it), shifted as upload_ann sends it."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(f"{path}: not a readable annotation JSON file ({exc})")
    if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
        _fail(f'{path}: a Supervisely annotation JSON object with an "objects" list is expected')
    import supervisely as sly

    return sly.Annotation._to_subpixel_coordinate_system_json(data)


def register(sandbox_app: typer.Typer) -> None:
    """Add the `supervisely` command group to `annobridge sandbox`.

    Example: `annobridge sandbox supervisely --port 8000 --data ~/sandbox.sqlite`
    """
    group = typer.Typer(help="The offline Supervisely sandbox (Supervisely's /public/api/v3 on SQLite).")

    @group.callback(invoke_without_command=True)
    def supervisely(
        ctx: typer.Context,
        port: int = typer.Option(8000, "--port", help="Port to listen on, 0-65535 (0 picks a free one)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind; keep 127.0.0.1 unless you mean it."),
        token: str = typer.Option(DEFAULT_TOKEN, "--token", help="API token to accept.", show_default=False),
        data: Optional[str] = typer.Option(
            None, "--data", help="SQLite file to keep state in (memory if unset); an existing one must be a sandbox's."
        ),
    ) -> None:
        """Serve the sandbox; prints SERVER_ADDRESS= and API_TOKEN= lines for ~/supervisely.env.

        Bad options (a blank token, a port in use or outside 0-65535, a host not of this machine,
        a --data file that is not a sandbox database) are one line on stderr and exit code 2.
        """
        if ctx.invoked_subcommand is None:
            from .server import serve

            serve(host=host, port=port, token=token, db_path=data)

    def _call(server: str, token: str, method: str, body: dict) -> None:
        import httpx

        url = f"{server.rstrip('/')}/public/api/v3/{method}"
        try:
            response = httpx.post(url, json=body, headers={"x-api-key": token})
        except httpx.HTTPError as exc:
            _fail(f"{method}: cannot reach the sandbox at {server}: {exc}")
        if response.status_code != 200:
            try:
                reason = response.json().get("error", response.text)
            except ValueError:
                reason = response.text
            _fail(f"{method}: {response.status_code} {reason}")
        typer.echo(f"{method}: ok")

    @group.command()
    def start(job_id: int, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The labeler opens job JOB_ID (pending -> in_progress)."""
        _call(server, token, "sandbox.jobs.start", {"id": job_id})

    @group.command()
    def annotate(
        job_id: int,
        image_id: int,
        annotation: Path = typer.Argument(
            ...,
            help="Supervisely annotation JSON file (as sly.Annotation.to_json()); "
            "samples in examples/data/supervisely/.",
        ),
        done: bool = typer.Option(False, "--done", help="Also mark the image done."),
        server: str = _SERVER,
        token: str = _TOKEN,
    ) -> None:
        """The labeler saves ANNOTATION for IMAGE_ID of JOB_ID (starts a pending job).

        Samples: examples/data/supervisely/ in the annobridge repository,
        for the seeded "Lemons (Test)" project (kiwi and lemon bitmaps);
        its README.md says which image each file fits.
        """
        body = {"id": job_id, "imageId": image_id, "annotation": _annotation_json(annotation), "done": done}
        _call(server, token, "sandbox.jobs.annotate", body)

    @group.command()
    def submit(job_id: int, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The labeler submits job JOB_ID for review (-> on_review)."""
        _call(server, token, "sandbox.jobs.submit", {"id": job_id})

    @group.command()
    def review(job_id: int, image_id: int, status: str, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The reviewer marks IMAGE_ID of JOB_ID accepted or rejected (or back to done or none)."""
        _call(server, token, "sandbox.jobs.review", {"id": job_id, "entityId": image_id, "status": status})

    @group.command()
    def complete(job_id: int, server: str = _SERVER, token: str = _TOKEN) -> None:
        """The reviewer completes job JOB_ID (-> completed; review_completed first with quality check)."""
        _call(server, token, "sandbox.jobs.complete", {"id": job_id})

    sandbox_app.add_typer(group, name="supervisely")
