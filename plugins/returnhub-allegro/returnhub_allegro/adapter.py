"""The Allegro marketplace adapter: customer returns in (incrementally, by offset pages), a payment refund
(accept) or a refund rejection (reject) out."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision, Fulfilment, Line, Page, Quarantined, Return, load_return
from hub.sdk.cursor import IncrementalCursor, iso
from hub.sdk.details import fetch_details
from hub.sdk.paging import OffsetPaginator
from returnhub_allegro import mapping
from returnhub_allegro.client import AllegroClient, Refused
from returnhub_allegro.settings import AllegroSettings

OVERLAP = timedelta(minutes=10)


class AllegroMarketplace(Marketplace):
    """Allegro REST API, as one seller (OAuth2 user token from the device flow, renewed by refresh token).

    A poll walks ``GET /order/customer-returns`` (``createdAt.gte`` from the :class:`IncrementalCursor`,
    offset/limit pages); each new open return is read with its order's checkout form.
    """

    slug = "allegro"
    title = "Allegro"
    settings_schema = AllegroSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.opts = AllegroSettings().load(ctx.settings)  # stored settings may predate new defaults
        self.client = AllegroClient(ctx, self.opts)

    def close(self) -> None:
        self.client.close()

    @classmethod
    def connection_actions(cls, connection_id: int) -> list[tuple[str, str]]:
        """The connection page's 'Connect Allegro account' button (the device flow, see connect.py)."""
        return [("Connect Allegro account", f"/plugins/allegro/connect/{connection_id}")]

    def check(self) -> None:
        """A renewed token and one customer return: the refresh token and the orders scope work."""
        if self.client.auth is not None:
            self.client.auth.renew(stale=self.client.auth.state.access_token)
        self.client.list_returns(None, 0, 1)

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """One page of the walk; new open returns read with their checkout forms."""
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.opts["days_back"]))
        limit = self.opts["page_size"]
        pager = OffsetPaginator(int(cur.page or 0), limit=limit)
        resp = self.client.list_returns(iso(cur.since), pager.current_value, limit)
        rows = resp.json().get("customerReturns") or []
        items: list = []
        usable = []
        for row in rows:
            try:
                mapping.check_return(row)
                usable.append(row)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=row, external_id=exc.external_id))
        fresh = cur.fresh(usable, external_id=lambda r: str(r["id"]), updated=lambda r: r.get("createdAt"))
        pager.advance(resp, rows)
        cur.advance(pager)
        wanted = [r for r in fresh if r["status"] in mapping.OPEN_STATUSES]
        details = fetch_details(self.ctx, wanted, self._canonical, external_id=lambda r: str(r["id"]))
        items += [d for d in details if d is not None]
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    def _canonical(self, ret: dict) -> dict | Quarantined:
        """One customer return with its order as a validated canonical dict, or quarantined with the reason."""
        return_id = str(ret["id"])
        form = self.client.checkout_form(str(ret["orderId"]))
        if form is None:
            return Quarantined(reason=f"customer return {return_id}: its order {ret['orderId']} could not be read "
                               "(Allegro has no such checkout form)", raw=ret, external_id=return_id)
        try:
            data = mapping.return_to_canonical(ret, form)
            load_return(data)
            return data
        except InvalidPayload as exc:
            return Quarantined(reason=str(exc), raw=ret, external_id=return_id)
        except ValidationError as exc:
            return Quarantined(reason=f"customer return {return_id} is not a valid return: {exc.messages}",
                               raw=ret, external_id=return_id)

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """Accepted lines: one payment refund for their quantities; all lines rejected: the refund rejection.

        Safe after a crash or a lost answer: the return and the order's refunds are read first; what
        was refunded (refunds carrying this return's marker) or rejected already is not sent again,
        and the refund's commandId is derived from its content, so Allegro treats a resend as the
        same command.
        """
        if ret.fulfilment == Fulfilment.MARKETPLACE:
            raise PermanentError("returns handled by Allegro One Fulfillment are settled by Allegro; nothing is sent")
        decided = [(line, mapping.check_decision(line.decision)) for line in lines]
        accepted = [line for line, d in decided if d == Decision.ACCEPTED]
        rejected = [line for line, d in decided if d == Decision.REJECTED]
        current = self.client.get_return(ret.external_id)
        status = current.get("status")
        if accepted:
            self._refund(ret, accepted, status)
        elif rejected:
            self._reject(ret, rejected, status)

    def _refund(self, ret: Return, lines: list[Line], status: str | None) -> None:
        if status == "REJECTED":
            raise PermanentError(f"Allegro customer return {ret.external_id} was rejected already; no refund sent")
        form = self.client.checkout_form(ret.marketplace_order_id)
        payment_id = ((form or {}).get("payment") or {}).get("id")
        if not payment_id:
            raise PermanentError(f"order {ret.marketplace_order_id} has no payment at Allegro to refund")
        done = mapping.refunded(self.client.refunds(ret.marketplace_order_id), ret.external_id)
        todo = {}
        for line in lines:
            wanted = line.decision_quantity if line.decision_quantity is not None else line.quantity
            if wanted > line.quantity:
                raise PermanentError(f"line {line.external_line_id}: {wanted} to refund but {line.quantity} returned")
            need = wanted - done.get(line.external_line_id, 0)
            if need > 0:
                todo[line.external_line_id] = need
        if not todo:
            return
        try:
            self.client.refund(mapping.refund_body(ret, todo, payment_id))
        except Refused as exc:
            raise PermanentError(f"Allegro refused the refund for return {ret.external_id}: {exc}") from None

    def _reject(self, ret: Return, lines: list[Line], status: str | None) -> None:
        if status == "REJECTED":
            return  # sent before (its answer was lost, or the job crashed after it)
        if status in mapping.CLOSED_STATUSES:
            raise PermanentError(f"Allegro customer return {ret.external_id} is {status}; it cannot be rejected")
        notes = [line.decision_note for line in lines if line.decision_note]
        code, reason = mapping.rejection(notes[0] if notes else None, self.opts["rejection_code"],
                                         self.opts["rejection_reason"])
        try:
            self.client.reject(ret.external_id, code, reason)
        except Refused as exc:
            raise PermanentError(f"Allegro refused to reject return {ret.external_id} ({code}): {exc}") from None
