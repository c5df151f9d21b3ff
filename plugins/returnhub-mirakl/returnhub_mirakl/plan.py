"""What to send for the merchant's decisions on one Mirakl return (research §5.4), worked out before any call.

A decision Mirakl cannot express for this connection is refused here, with the reason and what to
do instead, so nothing is half sent. With the return's current state (RT11) the plan leaves out
the steps already done, which makes a repeated push harmless.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hub.errors import PermanentError
from hub.model import Decision, Line, Return

REFUND_DECISIONS = {Decision.ACCEPTED, Decision.KEPT}
CHECKED = {Decision.ACCEPTED, Decision.REJECTED}  # decisions that need the parcel back and a compliance


@dataclass
class Step:
    """One call's share: ``op`` is accept/receive/compliance/close/cancel (an RT entry) or refund (OR28 lines)."""

    op: str
    entry: dict = field(default_factory=dict)
    refunds: dict[str, tuple[int, Decimal]] = field(default_factory=dict)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)


def _units(line: Line) -> int:
    return line.decision_quantity if line.decision_quantity is not None else line.quantity


def _price(line: Line, operator_name: str) -> Decimal:
    if line.unit_price is None:
        raise PermanentError(f"line {line.external_line_id} has no price from {operator_name}; a refund needs one "
                             "(refund it in the marketplace's back office)")
    return Decimal(str(line.unit_price))


def _refunds(lines: list[Line], operator_name: str, accepted_too: bool) -> dict[str, tuple[int, Decimal]]:
    out = {}
    for line in lines:
        refunded = line.decision == Decision.KEPT or (accepted_too and line.decision == Decision.ACCEPTED)
        if refunded and _units(line) > 0:
            out[line.external_line_id] = (_units(line), _price(line, operator_name))
    return out


def _unsupported(lines: list[Line], operator_name: str) -> None:
    for line in lines:
        if line.decision not in (Decision.ACCEPTED, Decision.REJECTED, Decision.KEPT, Decision.CANCELLED):
            raise PermanentError(f"{operator_name} (Mirakl) has no '{line.decision}' for a return: decide accepted, "
                                 "rejected, kept or cancelled, or handle it in the marketplace's back office")


def plan_returns_module(ret: Return, lines: list[Line], opts: dict, operator_name: str,
                        current: dict | None = None) -> Plan:
    """Steps for a return of the returns module; without ``current`` only the up-front refusals are checked."""
    _unsupported(lines, operator_name)
    decisions = {line.decision for line in lines}
    rid = ret.external_id
    if Decision.CANCELLED in decisions and decisions != {Decision.CANCELLED}:
        raise PermanentError(f"{operator_name} cancels a whole return (RT29): decide 'cancelled' for every line "
                             "or for none")
    partial = [line.external_line_id for line in lines if line.decision == Decision.ACCEPTED
               and _units(line) < line.quantity]
    if partial and not opts.get("refund_accepted"):
        raise PermanentError(f"{operator_name} marks a whole line compliant; for part of line(s) {', '.join(partial)} "
                             "switch on 'Refund accepted lines' so the refund says how many units")
    checked = decisions & CHECKED
    mixed = Decision.REJECTED in decisions and decisions != {Decision.REJECTED}
    if (mixed or (checked and current and current.get("state") != "WAITING_ACCEPTANCE")) \
            and not opts.get("compliance_step"):
        raise PermanentError(f"a per-line outcome at {operator_name} is a compliance (RT26): switch on 'Send "
                             "compliance per line'")
    if current is None:
        return Plan()
    return _steps(rid, lines, opts, operator_name, current, decisions)


def _steps(rid: str, lines: list[Line], opts: dict, operator_name: str, current: dict, decisions: set) -> Plan:
    state = current.get("state")
    plan = Plan()
    done = {"CLOSED"}
    if decisions == {Decision.CANCELLED}:
        if state != "CANCELED":
            if state not in ("WAITING_ACCEPTANCE", "IN_PROGRESS"):
                raise PermanentError(f"return {rid} is {state} at {operator_name}; it can no longer be cancelled")
            plan.steps.append(Step("cancel", {"id": rid}))
        return plan
    if decisions == {Decision.REJECTED} and state in ("WAITING_ACCEPTANCE", "REFUSED"):
        if state == "WAITING_ACCEPTANCE":
            plan.steps.append(Step("accept", {"id": rid, "accepted": False,
                                              "rejection_reason_code": opts["rejection_reason_code"]}))
        return plan
    if state in ("REFUSED", "CANCELED"):
        raise PermanentError(f"return {rid} is already {state} at {operator_name}; Returnhub does not overwrite it "
                             "(change it in the marketplace's back office)")
    if state == "WAITING_ACCEPTANCE":
        plan.steps.append(Step("accept", {"id": rid, "accepted": True}))
        state = "IN_PROGRESS"
    checked = [line for line in lines if line.decision in CHECKED]
    compliance_sent = any(rl.get("compliance") for rl in current.get("return_lines") or [])
    if checked and state not in done:
        if state == "IN_PROGRESS" and opts.get("receive_step"):
            plan.steps.append(Step("receive", {"id": rid}))
            state = "RECEIVED"
        if opts.get("compliance_step") and state == "RECEIVED" and not compliance_sent:
            entries = []
            for line in lines:
                item = {"order_line_id": line.external_line_id, "compliant": line.decision != Decision.REJECTED}
                if line.decision == Decision.REJECTED:
                    item["non_compliance_reason_code"] = opts["non_compliance_reason_code"]
                entries.append(item)
            plan.steps.append(Step("compliance", {"id": rid, "return_lines": entries}))
    refunds = _refunds(lines, operator_name, bool(opts.get("refund_accepted")))
    if refunds:
        plan.steps.append(Step("refund", refunds=refunds))
    if opts.get("close_step") and state not in done:
        plan.steps.append(Step("close", {"id": rid}))
    return plan


def plan_incident(ret: Return, lines: list[Line], opts: dict, operator_name: str) -> Plan:
    """Without the returns module only refunds can be sent (OR28): accepted and kept lines are refunded."""
    _unsupported(lines, operator_name)
    other = sorted({str(line.decision) for line in lines} - {str(d) for d in REFUND_DECISIONS})
    if other:
        raise PermanentError(f"{operator_name} handles this return as an order incident (no returns module): "
                             f"Returnhub can only send refunds there; '{', '.join(other)}' must be answered in the "
                             "incident in the marketplace's back office")
    return Plan([Step("refund", refunds=_refunds(lines, operator_name, True))])
