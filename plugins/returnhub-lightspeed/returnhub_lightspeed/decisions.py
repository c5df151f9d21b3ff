"""The merchant's decision read from Lightspeed: a custom order status the merchant mapped to a decision, or
the status of a return record on the order (both conventions are connection settings)."""
from __future__ import annotations

from hub.model import Decision, LineDecision, Return


def related_id(value) -> str | None:
    """The id of a related resource: ``{"resource": {"id": 5}}``, ``{"id": 5}`` or ``5``."""
    if isinstance(value, dict):
        value = (value.get("resource") or value).get("id")
    return str(value) if value not in (None, "", False) else None


def from_order(ret: Return, order: dict, mapping: dict[str, Decision]) -> list[LineDecision]:
    """Decisions from the order's ``customStatusId`` when the merchant mapped it."""
    status = related_id(order.get("customStatusId"))
    if status is not None and status in mapping:
        return every_line(ret, mapping[status], f"custom status {status}")
    return []


def from_returns(ret: Return, records: list[dict], mapping: dict[str, Decision]) -> list[LineDecision]:
    """Decisions from the newest return record on the order whose status the merchant mapped."""
    for record in sorted(records, key=lambda r: (str(r.get("updatedAt") or ""), r.get("id") or 0), reverse=True):
        status = str(record.get("status") or "")
        if status in mapping:
            return every_line(ret, mapping[status], f"return {record.get('id')} status {status}")
    return []


def every_line(ret: Return, decision: Decision, raw: str) -> list[LineDecision]:
    return [LineDecision(external_line_id=line.external_line_id, decision=decision, quantity=line.quantity, raw=raw)
            for line in ret.lines]
