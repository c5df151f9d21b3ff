"""Orders › Returns: the overview with filters, the detail page with its timeline, and retry."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from hub.db import Connection, ReturnLine, ReturnRow
from hub.model import State
from hub.sync.actions import retry
from hub.web.context import hub, login_required, own_return

bp = Blueprint("returns", __name__)
PAGE = 50


@bp.route("/")
@login_required
def index():
    state = request.args.get("state") or None
    q = (request.args.get("q") or "").strip()
    before = request.args.get("before", type=int)
    with hub().session() as s:
        query = (select(ReturnRow).join(Connection).where(Connection.merchant_id == g.merchant_id)
                 .options(selectinload(ReturnRow.lines), selectinload(ReturnRow.connection)))
        if state:
            query = query.where(ReturnRow.state == state)
        if q:
            like = f"%{q}%"
            query = query.where(or_(ReturnRow.marketplace_order_id.ilike(like), ReturnRow.external_id.ilike(like),
                                    ReturnRow.lines.any(ReturnLine.ean == q)))
        if before:
            query = query.where(ReturnRow.id < before)
        rows = list(s.scalars(query.order_by(ReturnRow.id.desc()).limit(PAGE + 1)))
        counts = dict(s.execute(select(ReturnRow.state, func.count()).join(Connection)
                                .where(Connection.merchant_id == g.merchant_id).group_by(ReturnRow.state)).all())
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template("returns/index.html", rows=rows, counts=counts, states=list(State), state=state, q=q,
                           next_before=rows[-1].id if more else None, registry=hub().registry)


@bp.route("/returns/<int:return_id>")
@login_required
def detail(return_id: int):
    with hub().session() as s:
        row = own_return(s, return_id)
        _ = row.lines, row.events, row.connection
        s.expunge_all()
    registry = hub().registry
    marketplace = registry.marketplaces.get(row.connection.marketplace)
    return render_template("returns/detail.html", row=row,
                           manifest=marketplace.manifest if marketplace else None)


@bp.route("/returns/<int:return_id>/retry", methods=["POST"])
@login_required
def retry_return(return_id: int):
    with hub().session() as s:
        own_return(s, return_id)
    if retry(hub(), return_id, f"user:{g.user_email}"):
        flash("Retry queued.", "info")
    else:
        flash("This return does not need a retry.", "error")
    return redirect(url_for("returns.detail", return_id=return_id))
