"""Jinja filters for dates, ages and state labels."""
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


def register_filters(app) -> None:
    from hub import instances
    from hub.web.context import hub
    # A connection's marketplace as merchants know it (an instance's name such as "MediaMarkt"), and what
    # they must do at that marketplace (the instance's own text first).
    app.jinja_env.globals["marketplace_name"] = lambda conn: instances.connection_name(hub().registry, conn)
    app.jinja_env.globals["action_needed"] = instances.requires_action
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else ""
    app.jinja_env.filters["label"] = lambda v: (v or "").replace("_", " ")
