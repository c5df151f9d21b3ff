"""The Magento 2 shop adapter: find the order, create the return once (an RMA on Adobe Commerce, an order
comment on Open Source), and read the merchant's decisions."""
from __future__ import annotations

from datetime import datetime

from hub.adapters import ClientShop, load_settings
from hub.errors import OrderNotFound
from hub.model import Return, ReturnDecisions
from returnhub_magento2 import convention, lookup, rma
from returnhub_magento2.client import MagentoClient, NoRoute, criteria
from returnhub_magento2.settings import Magento2Settings, parse_map


class Magento2Shop(ClientShop):
    """One Magento 2 store view, over its REST API with an integration's credentials."""

    slug = "magento2"
    title = "Magento 2 / Adobe Commerce"
    settings_schema = Magento2Settings
    client_class = MagentoClient

    def __init__(self, ctx):
        super().__init__(ctx)
        settings = load_settings(self, "Magento 2")
        settings["resolution_map"] = parse_map(settings["resolution_decisions"])
        settings["status_map"] = parse_map(settings["status_decisions"])
        self.settings = settings
        self._found: dict[str, dict] = {}  # orders find_order read, for the create_return that follows

    def check(self) -> None:
        """One order read (the integration needs Magento_Sales::actions_view), then the edition."""
        self.client.get("/orders", criteria(page_size=1, page=1))
        self.edition()

    def edition(self) -> str:
        """'commerce' when the store answers /V1/returns, else 'open_source'; the setting overrides."""
        if self.settings["edition"] != "auto":
            return self.settings["edition"]
        key = f"magento2:edition:{self.settings['store_url']}:{self.settings['store_code']}"
        if key not in self.ctx.memo:
            try:
                self.client.get("/returns", criteria(page_size=1, page=1))
                self.ctx.memo[key] = "commerce"
            except NoRoute:
                self.ctx.memo[key] = "open_source"
        return self.ctx.memo[key]

    # -- the order -------------------------------------------------------------------------

    def find_order(self, ret: Return) -> str | None:
        order = lookup.find_order(self.client, self.settings, ret)
        if not order:
            return None
        self._found[str(order["entity_id"])] = order
        return str(order["entity_id"])

    def _order(self, ret: Return) -> dict:
        if ret.shop_order_id:
            return self._found.pop(str(ret.shop_order_id), None) or self.client.get(f"/orders/{ret.shop_order_id}")
        order = lookup.find_order(self.client, self.settings, ret)
        if not order:
            raise OrderNotFound(f"no Magento order for marketplace order {ret.marketplace_order_id}")
        return order

    # -- creating the return ---------------------------------------------------------------

    def create_return(self, ret: Return, *, accepted: bool = False) -> str:
        """An RMA (Commerce) or Returnhub's order comment (Open Source), unless one exists for ``ret.reference``.

        ``accepted`` (fulfilled by the marketplace) needs nothing more: the core records the decision.
        """
        order = self._order(ret)
        ret = lookup.with_skus(self.client, self.settings, ret)
        if self.edition() == "commerce":
            return rma.existing(self.client, order, ret.reference) or \
                rma.create(self.client, self.ctx.memo, self.settings, ret, order)
        return convention.existing(self.client, order, ret.reference) or convention.create(self.client, ret, order)

    # -- decisions -------------------------------------------------------------------------

    def fetch_decisions(self, open_returns: list[Return], since: datetime | None) -> list[ReturnDecisions]:
        """RMAs read by id in one paged search; Open Source orders read one by one (comments, credit memos)."""
        rmas = [r for r in open_returns if r.shop_return_id and not r.shop_return_id.startswith(convention.PREFIX)]
        others = [r for r in open_returns if r.shop_return_id and r.shop_return_id.startswith(convention.PREFIX)]
        out = []
        if rmas:
            found = rma.read(self.client, [r.shop_return_id for r in rmas])
            labels = {v: k for k, v in rma.options(self.client, self.ctx.memo, "resolution").items()}
            for ret in rmas:
                record = found.get(ret.shop_return_id)
                history = rma.comments(self.client, record) if record and record.get("status") in rma.FINAL else None
                lines = rma.derive(ret, record, labels, self.settings, history)
                if lines:
                    out.append(ReturnDecisions(return_id=ret.id, lines=lines))
        by_order: dict[str, list[Return]] = {}
        for ret in others:
            by_order.setdefault(convention.order_of(ret.shop_return_id), []).append(ret)
        for order_id, rets in by_order.items():
            history = convention.comments(self.client, order_id)
            memos = convention.credit_memos(self.client, order_id)
            for ret in rets:
                lines = convention.derive(ret, history, memos, self.settings)
                if lines:
                    out.append(ReturnDecisions(return_id=ret.id, lines=lines))
        return out

