"""The Privacy page: the personal-data retention in force, and erasing one customer's data by e-mail."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

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
    except ValueError:
        flash(gettext("Enter the customer’s e-mail address."), "error")
        return redirect(url_for("privacy.index"))
    if count:
        flash(ngettext("Personal data erased from %(num)d return.", "Personal data erased from %(num)d returns.",
                       count), "ok")
    else:
        flash(gettext("No return of that customer was found; nothing was changed."), "info")
    return redirect(url_for("privacy.index"))
