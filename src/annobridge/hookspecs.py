"""The hooks a plugin may implement; a misspelled hook fails loudly at load time."""

from __future__ import annotations

from typing import Any, Callable

import pluggy

hookspec = pluggy.HookspecMarker("annobridge")
hookimpl = pluggy.HookimplMarker("annobridge")


@hookspec
def register_providers(register: Callable[..., None]) -> None:
    """Register provider classes: call `register(ProviderClass)` once for each.

    >>> @hookimpl
    ... def register_providers(register):
    ...     register(MyProvider)
    """


@hookspec
def register_commands(cli: Any, sandbox: Any, up: Any) -> None:
    """Add typer commands: `cli` is the root app, `sandbox` the `annobridge sandbox` group, `up` the
    `annobridge up` group (a command there starts the provider's backend on 127.0.0.1; see local_servers).

    Import vendor SDKs inside the command functions, never at module level, so that
    `annobridge --help` stays fast.
    """
