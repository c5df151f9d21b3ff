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


def own_marketplace_adapter(connection_id: int, slug: str):
    """``(hub, adapter)`` for the signed-in merchant's connection to marketplace ``slug`` (404 otherwise), built as
    the jobs build it, for a plugin's own pages (an account-connect flow); close the adapter when done. Raises
    marshmallow's ValidationError when the stored settings do not load (a required setting missing)."""
    from hub.connections import build_adapter
    h = hub()
    with h.session() as s:
        conn = own_connection(s, connection_id)
        if conn.marketplace != slug:
            abort(404)
        s.expunge(conn)
    return h, build_adapter(h, conn, "marketplace")


def to_connection(connection_id: int):
    """A redirect back to a connection's page."""
    return redirect(url_for("connections.show", connection_id=connection_id))


def own_return(s, return_id: int) -> ReturnRow:
    row = s.get(ReturnRow, return_id)
    if row is None or row.connection.merchant_id != g.merchant_id:
        abort(404)
    return row
