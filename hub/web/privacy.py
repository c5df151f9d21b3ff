"""The Privacy page: the personal-data retention in force, and erasing one customer's data by e-mail."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from hub.privacy import erase_customer
from hub.web.context import hub, login_required

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.route("/")
@login_required
def index():
    config = hub().config
    return render_template("privacy.html", days=config.personal_data_days,
                           delivery_days=config.delivery_retention_days)


@bp.route("/erase", methods=["POST"])
@login_required
def erase():
    email = request.form.get("email", "")
    try:
        count = erase_customer(hub(), g.merchant_id, email, f"merchant:{g.user_email}")
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("privacy.index"))
    if count:
        flash(f"Personal data erased from {count} return{'s' if count != 1 else ''}.", "ok")
    else:
        flash("No return of that customer was found; nothing was changed.", "info")
    return redirect(url_for("privacy.index"))
