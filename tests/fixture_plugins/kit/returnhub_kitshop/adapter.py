"""The reference shop adapter: order lookup, create once by reference, decisions by poll or webhook."""
from __future__ import annotations

import hashlib
import hmac
import json

from marshmallow import Schema, fields

from hub.adapters import Shop, WebhookResult
from hub.errors import AuthError
from hub.http import raise_for_status
from hub.model import Decision, LineDecision, ReturnDecisions

WORDS = {"accepted": "refund", "rejected": "decline", "repaired": "repair", "exchanged": "exchange",
         "kept": "keep", "cancelled": "cancel"}
DECISIONS = {v: Decision(k) for k, v in WORDS.items()}


class KitShopSettings(Schema):
    base_url = fields.Url(required=True, require_tld=False, metadata={"label": "Shop URL"})
    token = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "API token"})
    webhook_secret = fields.String(load_default=None, load_only=True, metadata={"secret": True})


class KitShop(Shop):
    slug = "kitshop"
    title = "Kit Shop"
    settings_schema = KitShopSettings

    @property
    def client(self):
        if "client" not in self.ctx.memo:
            self.ctx.memo["client"] = self.ctx.http(
                self.settings["base_url"], headers={"Authorization": f"Bearer {self.settings['token']}"})
        return self.ctx.memo["client"]

    def close(self) -> None:
        client = self.ctx.memo.pop("client", None)
        if client is not None:
            client.close()

    def _json(self, response):
        raise_for_status(response)
        return response.json()

    def check(self) -> None:
        self._json(self.client.get("/orders", params={"number": "-"}))

    def find_order(self, ret):
        orders = self._json(self.client.get("/orders", params={"number": ret.marketplace_order_id}))["orders"]
        return orders[0]["id"] if orders else None

    def create_return(self, ret, *, accepted: bool = False) -> str:
        found = self._json(self.client.get("/returns", params={"reference": ret.reference}))["returns"]
        if found:
            return found[0]["id"]
        return self._json(self.client.post("/returns", json={
            "reference": ret.reference, "order_id": ret.shop_order_id, "accepted": accepted,
            "lines": [{"line": line.external_line_id, "quantity": line.quantity} for line in ret.lines]}))["id"]

    def fetch_decisions(self, open_returns, since):
        by_id = {r.shop_return_id: r for r in open_returns if r.shop_return_id}
        if not by_id:
            return []
        records = self._json(self.client.get("/returns", params={"ids": ",".join(by_id)}))["returns"]
        reports = []
        for record in records:
            lines = [LineDecision(external_line_id=lid, decision=DECISIONS.get(line["outcome"]),
                                  quantity=line["quantity"], raw=line["outcome"])
                     for lid, line in record["lines"].items() if line["outcome"]]
            if lines:
                reports.append(ReturnDecisions(return_id=by_id[record["id"]].id, lines=lines))
        return reports

    def parse_webhook(self, headers, body):
        secret = self.settings.get("webhook_secret") or ""
        given = {k.lower(): v for k, v in headers.items()}.get("x-signature", "")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not secret or not hmac.compare_digest(expected, given):
            raise AuthError("webhook signature does not match")
        payload = json.loads(body)
        return WebhookResult(delivery_id=payload["delivery_id"], shop_return_ids=payload["return_ids"])
