"""What a merchant (UI, API, CLI) can do to the pipeline: retry a return, sync a connection now."""
from __future__ import annotations

from hub.db import ReturnRow
from hub.model import State
from hub.sync import queueing
from hub.sync.state import transition

NEXT_JOB = {
    State.RECEIVED: "create_in_shop",
    State.WAITING_FOR_ORDER: "create_in_shop",
    State.IN_SHOP: "poll_decisions",
    State.DECIDED: "push_decisions",
}


def retry(hub, return_id: int, actor: str) -> bool:
    """Send a return in needs_attention back to the step that failed, with a fresh set of attempts."""
    with hub.session() as s:
        row = s.get(ReturnRow, return_id)
        if row is None or row.state != State.NEEDS_ATTENTION.value:
            return False
        target = State(row.resume_state or State.RECEIVED.value)
        if target == State.NEEDS_ATTENTION:
            target = State.RECEIVED
        values = dict(attempts=0, next_attempt_at=None, attention_reason=None, claim_token=None,
                      claimed_until=None, resume_state=None)
        if target == State.WAITING_FOR_ORDER:
            values["waiting_since"] = None
        if not transition(s, row, target, actor, "retry requested", **values):
            return False
        connection_id = row.connection_id
    queueing.enqueue(hub, NEXT_JOB[target], connection_id)
    return True


def sync_now(hub, connection_id: int) -> None:
    """Queue a marketplace poll and a decision poll for a connection right away."""
    queueing.enqueue(hub, "poll_marketplace", connection_id)
    queueing.enqueue(hub, "poll_decisions", connection_id)


def retry_many(hub, return_ids: list[int], actor: str) -> int:
    """Bulk retry: send each listed return in needs_attention back to its failed step; how many were."""
    return sum(1 for return_id in dict.fromkeys(return_ids) if retry(hub, return_id, actor))
