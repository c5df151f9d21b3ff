"""The merchant's decision read from the order: an order status the merchant mapped to a decision, or a
credit order made after the return was written (read only: the hub never creates credit orders)."""
from __future__ import annotations

from hub.errors import PermanentError
from hub.model import Decision, LineDecision, Return
from returnhub_mijnwebwinkel import notes


def check_mapping(mapping: dict[int, Decision], statuses: list[dict]) -> None:
    """Refuse a mapping that names a status the store does not have, listing the store's statuses."""
    known = {int(s["status"]): s for s in statuses if s.get("status") is not None}
    unknown = sorted(set(mapping) - set(known))
    credit = sorted(n for n in mapping if n in known and known[n].get("credit_order"))
    if unknown or credit:
        listing = ", ".join(f"{n} {known[n].get('description') or ''}".strip() for n in sorted(known)
                            if not known[n].get("credit_order"))
        what = (f"status {', '.join(map(str, unknown))} is not a status of this store" if unknown else
                f"status {', '.join(map(str, credit))} is a credit-order status")
        raise PermanentError(f"Mijnwebwinkel: {what}; map the store's order statuses: {listing}")


def derive(ret: Return, order: dict, mapping: dict[int, Decision], credit_decision: str,
           descriptions: dict[int, str]) -> list[LineDecision]:
    """One LineDecision per line for a decided return (full quantities: the API decides whole orders)."""
    status = order.get("status")
    if isinstance(status, int) and status in mapping:
        raw = f"status {status}" + (f" ({descriptions[status]})" if descriptions.get(status) else "")
        return _all(ret, mapping[status], raw)
    if credit_decision != "ignore":
        comment = (order.get("comments") or {}).get("internal")
        new = set(order.get("credit_order_numbers") or []) - notes.credits_before(comment, ret.reference)
        if new:
            return _all(ret, Decision(credit_decision), f"credit order {', '.join(map(str, sorted(new)))}")
    return []


def _all(ret: Return, decision: Decision, raw: str) -> list[LineDecision]:
    return [LineDecision(external_line_id=line.external_line_id, decision=decision, quantity=line.quantity, raw=raw)
            for line in ret.lines]
