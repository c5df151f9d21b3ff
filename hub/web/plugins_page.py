"""The Plugins page: installed plugins, their status (``failed: reason`` included) and a capability matrix."""
from __future__ import annotations

from flask import Blueprint, render_template

from hub.model import Decision
from hub.web.context import hub, login_required

bp = Blueprint("plugins", __name__, url_prefix="/plugins")


@bp.route("/")
@login_required
def index():
    registry = hub().registry
    plugins = sorted(registry.plugins.values(), key=lambda p: (p.kind or "~", p.name))
    return render_template("plugins.html", plugins=plugins, decisions=[d.value for d in Decision],
                           adapters={**registry.shops, **registry.marketplaces},
                           marketplaces=[p for p in plugins if p.manifest and p.kind == "marketplace"],
                           shops=[p for p in plugins if p.manifest and p.kind == "shop"])
