"""The fake shop adapter: order lookup, idempotent return creation, batched decision reads, webhooks."""
from __future__ import annotations

import hashlib
import hmac
import json
from functools import cached_property

from marshmallow import Schema, fields

from hub.adapters import Shop, WebhookResult
from hub.errors import AuthError
from hub.http import raise_for_status
from hub.model import Decision, LineDecision, ReturnDecisions


class FakeShopSettings(Schema):
    base_url = fields.Url(required=True, require_tld=False, metadata={"label": "Shop URL"})
    token = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "API token"})
    webhook_secret = fields.String(load_default=None, load_only=True,
                                   metadata={"secret": True, "label": "Webhook secret"})


class FakeShop(Shop):
    slug = "fakeshop"
    title = "Fake Shop"
    settings_schema = FakeShopSettings

    @cached_property
    def client(self):
        return self.ctx.http(self.settings["base_url"], headers={"Authorization": f"Bearer {self.settings['token']}"})

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()

    def check(self) -> None:
        raise_for_status(self.client.get("/returns"))

    def find_order(self, ret):
        response = self.client.get(f"/orders/{ret.marketplace_order_id}")
        if response.status_code == 404:
            return None
        raise_for_status(response)
        return response.json()["id"]

    def create_return(self, ret, *, accepted: bool = False) -> str:
        response = self.client.post("/returns", json={
            "reference": ret.reference, "order_id": ret.shop_order_id, "accepted": accepted,
            "lines": [{"line": line.external_line_id, "sku": line.sku, "quantity": line.quantity}
                      for line in ret.lines]})
        raise_for_status(response)
        return response.json()["id"]

    def fetch_decisions(self, open_returns, since):
        by_shop_id = {r.shop_return_id: r for r in open_returns if r.shop_return_id}
        reports = []
        ids = list(by_shop_id)
        for start in range(0, len(ids), 200):
            response = self.client.get("/returns", params={"ids": ",".join(ids[start:start + 200])})
            raise_for_status(response)
            for record in response.json()["returns"]:
                if record["status"] != "decided":
                    continue
                lines = []
                for line_id, line in record["lines"].items():
                    if line["decision"] is None:
                        continue
                    known = line["decision"] in Decision._value2member_map_
                    lines.append(LineDecision(external_line_id=line_id,
                                              decision=Decision(line["decision"]) if known else None,
                                              quantity=line["decided_qty"], raw=line["decision"]))
                reports.append(ReturnDecisions(return_id=by_shop_id[record["id"]].id, lines=lines))
        return reports

    def parse_webhook(self, headers, body):
        secret = self.settings.get("webhook_secret") or ""
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        given = {k.lower(): v for k, v in headers.items()}.get("x-signature", "")
        if not secret or not hmac.compare_digest(expected, given):
            raise AuthError("webhook signature does not match")
        payload = json.loads(body)
        return WebhookResult(delivery_id=payload["delivery_id"], shop_return_ids=payload["return_ids"],
                             topic=payload.get("topic"))
