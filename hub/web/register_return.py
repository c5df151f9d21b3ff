"""Orders › Returns › Register a return: the merchant registers a return by hand for an order of one of their
connections (the form of ``hub.sync.commands.register_return``); offered where the marketplace gives orders."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hub.i18n import REASON_LABELS
from hub.model.reasons import Reason
from hub.sync import commands
from hub.web import returns_query as rq
from hub.web.context import hub, login_required

bp = Blueprint("register_return", __name__)
ROWS = 5  # line rows the form offers; a return of more lines goes through the API
HEADLINES = {
    "not_offered": lazy_gettext("Registering a return by hand is not offered for this marketplace."),
    "invalid": lazy_gettext("Please correct the marked fields."),
    "unknown_order": lazy_gettext("The marketplace does not know this order."),
    "over_quantity": lazy_gettext("A quantity is more than can be returned."),
    "duplicate": lazy_gettext("This return is already registered."),
    "marketplace": lazy_gettext("The marketplace could not be asked for the order; nothing was registered."),
}


class LineForm(Form):
    """One line: the order line id, SKU or EAN, and how many (left empty: the row is not used)."""

    line = StringField(lazy_gettext("Order line, SKU or EAN"), validators=[Optional(), Length(max=128)])
    quantity = IntegerField(lazy_gettext("Quantity"), validators=[Optional(), NumberRange(min=1, max=9999)])


class RegisterForm(FlaskForm):
    connection = SelectField(lazy_gettext("Connection"), coerce=int)
    order_id = StringField(lazy_gettext("Order id"), validators=[DataRequired(), Length(max=128)])
    lines = FieldList(FormField(LineForm), min_entries=ROWS, max_entries=ROWS)
    reason = SelectField(lazy_gettext("Reason"), choices=[])
    tracking_number = StringField(lazy_gettext("Tracking number (optional)"), validators=[Optional(), Length(max=100)])
    comment = TextAreaField(lazy_gettext("Comment (optional)"), validators=[Optional(), Length(max=2000)])


def _offered_connections():
    with hub().session() as s:
        connections = rq.merchant_connections(s, g.merchant_id)
        s.expunge_all()
    return [c for c in connections if commands.registration_offered(hub(), c.marketplace)], connections


@bp.route("/returns/register", methods=["GET", "POST"])
@login_required
def register():
    offered, connections = _offered_connections()
    form = RegisterForm()
    form.connection.choices = [(c.id, c.name) for c in offered]
    form.reason.choices = [(r.value, str(REASON_LABELS[r.value]).capitalize()) for r in Reason]
    if request.method == "GET" and request.args.get("connection", "").isdigit():
        form.connection.data = int(request.args["connection"])
    not_offered = [c for c in connections if c not in offered]
    if not offered:
        return render_template("returns/register.html", form=None, not_offered=not_offered)
    if form.validate_on_submit():
        used = [(i, entry.form) for i, entry in enumerate(form.lines.entries) if (entry.form.line.data or "").strip()]
        if not used:
            form.lines.entries[0].form.line.errors = [gettext("Name at least one line.")]
        else:
            registration = commands.Registration(
                order_id=form.order_id.data, reason=form.reason.data, tracking_number=form.tracking_number.data,
                comment=form.comment.data,
                lines=[commands.LineRequest(sub.line.data, sub.quantity.data or 1) for _, sub in used])
            try:
                return_id = commands.register_return(hub(), form.connection.data, registration,
                                                     f"user:{g.user_email}")
            except commands.RegistrationError as exc:
                _show(form, exc, [i for i, _ in used])
            else:
                flash(gettext("Return registered; it now goes to your shop like any other."), "info")
                return redirect(url_for("returns.detail", return_id=return_id))
    return render_template("returns/register.html", form=form, not_offered=not_offered)


def _show(form: RegisterForm, exc: commands.RegistrationError, rows: list[int]) -> None:
    """The error as a flash (translated headline, the core's detail) and on the fields it names."""
    flash(f"{HEADLINES.get(exc.kind, HEADLINES['invalid'])} {exc.message}", "error")
    for key, messages in exc.errors.items():
        parts = key.split(".")
        if parts[0] == "order_id":
            form.order_id.errors = list(messages)
        elif parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            sub = form.lines.entries[rows[int(parts[1])]].form
            getattr(sub, parts[2]).errors = list(messages)
