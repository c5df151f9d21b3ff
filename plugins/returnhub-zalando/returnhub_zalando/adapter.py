"""The Zalando zDirect adapter: ZSS and ZRS returns in (informational), partner-fulfilled accepts out as the
order-line status ``returned`` with a reason code — the only returns write Zalando's API has."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Line, Order, Page, Quarantined, Return, load_order, load_return
from hub.sdk.cursor import IncrementalCursor, iso
from returnhub_zalando import mapping
from returnhub_zalando.client import ZalandoClient
from returnhub_zalando.codes import reason_for
from returnhub_zalando.settings import ZalandoSettings

OVERLAP = timedelta(minutes=10)
PHASES = ("zss", "zrs")


class ZalandoMarketplace(Marketplace):
    """Zalando zDirect Orders API and ZRS customer-returned items.

    A poll walks fulfilled partner orders changed since the cursor (ZSS lines Zalando set to
    ``returned``), then the ZRS returned items up to yesterday; both become informational returns
    (fulfilment ``marketplace``, closed without a push). An accepted partner-fulfilled return is
    pushed as ``PATCH …/lines/{id}`` status ``returned`` with a reason code.
    """

    slug = "zalando"
    title = "Zalando"
    settings_schema = ZalandoSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = ZalandoClient(ctx, self.settings)

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """A token and one order-list request (one order): the credentials and merchant id work."""
        self.client.orders({"page[number]": 0, "page[size]": 1})

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """Up to ``pages_per_poll`` pages of the walk the cursor names (ZSS orders, then ZRS items)."""
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.settings["days_back"]))
        where = cur.page if isinstance(cur.page, dict) else {"phase": self._first_phase(0), "page": 0}
        items: list = []
        for _ in range(int(self.settings["pages_per_poll"])):
            if where is None or where.get("phase") is None:
                where = None
                break
            where = self._read(where, cur, items)
        if where is None:
            cur.advance(done=True)
        else:
            cur.advance(next_page=where)
        return Page(items=items, cursor=cur.dump(), more=cur.more)

    def _first_phase(self, start: int) -> str | None:
        wanted = {"zss": self.settings["import_zss"], "zrs": self.settings["import_zrs"]}
        return next((p for p in PHASES[start:] if wanted[p]), None)

    def _next(self, where: dict, more: bool) -> dict | None:
        if more:
            return {"phase": where["phase"], "page": int(where["page"]) + 1}
        phase = self._first_phase(PHASES.index(where["phase"]) + 1)
        return {"phase": phase, "page": 0} if phase else None

    def _read(self, where: dict, cur: IncrementalCursor, items: list) -> dict | None:
        size = int(self.settings["page_size"])
        if where["phase"] == "zss":
            params = {"order_status": "fulfilled", "exported": "true", "order_type": "PartnerFulfilled",
                      "page[number]": int(where["page"]), "page[size]": size}
            if cur.since is not None:
                params["last_updated_after"] = iso(cur.since)
            orders, included = mapping.index(self.client.orders(params))
            found = []
            for order in orders:
                for item, line in mapping.order_lines(order, included):
                    if (line.get("attributes") or {}).get("status") == "returned":
                        found.append((order, item, line))
            fresh = cur.fresh(found, external_id=lambda t: f"zss-{t[2].get('id')}",
                              updated=lambda t: (t[2].get("attributes") or {}).get("last_updated")
                              or (t[0].get("attributes") or {}).get("modified_at"))
            items += [self._load(mapping.zss_return, *t) for t in fresh]
            return self._next(where, len(orders) >= size)
        since = (cur.since or cur.until).date()
        until = (cur.until - timedelta(days=1)).date()  # ZRS data arrives each morning, never today's
        if since > until:
            return self._next(where, False)
        body = self.client.returned_items(since.isoformat(), until.isoformat(), int(where["page"]), size).json()
        rows = body.get("items") if isinstance(body, dict) else body
        rows = rows if isinstance(rows, list) else []
        usable = []
        for row in rows:
            try:
                mapping.zrs_id(row if isinstance(row, dict) else {})
                usable.append(row)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=row, external_id=None))
        fresh = cur.fresh(usable, external_id=lambda r: f"zrs-{mapping.zrs_id(r)}",
                          updated=lambda r: mapping.as_moment(r.get("returned_date")))
        items += [self._load(mapping.zrs_return, r) for r in fresh]
        return self._next(where, len(rows) >= size)

    @staticmethod
    def _load(build, *parts):
        try:
            data = build(*parts)
            load_return(data)
            return data
        except InvalidPayload as exc:
            return Quarantined(reason=str(exc), raw=parts[-1], external_id=exc.external_id)
        except ValidationError as exc:
            return Quarantined(reason=f"not a valid return: {exc.messages}", raw=parts[-1], external_id=None)

    # -- orders (registering a return by hand) ---------------------------------------------------
    def fetch_order(self, order_id: str) -> Order | None:
        """``GET /merchants/{id}/orders/{order_id}`` with its lines (None on Zalando's 404): a partner-fulfilled
        return has no return request at Zalando, so the merchant registers it against the order."""
        document = self.client.order_or_none(order_id)
        data = mapping.order(document) if document is not None else None
        return load_order(data) if data is not None else None

    # -- decisions ----------------------------------------------------------------------------
    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """Set each accepted line's order line to ``returned`` with its reason code.

        The order is read first: a line Zalando already shows as ``returned`` counts as sent (a lost
        answer is never followed by a second PATCH); a line not shipped yet is refused before sending.
        """
        order_id = str(ret.raw.get("order_id") or ret.marketplace_order_id)
        document = self.client.order(order_id)
        for line in lines:
            decision = getattr(line.decision, "value", line.decision)
            if decision != "accepted":
                raise PermanentError(f"Zalando has no API action for '{decision}': only an accepted return is "
                                     "reported (order line status 'returned'); handle it with Zalando partner "
                                     "support")
            line_id = str(line.raw.get("order_line_id") or line.external_line_id)
            found = mapping.find_line(document, line_id)
            if found is None:
                raise PermanentError(f"order {order_id} has no order line {line_id} at Zalando")
            item, zline = found
            status = (zline.get("attributes") or {}).get("status")
            if status == "returned":
                continue
            if status != "shipped":
                raise PermanentError(f"order line {line_id} is '{status}' at Zalando; only a shipped line can be "
                                     "set to returned")
            reason = reason_for(line.decision_note, line.reason_code, default=int(self.settings["default_reason"]))
            self.client.set_returned(order_id, str(item.get("id")), line_id, reason)
