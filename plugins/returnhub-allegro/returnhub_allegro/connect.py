"""The 'Connect Allegro account' pages (mounted at /plugins/allegro/): the device flow for one connection.

The first visit asks Allegro for a user code and shows it with the link to allegro.pl; the page
reloads every few seconds and each reload polls the token endpoint once. When the seller has
confirmed, the refresh token is sealed into the connection's settings and the page goes back to
the connection. The pending device code waits in Redis (it expires with Allegro's).
"""
from __future__ import annotations

import json

from flask import redirect, render_template, url_for

from hub.errors import HubError
from hub.web.connect_flow import ConnectFlow
from returnhub_allegro import device

flow = ConnectFlow("allegro", "Allegro", "the Client ID and Client secret", __name__, template_folder="templates")
bp = flow.bp


def _key(connection_id: int) -> str:
    return flow.key("device", connection_id)


def _connect(connection_id: int):
    """Start the device flow, or poll the pending one once."""
    opened = flow.ready_adapter(connection_id)
    if opened is None:
        return flow.back(connection_id)
    h, adapter = opened
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
        return flow.refuse(connection_id, exc)
    finally:
        adapter.close()
    if token is None:
        return render_template("allegro_connect.html", start=started, connection_id=connection_id)
    h.redis.delete(_key(connection_id))
    return flow.connected(h, connection_id, token)


def _restart(connection_id: int):
    """Forget the pending code and start again."""
    h, adapter = flow.adapter(connection_id)
    adapter.close()
    h.redis.delete(_key(connection_id))
    return redirect(url_for("allegro_connect.connect", connection_id=connection_id))


flow.page("/connect/<int:connection_id>", "connect", _connect)
flow.page("/connect/<int:connection_id>/restart", "restart", _restart, methods=["POST"])
