"""The 'Connect Miravia account' pages (mounted at /plugins/miravia/): Miravia's OAuth "code for token" flow.

``/connect/<connection id>`` sends the seller to Miravia's authorization page with a one-time ``state`` kept in
Redis for ten minutes; Miravia sends the seller back to ``/callback?code=…&state=…`` (the callback URL registered
in the Miravia app), where the code is exchanged on the signed gateway (``/auth/token/create``) and the refresh
token sealed into the connection's settings. The access token is then renewed from it by the client.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, request, url_for

from hub.errors import HubError
from hub.sdk.tokens import lazada_token_call

bp = Blueprint("miravia_connect", __name__)
STATE_TTL = 600


def _key(state: str) -> str:
    return f"miravia:oauth:{state}"


def _adapter(connection_id: int):
    from hub.web.context import own_marketplace_adapter
    return own_marketplace_adapter(connection_id, "miravia")


def _back(connection_id: int):
    from hub.web.context import to_connection
    return to_connection(connection_id)


def _connect(connection_id: int):
    """Send the seller to Miravia's authorization page."""
    from marshmallow import ValidationError
    try:
        h, adapter = _adapter(connection_id)
    except ValidationError as exc:
        flash(f"Miravia: save the App key and App secret first ({', '.join(sorted(exc.messages))}).", "error")
        return _back(connection_id)
    adapter.close()
    state = secrets.token_urlsafe(24)
    h.redis.set(_key(state), str(connection_id), ex=STATE_TTL)
    query = {"response_type": "code", "force_auth": "true", "client_id": adapter.settings["app_key"],
             "redirect_uri": url_for("miravia_connect.callback", _external=True), "state": state}
    return redirect(f"{adapter.settings['authorize_url']}?{urlencode(query)}")


def _callback():
    """Exchange the code Miravia sent back for tokens; keep the refresh token."""
    from hub.connections import save_settings
    from hub.web.context import hub
    state, code = request.args.get("state", ""), request.args.get("code", "")
    stored = hub().redis.getdel(_key(state)) if state else None
    if stored is None:
        abort(400, "unknown or expired authorization state: start again from the connection page")
    connection_id = int(stored)
    if not code:
        flash("Miravia: the seller did not authorize the app.", "error")
        return _back(connection_id)
    h, adapter = _adapter(connection_id)
    try:
        s = adapter.settings
        answer = lazada_token_call(adapter.ctx, gateway=s["api_base_url"].rstrip("/"), app_key=s["app_key"],
                                   app_secret=s["app_secret"], api_path="/auth/token/create", params={"code": code})
    except HubError as exc:
        flash(f"Miravia: {exc}", "error")
        return _back(connection_id)
    finally:
        adapter.close()
    if not answer.get("refresh_token"):
        flash("Miravia: the token answer carried no refresh token.", "error")
        return _back(connection_id)
    save_settings(h, connection_id, "marketplace", {"refresh_token": answer["refresh_token"]})
    flash("Miravia account connected. Test the connection, then switch Returns on.", "info")
    return _back(connection_id)


def _views():
    from hub.web.context import login_required
    bp.add_url_rule("/connect/<int:connection_id>", "connect", login_required(_connect), methods=["GET"])
    bp.add_url_rule("/callback", "callback", login_required(_callback), methods=["GET"])


_views()
