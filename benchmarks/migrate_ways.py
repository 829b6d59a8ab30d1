"""The child side of migrate_sv_to_ls.py: one way of migrating, run in this process, its own time and peak RSS.

    .venv/bin/python benchmarks/migrate_ways.py <way> '<spec JSON>'      (run by migrate_sv_to_ls.run_way)

Ways: annobridge-copy, annobridge-link (`annobridge.migrate(..., media=...)`), limit-copy, limit-link
(bare_limits: bare httpx, from what bare_limits.prepare put in the spec's folder beforehand), and plain
(plain_sdk_migration.migrate_per_item, the first `per_item` images). Both SDKs are imported before the
clock starts; the Supervisely address and both tokens come from the environment. Prints one JSON line:
seconds, peak RSS and RSS at start (MiB), and what the way reports.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from counting import peak_rss_mb, rss_mb  # noqa: E402

WAYS = {
    "annobridge-copy": "annobridge `migrate()`, media copy",
    "limit-copy": "copy limit: bare httpx uploads + imports, prepared",
    "annobridge-link": "annobridge `migrate()`, media link",
    "limit-link": "link limit: bare httpx imports, prepared",
    "plain": "plain SDKs per item (media copy), first {n} images",
}


def _ls_http(target: str):
    import httpx

    return httpx.Client(
        base_url=target.split("+", 1)[1].rstrip("/") + "/",
        headers={"Authorization": f"Token {os.environ['LABEL_STUDIO_API_KEY']}"},
        timeout=3600,
    )


def run(way: str, spec: dict) -> dict[str, Any]:
    """Run one way in this (child) process; returns its own measurements."""
    import label_studio_sdk.client  # noqa: F401  every way pays for both SDKs before the clock starts
    import supervisely  # noqa: F401

    sv_address, sv_token = os.environ["SERVER_ADDRESS"], os.environ["API_TOKEN"]
    out: dict[str, Any] = {}
    if way.startswith("limit-"):
        from bare_limits import copy_limit, link_limit, load

        media = way.split("-", 1)[1]
        prepared = load(Path(spec["prepared"]), media=media, source=sv_address)
        http = _ls_http(spec["target"])
    out["rss_before_mb"] = rss_mb()
    started = time.perf_counter()
    if way in ("annobridge-copy", "annobridge-link"):
        import annobridge

        report = annobridge.migrate(
            spec["source"],
            spec["target"],
            project=spec["project"],
            target_project=spec["title"],
            ledger=spec["ledger"],
            media=way.split("-", 1)[1],
        )
        out["report"] = summary(report)
    elif way == "limit-copy":
        out.update(copy_limit(http, spec["target_project"], prepared))
    elif way == "limit-link":
        out.update(link_limit(http, spec["target_project"], prepared))
    elif way == "plain":
        from plain_sdk_migration import migrate_per_item

        ls_http = spec["target"].split("+", 1)[1]
        migrate_per_item(
            sv_address, sv_token, ls_http, os.environ["LABEL_STUDIO_API_KEY"], project_id=spec["project"],
            title=spec["title"], limit=spec["per_item"],
        )
    else:
        raise SystemExit(f"unknown way {way!r}")
    out["seconds"] = time.perf_counter() - started
    out["peak_rss_mb"] = peak_rss_mb()
    if way.startswith("limit-"):
        http.close()
    return out


def summary(report: Any) -> str:
    """A MigrationReport in one line: carried/approximated/dropped by kind, then its losses."""
    counts = ", ".join(f"{kind} {t.carried}/{t.approximated}/{t.dropped}" for kind, t in report.counts.items())
    return f"carried/approximated/dropped: {counts}; losses: {'; '.join(report.losses) or 'none'}"


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], json.loads(sys.argv[2]))))
