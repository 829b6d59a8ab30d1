"""annobridge provider for Supervisely, and the offline Supervisely sandbox; the SDK loads on first use."""

from __future__ import annotations

from annobridge.hookspecs import hookimpl

__all__ = ["SuperviselyProvider"]


def __getattr__(name: str):
    # The provider module pulls in the converters (numpy); load it only when asked, so `annobridge --help` stays fast.
    if name == "SuperviselyProvider":
        from .provider import SuperviselyProvider

        return SuperviselyProvider
    raise AttributeError(name)


@hookimpl
def register_providers(register):
    from .provider import SuperviselyProvider

    register(SuperviselyProvider)


@hookimpl
def register_commands(cli, sandbox):
    from .sandbox.cli import register

    register(sandbox)
