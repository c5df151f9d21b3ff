"""Decisions read with nodes(ids:) from the emulator after the merchant acts in it."""
import pytest

from hub.model import Decision


@pytest.fixture
def created(make_shop, emu, new_return):
    """A return created in the emulator through the adapter: (shop, ret) with shop_return_id set."""
    def create(accepted=False, **settings):
        emu.order(name="1043965710", lines=[{"sku": "TSHIRT-BLK-M", "quantity": 2}, {"sku": "MUG", "quantity": 1}])
        ret = new_return("1043965710", lines=[{"external_line_id": "L1", "quantity": 2, "sku": "TSHIRT-BLK-M"},
                                              {"external_line_id": "L2", "quantity": 1, "sku": "MUG"}])
        shop = make_shop(**settings)
        ret.shop_return_id = shop.create_return(ret, accepted=accepted)
        return shop, ret
    return create


def decided(shop, ret):
    out = shop.fetch_decisions([ret], None)
    assert len(out) <= 1
    return {d.external_line_id: (d.decision, d.quantity, d.note) for d in out[0].lines} if out else None


def test_requested_and_open_without_refund_are_pending(created, emu):
    shop, ret = created()
    assert decided(shop, ret) is None
    emu.action(ret.shop_return_id, "approve")
    assert decided(shop, ret) is None


def test_declined_is_rejected_with_the_reason(created, emu):
    shop, ret = created()
    emu.action(ret.shop_return_id, "decline", reason="RETURN_PERIOD_ENDED", note="Returned after 30 days")
    note = "RETURN_PERIOD_ENDED: Returned after 30 days"
    assert decided(shop, ret) == {"L1": (Decision.REJECTED, 2, note), "L2": (Decision.REJECTED, 1, note)}


def test_cancelled(created, emu):
    shop, ret = created()
    emu.action(ret.shop_return_id, "cancel")
    assert {d for d, _, _ in decided(shop, ret).values()} == {Decision.CANCELLED}


def test_refunded_and_closed_is_accepted(created, emu):
    shop, ret = created()
    emu.action(ret.shop_return_id, "approve")
    emu.action(ret.shop_return_id, "refund")
    assert decided(shop, ret) == {"L1": (Decision.ACCEPTED, 2, None), "L2": (Decision.ACCEPTED, 1, None)}
    emu.action(ret.shop_return_id, "close")
    assert decided(shop, ret)["L1"][0] == Decision.ACCEPTED


def test_partly_refunded_then_closed_accepts_what_was_refunded(created, emu):
    shop, ret = created(closed_without_refund="rejected")
    emu.action(ret.shop_return_id, "approve")
    lines = {li["fli"]: li["id"] for li in emu.get("/returns")[0]["lines"]}
    first_line = list(lines.values())[0]
    emu.action(ret.shop_return_id, "refund", quantities={str(first_line): 1, str(list(lines.values())[1]): 0})
    assert decided(shop, ret) is None  # open and not fully refunded: the merchant is still working
    emu.action(ret.shop_return_id, "close")
    assert decided(shop, ret) == {"L1": (Decision.ACCEPTED, 1, None),
                                  "L2": (Decision.REJECTED, 1, "closed without refund")}


def test_processed_exchange_is_exchanged(created, emu):
    shop, ret = created()
    emu.action(ret.shop_return_id, "approve")
    emu.action(ret.shop_return_id, "exchange", sku="TSHIRT-BLK-L", quantity=2)
    assert {d for d, _, _ in decided(shop, ret).values()} == {Decision.EXCHANGED}


def test_unprocessed_exchange_waits(created, emu):
    shop, ret = created()
    emu.action(ret.shop_return_id, "approve")
    emu.action(ret.shop_return_id, "exchange", sku="TSHIRT-BLK-L", processed=False)
    assert decided(shop, ret) is None


def test_before_2025_07_exchange_counts_once_closed(created, emu):
    shop, ret = created(api_version="2025-01")
    emu.action(ret.shop_return_id, "approve")
    emu.action(ret.shop_return_id, "exchange", sku="TSHIRT-BLK-L")
    assert decided(shop, ret) is None
    emu.action(ret.shop_return_id, "close")
    assert {d for d, _, _ in decided(shop, ret).values()} == {Decision.EXCHANGED}
    polls = [d for d in emu.documents() if d["operation"] == "PollReturns"]
    assert polls and all("processedQuantity" not in d["query"] for d in polls)


@pytest.mark.parametrize("tag, decision", [("returnhub:repaired", Decision.REPAIRED),
                                           ("returnhub:kept", Decision.KEPT)])
def test_order_tag_convention(created, emu, tag, decision):
    shop, ret = created()
    emu.action(ret.shop_return_id, "approve")
    emu.post(f"/orders/{emu.get('/orders')[0]['num']}/tags", {"add": [tag]})
    if decision == Decision.KEPT:
        emu.action(ret.shop_return_id, "refund")
    else:
        emu.action(ret.shop_return_id, "close")
    assert decided(shop, ret) == {"L1": (decision, 2, f"order tag {tag}"), "L2": (decision, 1, f"order tag {tag}")}


def test_tag_names_are_settings(created, emu):
    shop, ret = created(tag_repaired="repaired-by-us")
    emu.action(ret.shop_return_id, "approve")
    emu.post(f"/orders/{emu.get('/orders')[0]['num']}/tags", {"add": ["Repaired-By-Us"]})
    emu.action(ret.shop_return_id, "close")
    assert {d for d, _, _ in decided(shop, ret).values()} == {Decision.REPAIRED}


def test_closed_without_refund_can_be_left_to_the_merchant(created, emu):
    shop, ret = created(closed_without_refund="manual")
    emu.action(ret.shop_return_id, "approve")
    emu.action(ret.shop_return_id, "close")
    [result] = shop.fetch_decisions([ret], None)
    assert [(d.decision, d.raw) for d in result.lines] == [(None, "CLOSED+no_refund")] * 2


def test_polls_in_batches_of_stored_ids_only(make_shop, emu, new_return):
    emu.order(name="500", lines=[{"sku": "A", "quantity": 5}])
    emu.post("/bucket", {"maximumAvailable": 10**6, "currentlyAvailable": 10**6})  # no throttled re-sends
    shop = make_shop(poll_batch_size=2)
    rets = []
    for _ in range(5):
        ret = new_return("500", lines=[{"external_line_id": "1", "quantity": 1, "sku": "A"}])
        ret.shop_return_id = shop.create_return(ret)
        rets.append(ret)
    for ret in rets[:3]:
        emu.action(ret.shop_return_id, "decline", reason="FINAL_SALE")
    before = len(emu.sent())
    out = shop.fetch_decisions(rets + [new_return("500")], None)  # the last has no shop id yet
    assert sorted(d.return_id for d in out) == sorted(r.id for r in rets[:3])
    assert emu.sent()[before:] == ["PollReturns"] * 3  # ceil(5 / 2) batches, no order scan


def test_a_return_with_25_lines_is_decided_on_every_line(make_shop, emu, new_return):
    emu.order(name="600", lines=[{"sku": f"SKU-{i}", "quantity": 2} for i in range(25)])
    ret = new_return("600", lines=[{"external_line_id": str(i), "quantity": 2, "sku": f"SKU-{i}"} for i in range(25)])
    shop = make_shop()
    ret.shop_return_id = shop.create_return(ret)
    emu.action(ret.shop_return_id, "approve")
    emu.action(ret.shop_return_id, "refund")
    [result] = shop.fetch_decisions([ret], None)
    assert {(d.decision, d.quantity) for d in result.lines} == {(Decision.ACCEPTED, 2)} and len(result.lines) == 25
    assert emu.sent()[-2:] == ["PollReturns", "ReturnLines"]  # lines 21-25 on a second page


def test_more_than_ten_exchange_lines_are_all_read(created, emu):
    shop, ret = created()
    emu.action(ret.shop_return_id, "approve")
    for _ in range(11):
        emu.action(ret.shop_return_id, "exchange", sku="TSHIRT-BLK-L", processed=False)
    assert decided(shop, ret) is None
    emu.action(ret.shop_return_id, "exchange", sku="TSHIRT-BLK-L")  # the 12th, on the second page, processed
    assert {d for d, _, _ in decided(shop, ret).values()} == {Decision.EXCHANGED}
    assert emu.sent()[-1] == "ExchangeLines"
