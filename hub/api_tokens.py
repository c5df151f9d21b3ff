"""API tokens: created for a merchant with scopes, shown once, stored as a SHA-256, revocable.

A token is 32 random bytes (URL-safe) behind the prefix ``rh_``; with that much entropy a plain
SHA-256 is a safe, constant-cost lookup key (no password stretching needed).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from hub import clock
from hub.db.models import ApiToken, Merchant

SCOPES = ("returns:read", "returns:write", "connections:write")
LAST_USED_RESOLUTION = timedelta(seconds=60)  # last_used_at is written at most once a minute


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Authenticated:
    """What a valid token grants: its id, merchant and scopes."""

    token_id: int
    merchant_id: int
    name: str
    scopes: frozenset[str]


def create_token(hub, merchant_id: int, name: str, scopes) -> tuple[int, str]:
    """Create a token; gives (id, the token itself) — the only time the token is seen."""
    scopes = list(dict.fromkeys(scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}" + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    if not (name or "").strip():
        raise ValueError("a token needs a name")
    token = "rh_" + secrets.token_urlsafe(32)
    with hub.session() as s:
        if s.get(Merchant, merchant_id) is None:
            raise ValueError(f"no merchant {merchant_id}")
        row = ApiToken(merchant_id=merchant_id, name=name.strip(), prefix=token[:10], token_hash=_hash(token),
                       scopes=scopes)
        s.add(row)
        s.flush()
        return row.id, token


def authenticate(hub, token: str) -> Authenticated | None:
    """The grant of a presented token, or None when unknown or revoked; notes when it was last used."""
    if not token or not token.startswith("rh_") or len(token) > 200:
        return None
    now = clock.now()
    with hub.session() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
        if row is None or row.revoked_at is not None:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            s.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        return Authenticated(row.id, row.merchant_id, row.name, frozenset(row.scopes or ()))


def revoke(hub, merchant_id: int, token_id: int) -> bool:
    """Revoke a merchant's token; False when it is not theirs or already revoked."""
    with hub.session() as s:
        result = s.execute(update(ApiToken).where(
            ApiToken.id == token_id, ApiToken.merchant_id == merchant_id, ApiToken.revoked_at.is_(None),
        ).values(revoked_at=clock.now()))
        return result.rowcount == 1


def list_tokens(hub, merchant_id: int) -> list[ApiToken]:
    """A merchant's tokens (never their values), newest first."""
    with hub.session() as s:
        rows = list(s.scalars(select(ApiToken).where(ApiToken.merchant_id == merchant_id).order_by(ApiToken.id.desc())))
        s.expunge_all()
        return rows
