"""MkDocs hook: the CLI reference, rendered from the typer app's command tree (plugin commands included)."""

from __future__ import annotations

import inspect
import re

MARKER = "<!-- generated: cli -->"


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    """Put the reference where the page has the marker."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown


def render() -> str:
    """Every command of `annobridge`, depth first, as Markdown: usage, help, arguments and options."""
    import typer

    from annobridge import cli

    cli._add_plugin_commands()  # the providers' commands (sandbox, up ...) join the tree here
    root = typer.main.get_command(cli.app)
    return "\n".join(_section(root, root.context_class(root, info_name="annobridge")))


def commands(command, ctx):
    """(command, context) for `command` and every command below it, depth first, groups before their commands."""
    yield command, ctx
    for name in sorted(getattr(command, "commands", {})):
        sub = command.commands[name]
        if not sub.hidden:
            yield from commands(sub, sub.context_class(sub, info_name=name, parent=ctx))


def _section(root, root_ctx):
    for command, ctx in commands(root, root_ctx):
        path = ctx.command_path
        depth = min(path.count(" ") + 2, 4)
        yield f"{'#' * depth} {path}\n"
        yield f"```text\n{command.get_usage(ctx).strip()}\n```\n"
        if command.help:
            yield _text(inspect.cleandoc(command.help).replace("\b\n", "")) + "\n"
        records = [(p.param_type_name, p.get_help_record(ctx)) for p in command.params if not getattr(p, "hidden", False)]
        for kind, title in (("argument", "Arguments"), ("option", "Options")):
            rows = [record for found, record in records if found == kind and record]
            if rows:
                yield f"**{title}**\n"
                yield "\n".join(f"- `{decl}`" + (f": {_text(help_)}" if help_ else "") for decl, help_ in rows) + "\n"
        subs = sorted(name for name, sub in getattr(command, "commands", {}).items() if not sub.hidden)
        if subs:
            prefix = path.replace(" ", "-")
            yield "Commands: " + ", ".join(f"[`{name}`](#{prefix}-{name})" for name in subs) + "\n"


def _text(text: str) -> str:
    """Help text as Markdown: `<` and `*` outside code spans are literal, not HTML or emphasis."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # the even parts are outside backticks
        parts[i] = re.sub(r"([<*_\[\]])", r"\\\1", parts[i]).replace("\\<", "&lt;")
    return "`".join(parts)
