"""Orders › Returns: the overview (filters, search, sort, keyset pages), CSV export, detail, retry, manual decision."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import select

from hub import clock, instances
from hub.db import ReturnRow
from hub.model import Decision, LineDecision, State
from hub.model.reasons import Reason
from hub.reasons import reason_of
from hub.sync.commands import (
    MANUAL_STATES,
    DecisionError,
    allowed_for,
    decide_manually,
    registration_offered,
    retry,
    retry_many,
    waiting_hint,
)
from hub.web import returns_query as rq
from hub.web.context import hub, login_required, own_return
from hub.web.links import shop_order_link
from hub.web.reasons_query import reason_case

bp = Blueprint("returns", __name__)
PAGE = 50
EXPORT_CHUNK = 1000


def _marketplace_titles() -> dict[str, str]:
    """Marketplace names by slug and by ``slug:instance`` (see hub.instances)."""
    return instances.titles(hub().registry)



def _decision_problem(exc: DecisionError) -> str:
    """A refused manual decision as a sentence in the user's language."""
    text = exc.translated()
    return text[:1].upper() + text[1:] + "."

@bp.route("/")
@login_required
def index():
    f = rq.Filters.from_args(request.args)
    for message in f.errors:
        flash(message, "error")
    with hub().session() as s:
        connections = rq.merchant_connections(s, g.merchant_id)
        ids = rq.marketplace_connection_ids(connections, f)
        f.reason_clause = reason_case(connections, hub().registry)
        rq.resolve_search(s, ids, f)
        try:
            rows, next_cursor = rq.page(s, ids, f, PAGE)
        except rq.FilterError as exc:
            flash(str(exc), "error")
            f.after = None
            rows, next_cursor = rq.page(s, ids, f, PAGE)
        counts = rq.state_counts(s, ids, f)
        action_count = rq.action_count(s, ids, f)
        s.expunge_all()
    titles = _marketplace_titles()
    marketplaces = sorted({c.marketplace for c in connections})
    return render_template("returns/index.html", rows=rows, counts=counts, states=list(State), f=f,
                           next_cursor=next_cursor, connections=connections, marketplaces=marketplaces,
                           titles=titles, decisions=list(Decision), sorts=rq.SORTS, reasons=list(Reason),
                           reason_for=_reason_for, action_count=action_count, awaits_action=rq.awaits_action,
                           can_register=any(registration_offered(hub(), c.marketplace) for c in connections))


def _reason_for(line, marketplace: str) -> str:
    """A line's canonical reason value (``hub.model.Reason``) for its marketplace."""
    return reason_of(hub().registry.marketplaces.get(marketplace), line.reason_code, line.reason_text).value


def _original_reason(line) -> str:
    """The marketplace's own words: its text with the code, or whichever is given."""
    if line.reason_text and line.reason_code and line.reason_text != line.reason_code:
        return f"{line.reason_text} ({line.reason_code})"
    return line.reason_text or line.reason_code or ""


def _owned_ids(return_ids: list[int]) -> list[int]:
    """The given ids if every one is the merchant's; 404 otherwise (as for a single id)."""
    with hub().session() as s:
        ids = rq.marketplace_connection_ids(rq.merchant_connections(s, g.merchant_id), rq.Filters())
        found = set(s.scalars(select(ReturnRow.id).where(ReturnRow.id.in_(return_ids),
                                                          ReturnRow.connection_id.in_(ids or [-1]))))
    if found != set(return_ids):
        abort(404)
    return return_ids


@bp.route("/returns/retry", methods=["POST"])
@login_required
def bulk_retry():
    try:
        return_ids = [int(v) for v in request.form.getlist("return_id")]
    except ValueError:
        abort(400)
    back = request.form.get("back") or url_for("returns.index", state=State.NEEDS_ATTENTION.value)
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = url_for("returns.index")
    if not return_ids:
        flash(gettext("Select the returns to retry first."), "error")
        return redirect(back)
    done = retry_many(hub(), _owned_ids(return_ids), f"user:{g.user_email}")
    skipped = len(set(return_ids)) - done
    flash(ngettext("Retry queued for %(num)d return.", "Retry queued for %(num)d returns.", done)
          + (" " + ngettext("%(num)d no longer needed one.", "%(num)d no longer needed one.", skipped)
             if skipped else ""),
          "info" if done else "error")
    return redirect(back)


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


EXPORT_HEADER = ["hub_id", "return_id", "marketplace", "connection", "marketplace_order_id", "shop_order_id",
                 "shop_return_id", "customer", "state", "attention_reason", "items", "reasons", "reasons_original",
                 "decisions",
                 "requested_at", "decided_at"]


@bp.route("/returns/export.csv")
@login_required
def export():
    """Every return of the current filter (all pages), streamed in keyset chunks."""
    f = rq.Filters.from_args(request.args)
    if f.errors:
        return Response("\n".join(f.errors) + "\n", status=400, mimetype="text/plain")
    f.after = None
    titles = _marketplace_titles()
    session_factory, merchant_id, registry = hub().session, g.merchant_id, hub().registry

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_HEADER)
        cursor = None
        while True:
            with session_factory() as s:
                connections = rq.merchant_connections(s, merchant_id)
                names = {c.id: (c.name, instances.name(titles, c.marketplace, c.marketplace_settings), c.marketplace)
                         for c in connections}
                ids = rq.marketplace_connection_ids(connections, f)
                f.reason_clause = reason_case(connections, registry)
                if cursor is None:
                    rq.resolve_search(s, ids, f)
                rows, cursor = rq.page(s, ids, rq.Filters(**{**f.__dict__, "after": cursor}), EXPORT_CHUNK)
                for r in rows:
                    name, marketplace, slug = names[r.connection_id]
                    writer.writerow([_cell(v) for v in (
                        r.id, r.external_id, marketplace, name, r.marketplace_order_id,
                        r.shop_order_id, r.shop_return_id, (r.customer or {}).get("name"), r.state, r.attention_reason,
                        "; ".join(f"{line.quantity} x {line.sku or line.ean or line.title}" for line in r.lines),
                        "; ".join(reason_of(registry.marketplaces.get(slug), line.reason_code,
                                            line.reason_text).value for line in r.lines),
                        "; ".join(_original_reason(line) for line in r.lines),
                        "; ".join(f"{line.sku or line.external_line_id}: {line.decision} x{line.decision_quantity}"
                                  for line in r.lines if line.decision),
                        r.requested_at.isoformat(), r.decided_at.isoformat() if r.decided_at else "")])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if cursor is None:
                return

    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="returns-{stamp}.csv"'})


def _manual_choices(marketplace: str) -> list[str]:
    """Decisions a manual decision may take: what the marketplace accepts when it is sent there."""
    return [d.value for d in allowed_for(hub(), marketplace)]


@bp.route("/returns/<int:return_id>")
@login_required
def detail(return_id: int):
    with hub().session() as s:
        row = own_return(s, return_id)
        _ = row.lines, row.events, row.connection
        s.expunge_all()
    registry = hub().registry
    marketplace = registry.marketplaces.get(row.connection.marketplace)
    shop = registry.shops.get(row.connection.shop)
    return render_template("returns/detail.html", row=row,
                           manifest=marketplace.manifest if marketplace else None,
                           marketplace_title=instances.connection_name(registry, row.connection),
                           shop_title=shop.title if shop else row.connection.shop,
                           order_link=shop_order_link(hub(), row),
                           can_decide=State(row.state) in MANUAL_STATES, waiting=waiting_hint(hub(), row),
                           choices=_manual_choices(row.connection.marketplace), reason_for=_reason_for,
                           awaits_action=rq.awaits_action(row))


@bp.route("/returns/<int:return_id>/retry", methods=["POST"])
@login_required
def retry_return(return_id: int):
    with hub().session() as s:
        own_return(s, return_id)
    if retry(hub(), return_id, f"user:{g.user_email}"):
        flash(gettext("Retry queued."), "info")
    else:
        flash(gettext("This return does not need a retry."), "error")
    return redirect(url_for("returns.detail", return_id=return_id))


@bp.route("/returns/<int:return_id>/decide", methods=["POST"])
@login_required
def decide(return_id: int):
    """Set the decision in Returnhub for a shop that cannot express it; a note is required."""
    with hub().session() as s:
        row = own_return(s, return_id)
        lines = [(line.external_line_id, line.quantity, line.decision) for line in row.lines]
        marketplace = row.connection.marketplace
    choices = _manual_choices(marketplace)
    note = (request.form.get("note") or "").strip()
    decisions, problems = [], []
    for line_id, quantity, _current in lines:
        value = request.form.get(f"decision:{line_id}") or ""
        if not value:
            continue
        if value not in choices:
            problems.append(gettext("'%(value)s' cannot be sent to this marketplace for line %(line)s.",
                                    value=value, line=line_id))
            continue
        raw_qty = request.form.get(f"quantity:{line_id}") or str(quantity)
        try:
            qty = int(raw_qty)
            if not 0 <= qty <= quantity:
                raise ValueError
        except ValueError:
            problems.append(gettext("Quantity for line %(line)s must be a whole number from 0 to %(max)s.",
                                    line=line_id, max=quantity))
            continue
        decisions.append(LineDecision(external_line_id=line_id, decision=Decision(value), quantity=qty))
    if not decisions and not problems:
        problems.append(gettext("Choose a decision for at least one line."))
    if not note:
        problems.append(gettext("A note is required for a manual decision (why it is set here and not in the shop)."))
    if not problems:
        try:
            decided = decide_manually(hub(), return_id, decisions, note, f"user:{g.user_email}")
        except DecisionError as exc:
            problems.append(_decision_problem(exc))
        else:
            flash(gettext("Decision recorded.") if decided
                  else gettext("Decision recorded. Lines without a decision keep the return open."), "info")
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for("returns.detail", return_id=return_id) + ("#decide" if problems else ""))
