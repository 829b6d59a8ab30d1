"""Finding providers: the pluggy manager, the entry-point group, and the known-but-missing ones."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import pluggy

from . import hookspecs
from .errors import ConfigurationError, ProviderNotInstalled, UnknownProvider

if TYPE_CHECKING:
    from .provider import Provider

ENTRY_POINT_GROUP = "annobridge"

# Schemes annobridge knows even when their plugin is missing, so it can say what to install.
KNOWN_SCHEMES: dict[str, str] = {
    "labelstudio": "annobridge-labelstudio",
    "labelstudio+http": "annobridge-labelstudio",
    "labelstudio+https": "annobridge-labelstudio",
    "supervisely": "annobridge-supervisely",
    "supervisely+http": "annobridge-supervisely",
    "supervisely+https": "annobridge-supervisely",
}


@dataclass
class Registry:
    """The providers that plugins registered, by name and by URL scheme."""

    providers: dict[str, type[Provider]]
    schemes: dict[str, type[Provider]]

    def add(self, provider: type[Provider]) -> None:
        """Register `provider` under its name and each of its schemes; a clash is an error."""
        from .provider import Provider  # here, not at the top: building the models takes a tenth of a second

        if not (isinstance(provider, type) and issubclass(provider, Provider)):
            raise ConfigurationError(f"register_providers got {provider!r}, which is not a Provider subclass")
        for scheme in provider.schemes:
            other = self.schemes.get(scheme)
            if other is not None and other is not provider:
                raise ConfigurationError(
                    f"scheme {scheme!r} is claimed by both {other.name!r} and {provider.name!r}"
                )
            self.schemes[scheme] = provider
        self.providers[provider.name] = provider

    def for_scheme(self, scheme: str) -> type[Provider]:
        """The provider for `scheme`; says what to install, or which schemes exist, if none."""
        if scheme in self.schemes:
            return self.schemes[scheme]
        if scheme in KNOWN_SCHEMES:
            package = KNOWN_SCHEMES[scheme]
            raise ProviderNotInstalled(
                f"the {scheme!r} scheme needs the {package} plugin: pip install {package}"
            )
        known = sorted(set(self.schemes) | set(KNOWN_SCHEMES))
        raise UnknownProvider(f"unknown scheme {scheme!r}; known schemes: {', '.join(known)}")


def make_plugin_manager(extra_plugins: Iterable[object] = (), entry_points: bool = True) -> pluggy.PluginManager:
    """A manager with annobridge's hookspecs, the installed plugins, and `extra_plugins`.

    >>> pm = make_plugin_manager(entry_points=False)
    >>> pm.project_name
    'annobridge'
    """
    pm = pluggy.PluginManager("annobridge")
    pm.add_hookspecs(hookspecs)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Ask every plugin to register its providers.

    >>> sorted(build_registry(make_plugin_manager()).providers)
    ['labelstudio', 'supervisely']
    """
    registry = Registry({}, {})
    pm.hook.register_providers(register=registry.add)
    return registry


@functools.lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (entry points loaded once; providers not imported yet).

    >>> plugin_manager() is plugin_manager()
    True
    """
    return make_plugin_manager()


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    """The process-wide provider registry; building it imports the providers' modules, not their SDKs.

    >>> registry().providers["labelstudio"].package
    'annobridge-labelstudio'
    """
    return build_registry(plugin_manager())


def reset() -> None:
    """Forget the loaded plugins, so the next call loads them again (for tests).

    >>> reset(); "supervisely" in registry().providers
    True
    """
    registry.cache_clear()
    plugin_manager.cache_clear()
