"""annobridge provider for Supervisely; the SDK loads on first use."""

from __future__ import annotations

from annobridge.hookspecs import hookimpl


__all__ = [
    "SuperviselyJobChanges",
    "SuperviselyJobDetails",
    "SuperviselyJobOptions",
    "SuperviselyProjectDetails",
    "SuperviselyProvider",
]


def __getattr__(name: str):
    # Loaded when asked, so `annobridge --help` stays fast: the provider pulls in the converters (numpy),
    # the options build pydantic models.
    if name == "SuperviselyProvider":
        from .provider import SuperviselyProvider

        return SuperviselyProvider
    if name in __all__:
        from . import options

        return getattr(options, name)
    raise AttributeError(name)


@hookimpl
def register_providers(register):
    """Register the Supervisely provider (its module loads the SDK only when a backend connects).

    >>> from annobridge.plugins import registry
    >>> registry().providers["supervisely"].name
    'supervisely'
    """
    from .provider import SuperviselyProvider

    register(SuperviselyProvider)

