"""The Magento 2 emulator's data: orders, RMAs, credit memos and returns attributes, searchCriteria as
Magento applies it, the RMA status roll-up from item statuses, and what a merchant does in the admin."""
from __future__ import annotations

import fnmatch
import math
import threading
from datetime import timedelta

from hub import clock

# Default options of the returns attributes (Magento\Rma\Setup\RmaSetup), plus the two resolutions a
# merchant adds for outcomes Magento has no word for (Repair, Keep).
OPTIONS = {
    "reason": ["Wrong Color", "Wrong Size", "Out of Service"],
    "condition": ["Unopened", "Opened", "Damaged"],
    "resolution": ["Exchange", "Refund", "Store Credit", "Repair", "Keep"],
}
ITEM_STATUSES = {"pending", "authorized", "denied", "received", "approved", "rejected"}


class BadRequest(Exception):
    """What Magento answers 400 to; ``message`` is Magento's text."""


def stamp(moment=None) -> str:
    """A Magento timestamp, 'YYYY-MM-DD HH:MM:SS' (UTC), from hub.clock."""
    return (moment or clock.now()).strftime("%Y-%m-%d %H:%M:%S")


def rollup(statuses: list[str]) -> str:
    """The RMA status Magento computes from its items' statuses (Rma\\Source\\Status::getStatusByItems)."""
    s = set(statuses)
    if s and s <= {"denied", "rejected"}:
        return "closed"
    if "approved" in s and s <= {"approved", "denied", "rejected"}:
        return "processed_closed"
    if "approved" in s:
        return "approved_on_item"
    if "rejected" in s:
        return "rejected_on_item"
    if s == {"received"}:
        return "received"
    if "received" in s:
        return "received_on_item"
    if s == {"authorized"}:
        return "authorized"
    if s & {"authorized", "denied"}:
        return "partially_authorized"
    return "pending"


def _compare(value, wanted: str, condition: str) -> bool:
    text = "" if value is None else str(value)
    if condition == "eq":
        return text == wanted
    if condition == "neq":
        return text != wanted
    if condition in ("in", "nin"):
        inside = text in [w.strip() for w in wanted.split(",")]
        return inside if condition == "in" else not inside
    if condition == "like":
        return fnmatch.fnmatch(text.lower(), wanted.lower().replace("%", "*"))
    if condition in ("gteq", "lteq", "gt", "lt", "from", "to"):
        if value is None:
            return False
        try:
            a, b = float(text), float(wanted)
        except ValueError:
            a, b = text, wanted
        return {"gteq": a >= b, "from": a >= b, "lteq": a <= b, "to": a <= b, "gt": a > b, "lt": a < b}[condition]
    if condition == "null":
        return value is None
    if condition == "notnull":
        return value is not None
    raise BadRequest(f'Invalid condition type "{condition}"')


def parse_criteria(args) -> dict:
    """searchCriteria from query parameters (Magento takes filter_groups and filterGroups alike)."""
    groups: dict[int, dict[int, dict]] = {}
    sort: dict[int, dict] = {}
    out = {"page_size": None, "current_page": 1}
    for key, value in args.items():
        parts = key.replace("]", "").split("[")
        if parts[0] != "searchCriteria":
            continue
        parts = [p.replace("_", "").lower() for p in parts[1:]]
        try:
            if parts[0] == "filtergroups" and parts[2] == "filters":
                field = {"field": "field", "value": "value", "conditiontype": "condition_type"}[parts[4]]
                groups.setdefault(int(parts[1]), {}).setdefault(int(parts[3]), {})[field] = value
            elif parts[0] == "sortorders":
                sort.setdefault(int(parts[1]), {})[parts[2]] = value
            elif parts[0] == "pagesize":
                out["page_size"] = int(value)
            elif parts[0] == "currentpage":
                out["current_page"] = int(value)
        except (IndexError, KeyError, ValueError):
            raise BadRequest(f'"{key}" is not a valid searchCriteria parameter') from None
    out["filter_groups"] = [[groups[g][f] for f in sorted(groups[g])] for g in sorted(groups)]
    out["sort"] = [sort[i] for i in sorted(sort)]
    for group in out["filter_groups"]:
        for f in group:
            if "field" not in f or "value" not in f:
                raise BadRequest("A filter needs a field and a value")
    return out


def search(records: list[dict], c: dict) -> dict:
    """A search result envelope: filtered, sorted, one page (a page past the last gives the last one)."""
    hits = [r for r in records if all(any(_compare(r.get(f["field"]), f["value"], f.get("condition_type") or "eq")
                                          for f in group) for group in c["filter_groups"])]
    for order in reversed(c["sort"]):
        hits.sort(key=lambda r: str(r.get(order.get("field")) or ""),
                  reverse=str(order.get("direction", "ASC")).upper() == "DESC")
    total, size = len(hits), c["page_size"]
    page = c["current_page"]
    if size:
        page = max(1, min(page, math.ceil(total / size) or 1))
        hits = hits[(page - 1) * size: page * size]
    criteria = {"filter_groups": [{"filters": [{"field": f["field"], "value": f["value"],
                                                "condition_type": f.get("condition_type") or "eq"} for f in group]}
                                  for group in c["filter_groups"]],
                "current_page": page, **({"page_size": size} if size else {})}
    if c["sort"]:
        criteria["sort_orders"] = [{"field": s.get("field", ""), "direction": s.get("direction", "ASC")}
                                   for s in c["sort"]]
    return {"items": hits, "search_criteria": criteria, "total_count": total}


class Store:
    """One emulated store: ``edition`` 'commerce' (RMA module) or 'open_source' (none)."""

    def __init__(self, edition: str = "commerce", bearer_enabled: bool = True):
        self.edition, self.bearer_enabled, self.maintenance = edition, bearer_enabled, False
        self.list_without_comments = False
        self.orders: dict[int, dict] = {}
        self.rmas: dict[int, dict] = {}
        self.creditmemos: dict[int, dict] = {}
        self.products: dict[str, dict] = {}
        self.options = {code: [{"label": label, "value": str(10 + n)} for n, label in enumerate(labels)]
                        for code, labels in OPTIONS.items()}
        self.lock = threading.RLock()
        self._ids = {"product": 0, "order": 0, "item": 0, "rma": 0, "rma_item": 0, "comment": 0, "memo": 0, "history": 0}

    def next_id(self, kind: str) -> int:
        with self.lock:
            self._ids[kind] += 1
            return self._ids[kind]

    def option_label(self, code: str, value: str) -> str | None:
        return next((o["label"] for o in self.options[code] if o["value"] == str(value)), None)

    def option_value(self, code: str, label: str) -> str:
        return next(o["value"] for o in self.options[code] if o["label"].lower() == label.lower())

    # -- orders ----------------------------------------------------------------------------
    def add_order(self, spec: dict) -> dict:
        """An order as Magento lists it, from ``{increment_id, lines: [{sku, name, qty, shipped}], ...}``."""
        with self.lock:
            oid = self.next_id("order")
            created = spec.get("created_at") or stamp(clock.now() - timedelta(days=1))
            items = []
            for line in spec.get("lines") or [{"sku": "TSHIRT-BLK-M", "qty": 1}]:
                qty = int(line.get("qty") or line.get("quantity") or 1)
                product = self.product(line.get("sku"), line.get("ean"), line.get("name") or line.get("title"))
                items.append({"item_id": self.next_id("item"), "order_id": oid, "sku": product["sku"],
                              "product_id": product["id"], "name": product["name"], "qty_ordered": qty,
                              "qty_shipped": int(line.get("shipped", qty)), "qty_invoiced": qty, "qty_refunded": 0,
                              "qty_returned": 0, "price": 19.95, "row_total": round(19.95 * qty, 2),
                              "product_type": "simple", "store_id": 1, "created_at": created})
            name = (spec.get("customer_name") or "Sanne de Vries").split(" ", 1)
            first, last = name[0], name[1] if len(name) > 1 else "-"
            total = round(sum(i["row_total"] for i in items), 2)
            order = {"entity_id": oid, "increment_id": str(spec.get("increment_id") or f"{oid:09d}"),
                     "created_at": created, "updated_at": created, "state": "complete", "status": "complete",
                     "store_id": 1, "customer_id": 0, "customer_is_guest": 1, "customer_firstname": first,
                     "customer_lastname": last, "customer_email": spec.get("customer_email") or "sanne@example.com",
                     "base_grand_total": total, "grand_total": total, "order_currency_code": "EUR",
                     "total_item_count": len(items), "items": items, "status_histories": [],
                     "billing_address": {"address_type": "billing", "city": "Amsterdam", "country_id": "NL",
                                         "firstname": first, "lastname": last, "postcode": "1017 GC",
                                         "street": ["Kerkstraat 12"], "telephone": "0201234567",
                                         "entity_id": oid, "parent_id": oid},
                     "extension_attributes": dict(spec.get("extension_attributes") or {})}
            if spec.get("ext_order_id"):
                order["ext_order_id"] = str(spec["ext_order_id"])
            self.orders[oid] = order
            for text in spec.get("comments") or []:
                self.add_comment(oid, text, None)
            return order

    def product(self, sku: str | None, ean: str | None = None, name: str | None = None) -> dict:
        """The catalog product with this SKU (made when new; a line with only an EAN gets SKU 'P<ean>'),
        its EAN in the custom attribute 'ean'."""
        with self.lock:
            sku = sku or f"P{ean}"
            if sku not in self.products:
                self.products[sku] = {"id": self.next_id("product"), "sku": sku, "name": name or sku,
                                      "attribute_set_id": 4, "price": 19.95, "status": 1, "visibility": 4,
                                      "type_id": "simple", "custom_attributes": []}
            product = self.products[sku]
            if ean and not any(a["attribute_code"] == "ean" for a in product["custom_attributes"]):
                product["custom_attributes"].append({"attribute_code": "ean", "value": str(ean)})
            return product

    def add_comment(self, order_id: int, text: str, status: str | None, *, notified: int = 0,
                    visible: int = 0) -> dict:
        with self.lock:
            order = self.orders[order_id]
            entry = {"entity_id": self.next_id("history"), "parent_id": order_id, "comment": text,
                     "created_at": stamp(), "entity_name": "order", "is_customer_notified": notified,
                     "is_visible_on_front": visible, "status": status or order["status"]}
            if status:
                order["status"] = status
            order["status_histories"].insert(0, entry)  # Magento lists the newest first
            return entry

    def credit_memo(self, order_id: int, items: list[dict] | None = None) -> dict:
        """The merchant refunds (offline) ``items`` ({order_item_id, qty}; all not yet refunded by default)."""
        with self.lock:
            order = self.orders[order_id]
            if items is None:
                items = [{"order_item_id": i["item_id"], "qty": i["qty_ordered"] - i["qty_refunded"]}
                         for i in order["items"] if i["qty_ordered"] > i["qty_refunded"]]
            mid = self.next_id("memo")
            lines = []
            for n, want in enumerate(items, start=1):
                item = next(i for i in order["items"] if i["item_id"] == int(want["order_item_id"]))
                qty = int(want["qty"])
                if qty > item["qty_ordered"] - item["qty_refunded"]:
                    raise BadRequest("The most money available to refund is less than asked")
                item["qty_refunded"] += qty
                lines.append({"entity_id": mid * 100 + n, "parent_id": mid, "order_item_id": item["item_id"],
                              "qty": qty, "sku": item["sku"], "base_cost": 0, "base_price": item["price"],
                              "price": item["price"]})
            memo = {"entity_id": mid, "increment_id": f"{mid:09d}", "order_id": order_id, "created_at": stamp(),
                    "state": 2, "grand_total": round(sum(i["price"] * i["qty"] for i in lines), 2), "items": lines}
            self.creditmemos[mid] = memo
            self.add_comment(order_id, f"We refunded €{memo['grand_total']:.2f} offline.", None)
            return memo

    # -- RMAs ------------------------------------------------------------------------------
    def create_rma(self, body: dict) -> dict:
        """Validate and save an RMA as Magento's RmaRepository would; BadRequest with Magento's reason."""
        with self.lock:
            order = self.orders.get(int(body.get("order_id") or 0))
            if order is None:
                raise BadRequest("The order that was requested doesn't exist. Verify the order and try again.")
            if str(body.get("order_increment_id")) != order["increment_id"]:
                raise BadRequest("The order increment id doesn't match the order.")
            if body.get("status", "pending") != "pending":
                raise BadRequest("A new return can only be saved as pending.")
            if not body.get("items"):
                raise BadRequest("Enter the items to return.")
            rid = self.next_id("rma")
            items = []
            for given in body["items"]:
                item = next((i for i in order["items"] if i["item_id"] == int(given.get("order_item_id") or 0)), None)
                if item is None:
                    raise BadRequest(f"Order item {given.get('order_item_id')} is not on the order.")
                qty = int(given.get("qty_requested") or 0)
                if qty < 1 or qty > item["qty_shipped"] - self._requested(item["item_id"]):
                    raise BadRequest(f"Quantity of {item['sku']} is greater than you can return.")
                for code in ("reason", "condition", "resolution"):
                    if self.option_label(code, given.get(code)) is None:
                        raise BadRequest(f'"{given.get(code)}" is not a valid option of "{code}".')
                items.append({"entity_id": self.next_id("rma_item"), "rma_entity_id": rid,
                              "order_item_id": item["item_id"], "qty_requested": qty, "qty_authorized": 0,
                              "qty_approved": 0, "qty_returned": 0, "reason": str(given["reason"]),
                              "condition": str(given["condition"]), "resolution": str(given["resolution"]),
                              "status": "pending"})
            rma = {"entity_id": rid, "increment_id": f"{rid:09d}", "order_id": order["entity_id"],
                   "order_increment_id": order["increment_id"], "store_id": order["store_id"],
                   "customer_id": order["customer_id"], "date_requested": body.get("date_requested") or stamp(),
                   "customer_custom_email": body.get("customer_custom_email") or "", "items": items,
                   "status": "pending", "comments": [], "tracks": []}
            self.rmas[rid] = rma
            for c in body.get("comments") or []:
                self.rma_comment(rid, c.get("comment") or "", admin=True)
            self.rma_comment(rid, "We placed your Return request.", admin=False)
            return rma

    def _requested(self, item_id: int) -> int:
        return sum(i["qty_requested"] for r in self.rmas.values() if r["status"] not in ("closed",)
                   for i in r["items"] if i["order_item_id"] == item_id and i["status"] not in ("denied", "rejected"))

    def rma_comment(self, rid: int, text: str, *, admin: bool) -> None:
        rma = self.rmas[rid]
        rma["comments"].append({"entity_id": self.next_id("comment"), "rma_entity_id": rid, "comment": text,
                                "created_at": stamp(), "customer_notified": False, "visible_on_front": False,
                                "status": rma["status"], "admin": admin})

    def decide_rma(self, rid: int, status: str, resolution: str | None = None) -> dict:
        """The merchant processes every item to ``status`` (approved with ``resolution``, rejected, denied...)."""
        if status not in ITEM_STATUSES:
            raise BadRequest(f"unknown item status {status!r}")
        with self.lock:
            rma = self.rmas[rid]
            for item in rma["items"]:
                item["status"] = status
                if status in ("authorized", "received", "approved"):
                    item["qty_authorized"] = item["qty_requested"]
                if status in ("received", "approved"):
                    item["qty_returned"] = item["qty_requested"]
                if status == "approved":
                    item["qty_approved"] = item["qty_requested"]
                    if resolution:
                        item["resolution"] = self.option_value("resolution", resolution)
            rma["status"] = rollup([i["status"] for i in rma["items"]])
            self.rma_comment(rid, f"Your Return request has been {rma['status'].replace('_', ' ')}.", admin=False)
            return rma

    def close_rma(self, rid: int) -> dict:
        """The merchant closes the RMA without processing its items."""
        with self.lock:
            self.rmas[rid]["status"] = "closed"
            self.rma_comment(rid, "We closed your Return request.", admin=False)
            return self.rmas[rid]
