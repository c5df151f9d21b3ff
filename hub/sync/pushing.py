"""Sending decided lines to the marketplace, each exactly once."""
from __future__ import annotations

from sqlalchemy import update

from hub.db import ReturnLine, ReturnRow
from hub.model import State
from hub.sync.claims import fail, now
from hub.sync.records import to_canonical, to_line
from hub.sync.state import transition


def push_one(hub, row: ReturnRow, token: str, marketplace) -> str:
    """Push the decided, unpushed lines of one claimed return; ``pushed`` once all lines are."""
    ret = to_canonical(row)
    todo = [to_line(line) for line in row.lines if line.decision and line.pushed_at is None]
    try:
        if todo:
            marketplace.push_decision(ret, todo)
    except Exception as exc:
        return fail(hub, row.id, token, exc, "Sending the decision to the marketplace failed")
    moment = now()
    pushed_ids = {line.id for line in todo}
    all_pushed = all(line.pushed_at is not None or line.id in pushed_ids for line in row.lines)
    with hub.session() as s:
        if pushed_ids:
            s.execute(update(ReturnLine).where(ReturnLine.id.in_(pushed_ids)).values(pushed_at=moment))
        if row.state == State.DECIDED.value and all_pushed:
            moved = transition(
                s, row, State.PUSHED, f"marketplace:{marketplace.slug}",
                "sent to the marketplace: " + ", ".join(
                    f"{line.external_line_id}: {line.decision} x{line.decision_quantity}" for line in row.lines),
                claim=token, attempts=0, last_error=None, next_attempt_at=None, claim_token=None, claimed_until=None)
        else:
            moved = s.execute(update(ReturnRow).where(ReturnRow.id == row.id, ReturnRow.claim_token == token).values(
                claim_token=None, claimed_until=None, attempts=0, last_error=None)).rowcount == 1
        if not moved:
            s.rollback()
            return "skipped"
    return "pushed"
