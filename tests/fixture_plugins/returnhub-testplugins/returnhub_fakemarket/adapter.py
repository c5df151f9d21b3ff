"""The fake marketplace adapter: maps the emulator's JSON to the canonical return."""
from __future__ import annotations

from functools import cached_property

from marshmallow import Schema, fields

from hub.adapters import Marketplace
from hub.http import raise_for_status
from hub.model import Page, Quarantined

DECISIONS = {"accepted": "ACCEPT", "rejected": "REJECT", "repaired": "REPAIR", "exchanged": "EXCHANGE",
             "kept": "KEEP", "cancelled": "CANCEL"}


class FakeMarketSettings(Schema):
    base_url = fields.Url(required=True, require_tld=False, metadata={"label": "API base URL"})
    api_key = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "API key"})


class FakeMarketplace(Marketplace):
    slug = "fakemarket"
    title = "Fake Marketplace"
    settings_schema = FakeMarketSettings

    @cached_property
    def client(self):
        return self.ctx.http(self.settings["base_url"], headers={"X-Api-Key": self.settings["api_key"]})

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()

    def check(self) -> None:
        raise_for_status(self.client.get("/returns", params={"limit": 1}))

    def fetch_returns(self, cursor: str | None) -> Page:
        offset = int(cursor or 0)
        response = self.client.get("/returns", params={"offset": offset, "limit": 50})
        raise_for_status(response)
        body = response.json()
        items = [self._canonical(item) for item in body["returns"]]
        return Page(items=items, cursor=str(body["next_offset"]), more=body["next_offset"] < body["total"])

    def _canonical(self, item: dict):
        try:
            customer = item.get("customer") or {}
            return {
                "external_id": item["id"], "marketplace_order_id": item.get("order"),
                "requested_at": item.get("created"),
                "fulfilment": "marketplace" if item.get("fulfilment") == "marketplace" else "merchant",
                "fulfilment_method": item.get("method"),
                "customer": {"name": customer.get("name"), "email": customer.get("email"), "address": {
                    "street": customer.get("street"), "house_number": customer.get("number"),
                    "postal_code": customer.get("zip"), "city": customer.get("city"),
                    "country_code": customer.get("country")}},
                "lines": [{"external_line_id": i.get("line"), "sku": i.get("sku"), "ean": i.get("ean"),
                           "title": i.get("title"), "quantity": i.get("qty"), "reason_code": i.get("reason"),
                           "unit_price": i.get("price"), "currency": "EUR"} for i in item.get("items", [])],
                "raw": {"id": item.get("id")},
            }
        except (KeyError, TypeError, AttributeError) as exc:
            return Quarantined(reason=f"cannot read return: {exc!r}", raw=item,
                               external_id=item.get("id") if isinstance(item, dict) else None)

    def push_decision(self, ret, lines) -> None:
        for line in lines:
            response = self.client.put(f"/returns/{ret.external_id}/lines/{line.external_line_id}/decision",
                                       json={"decision": DECISIONS[line.decision.value],
                                             "quantity": line.decision_quantity})
            raise_for_status(response)
