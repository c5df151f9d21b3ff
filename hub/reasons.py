"""Where a marketplace plugin's reason mapping is found: the adapter's ``reason_map`` attribute, else
``REASONS`` in its package's ``reasons`` module (a dict; see docs/writing-plugins.md "Return reasons")."""
from __future__ import annotations

import importlib
from functools import cache

from hub.model.reasons import Reason, ReasonMap, canonical


def declared_map(marketplace_cls) -> ReasonMap | None:
    """The mapping the plugin declares (``reason_map``, else ``REASONS`` of its ``reasons`` module), or
    None when it declares none; ``{}`` is a declaration too: a platform that sends no reasons."""
    mapping = getattr(marketplace_cls, "reason_map", None)
    if mapping is None:
        package = marketplace_cls.__module__.split(".")[0]
        try:
            mapping = getattr(importlib.import_module(f"{package}.reasons"), "REASONS", None)
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.reasons":
                raise
            mapping = None
    return mapping


@cache
def reason_map(marketplace_cls) -> ReasonMap:
    """The plugin's mapping of its reasons to ``hub.model.Reason`` values (empty when it has none)."""
    mapping = dict(declared_map(marketplace_cls) or {})
    bad = {k: v for k, v in mapping.items() if v not in Reason._value2member_map_}
    if bad:
        raise ValueError(f"{marketplace_cls.__name__}: reasons mapped to no canonical reason: {bad}")
    return mapping


def reason_of(marketplace_cls, code: str | None, text: str | None) -> Reason:
    """A line's canonical reason for this marketplace ("other" when the plugin does not map it)."""
    if marketplace_cls is None:
        return Reason.OTHER
    return canonical(reason_map(marketplace_cls), code, text) or Reason.OTHER
