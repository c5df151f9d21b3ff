"""The Lightspeed eCom shop adapter: find the order, write the return onto its memo once, read the decision
from the merchant's custom order status or return records (polled, and at once on a signed order webhook)."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from hub.adapters import ClientShop, WebhookResult, load_settings
from hub.errors import InvalidPayload, OrderNotFound, PermanentError
from hub.model import Return, ReturnDecisions
from hub.sdk import order_ids
from returnhub_lightspeed import decisions, lookup, notes, webhooks
from returnhub_lightspeed.client import LightspeedClient
from returnhub_lightspeed.settings import LightspeedSettings, parse_decisions

WEBHOOK_TOPICS = ("orders/updated", "returns/*")


class LightspeedShop(ClientShop):
    """A Lightspeed eCom (C-Series) shop reached through its REST API with an API key and secret."""

    slug = "lightspeed"
    title = "Lightspeed eCom (C-Series)"
    settings_schema = LightspeedSettings
    client_class = LightspeedClient

    def __init__(self, ctx):
        super().__init__(ctx)
        self.settings = load_settings(self, "Lightspeed", names_only=True)
        self.status_map = parse_decisions(self.settings["status_decisions"])
        self.return_map = parse_decisions(self.settings["return_status_decisions"])

    def check(self) -> None:
        """Reads the shop (key, secret, cluster, language) and checks mapped custom statuses exist."""
        shop = self.client.get("/shop")
        if not isinstance(shop, dict) or "shop" not in shop:
            raise PermanentError("Lightspeed answered GET /shop with something other than a shop")
        wanted = set(self.status_map)
        if self.settings["requested_status"] is not None:
            wanted.add(str(self.settings["requested_status"]))
        if wanted:
            known = {str(s.get("id")): s.get("title") for s in
                     self.client.get("/orders/customstatuses").get("customStatuses") or []}
            unknown = sorted(wanted - set(known))
            if unknown:
                listing = ", ".join(f"{k} {v}" for k, v in sorted(known.items()))
                raise PermanentError(f"Lightspeed: custom status {', '.join(unknown)} is not a status of this shop; "
                                     f"its custom statuses: {listing or 'none'}")

    def find_order(self, ret: Return) -> str | None:
        return lookup.find(self.client, self.settings, ret)

    def create_return(self, ret: Return, *, accepted: bool = False) -> str:
        """Writes the return into the order's memo (and sets the 'return requested' custom status); a second
        call finds its line and writes nothing. POST /returns is not used: see the README."""
        order_id = ret.shop_order_id or self.find_order(ret)
        if not order_id:
            raise OrderNotFound(f"no Lightspeed order for marketplace order {ret.marketplace_order_id}")
        shop_return_id = order_ids.join_id(order_id, ret.reference)
        order = self.client.get(f"/orders/{order_id}")["order"]
        field = self.settings["note_field"]
        if notes.has(order.get(field), ret.reference):
            return shop_return_id
        body: dict = {field: notes.appended(order.get(field), notes.line_for(ret))}
        if self.settings["requested_status"] is not None and not accepted:
            body["customStatusId"] = self.settings["requested_status"]
        self.client.put(f"/orders/{order_id}", {"order": body})
        return shop_return_id

    def fetch_decisions(self, open_returns: list[Return], since: datetime | None) -> list[ReturnDecisions]:
        """Reads each open return's order (and its return records when return statuses are mapped)."""
        by_order = order_ids.by_order(open_returns)
        out = []
        for order_id in sorted(by_order):
            body = self.client.get_or_none(f"/orders/{order_id}")
            if body is None:
                raise PermanentError(f"Lightspeed order {order_id} is gone (deleted in the shop?)")
            records = self._returns_of(order_id) if self.return_map else []
            for ret in by_order[order_id]:
                lines = (decisions.from_order(ret, body["order"], self.status_map)
                         or decisions.from_returns(ret, records, self.return_map))
                if lines:
                    out.append(ReturnDecisions(return_id=ret.id, lines=lines))
        return out

    def _returns_of(self, order_id: str) -> list[dict]:
        """The return records on one order (filtered here too: the ``order`` filter is unverified)."""
        return [r for r in self.client.pages("/returns", "returns", limit=self.settings["page_size"], max_pages=5,
                                             order=order_id)
                if decisions.related_id(r.get("order")) == order_id]

    def register_webhooks(self, callback_url: str, topics: tuple[str, ...] = WEBHOOK_TOPICS) -> list[str]:
        """Subscribe ``callback_url`` to ``group/action`` topics (``POST /{lang}/webhooks.json``); their ids."""
        out = []
        for topic in topics:
            group, action = topic.split("/")
            body = {"webhook": {"isActive": True, "itemGroup": group, "itemAction": action,
                                "language": self.settings["language"], "format": "json", "address": callback_url}}
            out.append(str(self.client.post("/webhooks", body)["webhook"]["id"]))
        return out

    def parse_webhook(self, headers: dict[str, str], body: bytes) -> WebhookResult:
        """Verifies ``X-Signature``; an order webhook names the returns written into the order's memo, a return
        webhook the returns of its order's memo when the payload embeds it."""
        webhooks.verify(headers, body, self.settings["webhook_secret"] or self.settings["api_secret"])
        try:
            payload = json.loads(body or b"{}")
        except ValueError as exc:
            raise InvalidPayload(f"Lightspeed webhook body is not JSON: {exc}") from exc
        h = {k.lower(): v for k, v in headers.items()}
        group, action = h.get("x-group") or "", h.get("x-action") or ""
        order = payload.get("order") if isinstance(payload.get("order"), dict) else None
        if order is None and isinstance(payload.get("return"), dict):
            embedded = (payload["return"].get("order") or {})
            order = embedded.get("resource", {}).get("embedded") if isinstance(embedded, dict) else None
        ids = []
        if order and order.get("id") is not None:
            ids = [order_ids.join_id(order["id"], ref) for ref in notes.references(order.get(self.settings["note_field"]))]
        delivery = h.get("x-webhook-id") or hashlib.sha256(body).hexdigest()
        return WebhookResult(delivery_id=delivery, shop_return_ids=ids,
                             topic=f"{group}/{action}" if group else None)
