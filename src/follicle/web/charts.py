"""Vega-Lite specs for the pages' charts (rendered in the browser by the vendored Vega)."""

from __future__ import annotations


def measurement_points(entries: list[dict]) -> list[dict]:
    """One point per metric of each measurement entry: time (UTC), metric, value, region."""
    points = []
    for entry in entries:
        if entry["kind"] != "measurement":
            continue
        details = entry["details"]
        for metric, value in details["metrics"].items():
            points.append(
                {
                    "at": entry["at_utc"],
                    "metric": metric,
                    "value": value,
                    "region": details.get("region") or "unspecified",
                }
            )
    return points


def measurement_chart(entries: list[dict]) -> dict | None:
    """A line chart per metric over time (own y scale each); None when the journal has no
    measurement. Templates embed it with Jinja's ``tojson`` (HTML-safe)."""
    points = measurement_points(entries)
    if not points:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": "Measurements logged in the journal, over time",
        "data": {"values": points},
        "facet": {"row": {"field": "metric", "type": "nominal", "title": None}},
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "width": 560,
            "height": 140,
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "at", "type": "temporal", "title": "date"},
                "y": {"field": "value", "type": "quantitative", "title": None},
                "color": {"field": "region", "type": "nominal"},
                "tooltip": [
                    {"field": "at", "type": "temporal", "format": "%Y-%m-%d %H:%M"},
                    {"field": "metric"},
                    {"field": "value", "type": "quantitative"},
                    {"field": "region"},
                ],
            },
        },
    }
