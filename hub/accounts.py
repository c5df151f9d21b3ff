"""Merchants and their users."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from hub.db import Merchant, User


def create_user(hub, *, email: str, password: str, merchant_name: str) -> int:
    """Create (or reset the password of) a user, in a merchant found or created by name; its id."""
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    email = email.strip().lower()
    with hub.session() as s:
        merchant = s.scalar(select(Merchant).where(Merchant.name == merchant_name))
        if merchant is None:
            merchant = Merchant(name=merchant_name)
            s.add(merchant)
            s.flush()
        user = s.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, merchant_id=merchant.id, password_hash="")
            s.add(user)
        user.password_hash = generate_password_hash(password)
        s.flush()
        return user.id
