"""Real worker processes: two at once on the same jobs create and push every return exactly once."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from hub.db import ReturnRow
from hub.sync import jobs
from returnhub_fakemarket.emulator import sample_return


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


def test_kill_9_mid_batch_loses_nothing_and_duplicates_nothing(hub, config, make_connection, market_emu, shop_emu, drain):
    import signal
    import time
    config.claim_seconds = 2
    cid = make_connection()
    for n in range(1, 31):
        market_emu.state["returns"].append(sample_return(n))
        shop_emu.state["orders"][f"MO{n}"] = {"id": f"SO-MO{n}", "number": f"MO{n}"}
    jobs.poll_marketplace(cid)
    hub.redis.flushdb()
    shop_emu.state["latency"] = 0.3
    hub.queue.enqueue("hub.sync.jobs.create_in_shop", args=(cid,))
    env = dict(os.environ, **config.to_env())
    worker = subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", "--burst"], env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while len(shop_emu.state["creates"]) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    created_before = len(shop_emu.state["creates"])
    assert 0 < created_before < 30
    shop_emu.state["latency"] = 0.0
    time.sleep(config.claim_seconds + 0.5)  # the dead worker's leases expire
    hub.redis.flushdb()
    jobs.reconcile()
    drain()
    with hub.session() as s:
        assert set(s.scalars(select(ReturnRow.state))) == {"in_shop"}
    references = [r["reference"] for r in shop_emu.state["returns"].values()]
    assert len(references) == len(set(references)) == 30
