"""The api shop adapter: "create in shop" publishes the return to the shop's API inbox.

The shop fetches new returns with ``GET /api/v1/shop/returns/new``, acknowledges each with its own
return id, and reports the merchant's decisions with ``POST /api/v1/returns/{id}/decision``, which
records them at once: its manifest's ``decision_source`` is ``api``, so there is nothing to poll. When
the connection has a shop webhook URL, each published return is also announced there, signed like
every Returnhub webhook.
"""
from __future__ import annotations

import json

from marshmallow import Schema, fields

from hub.adapters import Shop
from hub.db.models import ApiShopReturn
from hub.http import AddressGuard, raise_for_status
from hub.model import Return
from hub.webhooks_out.signing import HEADER, sign


class ApiShopSettings(Schema):
    webhook_url = fields.Url(load_default=None, allow_none=True, require_tld=False, schemes={"http", "https"},
                             metadata={"label": "Shop webhook URL (optional): new returns are announced here"})
    webhook_secret = fields.String(load_default=None, allow_none=True, load_only=True,
                                   metadata={"secret": True, "label": "Webhook signing secret"})


class ApiShop(Shop):
    slug = "api"
    title = "Custom shop (Returnhub API)"
    settings_schema = ApiShopSettings

    def _hub(self):
        from hub.runtime import current
        return current()

    def check(self) -> None:
        """Nothing to log in to; a configured webhook URL must pass the address guard."""
        url = self.settings.get("webhook_url")
        if url:
            AddressGuard(self._hub().config.allow_local_hosts).resolve(url)

    def find_order(self, ret: Return) -> str | None:
        """The custom shop knows the order by the marketplace's order id."""
        return ret.marketplace_order_id

    def create_return(self, ret: Return, *, accepted: bool = False) -> str:
        """Publish the return to the shop's inbox once; the shop's own id replaces the reference on acknowledge."""
        with self._hub().session() as s:
            row = s.get(ApiShopReturn, ret.id)
            if row is None:
                row = ApiShopReturn(return_id=ret.id, connection_id=ret.connection_id, accepted=accepted)
                s.add(row)
            shop_return_id = row.shop_return_id or ret.reference
        if self.settings.get("webhook_url"):
            self._announce(ret, accepted)
        return shop_return_id

    def _announce(self, ret: Return, accepted: bool) -> None:
        body = json.dumps({"type": "return.available", "return_id": ret.id, "connection_id": ret.connection_id,
                           "reference": ret.reference, "marketplace_order_id": ret.marketplace_order_id,
                           "accepted": accepted, "is_test": ret.is_test}, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if self.settings.get("webhook_secret"):
            headers[HEADER] = sign(body, [self.settings["webhook_secret"]])
        url = self.settings["webhook_url"]
        with self.ctx.http(url) as client:
            raise_for_status(client.post(url, content=body, headers=headers))

