"""Sending decided lines to the marketplace, each exactly once."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from hub.db import ReturnRow
from hub.model import State
from hub.sync.claims import claim, fail, now
from hub.sync.records import to_canonical, to_line
from hub.sync.state import transition

PUSHABLE = [State.DECIDED, State.IN_SHOP]


def push_one(hub, return_id: int, marketplace) -> str:
    """Push the decided, unpushed lines of one return; the return is ``pushed`` once all lines are."""
    token = claim(hub, return_id, PUSHABLE)
    if token is None:
        return "skipped"
    with hub.session() as s:
        row = s.get(ReturnRow, return_id, options=[selectinload(ReturnRow.lines)])
        ret = to_canonical(row)
        todo = [to_line(line) for line in row.lines if line.decision and line.pushed_at is None]
    try:
        if todo:
            marketplace.push_decision(ret, todo)
    except Exception as exc:
        return fail(hub, return_id, token, exc, "push decision")
    actor = f"marketplace:{marketplace.slug}"
    with hub.session() as s:
        row = s.get(ReturnRow, return_id, options=[selectinload(ReturnRow.lines)])
        if row.claim_token != token:
            return "skipped"
        moment = now()
        pushed_ids = {line.id for line in todo}
        for line in row.lines:
            if line.id in pushed_ids:
                line.pushed_at = moment
        done = all(line.pushed_at for line in row.lines)
        if row.state == State.DECIDED.value and done:
            transition(s, row, State.PUSHED, actor,
                       "sent to the marketplace: " + ", ".join(
                           f"{line.external_line_id}: {line.decision} x{line.decision_quantity}" for line in row.lines),
                       attempts=0, last_error=None, next_attempt_at=None, claim_token=None, claimed_until=None)
        else:
            row.claim_token, row.claimed_until, row.attempts, row.last_error = None, None, 0, None
    return "pushed"


