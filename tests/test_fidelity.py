"""The fidelity report: counting, merging, rendering as text, JSON and a rich table."""

from __future__ import annotations

import json

from rich.console import Console

from annobridge.fidelity import LABEL_STUDIO, SUPERVISELY, FidelityReport, Outcome


def _sample() -> FidelityReport:
    report = FidelityReport()
    report.carried("polygon", LABEL_STUDIO, 3)
    report.dropped("polygon hole", LABEL_STUDIO, item="img-1")
    report.dropped("polygon hole", LABEL_STUDIO, item="img-2")
    report.approximated("rotation", SUPERVISELY, "as bounding rectangle", item="img-2")
    return report


def test_lines_read_kind_outcome_target_and_count():
    assert str(_sample()).splitlines() == [
        "polygon -> carried (label studio): 3",
        "rotation -> approximated as bounding rectangle (supervisely): 1  [img-2]",
        "polygon hole -> dropped (label studio): 2  [img-1, img-2]",
    ]
    assert _sample().losses() == str(_sample()).splitlines()[1:]


def test_counts_filter_by_kind_outcome_and_target():
    report = _sample()
    assert report.count() == 6
    assert report.count(outcome=Outcome.DROPPED) == 2
    assert report.count("polygon hole", "dropped", LABEL_STUDIO) == 2
    assert report.count(target=SUPERVISELY) == 1
    assert not report.lossless
    clean = FidelityReport()
    clean.carried("point", SUPERVISELY)
    assert clean.lossless and clean


def test_merging_adds_counts_and_keeps_a_few_examples():
    merged = _sample() + _sample()
    assert merged.count("polygon hole") == 4
    assert merged.count("polygon") == 6
    many = FidelityReport()
    for i in range(20):
        many.dropped("relation", LABEL_STUDIO, item=f"task-{i}")
    assert str(many).endswith("[task-0, task-1, task-2, task-3, task-4]")
    total = FidelityReport().merge(_sample(), many, _sample())
    assert total.count("relation") == 20 and total.count("rotation") == 2


def test_zero_counts_are_not_recorded():
    report = FidelityReport()
    report.dropped("polygon hole", LABEL_STUDIO, count=0)
    assert not report and str(report) == "nothing converted"


def test_json_round_trip():
    data = _sample().to_json()
    json.dumps(data)
    assert data["totals"] == {"carried": 3, "approximated": 1, "kept": 0, "dropped": 2}
    assert data["entries"][2]["line"] == "polygon hole -> dropped (label studio)"
    assert FidelityReport.from_json(data) == _sample()


def test_kept_for_the_way_back_is_not_a_loss():
    report = FidelityReport()
    report.kept("polygon hole", LABEL_STUDIO, count=2)
    report.kept("rotation", SUPERVISELY, "shown as bounding rectangle")
    assert str(report).splitlines() == [
        "polygon hole -> kept for the way back (label studio): 2",
        "rotation -> kept for the way back (supervisely, shown as bounding rectangle): 1",
    ]
    assert report.lossless and not report.exact
    assert FidelityReport.from_json(report.to_json()) == report


def test_dropped_with_a_reason():
    report = FidelityReport()
    report.dropped("review status", LABEL_STUDIO, "set it with the reviews API")
    assert str(report) == "review status -> dropped (label studio, set it with the reviews API): 1"


def test_renders_as_a_rich_table():
    console = Console(width=120, record=True, color_system=None)
    console.print(_sample())
    text = console.export_text()
    assert "polygon hole" in text and "dropped" in text and "img-1, img-2" in text
    assert "approximated as bounding rectangle" in text
