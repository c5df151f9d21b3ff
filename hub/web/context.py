"""Request helpers: the Hub, the signed-in merchant, and merchant-scoped lookups (404 otherwise)."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for

from hub.db import Connection, ReturnRow, User
from hub.web import sessions


def hub():
    return current_app.extensions["returnhub"]


def login_required(view):
    """Only for a live server-side session (Redis, idle timeout); sets g.merchant_id and g.user_email."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        user_id = sessions.current_user_id(hub())
        if user_id is None:
            session.clear()
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        with hub().session() as s:
            user = s.get(User, user_id)
            if user is None:
                sessions.end(hub())
                return redirect(url_for("auth.login"))
            g.user_email, g.merchant_id, g.user_language = user.email, user.merchant_id, user.language
        return view(*args, **kwargs)
    return wrapped


def own_connection(s, connection_id: int) -> Connection:
    conn = s.get(Connection, connection_id)
    if conn is None or conn.merchant_id != g.merchant_id:
        abort(404)
    return conn


def own_return(s, return_id: int) -> ReturnRow:
    row = s.get(ReturnRow, return_id)
    if row is None or row.connection.merchant_id != g.merchant_id:
        abort(404)
    return row
