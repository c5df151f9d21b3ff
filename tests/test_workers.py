"""Real worker processes: two at once on the same jobs create and push every return exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select

from hub import clock
from hub.db import ReturnRow
from hub.sync import jobs


def run_workers(config, count=2):
    env = dict(os.environ, **config.to_env())
    procs = [subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", "--burst"], env=env)
             for _ in range(count)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0


def test_two_workers_same_jobs_exactly_once(hub, config, make_connection, market_emu, shop_emu):
    cid = make_connection()
    for n in range(1, 41):
        market_emu.state["returns"].append(sample_return(n))
        shop_emu.state["orders"][f"MO{n}"] = {"id": f"SO-MO{n}", "number": f"MO{n}"}
    jobs.poll_marketplace(cid)
    hub.redis.flushdb()
    for _ in range(4):  # the same job queued several times, run by two workers at once
        hub.queue.enqueue("hub.sync.jobs.create_in_shop", args=(cid,))
    run_workers(config)
    assert len(shop_emu.state["creates"]) == 40
    for record in shop_emu.state["returns"].values():
        for line in record["lines"].values():
            line.update(decision="accepted", decided_qty=line["quantity"])
        record["status"] = "decided"
    jobs.poll_decisions(cid)
    for _ in range(4):
        hub.queue.enqueue("hub.sync.jobs.push_decisions", args=(cid,))
    run_workers(config)
    assert len(market_emu.state["puts"]) == 40
    assert len({(p["return"], p["line"]) for p in market_emu.state["puts"]}) == 40
    with hub.session() as s:
        assert set(s.scalars(select(ReturnRow.state))) == {"pushed"}


def _pending_leases(hub) -> list:
    with hub.session() as s:
        return list(s.scalars(select(ReturnRow.claimed_until).where(ReturnRow.state != "in_shop")))


def test_kill_9_mid_batch_loses_nothing_and_duplicates_nothing(hub, config, make_connection, market_emu, shop_emu,
                                                               drain):
    """A batch outlives its first lease (the heartbeat renews it); after SIGKILL its returns are free within
    claim_seconds, retaken by the next reconcile and created exactly once. Prints the recovery time.

    RETURNHUB_TEST_KILL_CLAIM_SECONDS / RETURNHUB_TEST_KILL_RECONCILE_SECONDS (default 3 and 1) measure it
    with production-like settings by hand, e.g. 60 and 60 (a run of a few minutes).
    """
    claim = int(os.environ.get("RETURNHUB_TEST_KILL_CLAIM_SECONDS", "3"))
    reconcile_every = float(os.environ.get("RETURNHUB_TEST_KILL_RECONCILE_SECONDS", "1"))
    config.claim_seconds, config.concurrency = claim, 1  # one create at a time: the batch outlives the lease
    cid = make_connection()
    for n in range(1, 31):
        market_emu.state["returns"].append(sample_return(n))
        shop_emu.state["orders"][f"MO{n}"] = {"id": f"SO-MO{n}", "number": f"MO{n}"}
    jobs.poll_marketplace(cid)
    hub.redis.flushdb()
    shop_emu.state["latency"] = max(0.3, claim / 15)  # the batch takes 30 such calls, well past one lease
    hub.queue.enqueue("hub.sync.jobs.create_in_shop", args=(cid,))
    env = dict(os.environ, **config.to_env())
    worker = subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", "--burst"], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not shop_emu.state["creates"]:
            assert time.monotonic() < deadline and worker.poll() is None, "the worker created nothing"
            time.sleep(0.05)
        past_first_lease = time.monotonic() + claim + 0.5
        while time.monotonic() < past_first_lease:  # bounded: the batch runs for 30 slow calls
            assert worker.poll() is None, "the batch ended before its first lease would have"
            time.sleep(0.05)
        assert len(shop_emu.state["creates"]) < 30
        assert jobs.create_in_shop(cid) == {}  # a second worker finds nothing due: the lease was renewed
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    killed_at = clock.now()
    created_before = len(shop_emu.state["creates"])
    assert 0 < created_before < 30
    shop_emu.state["latency"] = 0.0

    leases = _pending_leases(hub)
    assert leases and all(lease is not None for lease in leases)
    free_at = max(leases)
    tolerance = timedelta(milliseconds=50)
    assert killed_at < free_at <= killed_at + timedelta(seconds=claim) + tolerance  # renewed until the kill, no longer

    deadline = time.monotonic() + claim + reconcile_every + 60
    round_at = previous = killed_at
    while True:  # the scheduler's reconcile, every reconcile_every seconds
        previous, round_at = round_at, clock.now()
        if jobs.reconcile()["queued"]:
            break
        assert round_at < free_at + tolerance, "a reconcile after the leases ran out queued nothing"
        assert time.monotonic() < deadline
        time.sleep(reconcile_every)
    assert round_at >= free_at - tolerance, "the dead worker's returns were retaken while still leased"
    drain()
    done_at = clock.now()
    retaken, recovered = ((at - killed_at).total_seconds() for at in (round_at, done_at))
    print(f"\nkill -9 recovery (claim {claim:g} s, reconcile every {reconcile_every:g} s): "
          f"free after {(free_at - killed_at).total_seconds():.1f} s, retaken after {retaken:.1f} s, "
          f"all {30 - created_before} remaining in the shop after {recovered:.1f} s")
    interval = (round_at - previous).total_seconds()  # the reconcile interval as it really ran
    assert retaken <= claim + interval + tolerance.total_seconds()  # within claim + reconcile interval
    with hub.session() as s:
        assert set(s.scalars(select(ReturnRow.state))) == {"in_shop"}
    references = [r["reference"] for r in shop_emu.state["returns"].values()]
    assert len(references) == len(set(references)) == 30
