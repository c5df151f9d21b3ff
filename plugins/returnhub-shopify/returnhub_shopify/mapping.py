"""Shopify <-> canonical: return reasons, line matching by SKU/EAN, and the decision derivation."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hub.errors import PermanentError
from hub.model import Decision, Line, LineDecision, Return

CUSTOMER_NOTE_MAX = 300  # ReturnRequestLineItemInput.customerNote
REASON_NOTE_MAX = 255  # ReturnLineItemInput.returnReasonNote

# Checked in order against the marketplace's reason code and text (lower case).
_REASONS = [
    ("SIZE_TOO_SMALL", r"too small|te klein|zu klein|trop petit"),
    ("SIZE_TOO_LARGE", r"too (large|big)|te groot|zu gro|trop grand"),
    ("DEFECTIVE", r"defect|broken|damaged|faulty|kapot|beschadigd|defekt|besch[äa]digt"),
    ("WRONG_ITEM", r"wrong|verkeerd|falsch"),
    ("NOT_AS_DESCRIBED", r"not as described|description|afwijk|beschreibung"),
    ("COLOR", r"colou?r|kleur|farbe"),
    ("STYLE", r"style|stijl"),
    ("UNWANTED", r"unwanted|no longer|changed (his|her|their)? ?mind|niet meer nodig|bedenk|"
                 r"nicht mehr|widerruf|cancel"),
]


def return_reason(line: Line) -> str:
    """The ReturnReason enum value for a marketplace line; OTHER with a note, UNKNOWN without."""
    text = " ".join(filter(None, [line.reason_code, line.reason_text])).lower()
    if not text:
        return "UNKNOWN"
    for value, pattern in _REASONS:
        if re.search(pattern, text):
            return value
    return "OTHER"


def line_tag(reference: str, line: Line) -> str:
    """The marker written at the start of each return line item's note: finds it again later."""
    return f"[{reference}:{line.external_line_id}]"


def line_note(ret: Return, line: Line, limit: int) -> str:
    """Marker, then the marketplace's reason text and the customer's comment, within ``limit``."""
    parts = [line_tag(ret.reference, line)]
    if line.reason_text or line.reason_code:
        parts.append(line.reason_text or line.reason_code)
    if line.customer_comment:
        parts.append(f"— {line.customer_comment}")
    return " ".join(parts)[:limit]


@dataclass
class Returnable:
    """One returnable fulfillment line item, as Shopify lists it."""

    fulfillment_line_item_id: str
    quantity: int
    sku: str | None
    barcode: str | None


def returnables(nodes) -> list[Returnable]:
    """Flatten ``returnableFulfillments`` nodes into returnable line items."""
    out = []
    for fulfillment in nodes:
        for item in fulfillment["returnableFulfillmentLineItems"]["nodes"]:
            fli = item["fulfillmentLineItem"]
            li = fli["lineItem"] or {}
            out.append(Returnable(fli["id"], int(item["quantity"]), li.get("sku"),
                                  (li.get("variant") or {}).get("barcode")))
    return out


def _norm(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def allocate(lines: list[Line], items: list[Returnable]) -> list[tuple[Line, str, int]]:
    """(line, fulfillment line item id, quantity) covering every line; SKU first, then EAN.

    A line may spread over several fulfillments of the same product. Raises PermanentError naming
    the lines that do not match or exceed the returnable quantity.
    """
    left = {item.fulfillment_line_item_id: item.quantity for item in items}
    out, problems = [], []
    for line in lines:
        sku, ean = _norm(line.sku), _norm(line.ean)
        candidates = [i for i in items if sku and _norm(i.sku) == sku] or \
                     [i for i in items if ean and _norm(i.barcode) == ean]
        if not candidates:
            problems.append(f"line {line.external_line_id} (SKU {line.sku}, EAN {line.ean}) is not "
                            "among the order's returnable fulfilled items")
            continue
        need = line.quantity
        for item in candidates:
            take = min(need, left[item.fulfillment_line_item_id])
            if take:
                out.append((line, item.fulfillment_line_item_id, take))
                left[item.fulfillment_line_item_id] -= take
                need -= take
        if need:
            problems.append(f"line {line.external_line_id}: {need} of {line.quantity} more than "
                            "Shopify says can still be returned")
    if problems:
        raise PermanentError("; ".join(problems))
    return out


def derive(ret: Return, node: dict, settings: dict, processed_known: bool) -> list[LineDecision] | None:
    """The hub's per-line decisions for one Shopify return (research §1.7), or None while pending.

    ``processed_known``: the API version reports processed exchange quantities (2025-07+).
    """
    status = node["status"]
    if status == "REQUESTED":
        return None
    if status == "DECLINED":
        decline = node.get("decline") or {}
        note = ": ".join(filter(None, [decline.get("reason"), decline.get("note")]))
        return _all(ret, Decision.REJECTED, note or None, "DECLINED")
    if status == "CANCELED":
        return _all(ret, Decision.CANCELLED, None, "CANCELED")
    if status not in ("OPEN", "CLOSED"):
        return [LineDecision(line.external_line_id, None, None, f"unknown return status {status}", status)
                for line in ret.lines]

    tags = {t.strip().lower() for t in (node.get("order") or {}).get("tags") or []}
    for decision, tag in ((Decision.REPAIRED, settings.get("tag_repaired")),
                          (Decision.KEPT, settings.get("tag_kept"))):
        if tag and tag.strip().lower() in tags:
            return _all(ret, decision, f"order tag {tag}", f"{status}+tag:{tag}")

    exchanges = node["exchangeLineItems"]["nodes"]
    if processed_known:
        exchanged = any((e.get("processedQuantity") or 0) > 0 for e in exchanges)
    else:
        exchanged = bool(exchanges) and status == "CLOSED"
    items = node["returnLineItems"]["nodes"]
    refunded = _refunded_by_line(ret, items)
    fully_refunded = bool(items) and all(i["refundedQuantity"] >= i["quantity"] for i in items)
    if status == "OPEN" and not exchanged and not fully_refunded:
        return None

    out = []
    for line in ret.lines:
        qty = refunded.get(line.external_line_id)
        if qty:
            out.append(LineDecision(line.external_line_id, Decision.ACCEPTED, min(qty, line.quantity),
                                    None, f"{status}+refunded"))
        elif exchanged:
            out.append(LineDecision(line.external_line_id, Decision.EXCHANGED, line.quantity, None,
                                    f"{status}+exchange"))
        elif qty is None:
            out.append(LineDecision(line.external_line_id, None, None,
                                    "line not on the Shopify return", f"{status}+missing"))
        else:
            out.append(_closed_without_refund(line, settings))
    return out


def _closed_without_refund(line: Line, settings: dict) -> LineDecision:
    choice = settings.get("closed_without_refund", "rejected")
    raw = "CLOSED+no_refund"
    if choice == "manual":
        return LineDecision(line.external_line_id, None, None, "closed without refund", raw)
    return LineDecision(line.external_line_id, Decision(choice), line.quantity, "closed without refund", raw)


def _refunded_by_line(ret: Return, items: list[dict]) -> dict[str, int]:
    """Refunded quantity per hub line, found by the marker in the return line items' notes."""
    out: dict[str, int] = {}
    for line in ret.lines:
        tag = line_tag(ret.reference, line)
        matching = [i for i in items if (i.get("customerNote") or "").startswith(tag)
                    or (i.get("returnReasonNote") or "").startswith(tag)]
        if matching:
            out[line.external_line_id] = sum(int(i["refundedQuantity"]) for i in matching)
    return out


def _all(ret: Return, decision: Decision, note: str | None, raw: str) -> list[LineDecision]:
    return [LineDecision(line.external_line_id, decision, line.quantity, note, raw) for line in ret.lines]
