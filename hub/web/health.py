"""A connection's sync health (last poll, last error, next run) and the Test connection check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext, ngettext

from hub import clock
from hub.connections import build_adapter
from hub.errors import AddressNotAllowed, AuthError, PermanentError, TransientError
from hub.http import Redactor
from hub.secrets import secret_fields


@dataclass
class CheckResult:
    side: str       # marketplace | shop
    title: str
    ok: bool
    message: str


def next_run(conn, config) -> str:
    """When the next marketplace poll is due, in words."""
    if not conn.returns_enabled:
        return gettext("paused: Returns is switched off")
    if conn.status != "active":
        return gettext("paused: the connection needs new credentials")
    if conn.last_poll_at is None:
        return gettext("within a minute")
    due = conn.last_poll_at + timedelta(seconds=config.poll_interval)
    now = clock.now()
    if due <= now:
        return gettext("due now")
    minutes = int((due - now).total_seconds() // 60)
    return ngettext("in %(num)d min", "in %(num)d min", minutes) if minutes else gettext("in less than a minute")


def _readable(exc: Exception, secrets: list[str]) -> str:
    """An adapter error as a sentence for the merchant, with any secret removed."""
    text = str(exc) or type(exc).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = Redactor.redact(text)
    if isinstance(exc, AuthError):
        return gettext("The credentials were refused: %(error)s", error=text)
    if isinstance(exc, AddressNotAllowed):
        return gettext("This address is not allowed: %(error)s", error=text)
    if isinstance(exc, TransientError):
        return gettext("Not reachable right now (try again later): %(error)s", error=text)
    if isinstance(exc, PermanentError):
        return gettext("The platform refused the request: %(error)s", error=text)
    return gettext("Unexpected error in the plugin (%(kind)s): %(error)s", kind=type(exc).__name__, error=text)


def check_connection(hub, conn) -> list[CheckResult]:
    """Run both adapters' check() with the stored settings; one result per side, never raising."""
    results = []
    for side in ("marketplace", "shop"):
        registry = hub.registry.marketplaces if side == "marketplace" else hub.registry.shops
        slug = conn.marketplace if side == "marketplace" else conn.shop
        cls = registry.get(slug)
        if cls is None:
            missing = (gettext("The marketplace plugin “%(slug)s” is not installed or failed to load; see the Plugins page.",
                               slug=slug) if side == "marketplace" else
                       gettext("The shop plugin “%(slug)s” is not installed or failed to load; see the Plugins page.",
                               slug=slug))
            results.append(CheckResult(side, slug, False, missing))
            continue
        stored = conn.marketplace_settings if side == "marketplace" else conn.shop_settings
        adapter, secrets = None, []
        try:
            opened = hub.box.open(stored)
            secrets = [str(opened[name]) for name in secret_fields(cls.settings_schema) if opened.get(name)]
            adapter = build_adapter(hub, conn, side)
            adapter.check()
            results.append(CheckResult(side, cls.title, True, gettext("Connected: the credentials work.")))
        except Exception as exc:
            results.append(CheckResult(side, cls.title, False, _readable(exc, secrets)))
        finally:
            if adapter is not None:
                adapter.close()
    return results
