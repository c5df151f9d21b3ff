"""Spread schedules: each connection is polled once per interval, at its own phase, so thousands of
connections do not all fall due at once; time moves through the injectable clock."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from hub.db import Connection
from hub.sync import jobs, spread
from hub.testing.connections import create_connection


def test_phases_spread_consecutive_ids_evenly_over_the_interval():
    slots = Counter(int(spread.phase(cid, 300) // spread.tick_seconds(300)) for cid in range(1, 10_001))
    assert sorted(slots) == list(range(spread.SLOTS))
    assert all(900 <= count <= 1100 for count in slots.values()), slots


def test_a_connection_is_due_once_per_interval_at_its_own_phase():
    start, last, polls = datetime(2026, 1, 1, tzinfo=UTC), None, []
    for second in range(0, 901):
        moment = start + timedelta(seconds=second)
        if spread.is_due(42, last, moment, 300):
            polls.append(moment)
            last = moment
    assert polls[0] == start  # never polled: due at once
    assert [b - a for a, b in zip(polls[1:], polls[2:], strict=False)] == [timedelta(seconds=300)] * 2
    assert len(polls) == 4  # the first, then one a period in the 900 s


def test_the_schedule_polls_every_connection_once_an_interval_a_slice_per_tick(hub, fake_clock, make_connection,
                                                                              drain, market_emu):
    ids = [make_connection(name=f"shop {n}") for n in range(12)]
    assert jobs.poll_due_marketplaces() == {"due": 12, "queued": 12}  # never polled: all due at once
    drain()
    polled_at = fake_clock.now()
    interval, tick = hub.config.poll_interval, spread.tick_seconds(hub.config.poll_interval)
    expected, queued = [], []
    for _ in range(spread.SLOTS):
        before = fake_clock.now()
        fake_clock.advance(tick)
        expected.append(sum(1 for cid in ids if spread.period(cid, fake_clock.now(), interval)
                            > spread.period(cid, before, interval)))
        queued.append(jobs.poll_due_marketplaces()["queued"])
        drain()
    assert queued == expected
    assert sum(queued) == len(ids) and max(queued) < len(ids)
    with hub.session() as s:
        last = s.scalars(select(Connection.last_poll_at).where(Connection.id.in_(ids))).all()
    assert all(moment > polled_at for moment in last)
    assert market_emu.state["requests"] == 2 * len(ids)  # one call a poll: the first round and the spread one


def test_a_failing_connection_is_not_asked_again_before_its_next_period(hub, fake_clock, make_connection):
    failing, other = make_connection(name="failing"), make_connection(name="fine")
    long_ago = fake_clock.now() - timedelta(seconds=3 * hub.config.poll_interval)
    with hub.session() as s:
        s.execute(update(Connection).values(last_poll_at=long_ago))
        s.execute(update(Connection).where(Connection.id == failing).values(last_error_at=fake_clock.now()))
    assert jobs.poll_due_marketplaces() == {"due": 1, "queued": 1}
    assert [job.args[0] for job in hub.queue.jobs] == [other]


def test_the_fan_out_queues_one_job_per_connection_and_kind_like_enqueue(hub):
    from hub.sync import queueing
    from hub.sync.pipeline import Job
    assert queueing.enqueue_all(hub, Job.POLL_DECISIONS, [1, 2, 3], chunk=2) == 3
    assert queueing.enqueue(hub, Job.POLL_DECISIONS, 2) is None  # already queued: the markers are set
    assert queueing.enqueue_all(hub, Job.POLL_DECISIONS, [1, 2, 3, 4]) == 1
    queueing.started(hub, Job.POLL_DECISIONS, 3)
    assert queueing.enqueue_all(hub, Job.POLL_DECISIONS, [3]) == 1
    assert sorted(job.args[0] for job in hub.queue.jobs) == [1, 2, 3, 3, 4]
    assert {job.func_name for job in hub.queue.jobs} == {Job.POLL_DECISIONS.path}


def test_a_webhooks_read_of_named_returns_does_not_stand_for_the_scheduled_poll(hub, fake_clock, make_connection):
    """A webhook-triggered read covers the returns it names; the schedule's full poll (the safety net
    for a lost webhook) still falls due in its period."""
    cid = make_connection()
    long_ago = fake_clock.now() - timedelta(seconds=3 * hub.config.decision_interval)
    with hub.session() as s:
        s.execute(update(Connection).values(last_decision_poll_at=long_ago))
    assert jobs.poll_decisions(cid, shop_return_ids=["SR-from-a-webhook"]) == {"decided": 0}
    assert jobs.poll_due_decisions() == {"due": 1, "queued": 1}


def test_scheduled_polls_share_jobs_in_groups_and_each_connection_is_polled_once(hub, make_connection, drain,
                                                                                 market_emu, shop_emu):
    """RETURNHUB_POLL_GROUP connections share one scheduled job; each is polled once, its marker cleared,
    and a connection that fails is recorded without stopping the rest of its group."""
    from hub.sync import queueing
    from hub.sync.pipeline import Job
    hub.config.poll_group = 4
    ids = [make_connection(name=f"shop {n}") for n in range(9)]
    broken = create_connection(hub, marketplace="fakemarket", shop="fakeshop", merchant="Merchant A", name="wrong key",
                               marketplace_settings={"base_url": market_emu.url, "api_key": "wrong-key"},
                               shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token"})
    assert jobs.poll_all_marketplaces() == {"queued": 10}
    assert sorted(len(job.args[1]) for job in hub.queue.jobs) == [2, 4, 4]
    assert {job.func_name for job in hub.queue.jobs} == {Job.POLL_GROUP.path}
    assert jobs.poll_all_marketplaces() == {"queued": 0}, "every connection is marked as queued"
    drain()
    assert market_emu.state["requests"] == 10
    with hub.session() as s:
        rows = {c.id: c for c in s.scalars(select(Connection))}
    assert all(rows[cid].last_poll_at is not None and rows[cid].last_error is None for cid in ids)
    assert rows[broken].last_error and rows[broken].last_poll_at is None
    assert all(queueing.enqueue(hub, Job.POLL_MARKETPLACE, cid) for cid in [*ids, broken]), "markers cleared"


def test_a_run_queued_while_its_group_works_keeps_its_marker(hub, make_connection, market_emu, monkeypatch):
    """The group clears its connections' markers once, as it starts; a trigger that queues one of them
    again while the group works holds its marker, so a third trigger does not queue a duplicate."""
    from hub.sync import queueing
    from hub.sync.pipeline import Job
    first, second = make_connection(name="first"), make_connection(name="second")
    requeued = []
    poll = jobs._poll_marketplace

    def trigger_during_the_group(hub_, connection_id):
        if connection_id == first:
            requeued.append(queueing.enqueue(hub, Job.POLL_MARKETPLACE, second))
        return poll(hub_, connection_id)

    monkeypatch.setattr(jobs, "_poll_marketplace", trigger_during_the_group)
    assert jobs.poll_group(Job.POLL_MARKETPLACE.value, [first, second]) == {"polled": 2, "errors": 0}
    assert requeued and requeued[0] is not None
    assert market_emu.state["requests"] == 2
    assert queueing.enqueue(hub, Job.POLL_MARKETPLACE, second) is None, "the queued run's marker is kept"
    assert queueing.enqueue(hub, Job.POLL_MARKETPLACE, first) is not None


def test_only_polls_are_grouped(hub):
    import pytest

    from hub.sync import queueing
    from hub.sync.pipeline import Job
    with pytest.raises(ValueError, match="not grouped"):
        queueing.enqueue_all(hub, Job.PUSH_DECISIONS, [1, 2], group=2)
