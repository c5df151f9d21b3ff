"""Sign-in and sign-out for merchant users, throttled per address and per account."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from hub import clock
from hub.db import User
from hub.web import sessions
from hub.web.context import hub
from hub.web.redirects import same_origin_path

bp = Blueprint("auth", __name__)
MAX_FAILURES, WINDOW = 5, 300
# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = "scrypt:32768:8:1$dummysaltdummysa$" + "0" * 128


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def _throttled(keys: list[str]) -> bool:
    counts = hub().redis.mget(keys)
    return any(c is not None and int(c) >= MAX_FAILURES for c in counts)


def _record_failure(keys: list[str]) -> None:
    pipe = hub().redis.pipeline()
    for key in keys:
        pipe.incr(key)
        pipe.expire(key, WINDOW)
    pipe.execute()


def _safe_target(target: str) -> str:
    """``target`` if it is a same-origin relative path, else the overview (no open redirect after sign-in)."""
    return same_origin_path(target) or url_for("returns.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        keys = [f"returnhub:login-failures:addr:{request.remote_addr}", f"returnhub:login-failures:user:{email}"]
        if _throttled(keys):
            flash(gettext("Too many failed sign-ins. Wait a few minutes and try again."), "error")
            return render_template("login.html", form=form), 429
        with hub().session() as s:
            user = s.scalar(select(User).where(User.email == email))
            ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, form.password.data) and user
            user_id = user.id if ok else None
        if not ok:
            _record_failure(keys)
            clock.sleep(0.2)
            flash(gettext("Wrong email or password."), "error")
            return render_template("login.html", form=form), 401
        sessions.start(hub(), user_id)
        return redirect(_safe_target(request.args.get("next", "")))
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.end(hub())
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))
