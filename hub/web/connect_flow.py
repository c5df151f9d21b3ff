"""The shared steps of a marketplace plugin's 'Connect account' pages (an OAuth code or device flow):
open the connection's adapter or say which settings are missing, keep pending state in Redis, seal the
refresh token into the connection and go back to it. A plugin's connect module keeps only its own flow."""
from __future__ import annotations

from flask import Blueprint, flash


class ConnectFlow:
    """``flow = ConnectFlow("allegro", "Allegro", "the Client ID and Client secret", __name__)``; ``flow.bp`` is
    the blueprint (``<slug>_connect``) the plugin registers; ``flow.page(rule, endpoint)`` adds a login-only view."""

    def __init__(self, slug: str, label: str, needs: str, import_name: str, **blueprint_options):
        self.slug, self.label, self.needs = slug, label, needs
        self.bp = Blueprint(f"{slug}_connect", import_name, **blueprint_options)

    def key(self, kind: str, part) -> str:
        """The Redis key of this flow's pending ``kind`` (``device``, ``oauth``...) for ``part``."""
        return f"{self.slug}:{kind}:{part}"

    def adapter(self, connection_id: int):
        """(hub, adapter) of the signed-in user's connection; settings that do not load raise ValidationError."""
        from hub.web.context import own_marketplace_adapter
        return own_marketplace_adapter(connection_id, self.slug)

    def ready_adapter(self, connection_id: int):
        """(hub, adapter), or None having said which settings to save first."""
        from marshmallow import ValidationError
        try:
            return self.adapter(connection_id)
        except ValidationError as exc:
            flash(f"{self.label}: save {self.needs} first ({', '.join(sorted(exc.messages))}).", "error")
            return None

    def back(self, connection_id: int):
        """Back to the connection's page."""
        from hub.web.context import to_connection
        return to_connection(connection_id)

    def refuse(self, connection_id: int, message) -> object:
        """Say what went wrong (``<label>: message``) and go back to the connection."""
        flash(f"{self.label}: {message}", "error")
        return self.back(connection_id)

    def connected(self, h, connection_id: int, refresh_token: str):
        """Seal the refresh token into the connection's settings and go back to it."""
        from hub.connections import save_settings
        save_settings(h, connection_id, "marketplace", {"refresh_token": refresh_token})
        flash(f"{self.label} account connected. Test the connection, then switch Returns on.", "info")
        return self.back(connection_id)

    def page(self, rule: str, endpoint: str, view, methods=("GET",)) -> None:
        """Serve ``view`` at ``rule`` to signed-in users only."""
        from hub.web.context import login_required
        self.bp.add_url_rule(rule, endpoint, login_required(view), methods=list(methods))
