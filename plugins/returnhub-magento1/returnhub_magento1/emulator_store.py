"""The emulated Magento 1 store's data: orders with items and status history, credit memos, API sessions."""
from __future__ import annotations

import itertools
import secrets

from hub import clock

API_USER, API_KEY = "returnhub", "m1-api-key-0123456789"


def now() -> str:
    """Magento's 'Y-m-d H:i:s' (UTC) from the hub clock."""
    return clock.now().strftime("%Y-%m-%d %H:%M:%S")


class MagentoFault(Exception):
    """A SOAP fault the way Mage_Api answers it: ``code`` and ``message`` (api.xml's fault codes)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class Store:
    """Orders by increment id, credit memos by increment id, and the live API sessions."""

    def __init__(self):
        self.orders: dict[str, dict] = {}
        self.creditmemos: dict[str, dict] = {}
        self.sessions: set[str] = set()
        self.logins = 0
        self.maintenance = False
        self.drops: dict[str, int] = {}  # operation -> answers to lose after committing
        self._ids = itertools.count(1)
        self._memo_ids = itertools.count(100000001)

    # -- sessions ----------------------------------------------------------------------------
    def login(self, username: str, api_key: str) -> str:
        if username != API_USER or not secrets.compare_digest(str(api_key), API_KEY):
            raise MagentoFault("2", "Access denied.")
        session = secrets.token_hex(16)
        self.logins += 1
        self.sessions.add(session)
        return session

    def check(self, session: str) -> None:
        if session not in self.sessions:
            raise MagentoFault("5", "Session expired. Try to relogin.")

    def expire_sessions(self) -> None:
        self.sessions.clear()

    # -- orders ------------------------------------------------------------------------------
    def add_order(self, spec: dict) -> dict:
        oid = next(self._ids)
        at = now()
        items = [{"item_id": str(oid * 100 + n), "order_id": str(oid), "sku": line.get("sku") or "",
                  "name": line.get("name") or line.get("sku") or "", "qty_ordered": f"{line.get('qty') or 1}.0000",
                  "qty_refunded": "0.0000", "qty_shipped": f"{line.get('qty') or 1}.0000", "created_at": at}
                 for n, line in enumerate(spec.get("lines") or [], start=1)]
        order = {"order_id": str(oid), "increment_id": str(spec["increment_id"]), "ext_order_id":
                 spec.get("ext_order_id"), "status": "complete", "state": "complete", "created_at": at,
                 "updated_at": at, "customer_firstname": "Sanne", "customer_lastname": "de Vries",
                 "items": items, "status_history": []}
        self.orders[order["increment_id"]] = order
        return order

    def order(self, increment_id: str) -> dict:
        if increment_id not in self.orders:
            raise MagentoFault("100", "Requested order not exists.")
        return self.orders[increment_id]

    def add_comment(self, increment_id: str, status: str | None, comment: str, notify: bool = False) -> bool:
        order = self.order(increment_id)
        if status:
            order["status"] = status
        order["status_history"].insert(0, {"parent_id": order["order_id"], "created_at": now(),
                                           "is_customer_notified": "1" if notify else "0",
                                           "status": order["status"], "comment": comment})
        order["updated_at"] = now()
        return True

    def refund(self, increment_id: str, qtys: dict[str, int] | None = None) -> dict:
        """The merchant's credit memo (made in the admin: never through Returnhub)."""
        order = self.order(increment_id)
        items = []
        for item in order["items"]:
            qty = int(float(item["qty_ordered"])) if qtys is None else int(qtys.get(item["sku"], 0))
            if qty:
                item["qty_refunded"] = f"{int(float(item['qty_refunded'])) + qty}.0000"
                items.append({"item_id": str(len(self.creditmemos) * 100 + len(items) + 1), "order_item_id":
                              item["item_id"], "sku": item["sku"], "qty": f"{qty}.0000"})
        memo = {"increment_id": str(next(self._memo_ids)), "order_id": order["order_id"], "created_at": now(),
                "updated_at": now(), "state": "2", "items": items}
        self.creditmemos[memo["increment_id"]] = memo
        return memo


def matches(record: dict, filters: dict | None) -> bool:
    """Magento's ``filters``: ``filter`` (key = value) and ``complex_filter`` (eq, neq, gt, lt, gteq, lteq, in,
    like); unknown conditions are a fault 101 as in the sales API."""
    for f in (filters or {}).get("filter") or []:
        if str(record.get(f["key"]) if record.get(f["key"]) is not None else "") != str(f["value"]):
            return False
    for f in (filters or {}).get("complex_filter") or []:
        have, cond, want = str(record.get(f["key"]) or ""), f["value"]["key"], str(f["value"]["value"])
        ok = {"eq": have == want, "neq": have != want, "gt": have > want, "lt": have < want, "gteq": have >= want,
              "lteq": have <= want, "in": have in want.split(","), "like": want.strip("%") in have}.get(cond)
        if ok is None:
            raise MagentoFault("101", "Invalid filters given. Details in error message.")
        if not ok:
            return False
    return True
