"""Quarantine: an item that does not validate is kept once with its reason, however often it is fetched."""
from __future__ import annotations

from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select

from hub.db import QuarantinedItem, SyncCursor
from hub.sync import jobs


def _poll_from_the_start(hub, cid):
    with hub.session() as s:
        s.execute(SyncCursor.__table__.delete())
    return jobs.poll_marketplace(cid)


def _quarantined(hub):
    with hub.session() as s:
        return list(s.execute(select(QuarantinedItem.external_id, QuarantinedItem.reason)
                              .order_by(QuarantinedItem.id)).all())


def test_an_item_fetched_again_is_not_quarantined_again(hub, make_connection, market_emu, shop_emu):
    """Marketplaces whose list is a current state (bol's unhandled returns) send a broken item on every poll."""
    cid = make_connection()
    bad_qty = sample_return(1)
    bad_qty["items"][0]["qty"] = -1
    market_emu.state["returns"].extend([sample_return(2), bad_qty, "not an object"])
    assert _poll_from_the_start(hub, cid)["quarantined"] == 2
    first = _quarantined(hub)
    assert len(first) == 2 and first[0][0] == "R1"
    assert _poll_from_the_start(hub, cid)["quarantined"] == 2  # still reported per poll...
    assert _quarantined(hub) == first  # ...but stored once
    bad_qty["items"][0]["qty"] = "x"  # a different fault is a new entry
    _poll_from_the_start(hub, cid)
    assert len(_quarantined(hub)) == 3
