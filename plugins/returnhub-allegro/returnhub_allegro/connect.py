"""The 'Connect Allegro account' pages (mounted at /plugins/allegro/): the device flow for one connection.

The first visit asks Allegro for a user code and shows it with the link to allegro.pl; the page
reloads every few seconds and each reload polls the token endpoint once. When the seller has
confirmed, the refresh token is sealed into the connection's settings and the page goes back to
the connection. The pending device code waits in Redis (it expires with Allegro's).
"""
from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, url_for

from hub.errors import HubError
from returnhub_allegro import device

bp = Blueprint("allegro_connect", __name__, template_folder="templates")


def _key(connection_id: int) -> str:
    return f"allegro:device:{connection_id}"


def _adapter(connection_id: int):
    from hub.web.context import own_marketplace_adapter
    return own_marketplace_adapter(connection_id, "allegro")


def _back(connection_id: int):
    from hub.web.context import to_connection
    return to_connection(connection_id)


def _connect(connection_id: int):
    """Start the device flow, or poll the pending one once."""
    from marshmallow import ValidationError

    from hub.connections import save_settings
    try:
        h, adapter = _adapter(connection_id)
    except ValidationError as exc:
        flash(f"Allegro: save the Client ID and Client secret first ({', '.join(sorted(exc.messages))}).", "error")
        return _back(connection_id)
    try:
        pending = h.redis.get(_key(connection_id))
        if pending is None:
            started = device.start(adapter.ctx, adapter.opts)
            pending = json.dumps(started.__dict__)
            h.redis.set(_key(connection_id), pending, ex=started.expires_in)
            return render_template("allegro_connect.html", start=started, connection_id=connection_id)
        started = device.DeviceStart(**json.loads(pending))
        token = device.poll(adapter.ctx, adapter.opts, started.device_code)
    except HubError as exc:
        h.redis.delete(_key(connection_id))
        flash(f"Allegro: {exc}", "error")
        return _back(connection_id)
    finally:
        adapter.close()
    if token is None:
        return render_template("allegro_connect.html", start=started, connection_id=connection_id)
    save_settings(h, connection_id, "marketplace", {"refresh_token": token})
    h.redis.delete(_key(connection_id))
    flash("Allegro account connected. Test the connection, then switch Returns on.", "info")
    return _back(connection_id)


def _restart(connection_id: int):
    """Forget the pending code and start again."""
    h, adapter = _adapter(connection_id)
    adapter.close()
    h.redis.delete(_key(connection_id))
    return redirect(url_for("allegro_connect.connect", connection_id=connection_id))


def _views():
    from hub.web.context import login_required
    bp.add_url_rule("/connect/<int:connection_id>", "connect", login_required(_connect), methods=["GET"])
    bp.add_url_rule("/connect/<int:connection_id>/restart", "restart", login_required(_restart), methods=["POST"])


_views()
