"""Jinja filters for dates, ages, state labels and decision summaries."""
from __future__ import annotations

from datetime import datetime

from hub import clock


def age(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = (clock.now() - value).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "now"


def ago(value: datetime | None) -> str:
    """'3h ago', 'just now' or 'never'."""
    if value is None:
        return "never"
    text = age(value)
    return "just now" if text == "now" else f"{text} ago"


def decision_summary(lines) -> list[tuple[str, int]]:
    """Decided units per decision, in first-seen order: two lines accepted ×3 read "accepted ×6" once."""
    totals: dict[str, int] = {}
    for line in lines:
        if line.decision:
            totals[line.decision] = totals.get(line.decision, 0) + (line.decision_quantity or 0)
    return list(totals.items())


def register_filters(app) -> None:
    app.jinja_env.filters["decision_summary"] = decision_summary
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else ""
    app.jinja_env.filters["label"] = lambda v: (v or "").replace("_", " ")
