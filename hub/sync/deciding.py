"""Recording the merchant's decisions, per line, and moving decided returns on."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from hub.db import ReturnRow
from hub.model import ReturnDecisions, State
from hub.sync.claims import now
from hub.sync.state import transition

DECIDABLE = (State.IN_SHOP.value, State.NEEDS_ATTENTION.value)


def apply_decisions(hub, report: ReturnDecisions, actor: str, pushes: bool, note: str | None = None) -> bool:
    """Store one return's line decisions; True when the return became decided (or closed).

    A line already pushed keeps its decision. A value the shop gave that is not one of the six is
    kept raw and leaves the line undecided, visible to the merchant; it never fails the batch.
    """
    moment = now()
    with hub.session() as s:
        row = s.get(ReturnRow, report.return_id, options=[selectinload(ReturnRow.lines)])
        if row is None or row.state != State.IN_SHOP.value:
            return False
        lines = {line.external_line_id: line for line in row.lines}
        for reported in report.lines:
            line = lines.get(reported.external_line_id)
            if line is None or line.pushed_at is not None:
                continue
            if reported.decision is None:
                line.decision_raw = reported.raw
                continue
            quantity = reported.quantity if reported.quantity is not None else line.quantity
            line.decision = reported.decision.value
            line.decision_quantity = max(0, min(quantity, line.quantity))
            line.decision_note = reported.note or note
            line.decision_raw = reported.raw
            line.decided_at = line.decided_at or moment
        if not all(line.decision for line in row.lines):
            return False
        summary = ", ".join(f"{line.external_line_id}: {line.decision} x{line.decision_quantity}" for line in row.lines)
        transition(s, row, State.DECIDED, actor, summary, decided_at=moment, attempts=0,
                   next_attempt_at=None, last_error=None)
        if not pushes:
            transition(s, row, State.CLOSED_WITHOUT_PUSH, "system",
                       "this marketplace takes no decision: it is recorded in Returnhub only")
    return True
