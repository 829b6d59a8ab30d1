"""MkDocs hook: what each installed provider can do, per edition, from its static capability declarations."""

from __future__ import annotations

MARKER = "<!-- generated: capabilities -->"

API_ATTRIBUTES = (  # Provider attribute of each sub-API class -> the name a backend has it under
    ("projects_api", "projects"), ("jobs_api", "jobs"), ("items_api", "items"), ("annotations_api", "annotations"),
    ("predictions_api", "predictions"), ("assignments_api", "assignments"), ("reviews_api", "reviews"),
    ("pauses_api", "pauses"), ("exports_api", "exports"), ("storages_api", "storages"), ("users_api", "users"),
    ("videos_api", "videos"),
)


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    """Put the matrices where the page has the marker."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown


def render() -> str:
    """The providers, then one capability table with a column per provider and edition, then the gated methods."""
    from annobridge.plugins import registry

    providers = sorted(registry().providers.values(), key=lambda p: p.name)
    return "\n".join([_providers(providers), _matrix(providers), _gated_methods()])


def editions(provider) -> list[tuple[str, frozenset[str]]]:
    """(column title, conditions met) for each edition a provider's `when(...)` declarations tell apart."""
    from annobridge import Capability

    conditions = sorted({s.text for c in Capability if (s := provider.declared(c)).kind == "when"})
    if not conditions:
        return [(provider.name, frozenset())]
    return [(f"{provider.name} without {' or '.join(conditions)}", frozenset())] + [
        (f"{provider.name} with {condition}", frozenset({condition})) for condition in conditions
    ]


def cell(support, capability, met: frozenset[str]) -> str:
    """One edition's answer: yes (with the provider's note) or no (with its reason)."""
    if support.kind == "yes":
        return f"yes: {support.text}" if support.text else "yes"
    if support.kind == "when":
        return "yes" if support.text in met else f"no: {support.what or capability.value} needs {support.text}"
    return f"no: {support.text}"


def _providers(providers) -> str:
    lines = ["| provider | package | URL schemes | a job is |", "|---|---|---|---|"]
    for p in providers:
        scope = "a project" if p.job_scope.value == "project" else "one of many jobs in a project"
        lines.append(f"| {p.name} | {p.package} | {', '.join(f'`{s}://`' for s in p.schemes)} | {scope} |")
    return "\n".join(lines) + "\n"


def _matrix(providers) -> str:
    from annobridge import Capability

    columns = [(p, title, met) for p in providers for title, met in editions(p)]
    lines = ["| capability | " + " | ".join(title for _, title, _ in columns) + " |", "|---|" + "---|" * len(columns)]
    for cap in Capability:
        cells = (cell(p.declared(cap), cap, met).replace("|", "\\|") for p, _, met in columns)
        lines.append(f"| `{cap.value}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def gated_methods() -> dict[str, list[str]]:
    """Capability value -> the neutral methods (`jobs.archive`) that need it, from their `@requires` marks."""
    from annobridge import Capability
    from annobridge.provider import Provider

    found: dict[str, list[str]] = {cap.value: [] for cap in Capability}
    for attribute, name in API_ATTRIBUTES:
        api = getattr(Provider, attribute)
        for method in sorted(vars(api)):
            capability = getattr(getattr(api, method), "__annobridge_capability__", None)
            if capability is not None and not method.startswith("_"):
                found[capability.value].append(f"{name}.{method}")
    return found


def _gated_methods() -> str:
    lines = ["### Which calls need which capability\n", "| capability | methods |", "|---|---|"]
    for cap, methods in gated_methods().items():
        lines.append(f"| `{cap}` | " + (", ".join(f"`{m}`" for m in methods) or "(checked by the provider)") + " |")
    return "\n".join(lines) + "\n"
