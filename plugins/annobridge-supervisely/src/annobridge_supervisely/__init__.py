"""annobridge provider for Supervisely, and the offline Supervisely sandbox; the SDK loads on first use."""

from __future__ import annotations

from annobridge.hookspecs import hookimpl

from .provider import SuperviselyProvider

__all__ = ["SuperviselyProvider"]


@hookimpl
def register_providers(register):
    register(SuperviselyProvider)


@hookimpl
def register_commands(cli, sandbox):
    try:
        from .sandbox.cli import register
    except ImportError:  # the sandbox is being built; the provider works without it
        return
    register(sandbox)
