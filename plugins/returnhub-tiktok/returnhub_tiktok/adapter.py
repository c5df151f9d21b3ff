"""The TikTok Shop marketplace adapter: returns in (searched by update time, paged by page_token), one
decision per return out (approve or reject, each with an idempotency key)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from marshmallow import ValidationError

from hub.adapters import AdapterContext, Marketplace
from hub.errors import InvalidPayload, PermanentError
from hub.model import Line, Page, Quarantined, Return, load_return
from hub.sdk.cursor import IncrementalCursor
from hub.sdk.paging import TokenPaginator
from returnhub_tiktok import mapping
from returnhub_tiktok.client import TikTokClient
from returnhub_tiktok.settings import TikTokSettings

OVERLAP = timedelta(minutes=10)


def idempotency_key(return_id: str, status: str, decision_enum: str) -> str:
    """The same key for every attempt of one decision on one return in one status (≤255 characters)."""
    digest = hashlib.sha256(f"{return_id}|{status}|{decision_enum}".encode()).hexdigest()[:32]
    return f"returnhub-{digest}"


class TikTokMarketplace(Marketplace):
    """TikTok Shop Partner API, Return and Refund 202309.

    A poll walks ``POST /returns/search`` by ``update_time`` (from the :class:`IncrementalCursor`), page by
    page with ``page_token``; search results carry their line items, so no detail reads are needed.
    """

    slug = "tiktok"
    title = "TikTok Shop"
    settings_schema = TikTokSettings

    def __init__(self, ctx: AdapterContext):
        super().__init__(ctx)
        self.client = TikTokClient(ctx, self.settings)

    def close(self) -> None:
        self.client.close()

    def check(self) -> None:
        """A renewed token (refresh-token connections) and one signed search: the credentials and the cipher work."""
        if self.client.tokens is not None:
            self.client.tokens.renew(stale=self.client.tokens.state.access_token)
        self.client.search_returns({}, 1, None)

    # -- import -------------------------------------------------------------------------------
    def fetch_returns(self, cursor: str | None) -> Page:
        """One search page of the walk the cursor names; bad entries quarantined, the rest canonical."""
        cur = IncrementalCursor.load(cursor, overlap=OVERLAP, initial=timedelta(days=self.settings["days_back"]))
        filters = {"update_time_lt": int(cur.until.timestamp()) + 1}
        if cur.since is not None:
            filters["update_time_ge"] = int(cur.since.timestamp())
        pager = TokenPaginator(cur.page, token=lambda data: data.get("next_page_token"), param="page_token")
        data = self.client.search_returns(filters, int(self.settings["page_size"]), pager.current_value)
        rows = data.get("return_orders") or []
        items: list = []
        usable = []
        for row in rows:
            try:
                mapping.check_return(row)
                mapping.updated_at(row)
                usable.append(row)
            except InvalidPayload as exc:
                items.append(Quarantined(reason=str(exc), raw=row, external_id=exc.external_id))
        for row in cur.fresh(usable, external_id=lambda r: str(r["return_id"]), updated=mapping.updated_at):
            items.append(self._canonical(row))
        pager.advance(data, rows)
        cur.advance(pager)
        return Page(items=[i for i in items if i is not None], cursor=cur.dump(), more=cur.more)

    @staticmethod
    def _canonical(row: dict) -> dict | Quarantined | None:
        if row["return_status"] not in mapping.DECIDABLE:
            return None  # decided, cancelled or waiting for the buyer: nothing for the merchant to do
        try:
            data = mapping.return_to_canonical(row)
            load_return(data)
            return data
        except ValidationError as exc:
            return Quarantined(reason=f"not a valid return: {exc.messages}", raw=row, external_id=row["return_id"])

    # -- decisions ----------------------------------------------------------------------------
    def current(self, return_id: str) -> dict:
        """The return as TikTok shows it now (searched by id)."""
        data = self.client.search_returns({"return_ids": [return_id]}, 1, None)
        found = [r for r in data.get("return_orders") or [] if str(r.get("return_id")) == return_id]
        if not found:
            raise PermanentError(f"TikTok Shop has no return {return_id}")
        return found[0]

    def push_decision(self, ret: Return, lines: list[Line]) -> None:
        """The return's decision (TikTok decides whole returns): approve or reject, with an idempotency key.

        Safe after a crash or a lost answer: the return's status is read first (already decided that way:
        done), and a retried call carries the same key, so TikTok applies it once.
        """
        decisions = {line.decision for line in ret.lines if line.decision is not None}
        if len(decisions) != 1:
            raise PermanentError("TikTok Shop takes one decision per return; its lines were decided differently")
        decision = decisions.pop()
        now = self.current(ret.external_id)
        status, kind = now.get("return_status"), now.get("return_type")
        if mapping.decision_for(status) == decision:
            return
        verb, enum, _ = mapping.action_for(kind, status, decision)
        body: dict = {"decision": enum}
        if verb == "reject":
            body["reject_reason"] = self.reject_reason(ret.external_id)
            note = next((line.decision_note for line in lines if line.decision_note), None)
            body["comment"] = note or self.settings["reject_comment"]
        self.client.decide(ret.external_id, verb, body, idempotency_key(ret.external_id, status, enum))

    def reject_reason(self, return_id: str) -> str:
        """The preferred reason if TikTok offers it for this return, else the first one it offers."""
        offered = [str(r["name"]) for r in self.client.reject_reasons(return_id)]
        if not offered:
            raise PermanentError(f"TikTok Shop offers no reject reason for return {return_id}")
        preferred = self.settings.get("reject_reason")
        return preferred if preferred in offered else offered[0]
