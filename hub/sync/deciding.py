"""Recording the merchant's decisions, per line, and moving decided returns on."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.db import ReturnRow
from hub.i18n import DECISION_LABELS
from hub.model import Decision, LineDecision, ReturnDecisions, State
from hub.sync import pipeline, queueing
from hub.sync.claims import now
from hub.sync.state import transition

MANUAL_STATES = pipeline.from_states("decide_manually")


def N_(message: str) -> str:
    """Marks a message id for the catalogue (pybabel's default ``N_`` keyword); translated when shown."""
    return message


class DecisionError(ValueError):
    """A manual decision that cannot be taken (wrong state, unknown line, missing note).

    It carries an English message id and its parameters: ``str()`` is the English text (the API, logs,
    timelines), :meth:`translated` the same text in the user's language (the web UI's flash).
    """

    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message % params if params else message)

    def shown_params(self) -> dict:
        """The parameters as the user's language words them (a subclass translates its values)."""
        return self.params

    def translated(self) -> str:
        """The text in the current locale (English outside a request)."""
        return gettext(self.message, **self.shown_params())


class RefusedDecision(DecisionError):
    """Decisions the return's marketplace does not take; nothing was stored. ``allowed`` names what it takes."""

    def __init__(self, marketplace: str, refused: dict[str, str], allowed: tuple[Decision, ...]):
        self.marketplace, self.refused, self.allowed = marketplace, refused, allowed
        super().__init__(N_("%(marketplace)s does not take %(refused)s; decisions allowed for this return: "
                            "%(allowed)s"), marketplace=marketplace,
                         refused=", ".join(f"'{value}' (line {line})" for line, value in refused.items()),
                         allowed=", ".join(d.value for d in allowed))

    def shown_params(self) -> dict:
        """The refused and allowed decisions by their names in the user's language."""
        label = {key: str(text) for key, text in DECISION_LABELS.items()}
        refused = ", ".join(gettext("'%(decision)s' (line %(line)s)", decision=label.get(value, value), line=line)
                            for line, value in self.refused.items())
        return {"marketplace": self.marketplace, "refused": refused,
                "allowed": ", ".join(label[d.value] for d in self.allowed)}


def allowed_decisions(marketplace_cls) -> tuple[Decision, ...]:
    """The decisions a return of this marketplace may take: those it declares when it takes decisions
    (``Marketplace.capabilities.decisions``), else all six (they are recorded in Returnhub only)."""
    if marketplace_cls is not None and marketplace_cls.takes_decisions:
        return tuple(Decision(d) for d in marketplace_cls.capabilities.decisions if d in Decision._value2member_map_)
    return tuple(Decision)


def check_decisions(marketplace_cls, decisions: list[LineDecision]) -> None:
    """Raise ``RefusedDecision`` when a line's decision is not one the marketplace takes (before storing)."""
    allowed = allowed_decisions(marketplace_cls)
    refused = {d.external_line_id: d.decision.value for d in decisions
               if d.decision is not None and d.decision not in allowed}
    if refused:
        title = getattr(marketplace_cls, "title", None) or "the marketplace"
        raise RefusedDecision(title, refused, allowed)


def _store(row: ReturnRow, reported: list[LineDecision], note: str | None) -> None:
    """Write reported line decisions; a pushed line keeps its decision, an unknown value stays raw."""
    moment = now()
    lines = {line.external_line_id: line for line in row.lines}
    for item in reported:
        line = lines.get(item.external_line_id)
        if line is None or line.pushed_at is not None:
            continue
        if item.decision is None:
            line.decision_raw = item.raw
            continue
        quantity = item.quantity if item.quantity is not None else line.quantity
        line.decision = item.decision.value
        line.decision_quantity = max(0, min(quantity, line.quantity))
        line.decision_note = item.note or note
        line.decision_raw = item.raw
        line.decided_at = line.decided_at or moment


def _close_if_decided(session, row: ReturnRow, actor: str, pushes: bool, note: str | None = None) -> bool:
    if not all(line.decision for line in row.lines):
        return False
    summary = ", ".join(f"{line.external_line_id}: {line.decision} x{line.decision_quantity}" for line in row.lines)
    transition(session, row, State.DECIDED, actor, summary + (f" — {note}" if note else ""),
               decided_at=now(), attempts=0, next_attempt_at=None, last_error=None, attention_reason=None,
               resume_state=None)
    if not pushes:
        transition(session, row, State.CLOSED_WITHOUT_PUSH, "system",
                   "test return: recorded in Returnhub only, never sent to the marketplace" if row.is_test
                   else "this marketplace takes no decision: it is recorded in Returnhub only")
    return True


def apply_decisions(hub, report: ReturnDecisions, actor: str, pushes: bool, note: str | None = None,
                    marketplace_cls=None) -> bool:
    """Store one return's line decisions from the shop; True when the return became decided (or closed)."""
    return apply_decision_batch(hub, [report], actor, pushes, note, marketplace_cls) == 1


def _refuse(session, row: ReturnRow, actor: str, exc: RefusedDecision) -> None:
    """A shop reported a decision the marketplace does not take: store none of it, ask the merchant."""
    message = f"the shop's decision was refused: {exc}. Decide the return here with one of those."
    transition(session, row, State.NEEDS_ATTENTION, actor, message, attention_reason=message,
               resume_state=row.state, last_error=message)


def apply_decision_batch(hub, reports: list[ReturnDecisions], actor: str, pushes: bool,
                         note: str | None = None, marketplace_cls=None) -> int:
    """Store a batch of shop reports in one transaction; the number of returns that became decided.

    A report naming a decision the marketplace (``marketplace_cls``) does not take is not stored: its
    return goes to needs attention saying which decisions are allowed.
    """
    if not reports:
        return 0
    decided = 0
    with hub.session() as s:
        rows = {row.id: row for row in s.scalars(
            select(ReturnRow).where(ReturnRow.id.in_([r.return_id for r in reports]),
                                    ReturnRow.state == State.IN_SHOP.value)
            .options(selectinload(ReturnRow.lines)))}
        for report in reports:
            row = rows.get(report.return_id)
            if row is None:
                continue
            try:
                check_decisions(marketplace_cls, report.lines)
            except RefusedDecision as exc:
                _refuse(s, row, actor, exc)
                continue
            _store(row, report.lines, note)
            decided += _close_if_decided(s, row, actor, pushes)
    return decided


def decide_manually(hub, return_id: int, decisions: list[LineDecision], note: str, actor: str) -> bool:
    """The merchant sets the decision in Returnhub (a shop that cannot express it); a note is required.

    Allowed while the return is in the shop or needs attention. Lines not named keep what they had;
    once every line is decided the return moves on (and is pushed where the marketplace takes it).
    """
    if not (note or "").strip():
        raise DecisionError(N_("a note is required for a manual decision"))
    with hub.session() as s:
        row = s.get(ReturnRow, return_id, options=[selectinload(ReturnRow.lines)])
        if row is None or State(row.state) not in MANUAL_STATES:
            raise DecisionError(N_("only a return in the shop or needing attention can be decided manually"))
        known = {line.external_line_id for line in row.lines}
        unknown = [d.external_line_id for d in decisions if d.external_line_id not in known]
        if unknown:
            raise DecisionError(N_("unknown line(s): %(lines)s"), lines=", ".join(unknown))
        if any(d.decision is None for d in decisions):
            raise DecisionError(N_("every decision must be one of the six"))
        marketplace_cls = hub.registry.marketplaces.get(row.connection.marketplace)
        check_decisions(marketplace_cls, decisions)
        _store(row, [LineDecision(d.external_line_id, d.decision, d.quantity, d.note or note) for d in decisions], note)
        shop_cls = hub.registry.shops.get(row.connection.shop)
        pushes = marketplace_cls is not None and marketplace_cls.takes_decisions
        decided = _close_if_decided(s, row, actor, pushes, note=f"set manually: {note.strip()}")
        connection_id = row.connection_id
    if decided:
        queueing.enqueue_next(hub, connection_id, [State.DECIDED], marketplace_cls, shop_cls)
    return decided
