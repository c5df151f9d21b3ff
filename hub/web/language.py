"""The signed-in user's language choice (stored on the user; none means the browser's Accept-Language)."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for

from hub.db import User
from hub.i18n import LANGUAGES
from hub.web import sessions
from hub.web.context import hub, login_required

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
@login_required
def choose():
    """Store the chosen language (or "" for the browser's) and go back to the page it was chosen on."""
    value = request.form.get("language") or ""
    if value and value not in LANGUAGES:
        abort(400)
    with hub().session() as s:
        s.get(User, sessions.current_user_id(hub())).language = value or None
    g.user_language = value or None
    back = request.form.get("back") or ""
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for("returns.index")
    return redirect(back)
