"""The whole flow through the core: TikTok Shop emulator -> hub jobs -> the core's fake shop -> the merchant's
decision -> approve/reject at TikTok. Real HTTP, real Redis, SQLite (and PostgreSQL when set)."""
from __future__ import annotations

import pytest

from hub.testing.flow import attention_reason, decide_in_fake_shop, find_return, settle, states


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == count)


def pushed(hub, cid, *external_ids):
    return settle(hub, cid, poll=False, done=lambda: all(states(hub, cid)[e] == "pushed" for e in external_ids))


def decide(hub, shop_emu, external_id, decision):
    ret = find_return(hub, external_id)
    decide_in_fake_shop(hub, shop_emu.url, external_id, {ln.external_line_id: (decision, ln.quantity)
                                                         for ln in ret.lines})


def decisions(emu):
    return [e for e in emu.ledger.entries if e.method == "POST" and e.path.rsplit("/", 1)[1] in ("approve", "reject")]


def test_approve_and_reject_reach_tiktok(hub, connection, state, emu, shop_emu):
    cid = connection(reject_reason="seller_reject_receive_wrong_item")
    refund, ret, shipped = (state.seed(1, return_type="REFUND")[0], state.seed(1)[0],
                            state.seed(1, status="BUYER_SHIPPED_ITEM")[0])
    in_shop(hub, cid, 3)
    decide(hub, shop_emu, refund["return_id"], "accepted")
    decide(hub, shop_emu, ret["return_id"], "accepted")
    decide(hub, shop_emu, shipped["return_id"], "rejected")
    pushed(hub, cid, refund["return_id"], ret["return_id"], shipped["return_id"])
    by_id = {d["return_id"]: d for d in state.decisions}
    assert by_id[refund["return_id"]]["decision"] == "APPROVE_REFUND"
    assert by_id[ret["return_id"]]["decision"] == "APPROVE_RETURN"
    assert by_id[shipped["return_id"]]["decision"] == "REJECT_RECEIVED_PACKAGE"
    assert by_id[shipped["return_id"]]["reject_reason"] == "seller_reject_receive_wrong_item"
    assert any(e.path.endswith("/reject_reasons") for e in emu.ledger.entries)
    assert all(e.query.get("idempotency_key") for e in decisions(emu))


def test_reject_reason_comes_from_the_endpoint(hub, connection, state, emu, shop_emu):
    from returnhub_tiktok import emulator
    emulator.REJECT_REASONS.insert(0, {"name": "seller_reject_only_today", "text": "Offered only today"})
    try:
        cid = connection()
        ret = state.seed(1)[0]
        in_shop(hub, cid, 1)
        decide(hub, shop_emu, ret["return_id"], "rejected")
        pushed(hub, cid, ret["return_id"])
    finally:
        emulator.REJECT_REASONS.pop(0)
    assert state.decisions[0]["reject_reason"] == "seller_reject_only_today"
    assert state.decisions[0]["decision"] == "REJECT_RETURN"


def test_paging_through_the_core(hub, connection, state, emu):
    cid = connection(page_size=20)
    state.seed(45)
    assert list(in_shop(hub, cid, 45).values()).count("in_shop") == 45
    tokens = [e.query.get("page_token") for e in emu.ledger.entries if e.path.endswith("/search")]
    assert [t for t in tokens if t][:2] == [["pt:20"], ["pt:40"]]


def test_429_with_retry_after_is_waited_out(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1)[0]
    emu.faults.inject(429, count=1, retry_after=7, path="/returns/search")
    in_shop(hub, cid, 1)
    assert 7 in fake_clock.slept
    emu.faults.inject(429, count=1, retry_after=5, path="/approve")
    decide(hub, shop_emu, ret["return_id"], "accepted")
    pushed(hub, cid, ret["return_id"])
    assert 5 in fake_clock.slept
    assert [e.status for e in decisions(emu)] == [200]
    assert len(state.decisions) == 1


def test_a_lost_answer_after_approve_is_not_approved_twice(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1)[0]
    in_shop(hub, cid, 1)
    emu.faults.drop(path="/approve")
    decide(hub, shop_emu, ret["return_id"], "accepted")
    pushed(hub, cid, ret["return_id"])
    assert len(state.decisions) == 1
    assert state.returns[ret["return_id"]]["return_status"] == "AWAITING_BUYER_SHIP"
    assert len(decisions(emu)) == 2  # the lost answer was retried with the same key and replayed by TikTok
    keys = {tuple(e.query["idempotency_key"]) for e in decisions(emu)}
    assert len(keys) == 1


def test_a_bad_signature_is_refused_and_the_connection_needs_attention(hub, connection, state, emu):
    cid = connection(app_secret="not-the-app-secret")
    state.seed(1)
    settle(hub, cid, done=lambda: any(e.status == 401 for e in emu.ledger.entries))
    assert all(e.status == 401 for e in emu.ledger.entries)
    assert states(hub, cid) == {}


@pytest.mark.parametrize("kind", ["unknown_status", "no_items"])
def test_bad_payloads_do_not_stop_the_batch(hub, connection, state, emu, kind):
    cid = connection()
    emu.hook("break", {"kind": kind})
    good = state.seed(2)
    result = settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == 2)
    assert set(result) == {r["return_id"] for r in good}


def test_a_refused_decision_needs_attention(hub, connection, state, shop_emu):
    cid = connection()
    ret = state.seed(1)[0]
    in_shop(hub, cid, 1)
    state.returns[ret["return_id"]]["return_status"] = "AWAITING_BUYER_SHIP"  # decided elsewhere meanwhile
    decide(hub, shop_emu, ret["return_id"], "rejected")
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[ret["return_id"]] == "needs_attention")
    assert "cannot take 'rejected'" in attention_reason(hub, ret["return_id"])


def test_an_expiring_token_is_renewed_ahead_and_the_rotated_refresh_token_saved(hub, connection, state, emu,
                                                                                shop_emu, fake_clock):
    from returnhub_tiktok.emulator import REFRESH_TOKEN
    cid = connection(access_token=None, refresh_token=REFRESH_TOKEN)
    ret = state.seed(1)[0]
    in_shop(hub, cid, 1)
    fake_clock.advance(7 * 86400)  # TikTok's access token lives 7 days: renewed before it runs out
    decide(hub, shop_emu, ret["return_id"], "accepted")
    pushed(hub, cid, ret["return_id"])
    assert len([e for e in emu.ledger.entries if e.path == "/api/v2/token/refresh"]) >= 2
    assert not any(e.status == 401 for e in emu.ledger.entries)
    from hub.db import Connection
    with hub.session() as s:
        stored = hub.box.open(s.get(Connection, cid).marketplace_settings)
    assert list(state.refresh_tokens) == [stored["refresh_token"]]  # the live one is the saved one
    assert state.decisions[0]["decision"] == "APPROVE_RETURN"


def test_an_expired_token_refused_with_105002_is_renewed_once_and_the_call_resent(hub, connection, state, emu,
                                                                                  shop_emu):
    from returnhub_tiktok.emulator import REFRESH_TOKEN
    cid = connection(access_token=None, refresh_token=REFRESH_TOKEN)
    ret = state.seed(1)[0]
    in_shop(hub, cid, 1)
    emu.hook("expire_tokens", {})  # the cached token runs out before the hub expected it to
    decide(hub, shop_emu, ret["return_id"], "rejected")
    pushed(hub, cid, ret["return_id"])
    refused = [e for e in emu.ledger.entries if e.status == 401]
    assert refused and all(e.response["code"] == 105002 for e in refused)
    assert state.returns[ret["return_id"]]["return_status"] == "REFUND_OR_RETURN_REQUEST_REJECT"
