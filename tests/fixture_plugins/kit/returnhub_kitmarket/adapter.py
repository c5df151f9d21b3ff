"""The reference marketplace adapter: paged returns in, one decision per line out."""
from __future__ import annotations

from marshmallow import Schema, fields

from hub.adapters import Marketplace
from hub.http import raise_for_status
from hub.model import Order, Page, load_order

OUTCOMES = {"accepted": "REFUND", "rejected": "REJECT", "repaired": "REPAIR", "exchanged": "EXCHANGE",
            "cancelled": "CANCEL"}
DECISIONS = {v: k for k, v in OUTCOMES.items()}


class KitMarketSettings(Schema):
    base_url = fields.Url(required=True, require_tld=False, metadata={"label": "API base URL"})
    api_key = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "API key"})


class KitMarketReader(Marketplace):
    """Reading returns; the full adapter below adds pushing decisions."""

    slug = "kitmarket"
    title = "Kit Market"
    settings_schema = KitMarketSettings

    @property
    def client(self):
        if "client" not in self.ctx.memo:
            self.ctx.memo["client"] = self.ctx.http(self.settings["base_url"],
                                                    headers={"X-Api-Key": self.settings["api_key"]})
        return self.ctx.memo["client"]

    def close(self) -> None:
        client = self.ctx.memo.pop("client", None)
        if client is not None:
            client.close()

    def get(self, path: str, **params):
        response = self.client.get(path, params=params)
        raise_for_status(response)
        return response.json()

    def check(self) -> None:
        self.get("/returns", page=1)

    def fetch_returns(self, cursor: str | None) -> Page:
        page = int(cursor or 1)
        body = self.get("/returns", page=page)
        more = page < body["pages"]
        return Page(items=[self.canonical(r) for r in body["returns"]], cursor=str(page + 1) if more else None,
                    more=more)

    def canonical(self, r: dict) -> dict:
        return {"external_id": r["id"], "marketplace_order_id": r["order"], "requested_at": r["created"],
                "customer": {"name": r["customer"], "email": r["email"]},
                "lines": [{"external_line_id": i["line"], "sku": i["sku"], "title": i["title"],
                           "quantity": i["qty"], "unit_price": i["price"], "currency": "EUR"} for i in r["items"]]}


class KitMarketplace(KitMarketReader):
    def push_decision(self, ret, lines) -> None:
        for line in lines:
            response = self.client.put(f"/returns/{ret.external_id}/lines/{line.external_line_id}",
                                       json={"outcome": OUTCOMES[line.decision.value],
                                             "quantity": line.decision_quantity or line.quantity})
            raise_for_status(response)

    def fetch_order(self, order_id: str) -> Order | None:
        response = self.client.get(f"/orders/{order_id}")
        if response.status_code == 404:
            return None
        raise_for_status(response)
        body = response.json()
        return load_order({"order_id": body["id"], "lines": [
            {"external_line_id": i["line"], "sku": i["sku"], "title": i["title"], "quantity": i["qty"]}
            for i in body["lines"]]})
