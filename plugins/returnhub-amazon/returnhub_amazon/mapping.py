"""Amazon returns report rows -> canonical return dicts (or Quarantined), and order PII -> customer.

Amazon has no return-decision vocabulary to map (no SP-API operation takes a return decision;
research §2.1/2.5): the report's own outcome fields (status, resolution, in policy, refunded
amount) are kept raw on the return and summarised as flags.
"""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from hub.model import Quarantined
from hub.sdk.cursor import parse_time as sdk_parse_time

MFN_FLAT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
MFN_XML = "GET_XML_RETURNS_DATA_BY_RETURN_DATE"
FBA = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"

# Reason codes seen in Amazon's returns reports (MFN with "CR-"/"AMZ-PG-", FBA without);
# the texts are ours. UNVERIFIED: Amazon publishes no list. Unknown codes keep the code, text None.
REASON_TEXTS = {
    "DEFECTIVE": "Defective or does not work", "DAMAGED_BY_CARRIER": "Damaged in transit",
    "DAMAGED_BY_FC": "Damaged at the fulfilment centre", "UNWANTED_ITEM": "No longer needed",
    "ORDERED_WRONG_ITEM": "Ordered by mistake", "SWITCHEROO": "Wrong item received",
    "NOT_AS_DESCRIBED": "Not as described", "QUALITY_UNACCEPTABLE": "Quality not acceptable",
    "MISSING_PARTS": "Parts or accessories missing", "EXTRA_ITEM": "Extra item received",
    "FOUND_BETTER_PRICE": "Better price found", "MISSED_ESTIMATED_DELIVERY": "Arrived too late",
    "NOT_COMPATIBLE": "Not compatible", "UNAUTHORIZED_PURCHASE": "Unauthorised purchase",
    "APPAREL_TOO_SMALL": "Too small", "APPAREL_TOO_LARGE": "Too large", "BAD-DESC": "Not as described",
    "APP-TOO-SMALL": "Too small", "APP-TOO-LARGE": "Too large",
}

# Header spellings -> one key each (flat file, XML element names and regional variants alike).
_ALIASES = {
    "return_reason_code": "return_reason",
    "refund_amount": "refunded_amount",
}


def normalise_key(name: str) -> str:
    """'Amazon RMA ID', 'amazon-rma-id' and 'amazon_rma_id' all become 'amazon_rma_id'."""
    key = re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")
    return _ALIASES.get(key, key)


def decode(content: bytes, charset: str | None) -> str:
    """Report text: the declared charset, else UTF-8, else Windows-1252 (Amazon's EU flat files)."""
    for encoding in filter(None, [charset, "utf-8-sig"]):
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("cp1252", errors="replace")


def parse_tsv(text: str) -> list[dict]:
    """Rows of a tab-separated report, keyed by normalised header (columns vary by region)."""
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if not header:
        return []
    keys = [normalise_key(h) for h in header]
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        row = {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(keys)}
        rows.append(row)
    return rows


def parse_returns_xml(content: bytes) -> list[dict]:
    """Rows of the XML returns report: one per item_details, with its return's fields copied in.

    Amazon documents the element names but not the envelope (UNVERIFIED), so every element that
    has an ``amazon_rma_id`` or ``order_id`` child counts as a return, wherever it sits.
    """
    root = ET.fromstring(content)  # bytes: the parser honours the declared encoding
    rows = []
    for node in root.iter():
        children = {normalise_key(c.tag) for c in node}
        if not children & {"amazon_rma_id", "order_id"} or node.tag == "item_details":
            continue
        common: dict[str, str] = {}
        items = []
        for child in node:
            tag = normalise_key(child.tag)
            if tag == "item_details":
                items.append({normalise_key(c.tag): (c.text or "").strip() for c in child})
            elif len(child):
                common.update({normalise_key(c.tag): (c.text or "").strip() for c in child})
            else:
                common[tag] = (child.text or "").strip()
        rows.extend({**common, **item} for item in (items or [{}]))
    return rows


def parse_time(value: str | None) -> datetime | None:
    """Amazon report dates: ISO 8601 (UTC when no zone) or '12-Mar-2024' style (UTC midnight); None if unreadable."""
    text = (value or "").strip()
    try:
        return sdk_parse_time(text)
    except ValueError:
        pass
    for fmt in ("%d-%b-%Y", "%b %d, %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _quantity(value: str) -> int | None:
    return int(value) if re.fullmatch(r"\s*\d+\s*", value or "") and int(value) > 0 else None


def _reason(code: str) -> tuple[str | None, str | None]:
    code = (code or "").strip()
    if not code:
        return None, None
    bare = re.sub(r"^(CR-|AMZ-PG-)", "", code)
    return code, REASON_TEXTS.get(bare)


def _yes(value: str) -> bool | None:
    value = (value or "").strip().upper()
    return {"Y": True, "YES": True, "TRUE": True, "N": False, "NO": False, "FALSE": False}.get(value)


def mfn_returns(rows: list[dict], known_statuses: list[str], report_type: str) -> list:
    """Merchant-fulfilled rows grouped by Amazon RMA ID into returns; a bad group is quarantined whole."""
    groups: OrderedDict[str, list[dict]] = OrderedDict()
    items: list = []
    for row in rows:
        rma = row.get("amazon_rma_id", "").strip()
        if not rma:
            items.append(Quarantined(reason="row without Amazon RMA ID: no stable key to import it by",
                                     raw=row))
            continue
        groups.setdefault(rma, []).append(row)
    known = {s.strip().lower() for s in known_statuses}
    for rma, group in groups.items():
        problem = _mfn_problem(group, known)
        if problem:
            items.append(Quarantined(reason=problem, raw={"rows": group}, external_id=rma))
        else:
            items.append(_mfn_return(rma, group, report_type))
    return items


def _mfn_problem(group: list[dict], known: set[str]) -> str | None:
    orders = {r.get("order_id", "").strip() for r in group}
    if orders == {""}:
        return "no Order ID"
    if len(orders) > 1:
        return f"rows of one RMA name different orders: {', '.join(sorted(orders))}"
    for row in group:
        status = row.get("return_request_status", "").strip()
        if status.lower() not in known:
            return f"unknown Return request status {status!r} (known: {', '.join(sorted(known))})"
        if _quantity(row.get("return_quantity", "")) is None:
            return (f"Return quantity {row.get('return_quantity', '')!r} is not a positive whole number "
                    f"(SKU {row.get('merchant_sku') or row.get('asin')})")
        if parse_time(row.get("return_request_date", "")) is None:
            return f"unreadable Return request date {row.get('return_request_date', '')!r}"
        if not (row.get("merchant_sku") or row.get("asin")):
            return "row without Merchant SKU and ASIN"
    return None


def _mfn_return(rma: str, group: list[dict], report_type: str) -> dict:
    lines, seen, flags = [], {}, ["no_customer_address"]
    refunded = Decimal(0)
    for row in group:
        base = row.get("merchant_sku") or row.get("asin")
        seen[base] = seen.get(base, 0) + 1
        code, text = _reason(row.get("return_reason", ""))
        in_policy = _yes(row.get("in_policy", ""))
        amount = _amount(row.get("refunded_amount", ""))
        if amount is None and row.get("refunded_amount", "").strip():
            flags.append("refund_amount_unreadable")
        refunded += amount or 0
        lines.append({
            "external_line_id": base if seen[base] == 1 else f"{base}#{seen[base]}",
            "quantity": _quantity(row["return_quantity"]),
            "sku": row.get("merchant_sku") or None,
            "title": row.get("item_name") or None,
            "reason_code": code,
            "reason_text": text,
            "raw": {k: row.get(k) for k in ("asin", "in_policy", "resolution", "return_type",
                                            "refunded_amount", "order_amount", "order_quantity") if k in row},
        })
        if in_policy is False:
            flags.append("out_of_policy")
        elif in_policy is None:
            flags.append("in_policy_unknown")
    first = group[0]
    if all(_yes(r.get("in_policy", "")) for r in group):
        flags.append("in_policy")
    if refunded > 0:
        flags.append("refunded")
    if _yes(first.get("a_to_z_claim", "")):
        flags.append("a_to_z_claim")
    if _yes(first.get("is_prime", "")):
        flags.append("prime")
    return {
        "external_id": rma,
        "marketplace_order_id": first["order_id"].strip(),
        "fulfilment": "merchant",
        "fulfilment_method": "MFN",
        "requested_at": min(parse_time(r["return_request_date"]) for r in group).isoformat(),
        "lines": lines,
        "flags": list(dict.fromkeys(flags)),
        "raw": {
            "report_type": report_type,
            "return_request_status": first.get("return_request_status"),
            "resolution": [r.get("resolution") for r in group],
            "refunded_amount": str(refunded) if refunded else first.get("refunded_amount") or None,
            "currency_code": first.get("currency_code") or None,
            "merchant_rma_id": first.get("merchant_rma_id") or None,
            "tracking_id": first.get("tracking_id") or None,
            "return_carrier": first.get("return_carrier") or None,
        },
    }


def _amount(value: str) -> Decimal | None:
    try:
        amount = Decimal((value or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def fba_returns(rows: list[dict]) -> list:
    """FBA customer returns: one informational return per licence plate, fulfilled by Amazon."""
    items: list = []
    for row in rows:
        order, sku, plate = (row.get(k, "").strip() for k in ("order_id", "sku", "license_plate_number"))
        key = f"FBA:{order}:{sku}:{plate}"
        problem = None
        if not (order and sku and plate):
            problem = "FBA row without order id, SKU or licence plate number: no stable key"
            key = None
        elif _quantity(row.get("quantity", "")) is None:
            problem = f"quantity {row.get('quantity', '')!r} is not a positive whole number"
        elif parse_time(row.get("return_date", "")) is None:
            problem = f"unreadable return-date {row.get('return_date', '')!r}"
        if problem:
            items.append(Quarantined(reason=problem, raw=row, external_id=key))
            continue
        code, text = _reason(row.get("reason", ""))
        items.append({
            "external_id": key,
            "marketplace_order_id": order,
            "fulfilment": "marketplace",
            "fulfilment_method": "FBA",
            "requested_at": parse_time(row["return_date"]).isoformat(),
            "lines": [{
                "external_line_id": sku,
                "quantity": _quantity(row["quantity"]),
                "sku": sku,
                "title": row.get("product_name") or None,
                "reason_code": code,
                "reason_text": text,
                "customer_comment": row.get("customer_comments") or None,
                "raw": {k: row.get(k) for k in ("asin", "fnsku", "detailed_disposition", "status",
                                                "fulfillment_center_id") if k in row},
            }],
            "flags": ["informational", "no_customer_address"],
            "raw": {"report_type": FBA, "license_plate_number": plate, "status": row.get("status"),
                    "detailed_disposition": row.get("detailed_disposition")},
        })
    return items


def customer(address: dict, buyer: dict) -> dict:
    """Orders API ShippingAddress + BuyerInfo -> canonical customer (street lines kept whole)."""
    ship = address.get("ShippingAddress") or {}
    street = ", ".join(filter(None, (ship.get(k) for k in ("AddressLine1", "AddressLine2", "AddressLine3"))))
    country = (ship.get("CountryCode") or "").upper() or None
    return {
        "name": ship.get("Name") or buyer.get("BuyerName") or None,
        "email": buyer.get("BuyerEmail") or None,
        "phone": ship.get("Phone") or None,
        "address": {
            "name": ship.get("Name") or None,
            "street": street or None,
            "postal_code": ship.get("PostalCode") or None,
            "city": ship.get("City") or None,
            "country_code": country,
        },
    }
