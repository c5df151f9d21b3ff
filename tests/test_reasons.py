"""Canonical return reasons: the plugins' maps, the lookup, the overview/CSV/dashboard by canonical reason,
and bol's Dutch reasons compared with Amazon's codes under one label."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from test_web import import_returns, signed_in

from hub.app import create_app
from hub.db import Merchant
from hub.model import Fulfilment, Line, Return
from hub.model.reasons import Reason, canonical
from hub.reasons import reason_map, reason_of
from hub.stats.rebuild import rebuild
from hub.sync.records import new_row
from hub.sync.state import record_creation
from hub.testing.connections import create_connection
from hub.web import stats

bol_reasons = pytest.importorskip("returnhub_bol.reasons")
amazon_reasons = pytest.importorskip("returnhub_amazon.reasons")


def test_lookup_prefers_the_pair_then_the_text_then_the_code():
    mapping = {"Klacht over artikel": "not_as_described", "Artikel is beschadigd": "damaged_in_transit",
               ("Klacht over artikel", "Artikel is beschadigd"): "defective"}
    assert canonical(mapping, "Klacht over artikel", "Artikel is beschadigd") is Reason.DEFECTIVE
    assert canonical(mapping, "Klacht over de bezorging", "Artikel is beschadigd") is Reason.DAMAGED_IN_TRANSIT
    assert canonical(mapping, "Klacht over artikel", None) is Reason.NOT_AS_DESCRIBED
    assert canonical(mapping, "??", None) is None and canonical({}, "x", "y") is None


def test_bol_and_amazon_map_every_reason_their_emulators_send():
    from returnhub_amazon.mapping import REASON_TEXTS
    from returnhub_bol.samples import REASONS as BOL_SENDS
    assert all(canonical(bol_reasons.REASONS, main, detail) for main, detail in BOL_SENDS)
    assert canonical(bol_reasons.REASONS, "Verkeerde maat of afmeting", "Te klein") is Reason.TOO_SMALL
    for code, text in REASON_TEXTS.items():
        for prefix in ("", "CR-", "AMZ-PG-"):
            assert canonical(amazon_reasons.REASONS, prefix + code, None), prefix + code
        assert canonical(amazon_reasons.REASONS, None, text) == canonical(amazon_reasons.REASONS, code, None), text
    assert canonical(amazon_reasons.REASONS, "AMZ-PG-APP-TOO-SMALL", "Too small") is Reason.TOO_SMALL
    assert set(bol_reasons.REASONS.values()) | set(amazon_reasons.REASONS.values()) <= set(Reason)


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def test_overview_and_csv_show_and_filter_by_the_canonical_reason(app, hub, make_connection, market_emu,
                                                                   shop_emu, drain):
    cid = make_connection()
    market_emu.state["returns"].append({**__import__("returnhub_fakemarket.emulator", fromlist=["x"])
                                        .sample_return(9), "items": [{"line": "R9-1", "sku": "S", "qty": 1,
                                                                      "title": "Kettle", "reason": "BROKEN"}]})
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    client = signed_in(app, hub)
    page = client.get("/?reason=too_small", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert ">trop petit</div>" in page and "TOO_SMALL" in page and ">R1</a>" in page and ">R9</a>" not in page
    assert '<option value="defective" >Défectueux</option>' in page
    assert ">R9</a>" in client.get("/?reason=defective").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/returns/export.csv?reason=defective").get_data(as_text=True))))
    assert [(r["return_id"], r["reasons"], r["reasons_original"]) for r in rows] == [("R9", "defective", "BROKEN")]
    assert "Unknown reason" in client.get("/?reason=bored").get_data(as_text=True)


@pytest.fixture
def hub_plugins():
    return ["fakemarket", "fakeinfo", "fakeshop", "bol", "amazon"]


def _line_return(n: int, code: str, text: str | None) -> Return:
    return Return(external_id=f"X{n}", marketplace_order_id=f"O{n}", fulfilment=Fulfilment.MERCHANT,
                  requested_at=datetime(2026, 11, 20, tzinfo=UTC),
                  lines=[Line(external_line_id=f"X{n}-1", quantity=2, reason_code=code, reason_text=text)])


def test_the_dashboard_compares_bol_and_amazon_under_one_label(hub, fake_clock):
    fake_clock.advance((datetime(2026, 11, 25, tzinfo=UTC) - datetime.fromtimestamp(fake_clock.time(), UTC))
                       .total_seconds())
    bol = create_connection(hub, marketplace="bol", shop="fakeshop", name="bol")
    amazon = create_connection(hub, marketplace="amazon", shop="fakeshop", name="amazon")
    with hub.session() as s:
        s.add(new_row(bol, _line_return(1, "Verkeerde maat of afmeting", "Te klein")))
        s.add(new_row(amazon, _line_return(2, "AMZ-PG-APP-TOO-SMALL", "Too small")))
        s.add(new_row(amazon, _line_return(3, "CR-DAMAGED_BY_CARRIER", "Damaged in transit")))
    with hub.session() as s:
        rebuild(s)
        merchant_id = s.scalar(select(Merchant.id))
        titles = {slug: cls.title for slug, cls in hub.registry.marketplaces.items()}

        def classify(marketplace, code, text):
            return reason_of(hub.registry.marketplaces.get(marketplace), code, text).value
        figures = stats.dashboard(s, merchant_id, 30, titles, classify=classify)
    top = {value: (units, split) for value, units, split, _originals in figures["canonical_reasons"]}
    assert top["too_small"] == (4, {titles["bol"]: 2, titles["amazon"]: 2})
    assert top["damaged_in_transit"] == (2, {titles["amazon"]: 2})
    assert reason_map(hub.registry.marketplaces["bol"]) is reason_map(hub.registry.marketplaces["bol"])


def test_dashboard_and_overview_filter_put_a_line_under_the_same_canonical_reason(app, hub, fake_clock):
    """A line whose text alone maps elsewhere than its code and text together (bol's "Artikel is beschadigd"
    under "Klacht over artikel" is defective, alone it is damage in transit), or whose text is unmapped beside
    a mapped code (Amazon): the dashboard counts it where the overview's reason filter finds it, as the write
    path keeps the rollup and as a rebuild recomputes it."""
    fake_clock.advance((datetime(2026, 11, 25, tzinfo=UTC) - datetime.fromtimestamp(fake_clock.time(), UTC))
                       .total_seconds())
    client = signed_in(app, hub)
    bol = create_connection(hub, marketplace="bol", shop="fakeshop", name="bol")
    amazon = create_connection(hub, marketplace="amazon", shop="fakeshop", name="amazon")
    with hub.session() as s:
        for cid, ret in ((bol, _line_return(1, "Klacht over artikel", "Artikel is beschadigd")),
                         (amazon, _line_return(2, "AMZ-PG-APP-TOO-SMALL", "Passt leider nicht"))):
            row = new_row(cid, ret)
            s.add(row)
            s.flush()
            record_creation(s, row, "test")

    def overview(reason: str) -> set[str]:
        export = client.get(f"/returns/export.csv?reason={reason}").get_data(as_text=True)
        return {r["return_id"] for r in csv.DictReader(io.StringIO(export))}

    def dashboard() -> dict[str, int]:
        for key in hub.redis.scan_iter("returnhub:dashboard:*"):  # the dashboard's minute of cache
            hub.redis.delete(key)
        page = client.get("/dashboard/").get_data(as_text=True)
        return {value: int(n) for value, n in re.findall(
            r'href="/\?reason=(\w+)" class="reason-label">[^<]*</a>.*?<td class="num">(\d+)</td>', page, re.S)}

    assert overview("defective") == {"X1"} and overview("damaged_in_transit") == set()
    assert overview("too_small") == {"X2"} and overview("other") == set()
    assert dashboard() == {"defective": 2, "too_small": 2}
    with hub.session() as s:
        rebuild(s)
    assert dashboard() == {"defective": 2, "too_small": 2}
