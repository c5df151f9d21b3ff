"""The dashboard: the merchant's returns at a glance, with server-drawn SVG charts.

The figures are read from pre-aggregated daily and monthly rollups (``hub.web.stats``) and kept in
Redis for a minute per merchant and period, so a busy back office does not re-read them on every view.
"""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, g, render_template, request
from flask_babel import gettext
from sqlalchemy import func, select

from hub import clock, instances
from hub.db import Connection
from hub.i18n import REASON_LABELS
from hub.reasons import reason_of
from hub.web import charts, stats
from hub.web.context import hub, login_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
PERIODS = (7, 30, 90, 365)
CACHE_SECONDS = 60


def _classifier(h):
    """A rollup's reason code and reason (text, else code) of a marketplace -> its canonical reason value,
    by the marketplace's mapping as the overview's filter applies it (``hub.reasons.reason_of``)."""
    def classify(marketplace: str, code: str | None, text: str | None) -> str:
        return reason_of(h.registry.marketplaces.get(marketplace), code, text).value
    return classify


def _figures(merchant_id: int, days: int) -> dict:
    """The dashboard figures, from the cache when they are less than a minute old."""
    h = hub()
    key = f"returnhub:dashboard:{merchant_id}:{days}"
    cached = h.redis.get(key)
    if cached is not None:
        return json.loads(cached)
    titles = instances.titles(h.registry)
    with h.session() as s:
        figures = stats.dashboard(s, merchant_id, days, titles, classify=_classifier(h))
        figures["has_connections"] = bool(s.scalar(select(func.count()).select_from(Connection)
                                                   .where(Connection.merchant_id == merchant_id)))
    figures["as_of"] = clock.now().strftime("%H:%M:%S UTC")
    h.redis.set(key, json.dumps(figures, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)),
                ex=CACHE_SECONDS)
    return json.loads(h.redis.get(key))


@bp.route("/")
@login_required
def index():
    days = request.args.get("days", type=int)
    days = days if days in PERIODS else 30
    figures = _figures(g.merchant_id, days)
    per_day = [(stats.day_label(date.fromisoformat(d)), n) for d, n in figures["per_day"]]
    return render_template(
        "dashboard.html", f=figures, periods=PERIODS, has_connections=figures["has_connections"],
        per_day_chart=charts.columns(per_day, gettext("Returns per day, last %(days)d days", days=days),
                                     label_every=max(1, days // 10)),
        reasons_chart=charts.bars([(str(REASON_LABELS[v]), n) for v, n, _split, _o in figures["canonical_reasons"]],
                                  gettext("Top return reasons (units)")),
        marketplace_chart=charts.bars([tuple(m) for m in figures["by_marketplace"]], gettext("Returns by marketplace")))
