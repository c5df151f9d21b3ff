"""The bol.com marketplace adapter: unhandled FBR/FBB returns in, per-item handling results out."""
from __future__ import annotations

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError, TransientError
from hub.model import Fulfilment, Line, Order, Page, Quarantined, Return, load_order, load_return
from hub.sdk.details import fetch_details
from hub.sdk.paging import PageNumberPaginator
from returnhub_bol import mapping
from returnhub_bol.client import CREATE_EVENT, PAGE_SIZE, BolClient, StatusExpired
from returnhub_bol.settings import BolSettings


def parse_cursor(cursor: str | None, methods: list[str]) -> tuple[str, int]:
    """``"<fulfilment method>:<page>"`` names the next page to read; anything else starts over."""
    method, _, page = (cursor or "").partition(":")
    if method in methods and page.isdigit() and int(page) >= 1:
        return method, int(page)
    return methods[0], 1


class BolMarketplace(Marketplace):
    """bol.com Retailer API v10. A poll walks the unhandled FBR returns page by page, then the FBB ones; the
    cursor names the next page (an interrupted poll resumes there) and a finished poll gives none, so the next
    starts at FBR page 1: the unhandled list is a current state, not a change feed (no incremental cursor)."""

    slug = "bol"
    title = "bol.com"
    settings_schema = BolSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = BolClient(ctx, self.settings)
        self.methods = ["FBR", "FBB"] if self.settings.get("import_fbb", True) else ["FBR"]

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        self.client.list_returns(self.methods[0], {"page": 1})

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        method, page = parse_cursor(cursor, self.methods)
        pager = PageNumberPaginator(page, page_size=PAGE_SIZE)
        listed = self.client.list_returns(method, pager.params())
        pager.advance(None, listed)
        full = fetch_details(self.ctx, listed, self._full,
                             external_id=lambda r: str(r.get("returnId")) if isinstance(r, dict) else None)
        items = [r if isinstance(r, Quarantined) else self._canonical(r) for r in full]
        later = [f"{m}:1" for m in self.methods[self.methods.index(method) + 1:]]
        nxt = f"{method}:{pager.current_value}" if not pager.finished else (later or [None])[0]
        return Page(items=items, cursor=nxt, more=nxt is not None)

    def _full(self, listed):
        """The return with customer details: bol's list has none, its detail has (read only when needed)."""
        if not isinstance(listed, dict) or not listed.get("returnId") or mapping.has_customer_details(listed):
            return listed
        return self.client.get_return(str(listed["returnId"]))

    @staticmethod
    def _canonical(ret) -> dict | Quarantined:
        """One bol return as a validated canonical dict, or Quarantined with the reason."""
        try:
            data = mapping.return_to_canonical(ret)
            load_return(data)
            return data
        except InvalidPayload as exc:
            return Quarantined(reason=str(exc), raw=ret, external_id=exc.external_id)
        except ValidationError as exc:
            return Quarantined(reason=f"not a valid return: {exc.messages}", raw=ret,
                               external_id=str(ret.get("returnId")))

    # -- orders (registering a return by hand) ---------------------------------------------------
    def fetch_order(self, order_id: str) -> Order | None:
        """``GET /retailer/orders/{order-id}`` as an order with a line per order item (None on bol's 404)."""
        data = mapping.order(self.client.order_or_none(order_id))
        return load_order(data) if data is not None else None

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """One PUT per line (rmaId), each followed by its process status until SUCCESS or FAILURE. Safe after a
        crash: an item already handled alike is skipped, a PENDING/SUCCESS status for it is awaited, not resent.
        A return registered by hand (lines of order items, bol has no return for them yet) is created at bol
        with its handling result in one call per line (``POST /retailer/returns``)."""
        if ret.fulfilment == Fulfilment.MARKETPLACE:
            raise PermanentError(f"{ret.fulfilment_method or 'FBB'} returns are handled by bol; nothing can be sent")
        if all("order_item_id" in line.raw for line in lines):
            for line in lines:
                self._create_line(line)
            return
        items = self._items(ret.external_id)
        for line in lines:
            item = items.get(line.external_line_id)
            if item is None:
                raise PermanentError(f"bol return {ret.external_id} has no item {line.external_line_id}")
            self._push_line(ret.external_id, line, item)

    def _items(self, return_id: str) -> dict[str, dict]:
        """The return's items as bol has them now, by rmaId."""
        return {str(i.get("rmaId")): i for i in self.client.get_return(return_id).get("returnItems", [])}

    def _push_line(self, return_id: str, line: Line, item: dict) -> None:
        rma_id = line.external_line_id
        handling = mapping.handling_result_for(line.decision, approximate_kept=self.settings.get("approximate_kept"))
        done = mapping.handled_results(item)
        if handling in done:
            return
        if done:
            raise PermanentError(f"item {rma_id} is already handled at bol as {', '.join(done)}; the hub does not "
                                 f"overwrite it with {handling} (change it in the bol dashboard)")
        quantity = line.decision_quantity if line.decision_quantity is not None else line.quantity
        if quantity < 1:
            raise PermanentError(f"the decision on item {rma_id} covers {quantity} units; bol takes a "
                                 "handling for at least 1 (decide the units that came back)")
        earlier = self.client.process_statuses(rma_id)
        if earlier and earlier[0].get("status") in ("PENDING", "SUCCESS"):
            status = earlier[0]  # a send whose outcome was not seen (crash, lost answer): never resend
        else:
            status = self.client.handle_return_item(rma_id, handling, quantity)
        try:
            status = self.client.await_status(status)
        except StatusExpired:  # kept only a while after completion: the item says what happened
            if handling in mapping.handled_results(self._items(return_id).get(rma_id) or {}):
                return
            raise TransientError(f"bol's process status for item {rma_id} expired and the item is not "
                                 f"handled as {handling}; the retry checks the item again") from None
        if status.get("status") == "FAILURE":
            raise PermanentError(f"bol refused {handling} x{quantity} for item {rma_id}: "
                                 f"{status.get('errorMessage') or status.get('description')}")
        if status.get("status") != "SUCCESS":
            raise TransientError(f"bol process for item {rma_id} ended {status.get('status')}")


    def _create_line(self, line: Line) -> None:
        """Create (and handle) bol's return of one order item; a create already PENDING or SUCCESS for the item is
        awaited, never sent twice."""
        order_item_id = str(line.raw["order_item_id"])
        handling = mapping.handling_result_for(line.decision, approximate_kept=self.settings.get("approximate_kept"))
        if handling == "STILL_APPROVED":
            raise PermanentError("bol creates a return only with a first handling result, not STILL_APPROVED")
        quantity = line.decision_quantity if line.decision_quantity is not None else line.quantity
        if quantity < 1:
            raise PermanentError(f"the decision on order item {order_item_id} covers {quantity} units; bol creates a "
                                 "return of at least 1")
        earlier = self.client.process_statuses(order_item_id, CREATE_EVENT)
        if earlier and earlier[0].get("status") in ("PENDING", "SUCCESS"):
            status = earlier[0]
        else:
            status = self.client.create_return(order_item_id, handling, quantity)
        status = self.client.await_status(status)
        if status.get("status") == "FAILURE":
            raise PermanentError(f"bol refused to create the return of order item {order_item_id} ({handling} "
                                 f"x{quantity}): {status.get('errorMessage') or status.get('description')}")
        if status.get("status") != "SUCCESS":
            raise TransientError(f"bol's return creation for order item {order_item_id} ended {status.get('status')}")
