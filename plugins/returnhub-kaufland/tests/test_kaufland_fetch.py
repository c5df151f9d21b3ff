"""Fetching: offset paging to the end, the incremental cursor, storefronts, units grouped into lines with the
order unit's SKU, EAN, price and address, and bad payloads quarantined while the page goes on."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hub.model import Quarantined


def ids(walk) -> set[str]:
    return {i["external_id"] for i in walk.items if isinstance(i, dict)}


def test_paging_walks_every_page_with_offset_and_limit(make_adapter, page_walker, state, emu):
    made = state.seed(230, units=1)
    walk = page_walker(make_adapter(storefronts=["de"]))
    assert ids(walk) == {str(r["id_return"]) for r in made}
    lists = [e for e in emu.ledger.entries if e.path == "/v2/returns"]
    assert [(e.query["offset"], e.query["limit"]) for e in lists] == [(["0"], ["100"]), (["100"], ["100"]),
                                                                      (["200"], ["100"])]
    assert len(walk.pages) == 3 and not walk.pages[-1].more


def test_incremental_cursor_reads_only_new_returns(make_adapter, page_walker, state, emu, fake_clock):
    state.seed(3, age=timedelta(days=2))
    state.seed(1, age=timedelta(days=40))  # older than days_back: never fetched
    first = page_walker(make_adapter())
    assert len(ids(first)) == 3
    fake_clock.advance(60)
    again = page_walker(make_adapter(), first.cursor)
    assert ids(again) == set()
    fake_clock.advance(60)
    new = state.seed(1)[0]
    third = page_walker(make_adapter(), again.cursor)
    assert ids(third) == {str(new["id_return"])}
    sent = [e.query.get("ts_created_from_iso", [None])[0] for e in emu.ledger.entries if e.path == "/v2/returns"]
    assert all(sent), "every list request is bounded by the cursor's mark"


def test_storefronts_are_walked_one_after_the_other(make_adapter, page_walker, state, emu):
    de, pl = state.seed(1, storefront="de"), state.seed(1, storefront="pl")
    state.seed(1, storefront="at")
    walk = page_walker(make_adapter(storefronts=["de", "pl"]))
    assert ids(walk) == {str(de[0]["id_return"]), str(pl[0]["id_return"])}
    assert [e.query["storefront"] for e in emu.ledger.entries if e.path == "/v2/returns"] == [["de"], ["pl"]]


def test_units_of_one_product_are_one_line_with_order_unit_details(make_adapter, page_walker, state):
    ret = state.seed(1, units=3, same_product=True)[0]
    item = page_walker(make_adapter()).items[0]
    ou = state.order_units[state.units[ret["unit_ids"][0]]["id_order_unit"]]
    assert item["marketplace_order_id"] == ou["id_order"]
    [line] = item["lines"]
    assert line["quantity"] == 3 and line["external_line_id"] == str(min(ret["unit_ids"]))
    assert line["raw"]["id_return_units"] == sorted(ret["unit_ids"])
    assert (line["sku"], line["ean"], line["currency"]) == (ou["id_offer"], ou["product"]["eans"][0], "EUR")
    assert Decimal(line["unit_price"]) == Decimal(ou["price"]) / 100
    addr = item["customer"]["address"]
    assert (addr["street"], addr["postal_code"], addr["country_code"]) == (
        ou["shipping_address"]["street"], ou["shipping_address"]["postcode"], ou["shipping_address"]["country"])
    assert item["customer"]["email"] == ret["buyer"]["email"]


def test_handled_units_are_left_out_and_fully_handled_returns_skipped(make_adapter, page_walker, state):
    done = state.seed(1, units=1, unit_status="return_accepted")[0]
    part = state.seed(1, units=2)[0]
    state.units[part["unit_ids"][0]]["status"] = "return_rejected"
    walk = page_walker(make_adapter())
    assert ids(walk) == {str(part["id_return"])}
    [item] = walk.items
    assert [line["raw"]["id_return_units"] for line in item["lines"]] == [[part["unit_ids"][1]]]
    assert str(done["id_return"]) not in ids(walk)


def test_bad_payloads_are_quarantined_and_the_page_goes_on(make_adapter, page_walker, state, emu):
    good = state.seed(2)
    broken = {kind: emu.hook("break", {"kind": kind}) for kind in ("unknown_status", "missing_id",
                                                                    "missing_order_unit")}
    walk = page_walker(make_adapter())
    assert ids(walk) == {str(r["id_return"]) for r in good}
    bad = {q.external_id: q.reason for q in walk.items if isinstance(q, Quarantined)}
    assert "unknown status 'return_teleported'" in bad[str(broken["unknown_status"]["id_return"])]
    assert "order unit" in bad[str(broken["missing_order_unit"]["id_return"])]
    assert bad[None] == "return has no id_return"
    assert len(bad) == 3


def test_fbk_returns_only_when_asked_and_as_fulfilled_by_the_marketplace(make_adapter, page_walker, state):
    fbk = state.seed(1, fulfillment_type="fulfilled_by_kaufland")[0]
    assert ids(page_walker(make_adapter())) == set()
    [item] = page_walker(make_adapter(import_fbk=True)).items
    assert (item["external_id"], item["fulfilment"]) == (str(fbk["id_return"]), "marketplace")
