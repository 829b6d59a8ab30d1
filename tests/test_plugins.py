"""Plugin loading, the registry, and capability gating."""

from __future__ import annotations

import pluggy
import pytest

import annobridge
from annobridge import Capability, ConfigurationError, Unsupported, plugins
from annobridge.hookspecs import hookimpl
from annobridge.provider import JobsAPI, Provider, no, yes


def test_an_in_test_plugin_is_loaded_and_connectable(memory_plugin):
    backend = annobridge.connect("memory://anywhere")
    assert type(backend).__name__ == "MemoryProvider"
    assert backend.supports(Capability.JOBS)


def test_a_misspelled_hook_fails_loudly():
    class Typo:
        @hookimpl
        def register_provider(self, register):  # missing "s"
            pass

    with pytest.raises(pluggy.PluginValidationError, match="register_provider"):
        plugins.make_plugin_manager([Typo()], entry_points=False)


def test_two_providers_claiming_one_scheme_is_an_error():
    class A(Provider):
        name, schemes = "a", ("same",)

    class B(Provider):
        name, schemes = "b", ("same",)

    class Plugin:
        @hookimpl
        def register_providers(self, register):
            register(A)
            register(B)

    with pytest.raises(ConfigurationError, match="claimed by both 'a' and 'b'"):
        plugins.build_registry(plugins.make_plugin_manager([Plugin()], entry_points=False))


def test_registering_something_that_is_not_a_provider_is_an_error():
    class Plugin:
        @hookimpl
        def register_providers(self, register):
            register(object)

    with pytest.raises(ConfigurationError, match="not a Provider subclass"):
        plugins.build_registry(plugins.make_plugin_manager([Plugin()], entry_points=False))


class _Bare(Provider):
    name, schemes = "bare", ("bare",)
    support = {Capability.JOBS: yes(), Capability.ASSIGNMENTS: no("it needs Bare Enterprise")}


def test_a_gated_call_names_the_capability_the_backend_and_the_remedy():
    backend = _Bare("bare://host")
    with pytest.raises(Unsupported) as exc:
        backend.assignments.list(1)
    assert str(exc.value) == "assignments is not supported by bare (bare://host): it needs Bare Enterprise"
    assert exc.value.capability is Capability.ASSIGNMENTS


def test_overriding_a_gated_method_keeps_its_gate():
    class Jobs(JobsAPI):
        def archive(self, job_id):
            return "archived"

    class P(_Bare):
        jobs_api = Jobs

    with pytest.raises(Unsupported, match="job_archive"):
        P("bare://host").jobs.archive(1)
    P.support = {**_Bare.support, Capability.JOB_ARCHIVE: yes()}
    assert P("bare://host").jobs.archive(1) == "archived"


def test_a_declared_but_unimplemented_method_says_so():
    with pytest.raises(Unsupported, match="jobs.get is not supported by bare .*does not implement it"):
        _Bare("bare://host").jobs.get(1)
