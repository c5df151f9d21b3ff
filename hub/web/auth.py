"""Sign-in and sign-out for merchant users, with a simple per-address throttle."""
from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from hub.db import User
from hub.web.context import hub

bp = Blueprint("auth", __name__)
MAX_FAILURES, WINDOW = 5, 300


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def _throttled(key: str) -> bool:
    count = hub().redis.get(key)
    return count is not None and int(count) >= MAX_FAILURES


def _record_failure(key: str) -> None:
    redis = hub().redis
    redis.incr(key)
    redis.expire(key, WINDOW)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        key = f"returnhub:login-failures:{request.remote_addr}"
        if _throttled(key):
            flash("Too many failed sign-ins. Wait a few minutes and try again.", "error")
            return render_template("login.html", form=form), 429
        with hub().session() as s:
            user = s.scalar(select(User).where(User.email == form.email.data.strip().lower()))
            ok = user is not None and check_password_hash(user.password_hash, form.password.data)
            user_id = user.id if ok else None
        if not ok:
            _record_failure(key)
            time.sleep(0.2)
            flash("Wrong email or password.", "error")
            return render_template("login.html", form=form), 401
        session.clear()
        session.permanent = True
        session["user_id"] = user_id
        target = request.args.get("next", "")
        return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("returns.index"))
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
