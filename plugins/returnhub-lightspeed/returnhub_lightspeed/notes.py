"""The return as the hub writes it into the order's memo: one marker line per return, which is how a retried
create finds its earlier write and how a webhook about the order names the returns on it."""
from __future__ import annotations

import re

from hub.model import Return

MARKER = re.compile(r"\[(returnhub-[^\]\s]+)\]")


def marker(reference: str) -> str:
    return f"[{reference}]"


def line_for(ret: Return) -> str:
    """``[returnhub-1-R5] Return requested (marketplace order MO5): 1x SKU-1 (TOO_SMALL)``."""
    items = "; ".join(
        f"{line.quantity}x {line.sku or line.ean or line.title or line.external_line_id}"
        + (f" ({line.reason_code})" if line.reason_code else "")
        + (f" \"{' '.join(line.customer_comment.split())[:120]}\"" if line.customer_comment else "")
        for line in ret.lines)
    return f"{marker(ret.reference)} Return requested (marketplace order {ret.marketplace_order_id}): {items}"


def has(memo: str | None, reference: str) -> bool:
    return marker(reference) in (memo or "")


def references(memo: str | None) -> list[str]:
    """The return references written into a memo, in order."""
    return MARKER.findall(memo or "")


def appended(memo: str | None, line: str) -> str:
    """The memo with the return's line added below what is there."""
    return f"{memo.rstrip()}\n{line}" if memo and memo.strip() else line
