"""Server-side session records in Redis: a per-login id with the idle TTL, so sign-out really ends it.

The signed cookie carries only that id and the user id; the Redis key is the source of truth, so a
stolen cookie stops working at sign-out or after the idle timeout, and the id is new at every login.
"""
from __future__ import annotations

import secrets

from flask import session


def _key(sid: str) -> str:
    return f"returnhub:web-session:{sid}"


def _ttl(hub) -> int:
    return max(60, int(hub.config.session_idle_minutes * 60))


def start(hub, user_id: int) -> None:
    """A fresh session for ``user_id``: old cookie content dropped, a new id (no fixation)."""
    end(hub)
    sid = secrets.token_urlsafe(32)
    hub.redis.set(_key(sid), str(user_id), ex=_ttl(hub))
    session.permanent = True
    session["sid"], session["user_id"] = sid, user_id


def current_user_id(hub) -> int | None:
    """The signed-in user's id if the session is live; each use renews the idle timeout."""
    sid, user_id = session.get("sid"), session.get("user_id")
    if not sid or user_id is None:
        return None
    stored = hub.redis.get(_key(sid))
    if stored is None or int(stored) != int(user_id):
        return None
    hub.redis.expire(_key(sid), _ttl(hub))
    return int(user_id)


def end(hub) -> None:
    """Sign-out: delete the server record and clear the cookie."""
    sid = session.get("sid")
    if sid:
        hub.redis.delete(_key(sid))
    session.clear()
