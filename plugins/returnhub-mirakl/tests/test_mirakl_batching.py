"""Decisions go out in batches: one RT21 call carries many returns (never more than 100), and each
return gets its own outcome; a return of one operator is never sent to another."""
from __future__ import annotations

import threading

import pytest
from mirakl_steps import calls, lines_of
from returnhub_mirakl.batching import Coalescer, Gate

from hub.testing.fixtures import make_config
from hub.testing.flow import settle, states


@pytest.fixture
def config(tmp_path, database_url, redis_url, redis_conn, hub_plugins):
    """A push job works 40 returns, 20 at once (RETURNHUB_BATCH_SIZE, RETURNHUB_CONCURRENCY)."""
    return make_config(tmp_path, database_url, redis_url, hub_plugins, batch_size=40, concurrency=20)


def test_many_accepts_share_a_few_rt21_calls(hub, mirakl, connect, seed, decide):
    cid = connect(batch_wait_seconds=0.3)
    made = seed(count=40)
    settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == 40)
    for ret in made:
        decide(ret["id"], {lines_of(ret)[0]: ("accepted", 1)})
    final = settle(hub, cid, done=lambda: set(states(hub, cid).values()) == {"pushed"})
    assert set(final.values()) == {"pushed"}
    accepts = calls(mirakl, "/api/returns/accept")
    sent = [entry["id"] for call in accepts for entry in call.body["returns"]]
    assert sorted(sent) == sorted(r["id"] for r in made)  # each return accepted exactly once
    assert all(len(call.body["returns"]) <= 100 for call in accepts)
    assert len(accepts) <= 4, [len(c.body["returns"]) for c in accepts]  # 40 returns, 20 at a time
    per_return = len([e for e in mirakl.ledger.entries if e.method == "PUT"]) / 40
    assert per_return < 0.5  # accept, receive, compliance, close: four steps, shared


def test_a_call_never_carries_more_than_100():
    gate = Gate(expected=250, wait=0.2)
    sizes = []
    coalescer = Coalescer(gate, lambda entries: sizes.append(len(entries)) or [e * 2 for e in entries], 100)
    results = {}

    def push(n):
        gate.enter()
        try:
            results[n] = coalescer.submit(n)
        finally:
            gate.leave()

    threads = [threading.Thread(target=push, args=(n,)) for n in range(250)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == {n: n * 2 for n in range(250)}
    assert max(sizes) <= 100 and sum(sizes) == 250 and len(sizes) <= 4


def test_one_refused_return_does_not_fail_the_others(hub, mirakl, connect, seed, decide):
    cid = connect(batch_wait_seconds=0.3)
    made = seed(count=5)
    settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == 5)
    mirakl.state.op("mediamarkt").returns[made[0]["id"]]["state"] = "CLOSED"  # closed by the operator meanwhile
    for ret in made:
        decide(ret["id"], {lines_of(ret)[0]: ("cancelled", 1)})
    final = settle(hub, cid, done=lambda: "decided" not in states(hub, cid).values())
    assert final[made[0]["id"]] == "needs_attention"
    assert all(final[r["id"]] == "pushed" for r in made[1:])


def test_returns_of_one_operator_never_go_to_another(hub, mirakl, connect, seed, decide):
    mm, lm = connect("mediamarkt", batch_wait_seconds=0.1), connect("leroy_merlin", batch_wait_seconds=0.1)
    ours = {"mediamarkt": seed("mediamarkt", 3), "leroy_merlin": seed("leroy_merlin", 3)}
    for cid, op in ((mm, "mediamarkt"), (lm, "leroy_merlin")):
        settle(hub, cid, done=lambda cid=cid: list(states(hub, cid).values()).count("in_shop") == 3)
        for ret in ours[op]:
            decide(ret["id"], {lines_of(ret)[0]: ("accepted", 1)})
    for cid in (mm, lm):
        settle(hub, cid, done=lambda cid=cid: set(states(hub, cid).values()) == {"pushed"})
    assert set(states(hub, mm)) == {r["id"] for r in ours["mediamarkt"]}
    for entry in mirakl.ledger.entries:
        operator = entry.path.split("/")[1]
        assert operator in ours, entry.path
        assert entry.status == 200, entry.path  # the emulator answers 401 to another operator's key
        ids = {e.get("id") for e in (entry.body or {}).get("returns", [])} | set(entry.query.get("return_id", []))
        foreign = {r["id"] for op, rets in ours.items() if op != operator for r in rets}
        assert not ids & foreign, f"{entry.path} carried another operator's return"
    for op, rets in ours.items():
        assert all(mirakl.state.op(op).returns[r["id"]]["state"] == "CLOSED" for r in rets)


def test_emulator_refuses_one_operators_key_on_another(mirakl):
    answer = mirakl.http.get("/leroy_merlin/api/returns", headers={"Authorization": "emu-mediamarkt-shop-key"})
    assert answer.status_code == 401
    assert mirakl.http.get("/leroy_merlin/api/returns",
                           headers={"Authorization": "emu-leroy_merlin-shop-key"}).status_code == 200
