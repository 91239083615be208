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
                "color": {"field": "region", "type": "nominal", "legend": {"orient": "bottom"}},
                "tooltip": [
                    {"field": "at", "type": "temporal", "format": "%Y-%m-%d %H:%M"},
                    {"field": "metric"},
                    {"field": "value", "type": "quantitative"},
                    {"field": "region"},
                ],
            },
        },
    }


def projection_chart(bands: list[dict], *, measure: str = "non_vellus_per_cm2") -> dict:
    """The median and the 10-90% band of ``measure`` over the years, one colour per
    regimen, one panel per region."""
    points = [
        {
            "regimen": row["regimen"],
            "region": row["region"],
            "years": round(row["day"] / 365.25, 3),
            "p10": row["p10"],
            "p50": row["p50"],
            "p90": row["p90"],
        }
        for row in bands
        if row["measure"] == measure
    ]
    x = {
        "field": "years",
        "type": "quantitative",
        "title": "years from today",
        "scale": {"nice": False},
    }
    colour = {"field": "regimen", "type": "nominal", "legend": {"orient": "bottom"}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": f"Projected {measure}: median and 10-90% of simulated futures",
        "data": {"values": points},
        "facet": {"column": {"field": "region", "type": "nominal", "title": None}},
        "spec": {
            "width": 300,
            "height": 220,
            "layer": [
                {
                    "mark": {"type": "area", "opacity": 0.18},
                    "encoding": {
                        "x": x,
                        "y": {"field": "p10", "type": "quantitative", "title": measure},
                        "y2": {"field": "p90"},
                        "color": colour,
                    },
                },
                {
                    "mark": {"type": "line"},
                    "encoding": {
                        "x": x,
                        "y": {"field": "p50", "type": "quantitative"},
                        "color": colour,
                        "tooltip": [
                            {"field": "regimen"},
                            {"field": "years", "format": ".1f"},
                            {"field": "p50", "title": "median"},
                            {"field": "p10"},
                            {"field": "p90"},
                        ],
                    },
                },
            ],
        },
    }


def projection_rows(bands: list[dict], *, years: float, measure: str = "non_vellus_per_cm2"):
    """Per region and regimen: the median now, the band at ``years`` and the difference
    from no treatment at that time (medians)."""
    from follicle.care.projection import NO_TREATMENT_LABEL

    rows = [b for b in bands if b["measure"] == measure]
    if not rows:
        return []
    last_day = min((r["day"] for r in rows), key=lambda d: abs(d - years * 365.25))
    out = []
    for region in dict.fromkeys(r["region"] for r in rows):
        here = [r for r in rows if r["region"] == region]
        end = {r["regimen"]: r for r in here if r["day"] == last_day}
        start = {r["regimen"]: r for r in here if r["day"] == 0}
        none = end.get(NO_TREATMENT_LABEL)
        for regimen, band in end.items():
            out.append(
                {
                    "region": region,
                    "regimen": regimen,
                    "now": start.get(regimen, {}).get("p50"),
                    "p10": band["p10"],
                    "p50": band["p50"],
                    "p90": band["p90"],
                    "vs_none": None
                    if none is None or regimen == NO_TREATMENT_LABEL
                    else band["p50"] - none["p50"],
                }
            )
    return out
