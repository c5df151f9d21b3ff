"""The returns pipeline end to end: fake marketplace -> hub -> fake shop -> decision -> marketplace."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import func, select

from hub.db import Connection, QuarantinedItem, ReturnEvent, ReturnLine, ReturnRow
from hub.sync import jobs, queueing
from hub.sync.pipeline import Job


def seed(market_emu, shop_emu, count=3, orders=True, **kwargs):
    returns = [sample_return(n, **kwargs) for n in range(1, count + 1)]
    market_emu.state["returns"].extend(returns)
    if orders:
        for r in returns:
            shop_emu.state["orders"][r["order"]] = {"id": f"SO-{r['order']}", "number": r["order"]}
    return returns


def states(hub):
    with hub.session() as s:
        return dict(s.execute(select(ReturnRow.external_id, ReturnRow.state)).all())


def decide_all(shop_emu, decision="accepted", qty=None):
    for record in shop_emu.state["returns"].values():
        for line in record["lines"].values():
            line.update(decision=decision, decided_qty=qty if qty is not None else line["quantity"])
        record["status"] = "decided"


def test_full_flow_reaches_pushed(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=3, lines=2, quantity=3)
    jobs.poll_marketplace(cid)
    drain()
    assert set(states(hub).values()) == {"in_shop"}
    assert len(shop_emu.state["returns"]) == 3
    decide_all(shop_emu, "rejected", qty=2)
    jobs.poll_decisions(cid)
    drain()
    assert set(states(hub).values()) == {"pushed"}
    puts = market_emu.state["puts"]
    assert len(puts) == 6 and {p["decision"] for p in puts} == {"REJECT"} and {p["quantity"] for p in puts} == {2}
    with hub.session() as s:
        timeline = [e.to_state for e in s.scalars(select(ReturnEvent).where(ReturnEvent.return_id == 1).order_by(ReturnEvent.id))]
    assert timeline == ["received", "in_shop", "decided", "pushed"]
    assert shop_emu.state["credit_notes"] == []


def test_switch_off_runs_nothing(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection(enabled=False)
    seed(market_emu, shop_emu)
    assert jobs.poll_marketplace(cid) == {"skipped": "connection inactive or returns switched off"}
    jobs.reconcile()
    drain()
    assert states(hub) == {} and market_emu.state["requests"] == 0


def test_marketplace_without_push_closes_without_push(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection(marketplace="fakeinfo")
    seed(market_emu, shop_emu, count=2)
    jobs.poll_marketplace(cid)
    drain()
    decide_all(shop_emu, "kept")
    jobs.poll_decisions(cid)
    drain()
    assert set(states(hub).values()) == {"closed_without_push"}
    assert market_emu.state["puts"] == []
    with hub.session() as s:
        assert set(s.scalars(select(ReturnLine.decision))) == {"kept"}


def test_marketplace_fulfilled_is_created_accepted_and_never_pushed(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=2, fulfilment="marketplace", method="FBX")
    jobs.poll_marketplace(cid)
    drain()
    jobs.poll_decisions(cid)
    jobs.reconcile()
    drain()
    assert set(states(hub).values()) == {"closed_without_push"}
    assert {r["status"] for r in shop_emu.state["returns"].values()} == {"accepted"}
    assert market_emu.state["puts"] == []


def test_order_not_in_shop_waits_then_needs_attention(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=1, orders=False)
    jobs.poll_marketplace(cid)
    drain()
    assert states(hub) == {"R1": "waiting_for_order"}
    shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
    with hub.session() as s:
        s.execute(ReturnRow.__table__.update().values(next_attempt_at=None))
    jobs.reconcile()
    drain()
    assert states(hub) == {"R1": "in_shop"}


def test_order_wait_deadline(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=1, orders=False)
    jobs.poll_marketplace(cid)
    drain()
    with hub.session() as s:
        s.execute(ReturnRow.__table__.update().values(
            next_attempt_at=None, waiting_since=datetime.now(UTC) - timedelta(hours=73)))
    jobs.create_in_shop(cid)
    with hub.session() as s:
        row = s.scalar(select(ReturnRow))
        assert row.state == "needs_attention" and "gave up waiting after 72 h" in row.attention_reason


def test_malformed_items_are_quarantined_and_the_rest_imported(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    good = seed(market_emu, shop_emu, count=2)
    bad_qty = sample_return(10)
    bad_qty["items"][0]["qty"] = -1
    no_order = sample_return(11)
    del no_order["order"]
    market_emu.state["returns"][1:1] = [bad_qty, "not an object", no_order]
    result = jobs.poll_marketplace(cid)
    assert result["new"] == 2 and result["quarantined"] == 3
    with hub.session() as s:
        reasons = list(s.scalars(select(QuarantinedItem.reason)))
    assert any("quantity" in r for r in reasons) and any("marketplace_order_id" in r for r in reasons)
    assert set(states(hub)) == {r["id"] for r in good}


def test_polling_twice_imports_once(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=60)
    jobs.poll_marketplace(cid)
    with hub.session() as s:
        s.execute(Connection.__table__.update().values(last_poll_at=None))
        from hub.db import SyncCursor
        s.execute(SyncCursor.__table__.delete())
    jobs.poll_marketplace(cid)
    with hub.session() as s:
        assert s.scalar(select(func.count(ReturnRow.id))) == 60


def test_running_jobs_twice_creates_and_pushes_once(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=5)
    jobs.poll_marketplace(cid)
    jobs.create_in_shop(cid)
    jobs.create_in_shop(cid)
    assert len(shop_emu.state["creates"]) == 5
    decide_all(shop_emu)
    jobs.poll_decisions(cid)
    jobs.poll_decisions(cid)
    jobs.push_decisions(cid)
    jobs.push_decisions(cid)
    assert len(market_emu.state["puts"]) == 5
    assert set(states(hub).values()) == {"pushed"}


def test_lost_response_after_create_makes_no_second_return(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=1)
    shop_emu.state["crash_after_create"] = 1
    jobs.poll_marketplace(cid)
    jobs.create_in_shop(cid)
    with hub.session() as s:
        s.execute(ReturnRow.__table__.update().values(next_attempt_at=None))
    jobs.create_in_shop(cid)
    assert len(shop_emu.state["returns"]) == 1
    assert states(hub) == {"R1": "in_shop"}


def test_failing_shop_ends_in_needs_attention_without_looping(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=1)
    shop_emu.state["faults"].append({"path": "/returns", "status": 500, "count": 10_000})
    jobs.poll_marketplace(cid)
    for _ in range(10):
        with hub.session() as s:
            s.execute(ReturnRow.__table__.update().values(next_attempt_at=None))
        jobs.create_in_shop(cid)
    with hub.session() as s:
        row = s.scalar(select(ReturnRow))
        assert row.state == "needs_attention" and "500" in row.attention_reason
    calls = shop_emu.state["requests"]
    jobs.reconcile()
    drain()
    assert shop_emu.state["requests"] == calls


def test_auth_error_pauses_the_connection(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=2)
    jobs.poll_marketplace(cid)
    shop_emu.state["faults"].append({"path": "/orders", "status": 401, "count": 100})
    jobs.create_in_shop(cid)
    with hub.session() as s:
        conn = s.get(Connection, cid)
        assert conn.status == "needs_reauth"
    assert set(states(hub).values()) == {"received"}
    assert jobs.create_in_shop(cid) == {"skipped": "connection inactive or returns switched off"}


def test_unknown_shop_decision_is_kept_raw_and_not_decided(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=1)
    jobs.poll_marketplace(cid)
    drain()
    decide_all(shop_emu, "store_credit")
    jobs.poll_decisions(cid)
    with hub.session() as s:
        line = s.scalar(select(ReturnLine))
        assert line.decision is None and line.decision_raw == "store_credit"
    assert states(hub) == {"R1": "in_shop"}


def test_redis_flush_mid_run_loses_nothing(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    seed(market_emu, shop_emu, count=20)
    jobs.poll_marketplace(cid)
    hub.redis.flushdb()
    drain()
    assert set(states(hub).values()) == {"received"}
    jobs.reconcile()
    drain()
    assert set(states(hub).values()) == {"in_shop"}
    decide_all(shop_emu)
    jobs.poll_decisions(cid)
    hub.redis.flushdb()
    jobs.reconcile()
    drain()
    assert set(states(hub).values()) == {"pushed"} and len(market_emu.state["puts"]) == 20


def test_webhook_triggers_decision_read_once_per_delivery(hub, make_connection, market_emu, shop_emu, drain):
    import json

    from returnhub_fakeshop.emulator import sign

    from hub.app import create_app
    cid = make_connection()
    seed(market_emu, shop_emu, count=1)
    jobs.poll_marketplace(cid)
    drain()
    decide_all(shop_emu, "exchanged")
    with hub.session() as s:
        token = s.get(Connection, cid).webhook_token
    client = create_app(hub=hub).test_client()
    body = json.dumps({"delivery_id": "d-1", "return_ids": ["SR1"], "topic": "returns/decided"}).encode()
    assert client.post(f"/webhooks/{token}", data=body, headers={"X-Signature": "bad"}).status_code == 401
    for expected in (202, 200, 200):
        response = client.post(f"/webhooks/{token}", data=body, headers={"X-Signature": sign(body)})
        assert response.status_code == expected
    drain()
    assert states(hub) == {"R1": "pushed"}
    assert len(market_emu.state["puts"]) == 1


def test_enqueue_does_not_pile_up(hub, make_connection):
    cid = make_connection()
    assert queueing.enqueue(hub, Job.POLL_MARKETPLACE, cid)
    assert queueing.enqueue(hub, Job.POLL_MARKETPLACE, cid) is None
    assert len(hub.queue) == 1


def test_manual_decision_needs_a_note_and_is_pushed(hub, make_connection, market_emu, shop_emu, drain):
    import pytest

    from hub.model import Decision, LineDecision
    from hub.sync.deciding import DecisionError, decide_manually
    cid = make_connection()
    seed(market_emu, shop_emu, count=1, lines=2)
    jobs.poll_marketplace(cid)
    drain()
    with hub.session() as s:
        line_ids = list(s.scalars(select(ReturnLine.external_line_id).order_by(ReturnLine.id)))
    decisions = [LineDecision(line_ids[0], Decision.REPAIRED), LineDecision(line_ids[1], Decision.KEPT, 1)]
    with pytest.raises(DecisionError, match="note is required"):
        decide_manually(hub, 1, decisions, " ", "user:a@example.com")
    assert decide_manually(hub, 1, decisions, "repaired in the workshop", "user:a@example.com")
    drain()
    assert states(hub) == {"R1": "pushed"}
    assert sorted(p["decision"] for p in market_emu.state["puts"]) == ["KEEP", "REPAIR"]
