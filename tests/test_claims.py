"""Claims: the heartbeat renews a batch's lease while its worker lives and stops with it (fake clock)."""
from __future__ import annotations

from datetime import timedelta

from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select

from hub.db import ReturnRow
from hub.model import State
from hub.sync import jobs
from hub.sync.claims import claim_many, heartbeat, release
from hub.testing.waiting import until


def _leases(hub, ids):
    with hub.session() as s:
        return dict(s.execute(select(ReturnRow.id, ReturnRow.claimed_until).where(ReturnRow.id.in_(ids))).all())


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
        until(lambda: fake_clock.waiting == 1, "the heartbeat to start")
        for _ in range(9):  # three claim lengths: without renewal the lease would run out after three beats
            fake_clock.advance(hub.config.claim_seconds / 3)
            expected = fake_clock.now() + claim
            until(lambda expected=expected: all(abs(lease - expected) < timedelta(milliseconds=1)
                                                for lease in _leases(hub, held).values()), "a renewal")
            until(lambda: fake_clock.waiting == 1, "the next beat's wait")
            assert claim_many(hub, held, [State.RECEIVED])[1] == []  # no other worker gets them
        assert _leases(hub, [finished])[finished] is None

    assert fake_clock.waiting == 0  # the heartbeat stopped with the block
    fake_clock.advance(hub.config.claim_seconds + 1)
    assert _leases(hub, held) == {i: fake_clock.now() - timedelta(seconds=1) for i in held}
    assert [r.id for r in claim_many(hub, ids, [State.RECEIVED])[1]] == ids  # free again once it ran out
