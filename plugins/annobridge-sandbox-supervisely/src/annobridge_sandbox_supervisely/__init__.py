"""The Supervisely sandbox: an offline Starlette app answering /public/api/v3/<method> the way Supervisely does.

Example (starts a sandbox on 127.0.0.1 and stops it at the end of the block)::

    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as sb:
        api = supervisely.Api(sb.server_address, sb.token)
        api.labeling_job.get_list(8)
"""

from __future__ import annotations

from annobridge.hookspecs import hookimpl

from .defaults import DEFAULT_TOKEN

__all__ = ["DEFAULT_TOKEN", "SandboxHandle", "create_app", "running_sandbox", "serve"]


def __getattr__(name: str):
    # Starlette, numpy and Pillow load only when the sandbox is used, not when `annobridge --help` lists it.
    if name == "create_app":
        from .app import create_app

        return create_app
    if name in ("SandboxHandle", "running_sandbox", "serve"):
        from . import server

        return getattr(server, name)
    raise AttributeError(name)


@hookimpl
def register_commands(sandbox, up):
    """Add `annobridge sandbox supervisely` (serve, and play labeler or reviewer) and `annobridge up supervisely`.

    Example: `annobridge sandbox supervisely --port 8000`, then `annobridge sandbox supervisely start 1`.
    """
    from .cli import register
    from .up import register as register_up

    register(sandbox)
    register_up(up)
