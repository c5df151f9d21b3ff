"""The Mijnwebwinkel shop adapter: find the order, write the return onto it once, read the decision from
the merchant's order-status convention or a credit order (polling: the Connect API has no webhooks)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub import clock
from hub.adapters import ClientShop, load_settings
from hub.errors import OrderNotFound, PermanentError
from hub.model import Return, ReturnDecisions
from hub.sdk import order_ids
from returnhub_mijnwebwinkel import decisions, lookup, notes
from returnhub_mijnwebwinkel.client import ConnectClient
from returnhub_mijnwebwinkel.settings import MijnwebwinkelSettings, parse_status_decisions

STATUS_TTL = 300.0
CHANGE_MARGIN = timedelta(days=1)  # the API's status-change times are store-local without zone: read a day more


class MijnwebwinkelShop(ClientShop):
    """A Mijnwebwinkel store reached through the MyOnlineStore Connect API."""

    slug = "mijnwebwinkel"
    title = "Mijnwebwinkel"
    settings_schema = MijnwebwinkelSettings
    client_class = ConnectClient

    def __init__(self, ctx):
        super().__init__(ctx)
        self.settings = load_settings(self, "Mijnwebwinkel", names_only=True)
        self.mapping = parse_status_decisions(self.settings["status_decisions"])
        self._statuses: list[dict] | None = None

    def check(self) -> None:
        """Reads the store (both tokens) and its order statuses, and checks the status settings against them."""
        store = self.client.get("/store")
        if not isinstance(store, dict):
            raise PermanentError("Mijnwebwinkel answered GET /store with something other than a store")
        self.ctx.memo.pop("mijnwebwinkel_statuses", None)  # a check reads the store's statuses as they are now
        self._statuses = None
        self._checked_statuses()

    def statuses(self) -> list[dict]:
        """The store's order statuses (``status``, ``description``, ``credit_order``): read once per adapter,
        and kept in the connection's process memo for ``STATUS_TTL`` seconds (they change rarely)."""
        if self._statuses is None:
            cached = self.ctx.memo.get("mijnwebwinkel_statuses")
            if cached and clock.monotonic() - cached[0] < STATUS_TTL:
                self._statuses = cached[1]
                return self._statuses
            body = self.client.get("/orderstatuses")
            if not isinstance(body, list):
                raise PermanentError("Mijnwebwinkel answered GET /orderstatuses with something other than a list")
            self._statuses = body
            self.ctx.memo["mijnwebwinkel_statuses"] = (clock.monotonic(), body)
        return self._statuses

    def _checked_statuses(self) -> dict[int, str]:
        statuses = self.statuses()
        wanted = dict(self.mapping)
        if self.settings["requested_status"] is not None:
            wanted.setdefault(self.settings["requested_status"], None)
        decisions.check_mapping(wanted, statuses)
        return {int(s["status"]): s.get("description") or "" for s in statuses}

    # -- the order -------------------------------------------------------------------------

    def find_order(self, ret: Return) -> str | None:
        return lookup.find(self.client, self.settings, ret)

    # -- the return: a note on the order (no returns resource; credit orders are the merchant's) ----------

    def create_return(self, ret: Return, *, accepted: bool = False) -> str:
        """Writes the return into the order's internal comment (and sets the 'return requested' status);
        a second call finds its line and writes nothing. ``accepted`` changes nothing: no credit order is
        ever created by the hub."""
        number = ret.shop_order_id or self.find_order(ret)
        if not number:
            raise OrderNotFound(f"no Mijnwebwinkel order for marketplace order {ret.marketplace_order_id}")
        shop_return_id = order_ids.join_id(number, ret.reference)
        order = self.client.get(f"/orders/{number}")
        comment = (order.get("comments") or {}).get("internal")
        if notes.has(comment, ret.reference):
            return shop_return_id
        if self.settings["requested_status"] is not None:
            self._checked_statuses()
        line = notes.line_for(ret, sorted(order.get("credit_order_numbers") or []))
        body: dict = {"comments": {"internal": notes.appended(comment, line)}}
        if self.settings["requested_status"] is not None and not accepted:
            body["status"] = self.settings["requested_status"]
        self.client.patch(f"/orders/{number}", body)
        return shop_return_id

    # -- decisions -------------------------------------------------------------------------

    def fetch_decisions(self, open_returns: list[Return], since: datetime | None) -> list[ReturnDecisions]:
        """Reads the orders of the open returns: all of them on the first poll, later only those whose
        status changed or that got a credit order since ``since`` (two paged listings)."""
        descriptions = self._checked_statuses()
        by_order = order_ids.by_order(open_returns)
        if not by_order:
            return []
        orders = self._changed(set(by_order), since) if since is not None else {}
        credit = self.settings["credit_order_decision"]
        out = []
        for number in sorted(by_order):
            if since is not None and number not in orders:
                continue
            order = orders.get(number) or self.client.get_or_none(f"/orders/{number}")
            if order is None:
                raise PermanentError(f"Mijnwebwinkel order {number} is gone (deleted in the store?)")
            for ret in by_order[number]:
                lines = decisions.derive(ret, order, self.mapping, credit, descriptions)
                if lines:
                    out.append(ReturnDecisions(return_id=ret.id, lines=lines))
        return out

    def _changed_since(self, start: datetime) -> str:
        """The status-change bound as the setting says (the description and the schema of the API disagree)."""
        start = start.astimezone(UTC).replace(microsecond=0)
        if self.settings["changed_since_format"] == "rfc3339":
            return start.isoformat()
        return start.strftime("%Y-%m-%d %H:%M:%S")

    def _changed(self, numbers: set[str], since: datetime) -> dict[str, dict | None]:
        """The open orders that changed since ``since``: ``{number: order}`` from the status-change listing,
        ``{number: None}`` (to be read) for those that got a credit order."""
        start = since - CHANGE_MARGIN
        limit = self.settings["page_size"]
        changed: dict[str, dict | None] = {}
        for order in self.client.pages("/orders", limit=limit,
                                       status_changed_start_date=self._changed_since(start)):
            if str(order.get("number")) in numbers:
                changed[str(order["number"])] = order
        if self.settings["credit_order_decision"] != "ignore":
            for order in self.client.pages("/orders", limit=limit, start_date=start.date().isoformat()):
                credited = str(order.get("credited_order_number") or "")
                if credited in numbers:
                    changed.setdefault(credited, None)
        return changed
