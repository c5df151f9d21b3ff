"""The Magento 1 / OpenMage shop adapter over SOAP v2: find the order, write Returnhub's marked order comment
once, and read the merchant's decisions back from the order's comments, status and credit memos."""
from __future__ import annotations

from datetime import datetime

from hub.adapters import Shop, load_settings
from hub.errors import OrderNotFound, PermanentError
from hub.model import Return, ReturnDecisions
from returnhub_magento1 import convention
from returnhub_magento1.settings import Magento1Settings, parse_map
from returnhub_magento1.soap import ORDER_NOT_EXISTS, MagentoSoap, SoapFault


class Magento1Shop(Shop):
    """One Magento 1 / OpenMage store, through its SOAP v2 API with an API user and key."""

    slug = "magento1"
    title = "Magento 1 / OpenMage"
    settings_schema = Magento1Settings

    def __init__(self, ctx):
        super().__init__(ctx)
        settings = load_settings(self, "Magento 1")
        settings["status_map"] = parse_map(settings["status_decisions"])
        self.settings = settings
        self._soap: MagentoSoap | None = None

    @property
    def soap(self) -> MagentoSoap:
        if self._soap is None:
            self._soap = MagentoSoap(self.ctx, self.settings)
        return self._soap

    def close(self) -> None:
        if self._soap is not None:
            self._soap.close()
            self._soap = None

    def check(self) -> None:
        """A login and one order list call (the role needs sales/order)."""
        self.soap.login()
        self.soap.call("salesOrderList", filters={"filter": [{"key": "increment_id", "value": "-"}]})

    # -- the order -------------------------------------------------------------------------

    def order(self, increment_id: str) -> dict | None:
        """salesOrderInfo, or None when Magento answers 'Requested order not exists.'."""
        try:
            return self.soap.call("salesOrderInfo", orderIncrementId=increment_id)
        except SoapFault as exc:
            if exc.code == ORDER_NOT_EXISTS:
                return None
            raise

    def find_order(self, ret: Return) -> str | None:
        """The order's increment id (None while it is not there yet); PermanentError when several match."""
        value = self.settings["order_lookup_template"].format(marketplace_order_id=ret.marketplace_order_id)
        if self.settings["order_lookup"] == "increment_id":
            order = self.order(value)
            return str(order["increment_id"]) if order else None
        field = self.settings["order_lookup_field"]
        hits = self.soap.call("salesOrderList", filters={"filter": [{"key": field, "value": value}]}) or []
        ids = sorted({str(o["increment_id"]) for o in hits})
        if len(ids) > 1:
            raise PermanentError(f"{len(ids)} Magento orders have {field} {value!r}: {', '.join(ids)}")
        return ids[0] if ids else None

    # -- creating the return ---------------------------------------------------------------

    def create_return(self, ret: Return, *, accepted: bool = False) -> str:
        """Returnhub's comment on the order (status kept, customer not notified), unless it is already there."""
        increment_id = ret.shop_order_id or self.find_order(ret)
        order = self.order(increment_id) if increment_id else None
        if order is None:
            raise OrderNotFound(f"no Magento order for marketplace order {ret.marketplace_order_id}")
        if not convention.existing(order, ret.reference):
            text = convention.describe(ret, convention.allocate(ret, order))
            self.soap.call("salesOrderAddComment", orderIncrementId=str(order["increment_id"]),
                           status=str(order.get("status") or ""), comment=text, notify="0")
        return convention.shop_return_id(str(order["increment_id"]), ret.reference)

    # -- decisions -------------------------------------------------------------------------

    def credit_memos(self, order: dict) -> list[dict]:
        """The order's credit memos (salesOrderCreditmemoList by order_id), each read with its items."""
        memos = self.soap.call("salesOrderCreditmemoList", filters={"filter": [
            {"key": "order_id", "value": str(order.get("order_id") or "")}]}) or []
        return [self.soap.call("salesOrderCreditmemoInfo", creditmemoIncrementId=str(m["increment_id"]))
                for m in memos]

    def fetch_decisions(self, open_returns: list[Return], since: datetime | None) -> list[ReturnDecisions]:
        """Each order with open returns read once: its comments and status, then its credit memos."""
        by_order: dict[str, list[Return]] = {}
        for ret in open_returns:
            if ret.shop_return_id and ret.shop_return_id.startswith(convention.PREFIX):
                by_order.setdefault(convention.order_of(ret.shop_return_id), []).append(ret)
        out = []
        for increment_id, rets in by_order.items():
            order = self.order(increment_id)
            if order is None:
                raise PermanentError(f"Magento order {increment_id} of an open return no longer exists")
            memos = self.credit_memos(order) if order.get("order_id") else []
            for ret in rets:
                lines = convention.derive(ret, order, memos, self.settings)
                if lines:
                    out.append(ReturnDecisions(return_id=ret.id, lines=lines))
        return out
