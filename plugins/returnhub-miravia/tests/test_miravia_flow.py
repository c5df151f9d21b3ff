"""The whole flow through the core: Miravia emulator -> hub jobs -> the core's fake shop -> the merchant's decision
-> accept/reject at Miravia. Real HTTP, real Redis, SQLite (and PostgreSQL when set)."""
from __future__ import annotations

import pytest

from hub.testing.flow import attention_reason, decide_in_fake_shop, find_return, quarantined, settle, states


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == count)


def pushed(hub, cid, *external_ids):
    return settle(hub, cid, poll=False, done=lambda: all(states(hub, cid)[e] == "pushed" for e in external_ids))


def decide(hub, shop_emu, external_id, decision, note=None):
    ret = find_return(hub, str(external_id))
    decide_in_fake_shop(hub, shop_emu.url, str(external_id), {ln.external_line_id: (decision, ln.quantity)
                                                              for ln in ret.lines})


def decision_calls(emu, verb=None):
    return [e for e in emu.ledger.entries if e.method == "POST" and "/returnRefund/" in e.path
            and (verb is None or e.path.endswith(verb))]


def statuses(state, ret):
    return [line["reverse_status"] for line in state.reverse_orders[str(ret["reverse_order_id"])]["reverse_order_lines"]]


def test_accept_and_reject_reach_miravia(hub, connection, state, emu, shop_emu):
    cid = connection()
    accepted, refund_only, rejected = (state.seed(1, lines=2)[0], state.seed(1, request_type="ONLY_REFUND", lines=1)[0],
                                       state.seed(1, lines=1)[0])
    in_shop(hub, cid, 3)
    decide(hub, shop_emu, accepted["reverse_order_id"], "accepted")
    decide(hub, shop_emu, refund_only["reverse_order_id"], "accepted")
    decide(hub, shop_emu, rejected["reverse_order_id"], "rejected")
    pushed(hub, cid, *(str(r["reverse_order_id"]) for r in (accepted, refund_only, rejected)))
    assert statuses(state, accepted) == ["SELLER_AGREE_RETURN"] * 2
    assert statuses(state, refund_only) == ["REFUND_SUCCESS"]
    assert statuses(state, rejected) == ["REQUEST_REJECT"]
    by_order = {d["order_id"]: d for d in state.decisions}
    first = by_order[str(accepted["trade_order_id"])]
    assert first["verb"] == "accept" and len(first["items"]) == 2  # one call for both order items
    assert first["RefundAmount"] == str(sum(line["refund_amount"] for line in accepted["reverse_order_lines"]))
    refusal = by_order[str(rejected["trade_order_id"])]
    assert refusal["verb"] == "reject" and refusal["reasonId"] == "1007" and refusal["comment"]
    assert any(e.path.endswith("/order/reverse/reason/list") for e in emu.ledger.entries)


def test_reject_reason_comes_from_the_reason_list(hub, connection, state, emu, shop_emu):
    from returnhub_miravia import emulator
    emulator.REJECT_REASONS.insert(0, {"reason_id": "1019", "text": "Already hand over to 3PL"})
    try:
        cid = connection(reject_reason_id="1022")
        preferred, first_offered = state.seed(2)
        in_shop(hub, cid, 2)
        decide(hub, shop_emu, preferred["reverse_order_id"], "rejected")
        pushed(hub, cid, str(preferred["reverse_order_id"]))
        assert state.decisions[-1]["reasonId"] == "1022"  # the setting, as the list offers it
        # the same connection, a preference the list no longer offers: the first one offered
        emulator.REJECT_REASONS[:] = [r for r in emulator.REJECT_REASONS if r["reason_id"] != "1022"]
        decide(hub, shop_emu, first_offered["reverse_order_id"], "rejected")
        pushed(hub, cid, str(first_offered["reverse_order_id"]))
        assert state.decisions[-1]["reasonId"] == "1019"
    finally:
        emulator.REJECT_REASONS[:] = [{"reason_id": "1007", "text": "Item is not damaged/defective as claimed by "
                                       "customer"}, {"reason_id": "1022", "text": "Others"}]


def test_paging_through_the_core(hub, connection, state, emu):
    cid = connection(page_size=20)
    state.seed(45)
    assert list(in_shop(hub, cid, 45).values()).count("in_shop") == 45
    pages = [e.query.get("page_no") for e in emu.ledger.entries if e.path.endswith("/getreverseordersforseller")]
    assert pages[:3] == [["1"], ["2"], ["3"]]


def test_429_with_retry_after_is_waited_out(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1)[0]
    emu.faults.inject(429, count=1, retry_after=7, path="/getreverseordersforseller")
    in_shop(hub, cid, 1)
    assert 7 in fake_clock.slept
    emu.faults.inject(429, count=1, retry_after=5, path="/accept")
    decide(hub, shop_emu, ret["reverse_order_id"], "accepted")
    pushed(hub, cid, str(ret["reverse_order_id"]))
    assert 5 in fake_clock.slept
    assert [e.status for e in decision_calls(emu)] == [200]  # the 429 came from the fault injector
    assert len(state.decisions) == 1


def test_an_expiring_token_is_renewed_ahead_and_the_rotated_refresh_token_saved(hub, connection, state, emu,
                                                                                shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1)[0]
    in_shop(hub, cid, 1)
    fake_clock.advance(7 * 86400)  # the access token lives 7 days: it is renewed before it runs out
    decide(hub, shop_emu, ret["reverse_order_id"], "accepted")
    pushed(hub, cid, str(ret["reverse_order_id"]))
    refreshes = [e for e in emu.ledger.entries if e.path.endswith("/auth/token/refresh")]
    assert len(refreshes) >= 2
    assert not any(e.response and e.response.get("code") == "IllegalAccessToken" for e in emu.ledger.entries)
    from hub.db import Connection
    with hub.session() as s:
        stored = hub.box.open(s.get(Connection, cid).marketplace_settings)
    assert list(state.refresh_tokens) == [stored["refresh_token"]]  # the live one is the saved one


def test_a_token_the_gateway_refuses_is_renewed_once_and_the_call_resent(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, lines=1)[0]
    in_shop(hub, cid, 1)
    emu.hook("expire_tokens", {})  # Miravia stops taking the cached token before its announced expiry
    decide(hub, shop_emu, ret["reverse_order_id"], "rejected")
    pushed(hub, cid, str(ret["reverse_order_id"]))
    codes = [e.response.get("code") for e in emu.ledger.entries if e.response]
    assert "IllegalAccessToken" in codes
    assert statuses(state, ret) == ["REQUEST_REJECT"]


def test_a_lost_answer_after_accept_is_not_sent_twice(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, lines=1)[0]
    in_shop(hub, cid, 1)
    emu.faults.drop(path="/accept")
    decide(hub, shop_emu, ret["reverse_order_id"], "accepted")
    pushed(hub, cid, str(ret["reverse_order_id"]))
    assert len(state.decisions) == 1
    assert len(decision_calls(emu)) == 1  # the answer was lost; the retry read the reverse order and stopped
    assert statuses(state, ret) == ["SELLER_AGREE_RETURN"]


def test_a_bad_signature_is_refused_and_the_connection_needs_attention(hub, connection, state, emu):
    cid = connection(app_secret="not-the-app-secret")
    state.seed(1)
    settle(hub, cid, done=lambda: any(e.response and e.response.get("code") == "IncompleteSignature"
                                      for e in emu.ledger.entries))
    assert states(hub, cid) == {}
    assert not state.decisions


@pytest.mark.parametrize("kind, reason", [("unknown_status", "unknown reverse_status 'TELEPORTED'"),
                                          ("unknown_type", "unknown request_type 'SWAP_MEET'"),
                                          ("no_lines", "has no reverse_order_lines"),
                                          ("no_id", "has no reverse_order_id")])
def test_bad_payloads_are_quarantined_and_the_batch_goes_on(hub, connection, state, emu, kind, reason):
    cid = connection()
    emu.hook("break", {"kind": kind})
    good = state.seed(2)
    result = settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == 2)
    assert set(result) == {str(r["reverse_order_id"]) for r in good}
    assert any(reason in r for r in quarantined(hub, cid).values()), quarantined(hub, cid)


def test_a_line_decided_elsewhere_meanwhile_needs_attention(hub, connection, state, shop_emu):
    cid = connection()
    ret = state.seed(1)[0]
    in_shop(hub, cid, 1)
    ret["reverse_order_lines"][0]["reverse_status"] = "SELLER_AGREE_RETURN"  # accepted in the Seller Center
    decide(hub, shop_emu, ret["reverse_order_id"], "rejected")
    rid = str(ret["reverse_order_id"])
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[rid] == "needs_attention")
    assert "cannot take 'rejected'" in attention_reason(hub, rid)
