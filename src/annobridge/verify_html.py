"""The page `annobridge verify --html` writes: one self-contained HTML file (styles inline, pictures as base64 PNG).

It holds the summary, the differences listed, the loss table (the conversion report) and, side by
side, the sampled items with the source's annotations and the target's drawn on the item's image.
Nothing in it is fetched from anywhere: no links, no scripts, no external styles or fonts.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .verify_report import Sample, VerifyReport

__all__ = ["page", "write_page"]

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.unexplained { color: #b00020; font-weight: 600; } .explained { color: #2e7d32; } .identical { color: #555; }
.kept { color: #00838f; } .dropped { color: #b00020; } .approximated { color: #ef6c00; }
.pair { display: flex; gap: 1em; flex-wrap: wrap; margin-bottom: 2em; }
figure { margin: 0; } figcaption { font-size: 12px; color: #555; }
code { font-size: 12px; word-break: break-all; }
"""


def write_page(report: VerifyReport, path: str | Path, *, colors: dict[str, str] | None = None) -> Path:
    """Write the page for `report` (its samples' media read beforehand, where they could be) to `path`."""
    path = Path(path)
    path.write_text(page(report, colors=colors), encoding="utf-8")
    return path


def page(report: VerifyReport, *, colors: dict[str, str] | None = None) -> str:
    """The whole page as text.

    >>> from annobridge.verify_report import VerifyReport
    >>> text = page(VerifyReport(source="memory://a", target="memory://b", source_project="1", target_project="2"))
    >>> text.startswith("<!DOCTYPE html>"), "http" in text.split("<body>")[0]
    (True, False)
    """
    verdict = ("everything matches or is explained" if report.ok
               else f"{report.differences_unexplained} differences are not explained by the conversion")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>annobridge verify</title>',
        f"<style>{STYLE}</style></head><body>",
        f"<h1>annobridge verify: <span class=\"{'explained' if report.ok else 'unexplained'}\">"
        f"{escape(verdict)}</span></h1>",
        f"<p>Source {_code(report.source)} project {_code(report.source_project)}; target {_code(report.target)}"
        f" project {_code(report.target_project)}"
        + (f" ({escape(report.target_project_name)})" if report.target_project_name else "") + ".</p>",
        _summary(report),
        *[f"<p>Note: {escape(n)}</p>" for n in report.notes],
        _differences(report),
        _losses(report),
        _samples(report.samples, colors or {}),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _code(text: Any) -> str:
    return f"<code>{escape(str(text))}</code>"


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], numeric: Iterable[int] = ()) -> str:
    """A table of cells already escaped."""
    right = set(numeric)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if n in right else f"<td>{c}</td>" for n, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary(report: VerifyReport) -> str:
    rows = [(escape(k.replace("_", " ")), str(v)) for k, v in report.items.model_dump().items()]
    rows += [
        ("annotations (source / target)", f"{report.annotations['source']} / {report.annotations['target']}"),
        ("objects (source / target)", f"{report.objects['source']} / {report.objects['target']}"),
        ("differences explained", str(report.differences_explained)),
        ("differences unexplained", f'<span class="{"unexplained" if report.differences_unexplained else ""}">'
                                    f"{report.differences_unexplained}</span>"),
    ]
    return "<h2>Summary</h2>" + _table(("what", "count"), rows, numeric=(1,))


def _differences(report: VerifyReport) -> str:
    if not report.differences:
        return "<h2>Differences</h2><p>None.</p>"
    rows = []
    for d in report.differences:
        verdict = '<span class="explained">explained</span>' if d.explained else (
            '<span class="unexplained">unexplained</span>')
        rows.append((
            f"{escape(d.name)} {_code(d.source_key)}" + (f" &rarr; {_code(d.target_item)}" if d.target_item else ""),
            escape(d.where), _code(d.source), _code(d.target), _code(d.expected) if d.expected is not None else "",
            verdict, "<br>".join(escape(line) for line in d.report),
        ))
    shown = len(report.differences)
    total = report.differences_explained + report.differences_unexplained
    more = f" (the first {shown} of {total})" if shown < total else ""
    headers = ("item (source key -> target)", "where", "source", "target", "the target's conversion", "verdict",
               "conversion report for the item")
    return f"<h2>Differences{more}</h2>" + _table(headers, rows)


def _losses(report: VerifyReport) -> str:
    entries = report.conversion.get("entries", []) if report.conversion else []
    if not entries:
        return "<h2>Conversion report</h2><p>Nothing converted, or the target does not preview its conversion.</p>"
    rows = [
        (escape(e["kind"]), f'<span class="{escape(e["outcome"])}">{escape(e["outcome"])}</span>'
         + (f" {escape(e['how'])}" if e.get("how") else ""), escape(e["target"]), str(e["count"]),
         escape(", ".join(str(i) for i in e.get("items", ()))))
        for e in entries
    ]
    return "<h2>Conversion report</h2>" + _table(("kind", "outcome", "target", "count", "examples"), rows,
                                                 numeric=(3,))


def _samples(samples: list[Sample], colors: dict[str, str]) -> str:
    if not samples:
        return ""
    from .verify_draw import picture

    parts = [f"<h2>Sampled items ({len(samples)}, unexplained first)</h2>"]
    for chosen in samples:
        width, height = chosen.width or 640, chosen.height or 480
        left = picture(chosen.source_annotations, width, height, media=chosen.media, colors=colors)
        parts.append(
            f"<h3>{escape(chosen.name)} {_code(chosen.source_key)}: "
            f'<span class="{chosen.status}">{chosen.status}</span></h3>'
        )
        if chosen.where:
            parts.append("<p>" + "; ".join(escape(w) for w in chosen.where) + "</p>")
        figures = [_figure(left, f"source {chosen.source_key}: {_objects(chosen.source_annotations)}")]
        if chosen.target_annotations is None:
            figures.append("<figure><figcaption>not on the target</figcaption></figure>")
        else:
            right = picture(chosen.target_annotations, width, height, media=chosen.media, colors=colors)
            figures.append(_figure(right, f"target {chosen.target_item}: {_objects(chosen.target_annotations)}"))
        parts.append('<div class="pair">' + "".join(figures) + "</div>")
    return "\n".join(parts)


def _objects(annotations: list[Any]) -> str:
    count = sum(len(a.objects) for a in annotations)
    return f"{count} object{'s' if count != 1 else ''}"


def _figure(png: bytes, caption: str) -> str:
    data = base64.b64encode(png).decode()
    return (f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")
