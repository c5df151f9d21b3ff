"""OTTO's Returns v3 vocabularies (statuses, conditions, reason codes) and reading them from a decision note.

Sources (README.md): acceptance reasons and conditions from OTTO's returns pages; rejection reasons
from two independent third-party copies (the official list was not readable) — hence settings.
"""
from __future__ import annotations

import re

STATUSES = ("ANNOUNCED", "ACCEPTED", "REJECTED", "MISDIRECTED")
OPEN_STATUSES = ("ANNOUNCED", "MISDIRECTED")  # what the hub imports: returns still waiting for the seller
CONDITIONS = ("A", "B", "C", "D", "E")
ACCEPT_REASONS = ("RETURN_RECEIVED", "CANCEL_REQUEST_BY_CUSTOMER", "SHIPMENT_LOST", "RETURN_LOST",
                  "STATUS_SENT_BY_ACCIDENT", "REFUND_AFTER_AFFIDAVIT", "COMPLAINT", "UNDELIVERABLE")
REJECT_REASONS = ("THIRD_PARTY_ITEM", "WRONG_ITEM", "EXCHANGE", "DAMAGE_TO_THE_HYGIENE_SEAL", "ITEM_DAMAGED",
                  "RETURN_PERIOD_EXCEEDED", "ITEM_NOT_IN_THE_PARCEL")

_CONDITION = re.compile(r"\bcondition\s*[:=]?\s*([A-E])\b", re.IGNORECASE)


def reason_in(note: str | None, allowed: tuple[str, ...]) -> str | None:
    """The first of ``allowed`` named in a decision note (as a word, any case), else None."""
    if not note:
        return None
    words = set(re.findall(r"[A-Za-z_]+", note.upper()))
    return next((code for code in allowed if code in words), None)


def condition_in(note: str | None) -> str | None:
    """The condition letter a note names ('condition C', 'Condition: B'), else None."""
    found = _CONDITION.search(note or "")
    return found.group(1).upper() if found else None
