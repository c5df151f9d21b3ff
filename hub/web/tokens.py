"""The API tokens page: a merchant creates, lists and revokes tokens for /api/v1; a new token is shown
once, in the answer to its creation, and never stored or shown again."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from hub.api_tokens import SCOPES, create_token, list_tokens, revoke
from hub.web.context import hub, login_required

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


def _page(created=None, status=200):
    return render_template("tokens.html", tokens=list_tokens(hub(), g.merchant_id), scopes=SCOPES,
                           created=created), status


def _problem(name: str, scopes: list[str]) -> str | None:
    """Why the form cannot make a token, in the user's language (create_token checks the same, in English)."""
    if not scopes or any(s not in SCOPES for s in scopes):
        return gettext("choose one or more of the scopes %(scopes)s.", scopes=", ".join(SCOPES))
    if not name.strip():
        return gettext("give it a name (what it is for).")
    return None


@bp.route("/")
@login_required
def index():
    return _page()


@bp.route("/", methods=["POST"])
@login_required
def create():
    """Create a token and show it in this answer only (no redirect: it never passes through a cookie)."""
    name, scopes = request.form.get("name", ""), request.form.getlist("scope")
    problem = _problem(name, scopes)
    if problem is None:
        try:
            token_id, value = create_token(hub(), g.merchant_id, name[:200], scopes)
        except ValueError as exc:
            problem = str(exc)
    if problem is not None:
        flash(gettext("The token was not created: %(problem)s", problem=problem), "error")
        return _page(status=400)
    response, status = _page(created={"id": token_id, "name": name.strip(), "value": value})
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if not revoke(hub(), g.merchant_id, token_id):
        abort(404)
    flash(gettext("Token revoked: it no longer works."), "ok")
    return redirect(url_for("tokens.index"))
