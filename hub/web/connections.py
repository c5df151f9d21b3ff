"""Connections: each marketplace account linked to a shop, with sync health and Sync now."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from sqlalchemy import func, select

from hub.db import Connection, QuarantinedItem, ReturnRow
from hub.sync.actions import sync_now
from hub.web.context import hub, login_required, own_connection

bp = Blueprint("connections", __name__, url_prefix="/connections")


@bp.route("/")
@login_required
def index():
    with hub().session() as s:
        conns = list(s.scalars(select(Connection).where(Connection.merchant_id == g.merchant_id).order_by(Connection.id)))
        counts = dict(s.execute(select(ReturnRow.connection_id, func.count()).where(
            ReturnRow.connection_id.in_([c.id for c in conns])).group_by(ReturnRow.connection_id)).all())
        quarantined = dict(s.execute(select(QuarantinedItem.connection_id, func.count()).where(
            QuarantinedItem.connection_id.in_([c.id for c in conns]),
            QuarantinedItem.resolved_at.is_(None)).group_by(QuarantinedItem.connection_id)).all())
    return render_template("connections/index.html", conns=conns, counts=counts, quarantined=quarantined,
                           registry=hub().registry)


@bp.route("/<int:connection_id>/sync", methods=["POST"])
@login_required
def sync(connection_id: int):
    with hub().session() as s:
        conn = own_connection(s, connection_id)
        active = conn.active
    if not active:
        flash("Switch returns on for this connection first.", "error")
    else:
        sync_now(hub(), connection_id)
        flash("Sync queued.", "info")
    return redirect(url_for("connections.index"))
