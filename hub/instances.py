"""Marketplace instances: one plugin serving many operators (Mirakl's MediaMarkt, Leroy Merlin, ...).

A marketplace manifest may list ``capabilities.instances``: dicts with at least ``key`` and ``name``
(also ``label``, ``countries``, ``url_pattern``, ``requires_action``). A connection picks one with
its ``instance`` setting; the UI, the API and the CLI then name the connection and its returns by
the instance's ``name`` ("MediaMarkt"), with the plugin's title as the platform behind it.
"""
from __future__ import annotations

SETTING = "instance"  # the settings field that holds the chosen instance's key


def instances(cls) -> tuple[dict, ...]:
    """The instances a marketplace class declares (none for a class without manifest or instances)."""
    caps = getattr(cls, "capabilities", None)
    return tuple(getattr(caps, "instances", ()) or ())


def instance(cls, settings: dict | None) -> dict | None:
    """The instance a connection's (stored) settings chose, or None."""
    key = (settings or {}).get(SETTING)
    return next((i for i in instances(cls) if i.get("key") == key), None) if key else None


def titles(registry) -> dict[str, str]:
    """Display names by ``slug`` and by ``slug:instance key``, for pages that list many connections."""
    out = {}
    for slug, cls in registry.marketplaces.items():
        out[slug] = cls.title
        for item in instances(cls):
            out[f"{slug}:{item['key']}"] = item.get("name") or item["key"]
    return out


def name(titles_or_registry, slug: str, settings: dict | None) -> str:
    """The marketplace's name for a connection: its instance's name, else the plugin's title, else the slug."""
    found = titles_or_registry if isinstance(titles_or_registry, dict) else titles(titles_or_registry)
    key = (settings or {}).get(SETTING)
    return (key and found.get(f"{slug}:{key}")) or found.get(slug, slug)


def connection_name(registry, conn) -> str:
    """:func:`name` of a Connection row."""
    return name(registry, conn.marketplace, conn.marketplace_settings)


def requires_action(cls, settings: dict | None) -> str | None:
    """What the merchant must do at the marketplace: the instance's own text, else the plugin's."""
    item = instance(cls, settings)
    if item and item.get("requires_action"):
        return item["requires_action"]
    caps = getattr(cls, "capabilities", None)
    return getattr(caps, "requires_action", None)


def action_steps(cls, settings: dict | None) -> list[dict]:
    """The marketplace's "requires action" steps, in order (``{"who": "merchant" | "returnhub", "text"}``):
    the instance's own ``action_steps``, else the plugin's; empty when it declares none."""
    item = instance(cls, settings)
    if item and item.get("action_steps"):
        return list(item["action_steps"])
    caps = getattr(cls, "capabilities", None)
    return list(getattr(caps, "action_steps", ()) or ())


def choices(registry) -> list[tuple[str, str, str]]:
    """The connection form's marketplace options: (value, label, group); ``slug:key`` for an instance."""
    out = []
    for slug, cls in sorted(registry.marketplaces.items()):
        items = instances(cls)
        if not items:
            out.append((slug, cls.title, ""))
        for item in sorted(items, key=lambda i: (i.get("name") or i["key"]).lower()):
            out.append((f"{slug}:{item['key']}", item.get("name") or item["key"], cls.title))
    return out
