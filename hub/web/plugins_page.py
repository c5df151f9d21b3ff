"""The Plugins page: installed plugins, their status and what they can do."""
from __future__ import annotations

from flask import Blueprint, render_template

from hub.web.context import hub, login_required

bp = Blueprint("plugins", __name__, url_prefix="/plugins")


@bp.route("/")
@login_required
def index():
    registry = hub().registry
    return render_template("plugins.html", plugins=sorted(registry.plugins.values(), key=lambda p: p.name))
