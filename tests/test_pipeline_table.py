"""The step table is the state machine: every edge it has is a transition that writes its event, every
pair it lacks raises IllegalTransition and writes nothing, and what the jobs read from it is right."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from hub import clock
from hub.db import ReturnEvent, ReturnRow
from hub.manifest import MarketplaceCapabilities, ShopCapabilities
from hub.model import State, load_return
from hub.model.enums import FINAL_STATES
from hub.sync import jobs, pipeline
from hub.sync.pipeline import Job
from hub.sync.records import new_row
from hub.sync.state import ALLOWED, IllegalTransition, record_creation, transition

EDGES = sorted({edge for step in pipeline.STEPS for edge in step.edges}, key=lambda e: (str(e[0]), str(e[1])))
ILLEGAL = [(a, b) for a, b in itertools.product(list(State), list(State)) if (a, b) not in set(EDGES)]
PUSHING = MarketplaceCapabilities(push_decision=True, decisions=("accepted",))
PER_LINE = MarketplaceCapabilities(push_decision=True, per_line_push=True, decisions=("accepted",))
RECORDING = MarketplaceCapabilities(push_decision=False)
POLLED = ShopCapabilities(decisions=("accepted",), decision_source=("poll",))
WEBHOOK_ONLY = ShopCapabilities(decisions=("accepted",), decision_source=("webhook",))


def _return(hub, cid: int, state: State, n: int) -> int:
    ret = load_return({"external_id": f"EDGE-{n}", "marketplace_order_id": f"O-{n}",
                       "requested_at": clock.now().isoformat(),
                       "lines": [{"external_line_id": f"EDGE-{n}-1", "quantity": 1}]})
    with hub.session() as s:
        row = new_row(cid, ret)
        row.state = state.value
        s.add(row)
        s.flush()
        return row.id


def _events(hub, return_id: int) -> list[tuple]:
    with hub.session() as s:
        return list(s.execute(select(ReturnEvent.from_state, ReturnEvent.to_state)
                              .where(ReturnEvent.return_id == return_id).order_by(ReturnEvent.id)).all())


def test_allowed_is_exactly_the_tables_edges():
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == set(EDGES)
    for final in FINAL_STATES:
        assert not ALLOWED[final], f"{final} is final but the table leaves it"
    for state in set(State) - FINAL_STATES:
        assert ALLOWED[state], f"{state} has no step out of it"
    reached = {b for _, b in EDGES}
    assert reached == set(State), "every state is reached by some step"


def test_every_step_names_a_job_that_exists_and_a_method_of_its_adapter():
    from hub.adapters import Marketplace, Shop
    for step in pipeline.STEPS:
        if step.job is not None:
            assert callable(getattr(jobs, step.job.value)), step
        if step.method is not None:
            assert step.adapter in ("marketplace", "shop"), step
            assert hasattr({"marketplace": Marketplace, "shop": Shop}[step.adapter], step.method), step
    assert {job.value for job in Job} <= {name for name in dir(jobs) if callable(getattr(jobs, name))}


@pytest.mark.parametrize("edge", EDGES, ids=[f"{a}->{b}" for a, b in EDGES])
def test_every_edge_of_the_table_is_a_transition(hub, make_connection, edge):
    source, target = edge
    cid = make_connection()
    if source is None:
        ret = load_return({"external_id": "EDGE-NEW", "marketplace_order_id": "O-NEW",
                           "requested_at": clock.now().isoformat(),
                           "lines": [{"external_line_id": "L1", "quantity": 1}]})
        with hub.session() as s:
            row = new_row(cid, ret)
            s.add(row)
            s.flush()
            record_creation(s, row, "test")
            return_id = row.id
        assert _events(hub, return_id) == [(None, State.RECEIVED.value)]
        return
    return_id = _return(hub, cid, source, 1)
    with hub.session() as s:
        assert transition(s, s.get(ReturnRow, return_id), target, "test", "walking the table")
    with hub.session() as s:
        assert s.get(ReturnRow, return_id).state == target.value
    assert _events(hub, return_id) == [(source.value, target.value)]
    assert pipeline.steps_between(source, target)


def test_every_other_pair_is_illegal_and_writes_nothing(hub, make_connection):
    cid = make_connection()
    for n, (source, target) in enumerate(ILLEGAL):
        return_id = _return(hub, cid, source, 100 + n)
        with hub.session() as s:
            before = s.scalar(select(func.count()).select_from(ReturnEvent))
            with pytest.raises(IllegalTransition, match=f"{source} -> {target} is not a transition"):
                transition(s, s.get(ReturnRow, return_id), target, "test", attempts=7)
        with hub.session() as s:
            row = s.get(ReturnRow, return_id)
            assert (row.state, row.attempts) == (source.value, 0), (source, target)
            assert s.scalar(select(func.count()).select_from(ReturnEvent)) == before, (source, target)
        assert not pipeline.steps_between(source, target)
    assert len(ILLEGAL) == len(State) ** 2 - len([e for e in EDGES if e[0] is not None])


def test_claimed_states_follow_the_capabilities():
    assert pipeline.claim_states(Job.CREATE_IN_SHOP, PUSHING, POLLED) == [State.RECEIVED, State.WAITING_FOR_ORDER]
    assert pipeline.claim_states(Job.PUSH_DECISIONS, PUSHING, POLLED) == [State.DECIDED]
    assert pipeline.claim_states(Job.PUSH_DECISIONS, PER_LINE, POLLED) == [State.IN_SHOP, State.DECIDED]
    assert pipeline.claim_states(Job.PUSH_DECISIONS, RECORDING, POLLED) == []


def test_next_jobs_and_the_reconciler_follow_the_capabilities():
    assert pipeline.next_jobs(State.RECEIVED, PUSHING, POLLED) == [Job.CREATE_IN_SHOP]
    assert pipeline.next_jobs(State.WAITING_FOR_ORDER, PUSHING, POLLED) == [Job.CREATE_IN_SHOP]
    assert pipeline.next_jobs(State.IN_SHOP, PUSHING, POLLED) == [Job.POLL_DECISIONS]
    assert pipeline.next_jobs(State.IN_SHOP, PER_LINE, WEBHOOK_ONLY) == [Job.PUSH_DECISIONS]
    assert pipeline.next_jobs(State.IN_SHOP, PUSHING, WEBHOOK_ONLY) == []
    assert pipeline.next_jobs(State.DECIDED, PUSHING, POLLED) == [Job.PUSH_DECISIONS]
    assert pipeline.next_jobs(State.DECIDED, RECORDING, POLLED) == []
    for final in FINAL_STATES:
        assert pipeline.next_jobs(final, PER_LINE, POLLED) == []
    assert pipeline.reconciled_jobs(PUSHING, POLLED) == {
        Job.CREATE_IN_SHOP: [State.RECEIVED, State.WAITING_FOR_ORDER], Job.PUSH_DECISIONS: [State.DECIDED]}
    assert pipeline.reconciled_jobs(RECORDING, WEBHOOK_ONLY) == {
        Job.CREATE_IN_SHOP: [State.RECEIVED, State.WAITING_FOR_ORDER]}


def test_hints_say_what_a_return_waits_for():
    assert pipeline.hint(State.DECIDED, PUSHING, POLLED) == "Waiting to be sent to the marketplace."
    assert "decision poll" in pipeline.hint(State.IN_SHOP, PUSHING, POLLED)
    assert "webhook" in pipeline.hint(State.IN_SHOP, PUSHING, WEBHOOK_ONLY)
    assert pipeline.hint(State.PUSHED, PUSHING, POLLED) is None


def test_the_kit_reads_its_method_rules_from_the_table():
    shop = pipeline.adapter_methods("shop")
    assert shop["create_return"] == [pipeline.ALWAYS] and shop["find_order"] == [pipeline.ALWAYS]
    assert shop["fetch_decisions"] == [pipeline.SHOP_POLLS] and shop["parse_webhook"] == [pipeline.SHOP_WEBHOOKS]
    marketplace = pipeline.adapter_methods("marketplace")
    assert marketplace["fetch_returns"] == [pipeline.ALWAYS]
    assert marketplace["push_decision"] == [pipeline.TAKES_DECISIONS, pipeline.PER_LINE_PUSH]


def test_enqueue_takes_only_jobs(hub):
    from hub.sync import queueing
    with pytest.raises(TypeError, match="pipeline.Job"):
        queueing.enqueue(hub, "poll_marketplace", 1)
