"""Adobe Commerce returns (RMA): create one over /V1/returns, find it again, and read its decision
(research §2.6: the RMA status says when it is over, the item statuses and resolutions say what)."""
from __future__ import annotations

from hub import clock
from hub.errors import PermanentError
from hub.model import Decision, LineDecision, Return
from returnhub_magento2 import mapping
from returnhub_magento2.client import MagentoClient

FINAL = {"closed", "processed_closed"}
ATTRIBUTES = ("reason", "condition", "resolution")


def options(client: MagentoClient, memo: dict, code: str) -> dict[str, str]:
    """``{label: option id}`` of a returns attribute (reason, condition, resolution), cached per store."""
    key = f"magento2:options:{client.settings['store_url']}:{code}"
    if key not in memo:
        meta = client.get(f"/returnsAttributeMetadata/{code}")
        memo[key] = {str(o["label"]): str(o["value"]) for o in meta.get("options") or [] if o.get("value")}
    return memo[key]


def _option(opts: dict[str, str], label: str, code: str) -> str:
    by_lower = {k.lower(): v for k, v in opts.items()}
    if label.lower() not in by_lower:
        raise PermanentError(f"the store's RMA attribute '{code}' has no option '{label}' (options: "
                             f"{', '.join(opts) or 'none'}): add it in Stores › Attributes › Returns or change "
                             "the setting")
    return by_lower[label.lower()]


def comments(client: MagentoClient, rma: dict) -> list[dict]:
    """The RMA's comments: from the RMA when it lists them, else from /V1/returns/{id}/comments (whether
    list answers carry comments is not documented; the comments endpoint is)."""
    if rma.get("comments"):
        return rma["comments"]
    return client.get(f"/returns/{rma['entity_id']}/comments").get("items") or []


def existing(client: MagentoClient, order: dict, reference: str) -> str | None:
    """The RMA made earlier for ``reference`` on this order (its first comment carries the marker)."""
    tag = mapping.marker(reference)
    for rma in client.search("/returns", [("order_id", order["entity_id"], "eq")]):
        if any(str(c.get("comment") or "").startswith(tag) for c in comments(client, rma)):
            return str(rma["entity_id"])
    return None


def create(client: MagentoClient, memo: dict, settings: dict, ret: Return, order: dict) -> str:
    """Create the RMA: one item per line and order item, with reason, condition and resolution options,
    and a comment with the marketplace return, the customer's address and the line mapping."""
    allocations = mapping.allocate(ret.lines, order, shipped_only=True)
    opts = {code: options(client, memo, code) for code in ATTRIBUTES}
    condition = _option(opts["condition"], settings["rma_condition"], "condition")
    resolution = _option(opts["resolution"], settings["rma_resolution"], "resolution")
    fallback = settings["rma_reason_fallback"]
    items = [{"entity_id": 0, "rma_entity_id": 0, "order_item_id": a.order_item_id, "qty_requested": a.qty,
              "qty_authorized": 0, "qty_approved": 0, "qty_returned": 0, "status": "pending",
              "reason": _option(opts["reason"], mapping.reason_label(a.line, list(opts["reason"]), fallback), "reason"),
              "condition": condition, "resolution": resolution} for a in allocations]
    now = clock.now().strftime("%Y-%m-%d %H:%M:%S")
    comment = {"comment": mapping.describe(ret, allocations), "rma_entity_id": 0, "created_at": now, "entity_id": 0,
               "customer_notified": False, "visible_on_front": False, "status": "pending", "admin": True}
    email = (ret.customer.email if ret.customer else None) or order.get("customer_email") or ""
    body = {"increment_id": "", "entity_id": 0, "order_id": int(order["entity_id"]),
            "order_increment_id": str(order["increment_id"]), "store_id": int(order.get("store_id") or 1),
            "customer_id": int(order.get("customer_id") or 0), "date_requested": ret.requested_at.strftime(
                "%Y-%m-%d %H:%M:%S"), "customer_custom_email": email, "items": items, "status": "pending",
            "comments": [comment], "tracks": []}
    saved = client.post("/returns", {"rmaDataObject": body})
    return str(saved["entity_id"])


def read(client: MagentoClient, ids: list[str]) -> dict[str, dict]:
    """The RMAs with these ids that still exist, by id (one searchCriteria 'in' query, paged)."""
    return {str(r["entity_id"]): r for r in client.search("/returns", [("entity_id", ids, "in")])}


def derive(ret: Return, rma: dict | None, resolutions: dict[str, str], settings: dict,
           history: list[dict] | None = None) -> list[LineDecision] | None:
    """Per-line decisions of one RMA once it is closed (None while open). ``resolutions``: option id ->
    label of the resolution attribute; ``history``: its comments. A deleted RMA (None) is a cancellation."""
    if rma is None:
        return [LineDecision(line.external_line_id, Decision.CANCELLED, line.quantity, "the RMA was deleted",
                             "deleted") for line in ret.lines]
    status = rma.get("status")
    if status not in FINAL:
        return None
    recorded = next((mapping.recorded_lines(c["comment"]) for c in (history or rma.get("comments") or [])
                     if str(c.get("comment") or "").startswith(mapping.marker(ret.reference))), [])
    by_item: dict[int, list[dict]] = {}
    for item in rma.get("items") or []:
        by_item.setdefault(int(item["order_item_id"]), []).append(item)
    labels = {k.lower(): v for k, v in settings["resolution_map"].items()}
    out = []
    for line in ret.lines:
        items = [by_item[i].pop(0) for lid, i, _ in recorded if lid == line.external_line_id and by_item.get(i)]
        out.append(_line(line, items, status, labels, resolutions))
    return out


def _line(line, items: list[dict], status: str, labels: dict[str, str], resolutions: dict[str, str]) -> LineDecision:
    lid = line.external_line_id
    if not items:
        return LineDecision(lid, None, None, "line not on the RMA", f"{status}+missing")
    states = {i["status"] for i in items}
    approved = [i for i in items if i["status"] == "approved"]
    if approved:
        label = resolutions.get(str(approved[0].get("resolution")), str(approved[0].get("resolution")))
        raw = f"{status}+approved+{label}"
        decision = labels.get(label.lower())
        if decision is None:
            return LineDecision(lid, None, None, f"approved with resolution '{label}', which no setting maps", raw)
        qty = min(sum(int(i.get("qty_approved") or 0) for i in approved) or line.quantity, line.quantity)
        return LineDecision(lid, Decision(decision), qty, f"RMA item approved: {label}", raw)
    if states <= {"rejected", "denied"}:
        return LineDecision(lid, Decision.REJECTED, line.quantity, f"RMA item {'/'.join(sorted(states))}",
                            f"{status}+{'+'.join(sorted(states))}")
    return LineDecision(lid, Decision.CANCELLED, line.quantity, "RMA closed before the item was processed",
                        f"{status}+{'+'.join(sorted(states))}")
