"""The 'Connect Miravia account' pages (mounted at /plugins/miravia/): Miravia's OAuth "code for token" flow.

``/connect/<connection id>`` sends the seller to Miravia's authorization page with a one-time ``state`` kept in
Redis for ten minutes; Miravia sends the seller back to ``/callback?code=…&state=…`` (the callback URL registered
in the Miravia app), where the code is exchanged on the signed gateway (``/auth/token/create``) and the refresh
token sealed into the connection's settings. The access token is then renewed from it by the client.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import abort, redirect, request, url_for

from hub.errors import HubError
from hub.sdk.tokens import lazada_token_call
from hub.web.connect_flow import ConnectFlow

flow = ConnectFlow("miravia", "Miravia", "the App key and App secret", __name__)
bp = flow.bp
STATE_TTL = 600


def _key(state: str) -> str:
    return flow.key("oauth", state)


def _connect(connection_id: int):
    """Send the seller to Miravia's authorization page."""
    opened = flow.ready_adapter(connection_id)
    if opened is None:
        return flow.back(connection_id)
    h, adapter = opened
    adapter.close()
    state = secrets.token_urlsafe(24)
    h.redis.set(_key(state), str(connection_id), ex=STATE_TTL)
    query = {"response_type": "code", "force_auth": "true", "client_id": adapter.settings["app_key"],
             "redirect_uri": url_for("miravia_connect.callback", _external=True), "state": state}
    return redirect(f"{adapter.settings['authorize_url']}?{urlencode(query)}")


def _callback():
    """Exchange the code Miravia sent back for tokens; keep the refresh token."""
    from hub.web.context import hub
    state, code = request.args.get("state", ""), request.args.get("code", "")
    stored = hub().redis.getdel(_key(state)) if state else None
    if stored is None:
        abort(400, "unknown or expired authorization state: start again from the connection page")
    connection_id = int(stored)
    if not code:
        return flow.refuse(connection_id, "the seller did not authorize the app.")
    h, adapter = flow.adapter(connection_id)
    try:
        s = adapter.settings
        answer = lazada_token_call(adapter.ctx, gateway=s["api_base_url"].rstrip("/"), app_key=s["app_key"],
                                   app_secret=s["app_secret"], api_path="/auth/token/create", params={"code": code})
    except HubError as exc:
        return flow.refuse(connection_id, exc)
    finally:
        adapter.close()
    if not answer.get("refresh_token"):
        return flow.refuse(connection_id, "the token answer carried no refresh token.")
    return flow.connected(h, connection_id, answer["refresh_token"])


flow.page("/connect/<int:connection_id>", "connect", _connect)
flow.page("/callback", "callback", _callback)
