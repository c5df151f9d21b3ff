"""Jinja filters for dates, ages, state labels and decision summaries."""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_currency, format_datetime, format_decimal, format_percent, gettext

from hub import clock
from hub.i18n import CONNECTION_LABELS, DECISION_LABELS, STATE_LABELS


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
        return gettext("never")
    text = age(value)
    return gettext("just now") if text == "now" else gettext("%(age)s ago", age=text)


def when(value: datetime | None) -> str:
    """A moment in the user's language (UTC), e.g. 30 nov. 2026 14:05."""
    return format_datetime(value, "medium") if value else ""


def label(value: str | None) -> str:
    """A state, decision or connection status in the user's language; other values with their underscores as spaces."""
    text = value or ""
    found = STATE_LABELS.get(text) or DECISION_LABELS.get(text) or CONNECTION_LABELS.get(text)
    return str(found) if found is not None else text.replace("_", " ")


def money(value, currency: str | None) -> str:
    """An amount in the user's language: € 19,95 / 19,95 € / €19.95."""
    if value is None:
        return ""
    return format_currency(value, currency) if currency else format_decimal(value, "#,##0.00")


def decision_summary(lines) -> list[tuple[str, int]]:
    """Decided units per decision, in first-seen order: two lines accepted ×3 read "accepted ×6" once."""
    totals: dict[str, int] = {}
    for line in lines:
        if line.decision:
            totals[line.decision] = totals.get(line.decision, 0) + (line.decision_quantity or 0)
    return list(totals.items())


def register_filters(app) -> None:
    from hub import instances
    from hub.plugin_texts import translate
    from hub.web.context import hub
    # A connection's marketplace as merchants know it (an instance's name such as "MediaMarkt"), and what
    # they must do at that marketplace (the instance's own text first).
    app.jinja_env.globals["marketplace_name"] = lambda conn: instances.connection_name(hub().registry, conn)
    app.jinja_env.globals["action_needed"] = lambda cls, settings: translate(cls, instances.requires_action(cls, settings))
    app.jinja_env.globals["action_steps"] = lambda cls, settings: [
        {**step, "text": translate(cls, step.get("text"))} for step in instances.action_steps(cls, settings)]
    # a plugin's own text (a button, its required action) from the plugin's catalogue (hub.plugin_texts)
    app.jinja_env.globals["plugin_text"] = lambda owner, text: translate(owner, text) if owner is not None else text
    app.jinja_env.filters["decision_summary"] = decision_summary
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = lambda v: format_decimal(v) if v is not None else ""
    # a share (0.286) as the user's language writes it, to one decimal: 28.6% (en), 28,6% (nl, fr, de)
    app.jinja_env.filters["percent"] = lambda v: format_percent(v or 0, "#,##0.0%")
