"""Claims: the heartbeat renews a batch's lease while its worker lives and stops with it (fake clock)."""
from __future__ import annotations

import time
from datetime import timedelta

from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select

from hub.db import ReturnRow
from hub.model import State
from hub.sync import jobs
from hub.sync.claims import claim_many, heartbeat, release


def _leases(hub, ids):
    with hub.session() as s:
        return dict(s.execute(select(ReturnRow.id, ReturnRow.claimed_until).where(ReturnRow.id.in_(ids))).all())


def _until(condition, what: str, timeout: float = 10.0) -> None:
    """Bounded polling for the heartbeat thread (real time only bounds the wait, it proves nothing)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_heartbeat_keeps_the_lease_while_the_block_runs_and_stops_after(hub, make_connection, market_emu,
                                                                        fake_clock):
    cid = make_connection()
    market_emu.state["returns"].extend(sample_return(n) for n in (1, 2, 3))
    jobs.poll_marketplace(cid)
    with hub.session() as s:
        ids = sorted(s.scalars(select(ReturnRow.id)))
    token, rows = claim_many(hub, ids, [State.RECEIVED])
    assert [r.id for r in rows] == ids
    claim = timedelta(seconds=hub.config.claim_seconds)
    held, finished = ids[:2], ids[2]

    with heartbeat(hub, token, ids):
        with hub.session() as s:  # one return is done: released, so no longer renewed
            release(s, s.get(ReturnRow, finished), token)
        _until(lambda: fake_clock.waiting == 1, "the heartbeat to start")
        for _ in range(9):  # three claim lengths: without renewal the lease would run out after three beats
            fake_clock.advance(hub.config.claim_seconds / 3)
            expected = fake_clock.now() + claim
            _until(lambda expected=expected: all(abs(until - expected) < timedelta(milliseconds=1)
                               for until in (_leases(hub, held)[i] for i in held)), "a renewal")
            _until(lambda: fake_clock.waiting == 1, "the next beat's wait")
            assert claim_many(hub, held, [State.RECEIVED])[1] == []  # no other worker gets them
        assert _leases(hub, [finished])[finished] is None

    assert fake_clock.waiting == 0  # the heartbeat stopped with the block
    fake_clock.advance(hub.config.claim_seconds + 1)
    assert _leases(hub, held) == {i: fake_clock.now() - timedelta(seconds=1) for i in held}
    assert [r.id for r in claim_many(hub, ids, [State.RECEIVED])[1]] == ids  # free again once it ran out
