"""Building a connection's adapters from its stored settings, and saving settings with secrets sealed."""
from __future__ import annotations

import hashlib
import json

from marshmallow import ValidationError, fields

from hub.adapters import AdapterContext, Marketplace, Shop
from hub.db import Connection
from hub.errors import AddressNotAllowed
from hub.host_patterns import HostPatterns
from hub.http import AddressGuard, ClientFactory, Redactor
from hub.secrets import secret_fields


def settings_for_storage(hub, adapter_cls, settings: dict, previous: dict | None = None) -> dict:
    """Validate settings with the plugin's schema and seal its secrets; a blank secret keeps the old one."""
    previous = previous or {}
    secrets = secret_fields(adapter_cls.settings_schema)
    merged = dict(settings)
    for name in secrets:
        if not merged.get(name) and previous.get(name):
            merged[name] = hub.box.open({name: previous[name]})[name]
    loaded = adapter_cls.settings_schema().load(merged)
    refused = refused_addresses(hub, adapter_cls, loaded)
    if refused:
        raise ValidationError(refused)
    return hub.box.seal(adapter_cls.settings_schema, _jsonable(loaded))


def refused_addresses(hub, adapter_cls, settings: dict) -> dict[str, list[str]]:
    """The URL settings the address guard refuses, with the message Test connection gives: the same
    guard (allowed local hosts, the manifest's ``allowed_hosts``) the plugin's clients will use. A host
    that does not resolve now is let through; Test connection reports it."""
    manifest = getattr(adapter_cls, "manifest", None)
    guard = AddressGuard(hub.config.allow_local_hosts, HostPatterns(manifest.allowed_hosts, f"plugin "
                         f"'{adapter_cls.slug}'") if manifest else None)
    refused = {}
    for name, field in adapter_cls.settings_schema().fields.items():
        value = settings.get(name)
        if not isinstance(field, fields.Url) or not value:
            continue
        try:
            guard.resolve(str(value))
        except AddressNotAllowed as exc:
            refused[field.data_key or name] = [f"This address is not allowed: {Redactor.redact(str(exc))}"]
        except (OSError, UnicodeError):
            continue
    return refused


def _jsonable(data: dict) -> dict:
    return {k: (str(v) if not isinstance(v, (str, int, float, bool, list, dict, type(None))) else v)
            for k, v in data.items()}


def build_adapter(hub, conn: Connection, kind: str):
    """The marketplace or shop adapter of ``conn``, with its HTTP client factory and decrypted settings.

    The factory's clients reach only the hosts of the plugin's manifest ``allowed_hosts`` (and the
    configured local hosts), see :mod:`hub.host_patterns`.
    """
    registry = hub.registry
    if kind == "marketplace":
        cls, stored = registry.marketplace(conn.marketplace), conn.marketplace_settings
    else:
        cls, stored = registry.shop(conn.shop), conn.shop_settings
    settings = hub.box.open(stored)
    secrets = [str(settings[name]) for name in secret_fields(cls.settings_schema) if settings.get(name)]
    manifest = cls.manifest
    factory = ClientFactory(
        redis=hub.redis,
        limiter_key=f"conn:{conn.id}:{cls.slug}",
        rate_limit=manifest.rate_limit if manifest else None,
        allow_local=hub.config.allow_local_hosts,
        allowed_hosts=HostPatterns(manifest.allowed_hosts, f"plugin '{cls.slug}'") if manifest else None,
        timeout=hub.config.http_timeout,
        retries=hub.config.http_retries,
        secrets=secrets,
        max_connections=max(hub.config.concurrency * 2, 10),
    )
    factory.metrics_label = cls.slug
    memo = _MEMOS.setdefault((conn.id, kind, _fingerprint(stored)), {})
    return cls(AdapterContext(settings=settings, connection_id=conn.id, http_factory=factory, memo=memo,
                              concurrency=hub.config.concurrency,
                              save_settings=lambda changes: save_settings(hub, conn.id, kind, changes)))


def save_settings(hub, connection_id: int, kind: str, changes: dict) -> None:
    """Merge ``changes`` into a connection's stored marketplace or shop settings, secrets sealed: what a
    plugin keeps for later, such as the refresh token an OAuth server rotated or a device flow obtained."""
    with hub.session() as s:
        conn = s.get(Connection, connection_id)
        if conn is None:
            return
        slug = conn.marketplace if kind == "marketplace" else conn.shop
        cls = hub.registry.marketplace(slug) if kind == "marketplace" else hub.registry.shop(slug)
        column = "marketplace_settings" if kind == "marketplace" else "shop_settings"
        sealed = hub.box.seal(cls.settings_schema, _jsonable(changes))
        setattr(conn, column, {**(getattr(conn, column) or {}), **sealed})


# Process-local caches (access tokens) per connection, adapter kind and settings version: jobs in
# the same worker reuse a token until it expires; new settings start a fresh cache.
_MEMOS: dict[tuple, dict] = {}


def _fingerprint(stored: dict) -> str:
    return hashlib.sha256(json.dumps(stored, sort_keys=True, default=str).encode()).hexdigest()


def check_settings(adapter_cls, settings: dict) -> dict:
    """Field errors of ``settings`` against the plugin's schema (empty when valid)."""
    try:
        adapter_cls.settings_schema().load(settings)
    except ValidationError as exc:
        return exc.messages
    return {}


__all__ = ["Marketplace", "Shop", "build_adapter", "check_settings", "save_settings", "settings_for_storage"]
