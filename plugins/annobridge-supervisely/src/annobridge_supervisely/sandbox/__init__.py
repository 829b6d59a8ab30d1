"""The Supervisely sandbox: an offline Starlette app answering /public/api/v3/<method> the way Supervisely does.

    >>> from annobridge_supervisely.sandbox import running_sandbox
    >>> with running_sandbox() as sb:                                   # doctest: +SKIP
    ...     api = supervisely.Api(sb.server_address, sb.token)
    ...     api.labeling_job.get_list(8)
"""

from __future__ import annotations

from .app import DEFAULT_TOKEN, create_app
from .server import SandboxHandle, running_sandbox, serve

__all__ = ["DEFAULT_TOKEN", "SandboxHandle", "create_app", "running_sandbox", "serve"]
