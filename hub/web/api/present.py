"""Rows as the API shows them (the response schemas dump these); secrets never leave redacted."""
from __future__ import annotations

from hub import instances
from hub.db import Connection, ReturnRow
from hub.secrets import redact
from hub.web.context import hub as current_hub
from hub.web.returns_query import awaits_action


def decision_summary(row: ReturnRow) -> str | None:
    decisions = {line.decision for line in row.lines}
    if not decisions or None in decisions:
        return None
    return decisions.pop() if len(decisions) == 1 else "mixed"


def return_dict(row: ReturnRow, events: bool = False) -> dict:
    data = {c: getattr(row, c) for c in (
        "id", "connection_id", "external_id", "marketplace_order_id", "shop_order_id", "shop_return_id",
        "fulfilment", "fulfilment_method", "state", "is_test", "attention_reason", "requested_at", "decided_at",
        "created_at", "updated_at", "customer", "invoice_address", "merchant_action")}
    data["requires_action"] = awaits_action(row)
    data.update(marketplace=row.connection.marketplace, shop=row.connection.shop, flags=list(row.flags or []),
                marketplace_name=instances.connection_name(current_hub().registry, row.connection),
                decision=decision_summary(row), lines=list(row.lines))
    if events:
        data["events"] = list(row.events)
    return data


def connection_dict(hub, conn: Connection) -> dict:
    registry = hub.registry
    data = {c: getattr(conn, c) for c in (
        "id", "name", "marketplace", "shop", "returns_enabled", "status", "status_reason", "last_poll_at",
        "last_decision_poll_at", "last_error", "created_at")}
    data["marketplace_name"] = instances.connection_name(registry, conn)
    for kind, slug, stored in (("marketplace", conn.marketplace, conn.marketplace_settings),
                               ("shop", conn.shop, conn.shop_settings)):
        cls = (registry.marketplaces if kind == "marketplace" else registry.shops).get(slug)
        if cls is not None:
            data[f"{kind}_settings"] = redact(cls.settings_schema, stored)
        else:  # plugin not loaded: show no values at all rather than guess which are secret
            data[f"{kind}_settings"] = {key: "(stored)" for key in (stored or {})}
    return data
